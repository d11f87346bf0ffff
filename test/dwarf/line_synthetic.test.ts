// Hand-made line programs: every opcode, every header layout (versions 2–5,
// DWARF64, VLIW, odd opcode bases, v5 entry formats in every string form),
// and malformed input, which must fail as DwarfError and never hang.
import { describe, expect, test } from "bun:test";
import { DW_FORM, DW_LNCT } from "../../src/dwarf/constants.ts";
import { LineProgram, type LineProgramOptions } from "../../src/dwarf/line/index.ts";
import { DwarfError } from "../../src/dwarf/reader.ts";
import { ElfFile } from "../../src/elf/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { Bytes, prng } from "./line_bytes.ts";

const STD_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1];

interface UnitSpec {
  version: number;
  dwarf64?: boolean;
  addressSize?: number;
  minInst?: number;
  maxOps?: number;
  lineBase?: number;
  lineRange?: number;
  opcodeBase?: number;
  stdLengths?: number[];
  /** The tables after standard_opcode_lengths. */
  tables: Bytes;
  program: Bytes;
}

function unit(s: UnitSpec): Uint8Array {
  const opcodeBase = s.opcodeBase ?? 13;
  const h = new Bytes().u8(s.minInst ?? 1);
  if (s.version >= 4) h.u8(s.maxOps ?? 1);
  h.u8(1).u8(s.lineBase ?? -5).u8(s.lineRange ?? 14).u8(opcodeBase);
  h.u8(...(s.stdLengths ?? STD_LENGTHS).slice(0, opcodeBase - 1));
  h.append(s.tables);
  const body = new Bytes().u16(s.version);
  if (s.version >= 5) body.u8(s.addressSize ?? 8, 0);
  if (s.dwarf64) body.u64(h.length);
  else body.u32(h.length);
  body.append(h).append(s.program);
  const out = new Bytes();
  if (s.dwarf64) out.u32(0xffffffff).u64(body.length);
  else out.u32(body.length);
  return out.append(body).bytes();
}

const legacyTables = () =>
  new Bytes().str("inc").str("/abs/inc").u8(0) // include_directories
    .str("main.c").uleb(0).uleb(0).uleb(0)
    .str("util.h").uleb(1).uleb(7).uleb(99)
    .str("/abs/x.c").uleb(2).uleb(0).uleb(0)
    .u8(0);

const ext = (b: Bytes, op: number, payload: Bytes) => b.u8(0).uleb(payload.length + 1).u8(op).append(payload);

describe("opcodes", () => {
  test("every standard and extended opcode, DWARF 2", () => {
    const p = new Bytes();
    ext(p, 2, new Bytes().u64(0x1000)); // set_address
    p.u8(1); // copy: row 1 at 0x1000 line 1
    p.u8(2).uleb(4); // advance_pc 4
    p.u8(3).sleb(9); // advance_line +9 → 10
    p.u8(5).uleb(7); // set_column 7
    p.u8(6); // negate_stmt → false
    p.u8(7); // set_basic_block
    ext(p, 4, new Bytes().uleb(3)); // set_discriminator 3
    p.u8(1); // copy: row 2 at 0x1004 line 10 col 7, !stmt, bb, disc 3
    p.u8(6); // back to stmt
    p.u8(8); // const_add_pc: (255-13)/14 = 17
    p.u8(4).uleb(2); // set_file 2
    p.u8(13 + 5 + 14 * 2); // special: address += 2, line += -5+5 = 0
    p.u8(9).u16(0x100); // fixed_advance_pc
    p.u8(3).sleb(-3); // line 7
    ext(p, 3, new Bytes().str("defined.c").uleb(1).uleb(0).uleb(0)); // define_file → file 4
    p.u8(4).uleb(4);
    ext(p, 0x80, new Bytes().u8(1, 2, 3)); // unknown extended op, skipped by length
    p.u8(0).uleb(0); // zero-length extended op
    p.u8(1);
    p.u8(2).uleb(1);
    ext(p, 1, new Bytes()); // end_sequence at 0x1118
    const lp = LineProgram.parse(unit({ version: 2, tables: legacyTables(), program: p }), 0, { compDir: "/cd" });
    const rows = lp.rows().map((r) => [r.address, r.file, r.line, r.column, r.isStmt, r.basicBlock, r.discriminator, r.endSequence]);
    expect(rows).toEqual([
      [0x1000, 1, 1, 0, true, false, 0, false],
      [0x1004, 1, 10, 7, false, true, 3, false],
      [0x1004 + 17 + 2, 2, 10, 7, true, false, 0, false],
      [0x1004 + 17 + 2 + 0x100, 4, 7, 7, true, false, 0, false],
      [0x1004 + 17 + 2 + 0x100 + 1, 4, 7, 7, true, false, 0, true],
    ]);
    expect(lp.files().map((f) => f.path)).toEqual(["/cd/main.c", "/cd/inc/util.h", "/abs/x.c", "/cd/inc/defined.c"]);
    expect(lp.file(2)).toMatchObject({ name: "util.h", modificationTime: 7, size: 99 });
    expect(lp.filePath(4)).toBe("/cd/inc/defined.c");
    expect(lp.sequences()).toEqual([{ start: 0x1000, end: 0x1118, firstRow: 0, endRow: 4 }]);
    expect(lp.lineAt(0x1003)?.line).toBe(1);
    expect(lp.lineAt(0x1118)).toBeUndefined();
    expect(lp.lineAt(0xfff)).toBeUndefined();
  });

  test("prologue_end, epilogue_begin, isa (DWARF 3); rows sharing an address", () => {
    const p = new Bytes();
    ext(p, 2, new Bytes().u64(0x2000));
    p.u8(1); // line 1 at 0x2000
    p.u8(10); // set_prologue_end
    p.u8(13 + 5 + 1); // line 2, same address
    p.u8(11).u8(12).uleb(5); // epilogue_begin, isa 5
    p.u8(13 + 5 + 1 + 14 * 3); // line 3 at 0x2003
    ext(p, 1, new Bytes());
    const lp = LineProgram.parse(unit({ version: 3, tables: legacyTables(), program: p }), 0);
    const rows = lp.rows();
    expect(rows.map((r) => [r.line, r.prologueEnd, r.epilogueBegin, r.isa])).toEqual([[1, false, false, 0], [2, true, false, 0], [3, false, true, 5], [3, false, false, 5]]);
    expect(lp.rowsFor(0x2001).map((r) => r.line)).toEqual([1, 2]);
    expect(lp.lineAt(0x2001)?.line).toBe(2);
    expect(lp.prologueEnd(0x2000, 0x2004)).toBe(0x2000);
  });

  test("VLIW: min_inst_length 2, 4 operations per instruction (DWARF 4)", () => {
    const p = new Bytes();
    ext(p, 2, new Bytes().u64(0x100));
    p.u8(2).uleb(6); // 6 ops: address += 2*floor(6/4) = 2, op_index 2
    p.u8(1);
    p.u8(8); // const_add_pc: 17 ops → op_index 19 → address += 2*4, op_index 3
    p.u8(1);
    ext(p, 1, new Bytes());
    const lp = LineProgram.parse(unit({ version: 4, minInst: 2, maxOps: 4, tables: legacyTables(), program: p }), 0);
    expect(lp.rows().map((r) => [r.address, r.opIndex])).toEqual([[0x102, 2], [0x10a, 3], [0x10a, 3]]);
  });

  test("opcode_base 10 makes 10–12 special; opcode_base 14 adds a skippable standard opcode", () => {
    const small = new Bytes();
    ext(small, 2, new Bytes().u64(0));
    small.u8(10); // special opcode 0 (line_base 0): a row, no advance
    ext(small, 1, new Bytes());
    const lp = LineProgram.parse(unit({ version: 4, opcodeBase: 10, lineBase: 0, lineRange: 4, tables: legacyTables(), program: small }), 0);
    expect(lp.rows().map((r) => [r.address, r.line])).toEqual([[0, 1], [0, 1]]);
    const big = new Bytes();
    ext(big, 2, new Bytes().u64(0x40));
    big.u8(13).uleb(300).uleb(5); // unknown standard opcode 13 with two LEB operands
    big.u8(14 + 6); // special: line +1
    ext(big, 1, new Bytes());
    const lp2 = LineProgram.parse(unit({ version: 4, opcodeBase: 14, stdLengths: [...STD_LENGTHS, 2], tables: legacyTables(), program: big }), 0);
    expect(lp2.rows().map((r) => [r.address, r.line])).toEqual([[0x40, 2], [0x40, 2]]);
  });
});

describe("DWARF 5 headers", () => {
  const lineStr = new Bytes().str("/comp").str("src").str("a.c").bytes();
  const str = new Bytes().str("zzz").str("b.c").bytes();
  function v5(dwarf64: boolean) {
    const t = new Bytes();
    t.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.line_strp); // directory format
    t.uleb(2);
    const off = (o: number) => (dwarf64 ? t.u64(o) : t.u32(o));
    off(0); // "/comp"
    off(6); // "src"
    t.u8(5)
      .uleb(DW_LNCT.path).uleb(DW_FORM.string)
      .uleb(DW_LNCT.directory_index).uleb(DW_FORM.udata)
      .uleb(DW_LNCT.MD5).uleb(DW_FORM.data16)
      .uleb(DW_LNCT.size).uleb(DW_FORM.data2)
      .uleb(DW_LNCT.timestamp).uleb(DW_FORM.data4);
    t.uleb(2);
    t.str("a.c").uleb(1).append(new Array(16).fill(0xab)).u16(1234).u32(99);
    t.str("/abs/c.c").uleb(0).append(new Array(16).fill(0)).u16(0).u32(0);
    const p = new Bytes();
    ext(p, 2, new Bytes().u32(0x500)); // 4-byte addresses
    p.u8(4).uleb(0).u8(1);
    ext(p, 1, new Bytes().u8());
    return unit({ version: 5, dwarf64, addressSize: 4, tables: t, program: p });
  }
  for (const dwarf64 of [false, true]) {
    test(`entry formats, line_strp paths, MD5, ${dwarf64 ? "DWARF64" : "DWARF32"}`, () => {
      const lp = LineProgram.parse(v5(dwarf64), 0, { compDir: "/ignored-when-absolute", lineStr });
      expect(lp.header.format).toBe(dwarf64 ? 8 : 4);
      expect(lp.header.addressSize).toBe(4);
      expect(lp.header.directories).toEqual(["/comp", "src"]);
      expect(lp.files().map((f) => f.path)).toEqual(["/ignored-when-absolute/src/a.c", "/abs/c.c"]);
      expect(lp.file(0)).toMatchObject({ name: "a.c", size: 1234, modificationTime: 99 });
      expect(lp.file(0)!.md5).toEqual(new Uint8Array(16).fill(0xab));
      expect(lp.rows()[0]).toMatchObject({ address: 0x500, file: 0 });
    });
  }
  test("strp and strx paths", () => {
    const t = new Bytes().u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.strp).uleb(1).u32(0);
    t.u8(1).uleb(DW_LNCT.path).uleb(DW_FORM.strx1).uleb(1).u8(7);
    const bytes = unit({ version: 5, tables: t, program: new Bytes() });
    const o: LineProgramOptions = { str, strx: (i) => `strx#${i}` };
    const lp = LineProgram.parse(bytes, 0, o);
    expect(lp.header.directories).toEqual(["zzz"]);
    expect(lp.files()[0].path).toBe("zzz/strx#7");
    expect(() => LineProgram.parse(bytes, 0, { str })).toThrow(DwarfError);
    expect(() => LineProgram.parse(bytes, 0, {})).toThrow(DwarfError);
  });
});

describe("malformed line programs fail as DwarfError", () => {
  const good = () => {
    const p = new Bytes();
    ext(p, 2, new Bytes().u64(0x1000));
    p.u8(1).u8(30).u8(40);
    ext(p, 1, new Bytes());
    return unit({ version: 4, tables: legacyTables(), program: p });
  };
  const bad: [string, () => Uint8Array][] = [
    ["version 1", () => unit({ version: 1, tables: legacyTables(), program: new Bytes() })],
    ["version 6", () => unit({ version: 6, tables: legacyTables(), program: new Bytes() })],
    ["line_range 0", () => unit({ version: 4, lineRange: 0, tables: legacyTables(), program: new Bytes() })],
    ["max ops 0", () => unit({ version: 4, maxOps: 0, tables: legacyTables(), program: new Bytes() })],
    ["opcode_base 0", () => unit({ version: 4, opcodeBase: 0, tables: new Bytes(), program: new Bytes() })],
    ["unit length past the end", () => { const b = good(); b[0] = 0xf0; return b; }],
    ["reserved initial length", () => { const b = good(); b.set([0xf0, 0xff, 0xff, 0xff], 0); return b; }],
    ["huge v5 file count", () => unit({ version: 5, tables: new Bytes().u8(1).uleb(1).uleb(DW_FORM.string).uleb(0).u8(1).uleb(1).uleb(DW_FORM.string).uleb(2 ** 40), program: new Bytes() })],
    ["v5 entries without a path", () => unit({ version: 5, tables: new Bytes().u8(0).uleb(1000), program: new Bytes() })],
    ["v5 path in a non-string form", () => unit({ version: 5, tables: new Bytes().u8(1).uleb(1).uleb(DW_FORM.data1).uleb(1).u8(3).u8(0).uleb(0), program: new Bytes() })],
    ["unterminated include directory", () => unit({ version: 3, tables: new Bytes().u8(0x41, 0x41), program: new Bytes() })],
    ["extended op longer than the program", () => unit({ version: 4, tables: legacyTables(), program: new Bytes().u8(0).uleb(1000).u8(2) })],
    ["advance to a huge address", () => unit({ version: 4, tables: legacyTables(), program: new Bytes().u8(2).uleb(2 ** 52).u8(2).uleb(2 ** 52).u8(1) })],
  ];
  for (const [name, make] of bad) {
    test(name, () => {
      expect(() => {
        const lp = LineProgram.parse(make(), 0, {});
        lp.rows();
      }).toThrow(DwarfError);
    });
  }
  test("an offset outside the section", () => {
    expect(() => LineProgram.parse(good(), 1000)).toThrow(DwarfError);
  });

  test("fuzz: truncations and mutations of real .debug_line", () => {
    const sections = [compileFixture("dwarf_line_funcs", { cc: "gcc", dwarf: 5, with: ["dwarf_line_other"] }), compileFixture("dwarf_line_funcs", { cc: "clang", opt: "-O2", dwarf: 4 })]
      .map((p) => ElfFile.open(p))
      .map((e) => ({ line: e.debugSectionData(".debug_line")!, lineStr: e.debugSectionData(".debug_line_str"), str: e.debugSectionData(".debug_str") }));
    const rand = prng(0x5eed);
    let ok = 0;
    let errors = 0;
    const attempt = (bytes: Uint8Array, o: { lineStr?: Uint8Array; str?: Uint8Array }) => {
      try {
        const lp = LineProgram.parse(bytes, 0, { compDir: "/c", ...o });
        lp.rows();
        lp.files();
        lp.lineAt(0x1139);
        lp.addressesFor("dwarf_line_funcs.c", 20);
        ok++;
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        errors++;
      }
    };
    const start = Date.now();
    for (const s of sections) {
      for (let n = 0; n < Math.min(s.line.length, 600); n++) attempt(s.line.subarray(0, n), s);
      for (let i = 0; i < 3000; i++) {
        const m = s.line.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
        attempt(m, s);
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
    expect(Date.now() - start).toBeLessThan(30_000);
  }, 60_000);
});
