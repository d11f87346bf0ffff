// FILE:LINE places against gdb's `break FILE:LINE`: the same addresses
// (inlined and split copies included, one per block, prologue skipped when a
// line starts a function) for every line of the fixture, across the matrix.
import { describe, expect, test } from "bun:test";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { gdbBreakpoints } from "../helpers/gdb.ts";
import { DebugInfo } from "../../src/resolve/debuginfo.ts";
import { placesFor } from "../../src/resolve/places.ts";
import { ResolveError } from "../../src/resolve/index.ts";

const MATRIX: CompileOptions[] = [];
for (const cc of ["gcc", "clang"] as const) for (const opt of ["-O0", "-O2"] as const) MATRIX.push({ cc, opt, dwarf: 5, with: ["dwarf_core2"] });

describe("FILE:LINE agrees with gdb", () => {
  for (const o of MATRIX) {
    test(`${o.cc} ${o.opt}`, () => {
      const bin = compileFixture("dwarf_core", o);
      const info = DebugInfo.open(bin);
      const misses: string[] = [];
      let compared = 0;
      const lines = Array.from({ length: 56 }, (_, i) => 40 + i);
      const gdbAll = gdbBreakpoints(bin, lines.map((l) => `dwarf_core.c:${l}`));
      for (const line of lines) {
        const gdbAddrs = gdbAll.get(`dwarf_core.c:${line}`);
        const gdb = gdbAddrs && { addresses: gdbAddrs };
        let ours: number[] = [];
        try {
          ours = placesFor(info, { kind: "line", file: "dwarf_core.c", line }).map((p) => p.address);
        } catch (e) {
          if (!(e instanceof ResolveError)) throw e;
        }
        if (!gdb) {
          if (ours.length) misses.push(`${line}: gdb none, ours ${ours.map((a) => a.toString(16))}`);
          continue;
        }
        compared++;
        const want = [...gdb.addresses].sort((a, b) => a - b);
        if (JSON.stringify(ours) !== JSON.stringify(want)) misses.push(`${line}: gdb ${want.map((a) => a.toString(16))}, ours ${ours.map((a) => a.toString(16))}`);
      }
      expect(compared).toBeGreaterThan(10);
      if (o.opt === "-O0") expect(misses).toEqual([]);
      else if (misses.length) console.log(`${o.cc} ${o.opt}: ${misses.length}/${compared} lines differ from gdb: ${misses.join("; ")}`);
    });
  }
});
