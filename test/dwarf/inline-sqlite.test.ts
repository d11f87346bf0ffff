// inlinedInstances on the SQLite amalgamation (-g -O2, one ~100k-DIE unit):
// every callee of sqlite3VdbeExec (inlined into it or called from it), timed.
// Prints the figures; the bounds are loose (a regression guard, not a benchmark).
import { expect, test } from "bun:test";
import { DW_AT, DW_TAG, type Die, DwarfFile } from "../../src/dwarf/index.ts";
import { sqliteDriver } from "../bench/sqlite-driver.ts";
import { gdbBreakpoint } from "../helpers/gdb.ts";

/** Functions sqlite3VdbeExec calls: abstract origins of its inlined copies and DW_TAG_call_site targets. */
function callees(exec: Die): Die[] {
  const out = new Map<number, Die>();
  const walk = (d: Die) => {
    for (const c of d.children()) {
      const target = c.tag === DW_TAG.inlined_subroutine ? c.ref(DW_AT.abstract_origin) : c.tag === DW_TAG.call_site || c.tag === DW_TAG.GNU_call_site ? (c.ref(DW_AT.call_origin) ?? c.ref(DW_AT.abstract_origin)) : undefined;
      if (target && target.tag === DW_TAG.subprogram) out.set(target.offset, target);
      walk(c);
    }
  };
  walk(exec);
  return [...out.values()];
}

for (const cc of ["gcc", "clang"] as const) {
  test(`SQLite (${cc} -O2): inlinedInstances of sqlite3VdbeExec's callees`, () => {
    const bin = sqliteDriver(cc);
    const t0 = performance.now();
    const dwarf = DwarfFile.open(bin);
    const exec = dwarf.findFunctions("sqlite3VdbeExec").find((d) => d.ranges().length > 0)!;
    const list = callees(exec);
    const t1 = performance.now();
    const first = dwarf.inlinedInstances(list[0]!);
    const t2 = performance.now();
    let instances = first.length;
    let inlined = 0;
    let most = { name: "", n: 0 };
    for (const fn of list.slice(1)) {
      const inst = dwarf.inlinedInstances(fn);
      instances += inst.length;
      inlined += inst.filter((i) => i.kind === "inlined").length;
      if (inst.length > most.n) most = { name: fn.name() ?? "?", n: inst.length };
    }
    const t3 = performance.now();
    const ms = (a: number, b: number) => `${(b - a).toFixed(1)} ms`;
    console.log(
      `sqlite ${cc}: ${list.length} callees; lookup+callee walk ${ms(t0, t1)}; first query (builds the reverse index) ${ms(t1, t2)}; ` +
        `the other ${list.length - 1} ${ms(t2, t3)} (${((t3 - t2) / Math.max(1, list.length - 1)).toFixed(3)} ms each); ${instances} copies, ${inlined} inlined; most: ${most.name} ×${most.n}`,
    );
    expect(list.length).toBeGreaterThan(50);
    expect(instances).toBeGreaterThan(list.length);
    expect(t3 - t1).toBeLessThan(5000);
    // And for the most-copied callee, gdb agrees on the number of places.
    const fn = dwarf.findFunctions(most.name)[0]!;
    const sites = new Set(dwarf.inlinedInstances(fn).filter((i) => i.ranges.length > 0).map((i) => i.entry)).size;
    const g = gdbBreakpoint(bin, most.name);
    console.log(`  ${most.name}: ${sites} sites, gdb break: ${g?.locations} locations`);
    expect(sites).toBe(g!.locations);
  }, 120_000);
}
