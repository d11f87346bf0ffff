// Path handling for line tables: joining directory and file entries the way
// DWARF intends (relative entries hang off the compilation directory), and
// matching a user's "foo.c" or "src/foo.c" against full paths on whole
// path components only.

/** `dir/name`, or `name` alone when it is already absolute or `dir` is empty. */
export function joinPath(dir: string | undefined, name: string): string {
  if (name.startsWith("/") || !dir) return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

/** Removes "." components and empty components; ".." is kept (symlinks make it unsafe to fold). */
export function tidyPath(path: string): string {
  const abs = path.startsWith("/");
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  return (abs ? "/" : "") + parts.join("/");
}

/**
 * Whether `path` ends with `suffix` on a component boundary: "foo.c" matches
 * "/src/foo.c" and "foo.c" but not "/src/barfoo.c"; "src/foo.c" matches
 * "/home/me/src/foo.c". A suffix that is an absolute path must match whole.
 */
export function pathHasSuffix(path: string, suffix: string): boolean {
  const p = tidyPath(path);
  const s = tidyPath(suffix);
  if (s === "" || s === "/") return false;
  if (s.startsWith("/")) return p === s;
  if (p === s) return true;
  return p.endsWith(s) && p[p.length - s.length - 1] === "/";
}
