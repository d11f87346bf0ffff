// Inlined and concrete copies of functions (DwarfFile.inlinedInstances)
// against llvm-dwarfdump (every DW_TAG_inlined_subroutine / concrete
// subprogram and its DW_AT_abstract_origin chain) and gdb (`break FUNC`
// location counts), over gcc/clang × -O0/-O2 × DWARF 4/5 and LTO builds.
import { describe, expect, test } from "bun:test";
import { type Die, DwarfFile, type InlineInstance } from "../../src/dwarf/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { gdbBreakpoint } from "../helpers/gdb.ts";
import { run } from "./core-oracle.ts";

interface Build {
  cc: "gcc" | "clang";
  opt: "-O0" | "-O2";
  dwarf: 4 | 5;
  lto: boolean;
}

const MATRIX: Build[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const)
    for (const dwarf of [4, 5] as const) {
      MATRIX.push({ cc, opt, dwarf, lto: false });
      // Under LTO gcc refers to abstract instances in other units with DW_FORM_ref_addr.
      if (opt === "-O2" && dwarf === 5) MATRIX.push({ cc, opt, dwarf, lto: true });
    }

const label = (b: Build) => `${b.cc} ${b.opt} DWARF ${b.dwarf}${b.lto ? " -flto" : ""}`;
const build = (b: Build) => compileFixture("dwarf_inline", { cc: b.cc, opt: b.opt, dwarf: b.dwarf, with: ["dwarf_inline2"], flags: b.lto ? ["-flto"] : [] });

const FUNCTIONS = ["inl_square", "inl_cube", "inl_add", "inl_kept", "inl_pick", "inl_sum", "inl_shared", "inl_shared_user", "main"];

// ---- the llvm-dwarfdump oracle ----------------------------------------------------------

interface DumpDie {
  offset: number;
  depth: number;
  tag: string;
  parent?: DumpDie;
  origin?: number;
  specification?: number;
  lowPc?: number;
  highPc?: number;
  highIsOffset?: boolean;
  ranges?: [number, number][];
  entryPc?: number;
  callLine?: number;
  callColumn?: number;
  inline?: boolean;
}

/** `llvm-dwarfdump --debug-info --show-form`: the DIEs with what these tests compare. */
function parseDump(out: string): Map<number, DumpDie> {
  const dies = new Map<number, DumpDie>();
  const stack: DumpDie[] = [];
  let cur: DumpDie | undefined;
  let inRanges = false;
  for (const line of out.split("\n")) {
    let m = /^0x([0-9a-f]+):( +)(DW_TAG_\w+|NULL)/.exec(line);
    if (m) {
      inRanges = false;
      const depth = (m[2]!.length - 1) / 2;
      if (m[3] === "NULL") {
        cur = undefined;
        continue;
      }
      while (stack.length > depth) stack.pop();
      cur = { offset: parseInt(m[1]!, 16), depth, tag: m[3]!, parent: stack[stack.length - 1] };
      stack.push(cur);
      dies.set(cur.offset, cur);
      continue;
    }
    if (!cur) continue;
    if (inRanges && (m = /^\s+\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/.exec(line))) {
      cur.ranges!.push([parseInt(m[1]!, 16), parseInt(m[2]!, 16)]);
      continue;
    }
    inRanges = false;
    const a = /^\s+(DW_AT_\w+) \[(DW_FORM_\w+)\]\s+\((.*)$/.exec(line);
    if (!a) continue;
    const [, name, form, text] = a as unknown as [string, string, string, string];
    const hex = () => parseInt(/0x([0-9a-f]+)/.exec(text)![1]!, 16);
    switch (name) {
      case "DW_AT_abstract_origin":
        cur.origin = hex();
        break;
      case "DW_AT_specification":
        cur.specification = hex();
        break;
      case "DW_AT_low_pc":
        cur.lowPc = /address = 0x([0-9a-f]+)/.test(text) ? parseInt(/address = 0x([0-9a-f]+)/.exec(text)![1]!, 16) : hex();
        break;
      case "DW_AT_high_pc":
        cur.highPc = hex();
        cur.highIsOffset = form !== "DW_FORM_addr" && !form.startsWith("DW_FORM_addrx");
        break;
      case "DW_AT_entry_pc":
        cur.entryPc = /address = 0x([0-9a-f]+)/.test(text) ? parseInt(/address = 0x([0-9a-f]+)/.exec(text)![1]!, 16) : hex();
        break;
      case "DW_AT_ranges":
        cur.ranges = [];
        inRanges = true;
        break;
      case "DW_AT_call_line":
        cur.callLine = text.startsWith("0x") ? hex() : parseInt(text, 10);
        break;
      case "DW_AT_call_column":
        cur.callColumn = text.startsWith("0x") ? hex() : parseInt(text, 10);
        break;
      case "DW_AT_inline":
        cur.inline = true;
        break;
    }
  }
  return dies;
}

const hasCode = (d: DumpDie) => d.lowPc !== undefined || d.ranges !== undefined || d.entryPc !== undefined;

/** Upward: the DIEs `d` is a copy of (abstract_origin, else specification), nearest first. */
function chain(dies: Map<number, DumpDie>, d: DumpDie): number[] {
  const out: number[] = [];
  for (let x: DumpDie | undefined = d; x && out.length < 16; ) {
    const up = x.origin ?? (x.tag === "DW_TAG_subprogram" ? x.specification : undefined);
    if (up === undefined) break;
    out.push(up);
    x = dies.get(up);
  }
  return out;
}

function dumpRanges(d: DumpDie): [number, number][] {
  if (d.ranges) return d.ranges.filter(([b, e]) => e > b);
  if (d.lowPc === undefined || d.highPc === undefined) return [];
  const end = d.highIsOffset ? d.lowPc + d.highPc : d.highPc;
  return end > d.lowPc ? [[d.lowPc, end]] : [];
}

const nearest = (d: DumpDie, tags: string[]) => {
  for (let p = d.parent; p; p = p.parent) if (tags.includes(p.tag)) return p.offset;
  return undefined;
};

describe("inlinedInstances against llvm-dwarfdump", () => {
  for (const b of MATRIX) {
    test(label(b), () => {
      const bin = build(b);
      const dwarf = DwarfFile.open(bin);
      const dies = parseDump(run(["llvm-dwarfdump", "--debug-info", "--show-form", bin]));
      // Every description something points at as its origin: the roots to ask about.
      const copies = [...dies.values()].filter((d) => d.tag === "DW_TAG_inlined_subroutine" || (d.tag === "DW_TAG_subprogram" && (d.origin !== undefined || d.specification !== undefined)));
      const roots = new Set<number>();
      for (const c of copies) {
        const up = chain(dies, c);
        if (up.length) roots.add(up[up.length - 1]!);
      }
      expect(roots.size).toBeGreaterThan(0);
      let checked = 0;
      for (const root of roots) {
        const rootDie = dwarf.dieAt(root)!;
        const want = copies.filter((c) => chain(dies, c).includes(root) && (c.tag === "DW_TAG_inlined_subroutine" || hasCode(c))).map((c) => c.offset);
        if (hasCode(dies.get(root)!)) want.push(root);
        const got = dwarf.inlinedInstances(rootDie);
        expect(got.map((i) => i.die.offset).sort((x, y) => x - y)).toEqual(want.sort((x, y) => x - y));
        for (const inst of got) {
          const d = dies.get(inst.die.offset)!;
          expect(inst.kind).toBe(d.tag === "DW_TAG_inlined_subroutine" ? "inlined" : "concrete");
          expect(inst.ranges.map((r) => [r.begin, r.end])).toEqual(dumpRanges(d));
          expect(inst.entryPc).toBe(d.entryPc);
          expect(inst.callLine).toBe(d.callLine);
          expect(inst.callColumn).toBe(d.callColumn);
          expect(inst.origin.offset).toBe(d.origin ?? root);
          if (inst.kind === "inlined") {
            expect(inst.caller?.offset).toBe(nearest(d, ["DW_TAG_subprogram", "DW_TAG_inlined_subroutine"])!);
            expect(inst.function?.offset).toBe(nearest(d, ["DW_TAG_subprogram"])!);
            expect(inst.callFile).toBeGreaterThanOrEqual(0);
          } else expect(inst.function?.offset).toBe(inst.die.offset);
          // Entry: entry_pc, else low_pc, else the first range listed.
          expect(inst.entry).toBe(d.entryPc ?? d.lowPc ?? d.ranges?.[0]?.[0]);
          // The other direction: asking with any copy gives the same set.
          expect(dwarf.inlinedInstances(inst.die).map((i) => i.die.offset)).toEqual(got.map((i) => i.die.offset));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(5);
      if (b.cc === "gcc" && b.lto) {
        // Copies in another unit than their abstract instance were found (DW_FORM_ref_addr).
        const cross = [...roots].flatMap((r) => dwarf.inlinedInstances(dwarf.dieAt(r)!)).filter((i) => !i.die.unit.root().equals(dwarf.dieAt(i.origin.offset)!.unit.root()));
        expect(cross.length).toBeGreaterThan(0);
      }
    });
  }
});

// ---- gdb: `break FUNC` locations ----------------------------------------------------------

/**
 * The probe sites gdb would use: copies with code, one per distinct entry
 * address (gdb makes one location per address; gcc also emits inlined
 * copies with an entry_pc but no code, which gdb skips).
 */
function siteCount(instances: InlineInstance[]): number {
  return new Set(instances.filter((i) => i.ranges.length > 0).map((i) => i.entry)).size;
}

describe("instance counts equal gdb's `break FUNC` location counts", () => {
  for (const b of MATRIX) {
    test(label(b), () => {
      const bin = build(b);
      const dwarf = DwarfFile.open(bin);
      const mismatches: string[] = [];
      let inlinedSeen = 0;
      for (const f of FUNCTIONS) {
        const fns = dwarf.findFunctions(f);
        const ours = fns.length ? siteCount(dwarf.inlinedInstances(fns[0]!)) : 0;
        if (fns.length) inlinedSeen += dwarf.inlinedInstances(fns[0]!).filter((i) => i.kind === "inlined").length;
        const theirs = gdbBreakpoint(bin, f)?.locations ?? 0;
        if (ours !== theirs) mismatches.push(`${f}: ours ${ours}, gdb ${theirs}`);
      }
      expect(mismatches).toEqual([]);
      expect(inlinedSeen).toBeGreaterThan(b.opt === "-O0" ? 5 : 3);
    });
  }
});

describe("inlinedInstances edge cases", () => {
  test("a function that was never split is its own single concrete copy", () => {
    const dwarf = DwarfFile.open(build({ cc: "gcc", opt: "-O0", dwarf: 5, lto: false }));
    const sum = dwarf.findFunctions("inl_sum")[0]!;
    const inst = dwarf.inlinedInstances(sum);
    expect(inst.map((i) => [i.kind, i.die.offset, i.entry])).toEqual([["concrete", sum.offset, sum.lowPc()]]);
  });

  test("a declaration without copies has none", () => {
    const dwarf = DwarfFile.open(build({ cc: "gcc", opt: "-O2", dwarf: 5, lto: false }));
    const printfDecl: Die | undefined = dwarf.findFunctions("printf")[0];
    if (printfDecl) expect(dwarf.inlinedInstances(printfDecl)).toEqual([]);
  });
});
