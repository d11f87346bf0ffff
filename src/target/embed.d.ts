// `import p from "…/sysmon.bpf.o" with { type: "file" }` yields the file's path
// (a /$bunfs/… path inside a compiled executable).
declare module "*.bpf.o" {
  const path: string;
  export default path;
}
