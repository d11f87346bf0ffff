// `import p from "…/wraith-demo" with { type: "file" }` yields the file's path
// (a /$bunfs/… path inside a compiled executable).
declare module "*/wraith-demo" {
  const path: string;
  export default path;
}
