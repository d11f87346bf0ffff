// Where `trace FUNC` puts the probes of a function's inlined copies, against
// gdb 13's `break FUNC` locations, address by address: the C inline fixtures
// (gcc/clang × -O0/-O2 × DWARF 4/5, and LTO) and every function inlined into
// SQLite's sqlite3VdbeExec (gcc and clang -O2). gdb's rule is in
// DebugInfo.inlinedBreakpointAddress and resolve/gdb-blocks.ts.
import { describe, expect, test } from "bun:test";
import { DW_AT, DW_TAG, type Die, DwarfFile } from "../../src/dwarf/index.ts";
import { type ModuleRef, resolvePattern } from "../../src/resolve/index.ts";
import { sqliteDriver } from "../bench/sqlite-driver.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { gdbBreakpoints } from "../helpers/gdb.ts";

/** Per name: wraith's sites and gdb's locations, both sorted; names neither can place are left out. */
function compare(bin: string, names: string[]): { equal: number; problems: string[] } {
  const gdb = gdbBreakpoints(bin, names);
  const module: ModuleRef = { name: bin, readPath: bin, attachPath: bin };
  const problems: string[] = [];
  let equal = 0;
  for (const name of names) {
    let ours: number[] = [];
    try {
      ours = resolvePattern({ kind: "FunctionPattern", name } as Parameters<typeof resolvePattern>[0], [module]).map((s) => s.vaddr);
    } catch {
      // Not found by wraith: equal only if gdb cannot break there either.
    }
    const hex = (l: number[]) => [...l].sort((a, b) => a - b).map((a) => a.toString(16)).join(",");
    const theirs = gdb.get(name) ?? [];
    if (hex(ours) === hex(theirs)) equal++;
    else problems.push(`${name}: gdb ${hex(theirs) || "-"}, wraith ${hex(ours) || "-"}`);
  }
  return { equal, problems };
}

const FUNCTIONS = ["inl_square", "inl_cube", "inl_add", "inl_kept", "inl_pick", "inl_sum", "inl_shared", "inl_shared_user", "main"];

describe("inlined copies of the C fixtures are probed where gdb's break stops", () => {
  for (const cc of ["gcc", "clang"] as const)
    for (const opt of ["-O0", "-O2"] as const)
      for (const dwarf of [4, 5] as const)
        for (const lto of opt === "-O2" && dwarf === 5 ? [false, true] : [false])
          test(`${cc} ${opt} DWARF ${dwarf}${lto ? " -flto" : ""}`, () => {
            const bin = compileFixture("dwarf_inline", { cc, opt, dwarf, with: ["dwarf_inline2"], flags: lto ? ["-flto"] : [] });
            const { equal, problems } = compare(bin, FUNCTIONS);
            expect(problems).toEqual([]);
            expect(equal).toBe(FUNCTIONS.length);
          });
});

/** Names of the functions inlined into `fn` (abstract origins of its inlined_subroutine DIEs, at any depth). */
function inlinedCallees(fn: Die): string[] {
  const names = new Set<string>();
  const walk = (d: Die) => {
    for (const c of d.children()) {
      if (c.tag === DW_TAG.inlined_subroutine) {
        const n = c.ref(DW_AT.abstract_origin)?.name();
        if (n) names.add(n);
      }
      walk(c);
    }
  };
  walk(fn);
  return [...names].sort();
}

describe("inlined copies in SQLite (-O2) are probed where gdb's break stops", () => {
  for (const cc of ["gcc", "clang"] as const)
    test(`${cc}: every function inlined into sqlite3VdbeExec`, () => {
      const bin = sqliteDriver(cc);
      const exec = DwarfFile.open(bin).findFunctions("sqlite3VdbeExec").find((d) => d.ranges().length > 0)!;
      const names = inlinedCallees(exec);
      const { equal, problems } = compare(bin, names);
      console.log(`sqlite ${cc}: ${equal} of ${names.length} functions inlined into sqlite3VdbeExec placed as gdb places them`);
      expect(names.length).toBeGreaterThan(100);
      expect(problems).toEqual([]);
    }, 300_000);
});
