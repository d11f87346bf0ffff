// `import p from "…/libbpf.so.1" with { type: "file" }` yields the file's path
// (a /$bunfs/… path inside a compiled executable).
declare module "*.so.1" {
  const path: string;
  export default path;
}
