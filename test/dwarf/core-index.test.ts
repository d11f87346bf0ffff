// The name index and address lookup against the ELF symbol table (nm's
// view) and the DIEs themselves, over the fixture matrix.
import { describe, expect, test } from "bun:test";
import { DW_TAG, DwarfFile } from "../../src/dwarf/index.ts";
import { ElfFile } from "../../src/elf/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";

const MATRIX = (["gcc", "clang"] as const).flatMap((cc) => (["-O0", "-O2"] as const).flatMap((opt) => ([4, 5] as const).map((dwarf) => ({ cc, opt, dwarf }))));
const OUR_FUNCTIONS = ["main", "walk", "sum_points", "other_add"];

describe("name index", () => {
  for (const m of MATRIX) {
    test(`${m.cc} ${m.opt} DWARF ${m.dwarf}`, () => {
      const bin = compileFixture("dwarf_core", { ...m, with: ["dwarf_core2"] });
      const elf = ElfFile.open(bin);
      const dwarf = DwarfFile.open(elf);
      // Every function symbol of our sources has a DWARF function with code at the same address.
      for (const sym of elf.functionSymbols()) {
        const base = sym.name.replace(/\..*$/, ""); // sum_points.constprop.0 / .isra.0
        if (!OUR_FUNCTIONS.includes(base)) continue;
        const fns = dwarf.findFunctions(base).filter((d) => d.ranges().length > 0);
        expect(fns.length).toBeGreaterThan(0);
        const starts = fns.flatMap((f) => f.ranges().map((r) => r.begin));
        expect(starts).toContain(sym.value);
        // And address lookup lands in a unit that has this function.
        const unit = dwarf.unitForAddress(sym.value);
        expect(unit).toBeDefined();
        expect(fns.some((f) => f.unit === unit)).toBe(true);
      }
      // Every DWARF function with code starts at a symbol (maybe a renamed clone).
      for (const e of dwarf.index().entries) {
        if (e.kind !== "function" || !e.hasCode) continue;
        const die = dwarf.entryDie(e);
        const low = die.lowPc() ?? die.ranges()[0]?.begin;
        if (low === undefined) continue;
        const sym = elf.functionContaining(low);
        expect(sym?.value).toBe(low);
        expect(sym?.name.replace(/\..*$/, "")).toBe(e.name);
      }
      // Globals and statics: the symbol's address is the variable's DW_OP_addr.
      for (const name of ["global_counter", "static_counter", "global_name", "origin", "head", "big_total", "shared_value", "corner"]) {
        const vars = dwarf.findVariables(name);
        expect(vars.length).toBeGreaterThan(0);
        expect(vars[0]!.isDeclaration()).toBe(false);
        const loc = vars[0]!.attr(0x02);
        const sym = elf.findSymbol(name);
        if (sym && loc?.kind === "exprloc" && loc.bytes[0] === 0x03) {
          const addr = new DataView(loc.bytes.buffer, loc.bytes.byteOffset + 1, 8).getBigUint64(0, true);
          expect(Number(addr)).toBe(sym.value);
        }
      }
      // An extern declaration sorts after the definition.
      const shared = dwarf.lookup("shared_value", "variable");
      expect(shared[0]!.declaration).toBe(false);
      // Types, including a typedef and both units' struct point.
      expect(dwarf.findTypes("node_t")[0]!.tag).toBe(DW_TAG.typedef);
      expect(dwarf.findTypes("node_t")[0]!.type()?.name()).toBe("node");
      expect(dwarf.findTypes("point").length).toBe(2);
      expect(dwarf.findTypes("color")[0]!.tag).toBe(DW_TAG.enumeration_type);
      expect(dwarf.findTypes("number")[0]!.tag).toBe(DW_TAG.union_type);
      // Inline-only functions are known, as abstract instances without code.
      const square = dwarf.lookup("square", "function");
      expect(square.length).toBeGreaterThan(0);
      // Locals are not global names.
      expect(dwarf.lookup("depth")).toEqual([]);
      expect(dwarf.lookup("calls")).toEqual([]);
    });
  }

  test("an address outside any unit has no unit", () => {
    const dwarf = DwarfFile.open(compileFixture("dwarf_core", { with: ["dwarf_core2"] }));
    expect(dwarf.unitForAddress(0)).toBeUndefined();
    expect(dwarf.unitForAddress(0x7fffffffffff)).toBeUndefined();
  });
});

describe("DIE helpers", () => {
  test("attributes follow abstract_origin; navigation; qualified names in C", () => {
    const dwarf = DwarfFile.open(compileFixture("dwarf_core", { opt: "-O2", with: ["dwarf_core2"] }));
    const sum = dwarf.findFunctions("sum_points").find((d) => d.ranges().length > 0)!;
    // Concrete out-of-line instance (gcc -O2 clones it) or the plain definition.
    expect(sum.name()).toBe("sum_points");
    expect(sum.declLine()).toBeGreaterThan(0);
    expect(sum.qualifiedName()).toBe("sum_points");
    const params = [...sum.children()].filter((c) => c.tag === DW_TAG.formal_parameter);
    expect(params.length).toBeGreaterThan(0);
    expect(params[0]!.name()).toBe("p");
    expect(params[0]!.type()?.tag).toBe(DW_TAG.pointer_type);
    expect(params[0]!.parent()?.equals(sum)).toBe(true);
    const walk = dwarf.findFunctions("walk")[0]!;
    expect(walk.isExternal()).toBe(true);
    expect(walk.type()?.name()).toBe("int");
    const root = walk.unit.root();
    expect(root.tag).toBe(DW_TAG.compile_unit);
    expect(root.name()).toMatch(/dwarf_core\.c$/);
  });
});
