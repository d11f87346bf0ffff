// Range and location lists: every DW_AT_ranges of the fixture matrix resolves
// to what llvm-dwarfdump prints, and hand-built sections exercise every entry
// kind, base address selection, indexes, tombstones and malformed input.
import { describe, expect, test } from "bun:test";
import { ElfFile } from "../../src/elf/index.ts";
import { DwarfError } from "../../src/dwarf/reader.ts";
import { listOffset, locationAt, rangesContain, rawLocationList, readLocationList, readRangeList, type ListContext } from "../../src/dwarf/lists.ts";
import { MATRIX, listContext, llvmDebugInfo } from "./expr_oracle.ts";

const hex16 = (n: number): string => `0x${n.toString(16).padStart(16, "0")}`;

describe.each(MATRIX)("$label", ({ build }) => {
  const path = build();
  const elf = ElfFile.open(path);
  const dump = llvmDebugInfo(path);

  test("every DW_AT_ranges matches llvm-dwarfdump", () => {
    let lists = 0;
    for (const a of dump.attrs) {
      if (a.name !== "DW_AT_ranges") continue;
      const m = /^(?:indexed \(0x([0-9a-f]+)\) rangelist = )?0x([0-9a-f]+)\n?/.exec(a.text);
      expect(m, a.text).not.toBeNull();
      const ctx = listContext(elf, a.unit);
      const ref = m![1] !== undefined ? { index: parseInt(m![1], 16) } : { offset: parseInt(m![2], 16) };
      expect(listOffset(ctx, "rnglists", ref)).toBe(parseInt(m![2], 16));
      const ranges = readRangeList(ctx, ref).map((r) => `[${hex16(r.start)}, ${hex16(r.end)})`);
      expect(ranges, `DIE 0x${a.die.toString(16)}`).toEqual(a.text.split("\n").slice(1));
      lists++;
    }
    rangeListsChecked += lists;
  });
});

let rangeListsChecked = 0;
test("range lists were found across the matrix", () => expect(rangeListsChecked).toBeGreaterThanOrEqual(12));

// ---------------------------------------------------------------------------
// Hand-built sections.

/** Little-endian byte builder. */
class Bytes {
  out: number[] = [];
  u8(...v: number[]): this { this.out.push(...v); return this; }
  u16(v: number): this { return this.u8(v & 0xff, v >> 8); }
  u32(v: number): this { for (let i = 0; i < 4; i++) this.out.push((v >>> (8 * i)) & 0xff); return this; }
  u64(v: bigint): this { for (let i = 0n; i < 8n; i++) this.out.push(Number((v >> (8n * i)) & 0xffn)); return this; }
  uleb(v: number): this {
    do {
      let b = v & 0x7f;
      v = Math.floor(v / 128);
      if (v) b |= 0x80;
      this.out.push(b);
    } while (v);
    return this;
  }
  get bytes(): Uint8Array { return Uint8Array.from(this.out); }
  get length(): number { return this.out.length; }
}

const ADDR = [0x1000n, 0x2000n, 0x3000n, 0x4000n];
const ctx5 = (sections: ListContext["sections"], extra: Partial<ListContext> = {}): ListContext => ({
  version: 5, addressSize: 8, offsetSize: 4, baseAddress: 0x500, addrAt: (i) => ADDR[i] ?? (() => { throw new DwarfError(`addr ${i}`); })(), sections, ...extra,
});

/** A .debug_loclists header with `offsets` in its array, followed by `body`. */
function lists5(offsets: number[], body: Bytes): Uint8Array {
  const b = new Bytes();
  const length = 8 + offsets.length * 4 + body.length;
  b.u32(length).u16(5).u8(8, 0).u32(offsets.length);
  for (const o of offsets) b.u32(o);
  b.u8(...body.out);
  return b.bytes;
}

describe("DWARF 5 location lists", () => {
  const expr = [0x55]; // DW_OP_reg5
  const body = new Bytes()
    .u8(0x04).uleb(0x10).uleb(0x20).uleb(1).u8(...expr) // offset_pair from the CU base 0x500
    .u8(0x01).uleb(1) // base_addressx → 0x2000
    .u8(0x04).uleb(0).uleb(4).uleb(1).u8(0x50) // offset_pair → [0x2000, 0x2004)
    .u8(0x02).uleb(2).uleb(3).uleb(1).u8(0x51) // startx_endx → [0x3000, 0x4000)
    .u8(0x03).uleb(0).uleb(8).uleb(1).u8(0x52) // startx_length → [0x1000, 0x1008)
    .u8(0x06).u64(0x7000n) // base_address
    .u8(0x04).uleb(1).uleb(2).uleb(1).u8(0x53) // → [0x7001, 0x7002)
    .u8(0x07).u64(0x8000n).u64(0x8010n).uleb(1).u8(0x54) // start_end
    .u8(0x08).u64(0x9000n).uleb(0x30).uleb(2).u8(0x91, 0x6c) // start_length, DW_OP_fbreg -20
    .u8(0x09).uleb(0).uleb(1) // GNU view pair: skipped
    .u8(0x05).uleb(1).u8(0x56) // default_location
    .u8(0x00);
  const section = lists5([4], body);
  const ctx = ctx5({ loclists: section }, { loclistsBase: 12 });

  test("every entry kind resolves", () => {
    const list = readLocationList(ctx, { offset: 16 });
    expect(list.entries.map((e) => [e.start, e.end, [...e.expr]])).toEqual([
      [0x510, 0x520, [0x55]],
      [0x2000, 0x2004, [0x50]],
      [0x3000, 0x4000, [0x51]],
      [0x1000, 0x1008, [0x52]],
      [0x7001, 0x7002, [0x53]],
      [0x8000, 0x8010, [0x54]],
      [0x9000, 0x9030, [0x91, 0x6c]],
    ]);
    expect([...list.default!]).toEqual([0x56]);
    expect([...locationAt(list, 0x2002)!]).toEqual([0x50]);
    expect([...locationAt(list, 0x6000)!]).toEqual([0x56]); // falls back to the default
    expect(rawLocationList(ctx, { offset: 16 }).next().value!.kind).toBe("DW_LLE_offset_pair");
    expect([...rawLocationList(ctx, { offset: 16 })].map((e) => e.kind).at(-1)).toBe("DW_LLE_end_of_list");
  });

  test("DW_FORM_loclistx goes through the offset array", () => {
    expect(listOffset(ctx, "loclists", { index: 0 })).toBe(16);
    expect(readLocationList(ctx, { index: 0 }).entries.length).toBe(7);
    expect(() => listOffset(ctx, "loclists", { index: 1 })).toThrow(DwarfError);
    expect(() => listOffset({ ...ctx, loclistsBase: 0x10000 }, "loclists", { index: 0 })).toThrow(DwarfError);
    expect(() => listOffset({ ...ctx, loclistsBase: 2 }, "loclists", { index: 0 })).toThrow(DwarfError);
    expect(() => listOffset({ ...ctx, version: 4 }, "loclists", { index: 0 })).toThrow(DwarfError);
  });

  test("*x entries without .debug_addr are errors, not guesses", () => {
    expect(() => readLocationList({ ...ctx, addrAt: undefined }, { offset: 16 })).toThrow(DwarfError);
  });

  test("every truncation of the section is a DwarfError or a shorter list", () => {
    for (let n = 0; n < section.length; n++) {
      try {
        readLocationList(ctx5({ loclists: section.subarray(0, n) }, { loclistsBase: 12 }), { offset: 16 });
      } catch (e) {
        expect(e).toBeInstanceOf(DwarfError);
      }
    }
  });

  test("unknown entry kinds and absurd offsets", () => {
    const bad = lists5([], new Bytes().u8(0x0a, 0, 0));
    expect(() => readLocationList(ctx5({ loclists: bad }), { offset: 12 })).toThrow(/unknown DW_LLE entry kind 0xa/);
    expect(() => readLocationList(ctx, { offset: 1e12 })).toThrow(DwarfError);
    expect(() => readLocationList(ctx, { offset: -1 })).toThrow(DwarfError);
    expect(() => readLocationList(ctx5({}), { offset: 0 })).toThrow(/no .debug_loclists/);
    // An expression length past the end of the section.
    const long = lists5([], new Bytes().u8(0x04).uleb(0).uleb(1).uleb(0x7fffffff));
    expect(() => readLocationList(ctx5({ loclists: long }), { offset: 12 })).toThrow(DwarfError);
  });
});

describe("DWARF 5 range lists", () => {
  const body = new Bytes()
    .u8(0x04).uleb(0).uleb(0x10) // offset_pair from CU base
    .u8(0x01).uleb(3) // base_addressx → 0x4000
    .u8(0x04).uleb(0x10).uleb(0x20)
    .u8(0x02).uleb(0).uleb(1) // startx_endx
    .u8(0x03).uleb(2).uleb(0x40) // startx_length
    .u8(0x05).u64(0xa000n) // base_address
    .u8(0x04).uleb(0).uleb(1)
    .u8(0x06).u64(0xb000n).u64(0xb100n) // start_end
    .u8(0x07).u64(0xc000n).uleb(0x10) // start_length
    .u8(0x07).u64(0xffffffffffffffffn).uleb(0x10) // a tombstone from lld: dropped
    .u8(0x00);
  const section = lists5([4], body);
  const ctx = ctx5({ rnglists: section }, { rnglistsBase: 12 });

  test("every entry kind resolves; tombstones are dropped", () => {
    const ranges = readRangeList(ctx, { index: 0 });
    expect(ranges).toEqual([
      { start: 0x500, end: 0x510 },
      { start: 0x4010, end: 0x4020 },
      { start: 0x1000, end: 0x2000 },
      { start: 0x3000, end: 0x3040 },
      { start: 0xa000, end: 0xa001 },
      { start: 0xb000, end: 0xb100 },
      { start: 0xc000, end: 0xc010 },
    ]);
    expect(rangesContain(ranges, 0x3020)).toBe(true);
    expect(rangesContain(ranges, 0x3040)).toBe(false);
  });

  test("unknown kinds are errors", () => {
    const bad = lists5([], new Bytes().u8(0x08));
    expect(() => readRangeList(ctx5({ rnglists: bad }), { offset: 12 })).toThrow(/unknown DW_RLE entry kind 0x8/);
  });
});

describe("DWARF 2–4 lists", () => {
  const MAX = 0xffffffffffffffffn;
  const loc = new Bytes()
    .u64(0x10n).u64(0x20n).u16(1).u8(0x55) // relative to the CU base 0x500
    .u64(MAX).u64(0x3000n) // base address selection
    .u64(0x0n).u64(0x8n).u16(2).u8(0x91, 0x68)
    .u64(0x8n).u64(0x8n).u16(1).u8(0x50) // an empty range: kept, covers nothing
    .u64(0n).u64(0n).bytes;
  const ranges = new Bytes().u64(0x1n).u64(0x2n).u64(MAX).u64(0x100n).u64(0x0n).u64(0x4n).u64(0n).u64(0n).bytes;
  const ctx: ListContext = { version: 4, addressSize: 8, offsetSize: 4, baseAddress: 0x500, sections: { loc, ranges } };

  test(".debug_loc with base address selection", () => {
    const list = readLocationList(ctx, { offset: 0 });
    expect(list.entries.map((e) => [e.start, e.end, [...e.expr]])).toEqual([
      [0x510, 0x520, [0x55]],
      [0x3000, 0x3008, [0x91, 0x68]],
      [0x3008, 0x3008, [0x50]],
    ]);
    expect(locationAt(list, 0x3008)).toBeUndefined(); // optimized out there
    expect([...rawLocationList(ctx, { offset: 0 })].map((e) => e.kind)).toEqual(["pair", "base_address", "pair", "pair", "end_of_list"]);
  });

  test(".debug_ranges with base address selection", () => {
    expect(readRangeList(ctx, { offset: 0 })).toEqual([{ start: 0x501, end: 0x502 }, { start: 0x100, end: 0x104 }]);
  });

  test("32-bit addresses", () => {
    const r32 = new Bytes().u32(0x10).u32(0x20).u32(0xffffffff).u32(0x9000).u32(0).u32(4).u32(0).u32(0).bytes;
    expect(readRangeList({ ...ctx, addressSize: 4, sections: { ranges: r32 } }, { offset: 0 })).toEqual([{ start: 0x510, end: 0x520 }, { start: 0x9000, end: 0x9004 }]);
  });

  test("a list without its end is a DwarfError", () => {
    for (let n = 0; n < loc.length - 1; n++) expect(() => readLocationList({ ...ctx, sections: { loc: loc.subarray(0, n) } }, { offset: 0 })).toThrow(DwarfError);
    expect(() => readRangeList({ ...ctx, sections: {} }, { offset: 0 })).toThrow(/no .debug_ranges/);
  });
});

describe("fuzz: mutated real sections", () => {
  test("random byte flips in .debug_loclists/.debug_rnglists never crash or hang", () => {
    const path = MATRIX.find((m) => m.label.includes("clang -O2 v5"))!.build();
    const elf = ElfFile.open(path);
    const dump = llvmDebugInfo(path);
    const unit = dump.units[0];
    const base = listContext(elf, unit);
    let seed = 12345;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let round = 0; round < 300; round++) {
      const loclists = Uint8Array.from(base.sections.loclists!);
      const rnglists = base.sections.rnglists ? Uint8Array.from(base.sections.rnglists) : new Uint8Array(0);
      for (let k = 0; k < 8; k++) {
        loclists[rand(loclists.length)] = rand(256);
        if (rnglists.length) rnglists[rand(rnglists.length)] = rand(256);
      }
      const ctx = { ...base, sections: { loclists, rnglists } };
      for (let index = 0; index < 40; index++) {
        for (const read of [() => readLocationList(ctx, { index }), () => readRangeList(ctx, { index }), () => readLocationList(ctx, { offset: rand(loclists.length + 4) })]) {
          try {
            read();
          } catch (e) {
            if (!(e instanceof DwarfError)) throw e;
          }
        }
      }
    }
  });
});
