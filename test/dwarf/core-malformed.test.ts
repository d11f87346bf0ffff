// Malformed input: truncation, mutation, unknown forms and codes, reference
// cycles, out-of-range offsets and huge counts must end in a one-line
// DwarfError — never a hang, a crash, a RangeError or unbounded memory.
import { describe, expect, test } from "bun:test";
import { parseAbbrevTable } from "../../src/dwarf/abbrev.ts";
import { DwarfError, DwarfFile, parseUnitHeader, Unit, type UnitOwner } from "../../src/dwarf/index.ts";
import { ElfError, ElfFile } from "../../src/elf/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";

/** Touch everything a reader can: every DIE, attribute, string, reference, range, and the index. */
function exercise(d: DwarfFile): void {
  for (const u of [...d.units(), ...d.units(".debug_types")]) {
    for (let i = 0; i < u.dieCount; i++) {
      const die = u.dieByIndex(i);
      for (const a of die.attributes()) {
        u.string(a.value);
        u.reference(a.value);
        u.address(a.value);
      }
      die.name();
      die.parent();
      [...die.children()];
      if (die.tag === 0x2e || die.tag === 0x11) die.ranges();
    }
  }
  d.index();
  d.unitForAddress(0x1139);
  d.findFunctions("main");
}

/** Run `f`; anything thrown must be a single-line DwarfError (or ElfError for the container). */
function expectCleanFailure(f: () => void): "ok" | "error" {
  try {
    f();
    return "ok";
  } catch (e) {
    if (!(e instanceof DwarfError || e instanceof ElfError)) throw e;
    expect(e.message).not.toContain("\n");
    return "error";
  }
}

// A mutable copy of a fixture and where its debug sections live in it.
function image(opts: Parameters<typeof compileFixture>[1]) {
  const path = compileFixture("dwarf_core", { with: ["dwarf_core2"], ...opts });
  const elf = ElfFile.open(path);
  const bytes = new Uint8Array(elf.bytes);
  const sec = (name: string) => elf.section(name)!;
  const shdr = (name: string) => Number(new DataView(bytes.buffer).getBigUint64(0x28, true)) + sec(name).index * 64;
  return { bytes, sec, shdr };
}

function withSectionSize(bytes: Uint8Array, shdrOffset: number, size: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  new DataView(copy.buffer).setBigUint64(shdrOffset + 0x20, BigInt(size), true);
  return copy;
}

// Deterministic PRNG so failures reproduce.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("truncation", () => {
  for (const dwarf of [4, 5] as const) {
    for (const name of [".debug_info", ".debug_abbrev", ".debug_str", ".debug_aranges"]) {
      test(`${name} cut short, DWARF ${dwarf}`, () => {
        const { bytes, sec, shdr } = image({ dwarf, opt: "-O2" });
        const size = sec(name).size;
        let errors = 0;
        for (let cut = 0; cut < size; cut += cut < 256 ? 1 : Math.max(1, Math.floor(size / 300))) {
          if (expectCleanFailure(() => exercise(DwarfFile.fromElf(ElfFile.fromBytes(withSectionSize(bytes, shdr(name), cut))))) === "error") errors++;
        }
        expect(errors).toBeGreaterThan(0);
      });
    }
  }
});

describe("mutation fuzz", () => {
  for (const [cc, dwarf] of [["gcc", 5], ["clang", 5], ["gcc", 4], ["clang", 4]] as const) {
    test(`${cc} DWARF ${dwarf}: 400 mutated images`, () => {
      const { bytes, sec } = image({ cc, dwarf, opt: "-O2" });
      const next = rng(dwarf * 7919 + cc.length);
      const targets = [".debug_info", ".debug_abbrev", ".debug_info", ".debug_str_offsets", ".debug_addr"].map((n) => sec(n)).filter((s) => s);
      const started = performance.now();
      for (let i = 0; i < 400; i++) {
        const copy = new Uint8Array(bytes);
        const s = targets[Math.floor(next() * targets.length)]!;
        for (let k = 0, n = 1 + Math.floor(next() * 4); k < n; k++) {
          const at = s.offset + Math.floor(next() * s.size);
          copy[at] = next() < 0.5 ? Math.floor(next() * 256) : copy[at]! ^ (1 << Math.floor(next() * 8));
        }
        expectCleanFailure(() => exercise(DwarfFile.fromElf(ElfFile.fromBytes(copy))));
      }
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }
});

// ---- hand-made units -------------------------------------------------------------

class Sections implements UnitOwner {
  constructor(private readonly map: Record<string, Uint8Array>) {}
  section(name: string) {
    return this.map[name];
  }
  abbrevTable(offset: number) {
    return parseAbbrevTable(this.map[".debug_abbrev"]!, offset);
  }
  unitContaining(offset: number) {
    return offset >= 0 && offset < this.map[".debug_info"]!.length ? this.unit() : undefined;
  }
  typeUnit() {
    return undefined;
  }
  private u?: Unit;
  unit(): Unit {
    return (this.u ??= new Unit(this, parseUnitHeader(this.map[".debug_info"]!, ".debug_info", 0)));
  }
}

/** A DWARF 4 unit: header + `dies` bytes, with the abbreviation table `abbrev`. */
function unit4(abbrev: number[], dies: number[]): Unit {
  const body = [4, 0, 0, 0, 0, 0, 8, ...dies];
  const len = body.length;
  const info = new Uint8Array([len & 0xff, (len >> 8) & 0xff, 0, 0, ...body]);
  return new Sections({ ".debug_info": info, ".debug_abbrev": new Uint8Array(abbrev) }).unit();
}

// abbrev 1: compile_unit, children, DW_AT_name string; abbrev 2: subprogram, no children, DW_AT_abstract_origin ref4
const ABBREV = [1, 0x11, 1, 0x03, 0x08, 0, 0, 2, 0x2e, 0, 0x31, 0x13, 0, 0, 0];

describe("hand-made corruption", () => {
  test("a well-formed unit reads", () => {
    const u = unit4(ABBREV, [1, 0x61, 0, 2, 0x12, 0, 0, 0, 0]);
    expect(u.dieCount).toBe(2);
    expect(u.root().name()).toBe("a");
  });

  test("abstract_origin pointing at itself: a loop error, not a hang", () => {
    // The subprogram sits at unit offset 0x0e and names itself as its origin.
    const u = unit4(ABBREV, [1, 0x61, 0, 2, 0x0e, 0, 0, 0, 0]);
    const sub = u.dieByIndex(1);
    expect(sub.offset).toBe(0x0e);
    expect(() => sub.name()).toThrow(/chain loops/);
  });

  test("two DIEs naming each other", () => {
    const u = unit4(ABBREV, [1, 0x61, 0, 2, 0x13, 0, 0, 0, 2, 0x0e, 0, 0, 0, 0]);
    expect(() => u.dieByIndex(1).name()).toThrow(/chain loops/);
  });

  test("reference out of range", () => {
    const u = unit4(ABBREV, [1, 0x61, 0, 2, 0xff, 0xff, 0, 0, 0]);
    expect(() => u.dieByIndex(1).origin()).toThrow(/reference to 0x[0-9a-f]+, where no DIE starts/);
  });

  test("unknown abbreviation code", () => {
    expect(() => unit4(ABBREV, [1, 0x61, 0, 9, 0]).dieCount).toThrow(/abbreviation code 9 is not in the table/);
  });

  test("unknown form", () => {
    expect(() => unit4([1, 0x11, 0, 0x03, 0x7f, 0, 0, 0], [1, 0x61, 0]).dieCount).toThrow(/unknown attribute form DW_FORM_unknown_0x7f/);
  });

  test("duplicate abbreviation codes", () => {
    expect(() => unit4([1, 0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 0], [1]).dieCount).toThrow(/defined twice/);
  });

  test("huge block length", () => {
    // block4 of 0xffffffff bytes in a 10-byte unit.
    const u = unit4([1, 0x11, 0, 0x02, 0x04, 0, 0, 0], [1, 0xff, 0xff, 0xff, 0xff]);
    expect(() => u.dieCount).toThrow(/needs 4294967295 bytes/);
  });

  test("unit length past the section end, bad version, bad address size", () => {
    const bad = (info: number[]) => () => parseUnitHeader(new Uint8Array(info), ".debug_info", 0);
    expect(bad([0xf0, 0, 0, 0, 4, 0])).toThrow(/runs past the end/);
    expect(bad([7, 0, 0, 0, 9, 0, 0, 0, 0, 0, 8])).toThrow(/unsupported DWARF version 9/);
    expect(bad([7, 0, 0, 0, 4, 0, 0, 0, 0, 0, 3])).toThrow(/unsupported address size 3/);
    expect(bad([0xf5, 0xff, 0xff, 0xff])).toThrow(/reserved initial length/);
    expect(bad([8, 0, 0, 0, 5, 0, 9, 8, 0, 0, 0, 0])).toThrow(/unknown unit type/);
  });

  test("deep nesting is bounded", () => {
    // 5000 nested compile_unit-with-children DIEs.
    const dies = new Array(5000).fill([1, 0x61, 0]).flat();
    expect(() => unit4(ABBREV, dies).dieCount).toThrow(/nested more than/);
  });

  test("DIEs after the root closes are rejected; trailing padding is fine", () => {
    expect(unit4(ABBREV, [1, 0x61, 0, 0, 0, 0]).dieCount).toBe(1);
  });
});
