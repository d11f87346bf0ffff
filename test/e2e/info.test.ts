// `wraith info …` through the real binary, against gdb on the same file.
import { describe, expect, test } from "bun:test";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { gdbBatch, gdbBreakpoint } from "../helpers/gdb.ts";
import { runWraith } from "../helpers/wraith.ts";

const BUILDS: CompileOptions[] = [
  { cc: "gcc", opt: "-O0", dwarf: 5, with: ["dwarf_core2"] },
  { cc: "clang", opt: "-O2", dwarf: 4, with: ["dwarf_core2"] },
];

/** gdb's `info functions` debug part as "file:line:\tsignature" lines. */
function gdbFunctions(bin: string): string[] {
  const out = gdbBatch(bin, ["info functions"]).split("Non-debugging symbols:")[0]!;
  const rows: string[] = [];
  let file = "";
  for (const line of out.split("\n")) {
    const f = /^File (.+):$/.exec(line);
    if (f) file = f[1]!;
    const m = /^(\d+):\t(.+)$/.exec(line);
    if (m) rows.push(`${file}:${m[1]}:\t${m[2]}`);
  }
  return rows.sort();
}

describe("wraith info", () => {
  for (const o of BUILDS) {
    const label = `${o.cc} ${o.opt} DWARF ${o.dwarf}`;
    test(`functions: the same functions, lines and signatures as gdb (${label})`, async () => {
      const bin = compileFixture("dwarf_core", o);
      const r = await runWraith(["info", "functions", "-t", bin]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split("\n").sort()).toEqual(gdbFunctions(bin));
    });

    test(`type: ptype /o output identical to gdb's (${label})`, async () => {
      const bin = compileFixture("dwarf_core", o);
      for (const t of ["struct point", "struct flags", "union number", "struct node", "enum color", "node_t", "ulong_t"]) {
        const r = await runWraith(["info", "type", t, "-t", bin]);
        expect(r.code).toBe(0);
        expect(r.stdout.trimEnd()).toBe(gdbBatch(bin, [`ptype /o ${t}`]).trimEnd());
      }
    });

    test(`scope: at gdb's breakpoint address, every variable with type and location (${label})`, async () => {
      const bin = compileFixture("dwarf_core", o);
      const r = await runWraith(["info", "scope", "walk", "-t", bin]);
      expect(r.code).toBe(0);
      const bp = gdbBreakpoint(bin, "walk")!;
      expect(r.stdout.split("\n")[0]).toContain(`Scope at 0x${bp.address.toString(16)} in walk`);
      expect(r.stdout).toMatch(/parameter n: node_t \*, /);
      expect(r.stdout).toMatch(/static local calls: int, static storage at 0x[0-9a-f]+/);
      expect(r.stdout).toMatch(/global origin: struct point, static storage/);
    });
  }

  test("line and cfa", async () => {
    const bin = compileFixture("tick");
    const l = await runWraith(["info", "line", "tick.c:8", "-t", bin]);
    expect(l.stdout).toMatch(/^Line 8 of ".*tick\.c" at 0x[0-9a-f]+ in tick$/m);
    const c = await runWraith(["info", "cfa", "tick", "-t", bin]);
    expect(c.stdout).toMatch(/in tick: CFA=rbp\+16 .*rip=c-8/);
    const e = await runWraith(["info", "cfa", "0x0", "-t", bin]);
    expect(e.stdout).toContain("no call frame information");
  });

  test("errors: one line, a fix, exit 3", async () => {
    const bin = compileFixture("dwarf_core", BUILDS[0]);
    const f = await runWraith(["info", "scope", "wlak", "-t", bin]);
    expect(f.code).toBe(3);
    expect(f.stderr.trim()).toMatch(/^wraith: error: function wlak not found .*did you mean walk/);
    const t = await runWraith(["info", "type", "struct pointt", "-t", bin]);
    expect(t.code).toBe(3);
    expect(t.stderr.trim().split("\n")).toHaveLength(1);
    const nodebug = await runWraith(["info", "functions", "-t", "/bin/true"]);
    expect(nodebug.code).toBe(3);
    expect(nodebug.stderr.trim()).toMatch(/^wraith: error: no DWARF debug info for \/bin\/true.*; rebuild it with -g/);
    const amb = await runWraith(["info", "line", "nosuch.c:3", "-t", bin]);
    expect(amb.code).toBe(3);
    expect(amb.stderr).toMatch(/no source file matching nosuch\.c/);
  });
});
