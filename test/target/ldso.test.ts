// linkedLibraries finds what ld.so loads: compared with `ldd` (ld.so itself
// in --list mode) for system binaries and for fixtures that find their
// library through DT_RUNPATH, DT_RPATH with $ORIGIN, and LD_LIBRARY_PATH;
// the ld.so.cache parser against `ldconfig -p`.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { compileFixture, compileSharedLibrary } from "../helpers/fixtures.ts";
import { linkedLibraries, parseLdSoCache } from "../../src/target/ldso.ts";

interface LddLine {
  name: string;
  path?: string;
}

/** `ldd FILE` as (name, path) pairs in its order; the vdso and "not found" names have no path. */
function ldd(file: string, env: Record<string, string> = {}): LddLine[] {
  const r = Bun.spawnSync(["ldd", file], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stderr: "pipe" });
  expect(r.exitCode).toBe(0);
  const out: LddLine[] = [];
  for (const line of r.stdout.toString().split("\n")) {
    const m = /^\s*(\S+)(?: => (\S+|not found))?(?: \(0x[0-9a-f]+\))?$/.exec(line);
    if (!m || m[1] === "linux-vdso.so.1") continue;
    out.push({ name: m[1]!, path: m[2] === "not found" ? undefined : (m[2] ?? m[1]) });
  }
  return out;
}

/** Our list must be ldd's: the same files in the same order (the interpreter, which ldd lists last, compared as a member). */
function expectLikeLdd(file: string, env: Record<string, string> = {}, ldLibraryPath = "") {
  const want = ldd(file, env).filter((l) => l.path !== undefined);
  const got = linkedLibraries(file, { ldLibraryPath });
  const interp = (p: string) => basename(p).startsWith("ld-linux");
  expect(got.filter((l) => !interp(l.path)).map((l) => l.path)).toEqual(want.filter((l) => !interp(l.path!)).map((l) => l.path!));
  expect(got.filter((l) => interp(l.path)).map((l) => l.path)).toEqual(want.filter((l) => interp(l.path!)).map((l) => l.path!));
  return got;
}

describe("linkedLibraries", () => {
  for (const bin of ["/bin/ls", "/usr/bin/gdb", "/usr/bin/python3", "/usr/bin/clang-14"]) {
    test.skipIf(!existsSync(bin))(`${bin}: the libraries ldd lists, in its order`, () => {
      const got = expectLikeLdd(bin);
      expect(got.length).toBeGreaterThan(1);
      for (const l of got) expect(existsSync(l.realPath)).toBe(true);
    });
  }

  test("DT_RUNPATH (-rpath, new dtags): the fixture's own directory", () => {
    const lib = compileSharedLibrary("shlib_foo", "shfoo");
    const app = compileFixture("shlib_app", { flags: lib.linkFlags });
    const got = expectLikeLdd(app);
    expect(got[0]).toEqual({ needed: "libshfoo.so", path: lib.path, realPath: lib.path });
  });

  test("DT_RPATH with $ORIGIN (--disable-new-dtags): relative to the executable's directory", () => {
    const lib = compileSharedLibrary("shlib_foo", "shfoo");
    const app = compileFixture("shlib_app", { flags: [`-L${lib.dir}`, "-lshfoo", "-Wl,--disable-new-dtags", `-Wl,-rpath,$ORIGIN/${basename(lib.dir)}`] });
    const dyn = Bun.spawnSync(["readelf", "-d", app]).stdout.toString();
    expect(dyn).toContain("(RPATH)");
    expect(dyn).toContain("$ORIGIN/");
    const got = expectLikeLdd(app);
    expect(got[0]!.realPath).toBe(lib.path);
  });

  test("LD_LIBRARY_PATH: found only with it, and a name found nowhere is noted and left out", () => {
    const lib = compileSharedLibrary("shlib_foo", "shfoo");
    const app = compileFixture("shlib_app", { flags: [`-L${lib.dir}`, "-lshfoo"] });
    expect(ldd(app).find((l) => l.name === "libshfoo.so")?.path).toBeUndefined();
    const notes: string[] = [];
    const without = linkedLibraries(app, { ldLibraryPath: "", note: (l) => notes.push(l) });
    expect(without.map((l) => l.needed)).not.toContain("libshfoo.so");
    expect(without.map((l) => l.needed)).toContain("libc.so.6");
    expect(notes).toEqual([`wraith: libshfoo.so (needed by ${app}) not found where ld.so would look; its globals cannot be read`]);
    const got = expectLikeLdd(app, { LD_LIBRARY_PATH: lib.dir }, lib.dir);
    expect(got[0]!.path).toBe(`${lib.dir}/libshfoo.so`);
  });
});

describe("ld.so.cache", () => {
  test.skipIf(!existsSync("/etc/ld.so.cache"))("the x86-64 entries ldconfig -p lists, first per soname", () => {
    const ours = parseLdSoCache(readFileSync("/etc/ld.so.cache"));
    const want = new Map<string, string>();
    const r = Bun.spawnSync(["/sbin/ldconfig", "-p"]);
    for (const line of r.stdout.toString().split("\n")) {
      const m = /^\s+(\S+) \((libc6,x86-64)\) => (\S+)$/.exec(line);
      if (m && !want.has(m[1]!)) want.set(m[1]!, m[3]!);
    }
    expect(want.size).toBeGreaterThan(10);
    expect(ours).toEqual(want);
  });

  test("a file in another format is refused in one line", () => {
    expect(() => parseLdSoCache(new TextEncoder().encode("not a cache at all, not at all, no"), "x")).toThrow("x is not in the glibc-ld.so.cache1.1 format");
  });
});
