// Hand-made CFI: every pointer encoding, .debug_frame DWARF64 with a
// version 4 CIE, the "eh" and unknown 'z' augmentations, personality and
// LSDA pointers; .eh_frame_hdr lookups against a full scan on libc; the
// x86-64 CFA story at a function's entry and after its prologue; and
// malformed input, which must fail as DwarfError, never hang.
import { describe, expect, test } from "bun:test";
import {
  CallFrameInfo, DW_EH_PE_aligned, DW_EH_PE_datarel, DW_EH_PE_funcrel, DW_EH_PE_indirect, DW_EH_PE_pcrel, DW_EH_PE_sdata2,
  DW_EH_PE_sdata4, DW_EH_PE_sdata8, DW_EH_PE_signed, DW_EH_PE_sleb128, DW_EH_PE_textrel, DW_EH_PE_udata2, DW_EH_PE_udata4,
  DW_EH_PE_udata8, DW_EH_PE_uleb128, EhFrameHdr, FrameSection, formatCfaRule, readEncodedPointer, unwindRows, x86_64RegisterName,
} from "../../src/dwarf/cfi/index.ts";
import { DwarfError, Reader } from "../../src/dwarf/reader.ts";
import { ElfFile } from "../../src/elf/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { LIBC } from "../elf/readelf.ts";
import { Bytes, prng } from "./line_bytes.ts";

describe("pointer encodings", () => {
  const bases = { section: 0x1000, text: 0x400, data: 0x800, func: 0x2000 };
  const cases: [string, number, Bytes, number][] = [
    ["absptr", 0x00, new Bytes().u64(0x123456789), 0x123456789],
    ["uleb128", DW_EH_PE_uleb128, new Bytes().uleb(300), 300],
    ["udata2", DW_EH_PE_udata2, new Bytes().u16(0xfffe), 0xfffe],
    ["udata4", DW_EH_PE_udata4, new Bytes().u32(0xfffffffe), 0xfffffffe],
    ["udata8", DW_EH_PE_udata8, new Bytes().u64(0x10), 0x10],
    ["signed (address-sized)", DW_EH_PE_signed | DW_EH_PE_pcrel, new Bytes().u64(-16n), 0x1000 - 16],
    ["sleb128 pcrel", DW_EH_PE_sleb128 | DW_EH_PE_pcrel, new Bytes().sleb(-8), 0x1000 - 8],
    ["sdata2 pcrel", DW_EH_PE_sdata2 | DW_EH_PE_pcrel, new Bytes().u16(-2 & 0xffff), 0x1000 - 2],
    ["sdata4 pcrel", DW_EH_PE_sdata4 | DW_EH_PE_pcrel, new Bytes().u32(-0x10 >>> 0), 0x1000 - 0x10],
    ["sdata8 pcrel", DW_EH_PE_sdata8 | DW_EH_PE_pcrel, new Bytes().u64(-0x20n), 0x1000 - 0x20],
    ["textrel", DW_EH_PE_udata4 | DW_EH_PE_textrel, new Bytes().u32(4), 0x404],
    ["datarel", DW_EH_PE_sdata4 | DW_EH_PE_datarel, new Bytes().u32(8), 0x808],
    ["funcrel", DW_EH_PE_udata2 | DW_EH_PE_funcrel, new Bytes().u16(3), 0x2003],
  ];
  for (const [name, enc, bytes, want] of cases) {
    test(name, () => {
      const r = new Reader(bytes.bytes(), ".eh_frame");
      expect(readEncodedPointer(r, enc, 8, bases)).toEqual({ address: want, indirect: false });
      expect(r.atEnd).toBe(true);
    });
  }
  test("aligned skips to the next address-size boundary", () => {
    const r = new Reader(new Bytes().u8(0xee, 0xee, 0xee).u8(0, 0, 0, 0, 0).u64(0x77).bytes(), ".eh_frame", 3);
    expect(readEncodedPointer(r, DW_EH_PE_aligned, 8, { section: 0x1000 }).address).toBe(0x77);
  });
  test("indirect is reported, not dereferenced", () => {
    const r = new Reader(new Bytes().u32(0x40).bytes(), ".eh_frame");
    expect(readEncodedPointer(r, DW_EH_PE_indirect | DW_EH_PE_pcrel | DW_EH_PE_sdata4, 8, { section: 0x1000 })).toEqual({ address: 0x1040, indirect: true });
  });
  test("missing bases and bad encodings are errors", () => {
    const r = () => new Reader(new Bytes().u32(1).bytes(), ".eh_frame");
    expect(() => readEncodedPointer(r(), DW_EH_PE_udata4 | DW_EH_PE_textrel, 8, { section: 0 })).toThrow(DwarfError);
    expect(() => readEncodedPointer(r(), 0x07, 8, { section: 0 })).toThrow(DwarfError);
    expect(() => readEncodedPointer(r(), 0x63, 8, { section: 0 })).toThrow(DwarfError);
    expect(() => readEncodedPointer(r(), 0xff, 8, { section: 0 })).toThrow(DwarfError);
  });
});

/** Wraps an entry body in its length field (32- or 64-bit). */
function entry(body: Bytes, dwarf64 = false): Bytes {
  const b = new Bytes();
  if (dwarf64) b.u32(0xffffffff).u64(body.length);
  else b.u32(body.length);
  return b.append(body);
}

describe(".debug_frame", () => {
  test("DWARF64, version 4 CIE with 4-byte addresses, set_loc and advance_loc forms", () => {
    const cie = entry(new Bytes().u64(0xffffffffffffffffn).u8(4).str("").u8(4, 0).uleb(4).sleb(-4).uleb(8)
      .u8(0x0c, 4, 4) // def_cfa r4+4
      .u8(0x80 | 8, 1), true); // r8 at cfa-4
    const cieLen = cie.length;
    const fde = entry(new Bytes().u64(0).u32(0x8000).u32(0x100)
      .u8(0x41) // advance_loc 1*4
      .u8(0x0e, 16) // def_cfa_offset 16
      .u8(0x02, 2) // advance_loc1 2*4
      .u8(0x0d, 5) // def_cfa_register r5
      .u8(0x03).u16(4) // advance_loc2 4*4
      .u8(0x08, 8) // same_value r8
      .u8(0x04).u32(1) // advance_loc4 1*4
      .u8(0xc0 | 8) // restore r8
      .u8(0x01).u32(0x8080) // set_loc
      .u8(0x07, 8), true); // undefined r8
    const sec = new FrameSection(new Bytes().append(cie).append(fde).bytes(), ".debug_frame");
    const entries = [...sec.entries()];
    expect(entries.map((e) => e.kind)).toEqual(["cie", "fde"]);
    const f = entries[1];
    if (f.kind !== "fde") throw new Error();
    expect(f.format).toBe(8);
    expect(f.cie.offset).toBe(0);
    expect(f.cie.addressSize).toBe(4);
    expect([f.start, f.length, cieLen]).toEqual([0x8000, 0x100, cieLen]);
    const rows = unwindRows(sec, f).map((r) => [r.start, r.end, formatCfaRule(r.cfa, (n) => `r${n}`), r.registers.get(8)?.kind ?? "-"]);
    expect(rows).toEqual([
      [0x8000, 0x8004, "r4+4", "offset"],
      [0x8004, 0x800c, "r4+16", "offset"],
      [0x800c, 0x801c, "r5+16", "offset"],
      [0x801c, 0x8020, "r5+16", "sameValue"],
      [0x8020, 0x8080, "r5+16", "offset"],
      [0x8080, 0x8100, "r5+16", "undefined"],
    ]);
    const cfi = new CallFrameInfo(undefined, undefined, sec);
    expect(cfi.unwindRowAt(0x801c)?.registers.get(8)).toEqual({ kind: "sameValue" });
    expect(cfi.unwindRowAt(0x8100)).toBeUndefined();
  });
});

describe(".eh_frame augmentations", () => {
  const cieBody = (aug: string, augData: Bytes | undefined, extra?: (b: Bytes) => void) => {
    const b = new Bytes().u32(0).u8(1).str(aug);
    extra?.(b);
    b.uleb(1).sleb(-8).u8(16);
    if (augData) b.uleb(augData.length).append(augData);
    return b.u8(0x0c, 7, 8).u8(0x90, 1);
  };
  const fdeAfter = (cieOffset: number, at: number, pc: Bytes, aug?: Bytes) => {
    const b = new Bytes().u32(at + 4 - cieOffset).append(pc);
    if (aug) b.uleb(aug.length).append(aug);
    return entry(b.u8(0x41, 0x0e, 16));
  };
  test("zPLR: personality (indirect) and LSDA pointers", () => {
    const cie = entry(cieBody("zPLR", new Bytes().u8(0x9b).u32(0x100).u8(0x1b).u8(0x1b)));
    const fde = fdeAfter(0, cie.length, new Bytes().u32(0x200).u32(0x10), new Bytes().u32(0x300));
    const sec = new FrameSection(new Bytes().append(cie).append(fde).u32(0).bytes(), ".eh_frame", { address: 0x5000 });
    const [c, f] = [...sec.entries()];
    if (c.kind !== "cie" || f.kind !== "fde") throw new Error();
    expect(c.personality).toEqual({ address: 0x5000 + 4 + 4 + 1 + 5 + 3 + 1 + 1 + 0x100, indirect: true });
    const pcField = 0x5000 + cie.length + 8;
    expect(f.start).toBe(pcField + 0x200);
    expect(f.lsda).toEqual({ address: pcField + 8 + 1 + 0x300, indirect: false });
  });
  test("old gcc 'eh' augmentation carries a pointer before the factors", () => {
    const cie = entry(cieBody("eh", undefined, (b) => b.u64(0xdead)));
    const fde = fdeAfter(0, cie.length, new Bytes().u64(0x4000).u64(0x20));
    const sec = new FrameSection(new Bytes().append(cie).append(fde).bytes(), ".eh_frame");
    const [c, f] = [...sec.entries()];
    expect(c.kind === "cie" && c.ehData).toBe(0xdead);
    expect(f.kind === "fde" && [f.start, f.length]).toEqual([0x4000, 0x20]);
    expect(formatCfaRule(unwindRows(sec, f as never)[1].cfa)).toBe("rsp+16");
  });
  test("unknown letters after 'z' are skipped by the data length; without 'z' they are an error", () => {
    const ok = entry(cieBody("zRQ", new Bytes().u8(0x03).u8(1, 2, 3)));
    const sec = new FrameSection(ok.bytes(), ".eh_frame");
    expect(sec.cieAt(0).fdeEncoding).toBe(0x03);
    const bad = entry(cieBody("Q", undefined));
    expect(() => new FrameSection(bad.bytes(), ".eh_frame").cieAt(0)).toThrow(DwarfError);
  });
});

describe("real binaries", () => {
  test("x86-64 CFA: rsp+8 at entry, rbp+16 after push %rbp; mov %rsp,%rbp", () => {
    const elf = ElfFile.open(compileFixture("dwarf_cfi_frames", { cc: "gcc", opt: "-O0" }));
    const cfi = CallFrameInfo.fromElf(elf);
    const leaf = elf.findSymbol("leaf")!;
    const entryRow = cfi.unwindRowAt(leaf.value)!;
    expect(formatCfaRule(entryRow.cfa)).toBe("rsp+8");
    expect(entryRow.registers.get(16)).toEqual({ kind: "offset", offset: -8 });
    const rows = cfi.rowsFor(leaf.value);
    expect(rows.map((r) => formatCfaRule(r.cfa))).toEqual(["rsp+8", "rsp+16", "rbp+16", "rsp+8"]);
    expect(rows[2].registers.get(6)).toEqual({ kind: "offset", offset: -16 });
    expect(x86_64RegisterName(16)).toBe("rip");
  });

  test("libc: .eh_frame_hdr lookups agree with a full scan; zRS and zPLR CIEs parse", () => {
    const elf = ElfFile.open(LIBC);
    const cfi = CallFrameInfo.fromElf(elf);
    expect(cfi.ehFrameHdr!.fdeCount).toBeGreaterThan(1000);
    const scan = new CallFrameInfo(cfi.ehFrame);
    const augs = new Set<string>();
    let signal = 0;
    let fdes = 0;
    for (const e of cfi.ehFrame!.entries()) {
      if (e.kind === "cie") {
        augs.add(e.augmentation);
        if (e.signalFrame) signal++;
        if (e.augmentation === "zPLR") expect(e.personality).toBeDefined();
        continue;
      }
      if (e.length === 0) continue;
      fdes++;
      for (const pc of [e.start, e.start + e.length - 1]) {
        expect(cfi.fdeFor(pc)?.fde.offset).toBe(e.offset);
        expect(scan.fdeFor(pc)?.fde.offset).toBe(e.offset);
      }
    }
    expect([...augs].sort()).toEqual(["zPLR", "zR", "zRS"]);
    expect(signal).toBeGreaterThan(0);
    expect(fdes).toBe(cfi.ehFrameHdr!.fdeCount);
    expect(cfi.unwindRowAt(0)).toBeUndefined();
  });
});

describe("malformed CFI fails as DwarfError", () => {
  const withFde = (instructions: number[], cieInstructions = [0x0c, 7, 8]) => {
    const cie = entry(new Bytes().u32(0).u8(1).str("zR").uleb(1).sleb(-8).u8(16).uleb(1).u8(0x03).u8(...cieInstructions));
    const fde = entry(new Bytes().u32(cie.length + 4).u32(0x1000).u32(0x100).uleb(0).u8(...instructions));
    return new FrameSection(new Bytes().append(cie).append(fde).bytes(), ".eh_frame");
  };
  const rowsOf = (sec: FrameSection) => {
    const f = [...sec.entries()][1];
    if (f.kind !== "fde") throw new Error("not an FDE");
    return unwindRows(sec, f);
  };
  const bad: [string, () => unknown][] = [
    ["restore_state without remember_state", () => rowsOf(withFde([0x0b]))],
    ["def_cfa_offset after def_cfa_expression", () => rowsOf(withFde([0x0f, 1, 0x9c, 0x0e, 8]))],
    ["unknown opcode", () => rowsOf(withFde([0x3f]))],
    ["advance_loc in a CIE", () => rowsOf(withFde([], [0x0c, 7, 8, 0x41]))],
    ["set_loc backwards", () => rowsOf(withFde([0x01, 0, 0, 0, 0]))],
    ["no CFA rule", () => rowsOf(withFde([], []))],
    ["truncated operand", () => rowsOf(withFde([0x0c, 7]))],
    ["expression longer than the FDE", () => rowsOf(withFde([0x10, 6, 100]))],
    ["remember_state nested without bound", () => rowsOf(withFde(new Array(300).fill(0x0a)))],
    ["entry length past the end", () => [...new FrameSection(new Bytes().u32(100).u32(0).bytes(), ".eh_frame").entries()]],
    ["CIE pointer outside the section", () => [...new FrameSection(entry(new Bytes().u32(0x7000).u64(0)).bytes(), ".eh_frame").entries()]],
    ["FDE whose CIE pointer names an FDE", () => {
      const a = entry(new Bytes().u32(4 + 12 + 4).u32(0).u32(0)); // points at the next entry
      const b = entry(new Bytes().u32(4 + 12 + 4 + 12 + 4).u32(0).u32(0)); // points back at the first
      return [...new FrameSection(new Bytes().append(a).append(b).bytes(), ".eh_frame").entries()];
    }],
    ["CIE version 2", () => new FrameSection(entry(new Bytes().u32(0).u8(2).str("").uleb(1).sleb(-8).u8(16)).bytes(), ".eh_frame").cieAt(0)],
    [".eh_frame_hdr version 2", () => new EhFrameHdr(new Uint8Array([2, 0x1b, 0x03, 0x3b, 0, 0, 0, 0]), 0)],
    [".eh_frame_hdr with more entries than bytes", () => new EhFrameHdr(new Bytes().u8(1, 0x1b, 0x03, 0x3b).u32(0).u32(1_000_000).bytes(), 0)],
  ];
  for (const [name, f] of bad) test(name, () => expect(f).toThrow(DwarfError));

  test("fuzz: truncated and mutated .eh_frame/.eh_frame_hdr of a real binary", () => {
    const elf = ElfFile.open(compileFixture("dwarf_cfi_frames", { cc: "clang", opt: "-O2", flags: ["-fexceptions"] }));
    const eh = elf.section(".eh_frame")!;
    const hdr = elf.section(".eh_frame_hdr")!;
    const ehBytes = elf.sectionData(eh);
    const hdrBytes = elf.sectionData(hdr);
    const pcs = elf.functionSymbols().map((s) => s.value);
    const rand = prng(42);
    let ok = 0;
    let errors = 0;
    const attempt = (e: Uint8Array, h: Uint8Array) => {
      try {
        const cfi = new CallFrameInfo(new FrameSection(e, ".eh_frame", { address: eh.addr }), new EhFrameHdr(h, hdr.addr));
        for (const pc of pcs) cfi.unwindRowAt(pc + 1);
        for (const _ of new FrameSection(e, ".eh_frame", { address: eh.addr }).entries());
        ok++;
      } catch (err) {
        if (!(err instanceof DwarfError)) throw err;
        errors++;
      }
    };
    for (let n = 0; n < ehBytes.length; n++) attempt(ehBytes.subarray(0, n), hdrBytes);
    for (let n = 0; n < hdrBytes.length; n++) attempt(ehBytes, hdrBytes.subarray(0, n));
    for (let i = 0; i < 4000; i++) {
      const e = ehBytes.slice();
      const h = hdrBytes.slice();
      const target = rand() < 0.8 ? e : h;
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) target[Math.floor(rand() * target.length)] = Math.floor(rand() * 256);
      attempt(e, h);
    }
    expect(ok).toBeGreaterThan(0);
    expect(errors).toBeGreaterThan(0);
  }, 60_000);
});
