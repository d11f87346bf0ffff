// Compiles the C fixtures in test/fixtures into a cache directory, once per
// (source, compiler, flags) combination. No binaries are committed: every
// test builds what it needs from source with the machine's real compilers.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dir, "../..");
export const FIXTURES = join(ROOT, "test/fixtures");
export const CACHE = join(ROOT, ".cache/fixtures");

export interface CompileOptions {
  /** g++ / clang++ for C++ fixtures (test/fixtures/<name>.cpp). */
  cc?: "gcc" | "clang" | "g++" | "clang++";
  opt?: "-O0" | "-O1" | "-O2";
  dwarf?: 4 | 5;
  pie?: boolean;
  /** Build a shared library (-shared -fPIC) instead of an executable. */
  shared?: boolean;
  /** Extra sources (fixture names, without .c) compiled into the same binary. */
  with?: string[];
  /** Extra compiler flags, e.g. ["-lfoo", "-L…"]. */
  flags?: string[];
}

/** Compile test/fixtures/<name>.c and return the absolute path of the output. */
export function compileFixture(name: string, o: CompileOptions = {}): string {
  const cc = o.cc ?? "gcc";
  const cxx = cc === "g++" || cc === "clang++";
  const sources = [name, ...(o.with ?? [])].map((n) => join(FIXTURES, n.endsWith(".c") || n.endsWith(".cpp") ? n : `${n}${cxx ? ".cpp" : ".c"}`));
  const args = [
    o.opt ?? "-O0",
    `-gdwarf-${o.dwarf ?? 5}`,
    ...(o.shared ? ["-shared", "-fPIC"] : o.pie === false ? ["-no-pie", "-fno-pie"] : ["-pie", "-fPIE"]),
  ];
  const h = createHash("sha256");
  h.update([cc, ...args, ...(o.flags ?? [])].join("\0"));
  for (const s of sources) h.update(readFileSync(s));
  const tag = `${name}-${cc}${(o.opt ?? "-O0").slice(1)}-d${o.dwarf ?? 5}${o.shared ? "-so" : o.pie === false ? "-nopie" : ""}`;
  const out = join(CACHE, `${tag}-${h.digest("hex").slice(0, 12)}${o.shared ? ".so" : ""}`);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${out}.tmp${process.pid}`;
  const r = Bun.spawnSync([cc, ...args, "-o", tmp, ...sources, ...(o.flags ?? [])], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cc} failed for ${name}: ${r.stderr.toString()}`);
  renameSync(tmp, out);
  return out;
}

export interface SharedLibrary {
  /** Absolute path of lib<name>.so. */
  path: string;
  /** Its directory (holds nothing else). */
  dir: string;
  /** Flags that link an executable against it, with an rpath so it runs without LD_LIBRARY_PATH. */
  linkFlags: string[];
}

/**
 * Compile test/fixtures/<source>.c as lib<libName>.so (with that SONAME) in
 * a directory of its own, and return the flags to link a fixture against it:
 * `compileFixture("app", { flags: lib.linkFlags })`.
 */
export function compileSharedLibrary(source: string, libName: string, o: Omit<CompileOptions, "shared"> = {}): SharedLibrary {
  const soname = `lib${libName}.so`;
  const built = compileFixture(source, { ...o, shared: true, flags: [...(o.flags ?? []), `-Wl,-soname,${soname}`] });
  const dir = `${built}.d`;
  const path = join(dir, soname);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.tmp${process.pid}`;
    copyFileSync(built, tmp);
    renameSync(tmp, path);
  }
  return { path, dir, linkFlags: [`-L${dir}`, `-l${libName}`, `-Wl,-rpath,${dir}`] };
}
