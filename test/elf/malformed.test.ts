// Malformed input: every failure is an ElfError with a one-line message that
// names the file; nothing crashes with another exception type, hangs, or
// allocates in proportion to a lying size field.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { compileFixture } from "../helpers/fixtures.ts";
import { ElfError, ElfFile } from "../../src/elf/index.ts";
import { LIBC } from "./readelf.ts";

const NAME = "/x/y";

/** Call every public reader; return the errors thrown (each call isolated). */
function exercise(bytes: Uint8Array): unknown[] {
  const errors: unknown[] = [];
  const attempt = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      errors.push(e);
    }
  };
  let elf: ElfFile | undefined;
  attempt(() => (elf = ElfFile.fromBytes(bytes, NAME)));
  if (!elf) return errors;
  const e = elf;
  attempt(() => {
    for (const s of e.sections()) attempt(() => e.sectionData(s));
  });
  attempt(() => e.segments());
  attempt(() => e.interpreter());
  attempt(() => e.kind());
  attempt(() => e.symbolTable("symtab"));
  attempt(() => e.symbolTable("dynsym"));
  attempt(() => e.symbols());
  attempt(() => e.findSymbol("main"));
  attempt(() => e.closeMatches("mian"));
  attempt(() => {
    for (const f of e.functionSymbols()) e.vaddrToFileOffset(f.value);
  });
  attempt(() => e.functionContaining(e.entry));
  attempt(() => e.fileOffsetToVaddr(0x1000));
  attempt(() => e.notes());
  attempt(() => e.buildId());
  attempt(() => e.debugLink());
  attempt(() => e.debugAltLink());
  attempt(() => e.needed());
  attempt(() => e.soname());
  attempt(() => e.runpath());
  attempt(() => e.debugSectionData(".debug_info"));
  return errors;
}

function expectOnlyElfErrors(errors: unknown[], context: string): void {
  for (const err of errors) {
    if (!(err instanceof ElfError)) throw new Error(`${context}: non-ElfError thrown: ${String((err as Error)?.stack ?? err)}`);
    expect(err.message).not.toContain("\n");
    expect(err.message).toContain(NAME);
  }
}

function errorOf(bytes: Uint8Array): string {
  const errors = exercise(bytes);
  expectOnlyElfErrors(errors, "errorOf");
  expect(errors.length).toBeGreaterThan(0);
  return (errors[0] as ElfError).message;
}

const pie = () => new Uint8Array(readFileSync(compileFixture("tick")));
const zooShared = () => new Uint8Array(readFileSync(compileFixture("elf_zoo", { shared: true })));

/** Offset of section `name`'s header inside the file. */
function shdrOffset(bytes: Uint8Array, name: string): number {
  const elf = ElfFile.fromBytes(bytes);
  const sec = elf.section(name)!;
  return elf.header.shoff + sec.index * 64;
}

function patch(bytes: Uint8Array, f: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  f(new DataView(copy.buffer));
  return copy;
}

describe("identification", () => {
  test("not ELF", () => {
    for (const b of [new Uint8Array(0), new TextEncoder().encode("hello world"), new Uint8Array(4096).fill(0x41)]) {
      expect(errorOf(b)).toBe(`not an ELF file: ${NAME}`);
    }
  });
  test("32-bit, big-endian, invalid class", () => {
    const b = pie();
    expect(errorOf(patch(b, (v) => v.setUint8(4, 1)))).toBe(`unsupported ELF class 32-bit in ${NAME}: wraith reads 64-bit ELF only`);
    expect(errorOf(patch(b, (v) => v.setUint8(4, 7)))).toBe(`unsupported ELF class 7 (invalid) in ${NAME}: wraith reads 64-bit ELF only`);
    expect(errorOf(patch(b, (v) => v.setUint8(5, 2)))).toBe(
      `unsupported ELF data encoding big-endian in ${NAME}: wraith reads little-endian ELF only`,
    );
  });
  test("header truncated", () => {
    expect(errorOf(pie().subarray(0, 40))).toBe(`corrupt ELF ${NAME}: ELF header truncated: file is 0x28 bytes, header needs 0x40`);
  });
  test("open() on a missing path or a directory", () => {
    expect(() => ElfFile.open("/nonexistent/wraith")).toThrow(new ElfError("cannot read /nonexistent/wraith: no such file"));
    expect(() => ElfFile.open("/tmp")).toThrow(ElfError);
  });
});

describe("header tables out of range", () => {
  const b = pie();
  test("section header table past end of file", () => {
    const m = errorOf(patch(b, (v) => v.setBigUint64(40, BigInt(b.length - 16), true)));
    expect(m).toMatch(/^corrupt ELF \/x\/y: section header table at 0x[0-9a-f]+ \(size 0x40\) runs past end of file \(size 0x[0-9a-f]+\)$/);
  });
  test("absurd section header offset", () => {
    expect(errorOf(patch(b, (v) => v.setBigUint64(40, 0xffff_ffff_ffff_fff0n, true)))).toContain("impossible offset");
  });
  test("huge section count", () => {
    expect(errorOf(patch(b, (v) => v.setUint16(60, 0xfffe, true)))).toMatch(/section header table \(65534 entries\) .* runs past end of file/);
  });
  test("extended section count that does not fit", () => {
    const bad = patch(b, (v) => {
      const shoff = Number(v.getBigUint64(40, true));
      v.setUint16(60, 0, true);
      v.setBigUint64(shoff + 32, 0xffff_ffffn, true); // section 0 sh_size = count
    });
    expect(errorOf(bad)).toContain("section header table (4294967295 entries)");
  });
  test("wrong entry sizes", () => {
    expect(errorOf(patch(b, (v) => v.setUint16(58, 40, true)))).toBe(`corrupt ELF ${NAME}: section header entry size is 40, expected 64`);
    const m = exercise(patch(b, (v) => v.setUint16(54, 32, true)));
    expect((m[0] as Error).message).toBe(`corrupt ELF ${NAME}: program header entry size is 32, expected 56`);
  });
  test("section name table index out of range", () => {
    expect(errorOf(patch(b, (v) => v.setUint16(62, 999, true)))).toBe(
      `corrupt ELF ${NAME}: section name table index 999 is out of range (37 sections)`,
    );
  });
  test("program header table past end of file", () => {
    const errs = exercise(patch(b, (v) => v.setBigUint64(32, BigInt(b.length - 8), true)));
    expectOnlyElfErrors(errs, "phoff");
    expect((errs[0] as Error).message).toContain("program header table (13 entries)");
  });
});

describe("extended numbering (SHN_XINDEX, PN_XNUM) reads like the plain file", () => {
  test("counts and string index moved into section 0", () => {
    const b = pie();
    const plain = ElfFile.fromBytes(b);
    const moved = patch(b, (v) => {
      const shoff = Number(v.getBigUint64(40, true));
      v.setBigUint64(shoff + 32, BigInt(v.getUint16(60, true)), true);
      v.setUint32(shoff + 40, v.getUint16(62, true), true);
      v.setUint32(shoff + 44, v.getUint16(56, true), true);
      v.setUint16(60, 0, true);
      v.setUint16(62, 0xffff, true);
      v.setUint16(56, 0xffff, true);
    });
    const ext = ElfFile.fromBytes(moved);
    expect(ext.sections().slice(1)).toEqual(plain.sections().slice(1));
    expect(ext.segments()).toEqual(plain.segments());
    expect(ext.findSymbol("tick")).toEqual(plain.findSymbol("tick"));
  });
});

describe("section contents", () => {
  const b = zooShared();
  test("symbol table larger than the file", () => {
    const o = shdrOffset(b, ".dynsym");
    expect(errorOf(patch(b, (v) => v.setBigUint64(o + 32, 1n << 40n, true)))).toMatch(/section \.dynsym at 0x[0-9a-f]+ \(size 0x10000000000\) runs past end of file/);
  });
  test("symbol table entry size", () => {
    const o = shdrOffset(b, ".symtab");
    expect(errorOf(patch(b, (v) => v.setBigUint64(o + 56, 7n, true)))).toContain("symbol table .symtab has entry size 7, expected 24");
  });
  test("symbol table linked to a missing string table", () => {
    const o = shdrOffset(b, ".symtab");
    expect(errorOf(patch(b, (v) => v.setUint32(o + 40, 5000, true)))).toContain(".symtab links to string table section 5000, which does not exist");
  });
  test("symbol name outside its string table", () => {
    const elf = ElfFile.fromBytes(b);
    const symtab = elf.section(".symtab")!;
    const bad = patch(b, (v) => v.setUint32(symtab.offset + 24 * 3, 0x7fffffff, true));
    expect(errorOf(bad)).toContain("symbol 3 in .symtab has name offset 0x7fffffff outside its string table");
  });
  test("section name offset outside .shstrtab", () => {
    const o = shdrOffset(b, ".text");
    expect(errorOf(patch(b, (v) => v.setUint32(o, 0xffffff, true)))).toContain("name offset 0xffffff is outside the section name table");
  });
  test("note sizes running past the note area", () => {
    const elf = ElfFile.fromBytes(b);
    const note = elf.section(".note.gnu.build-id")!;
    expect(errorOf(patch(b, (v) => v.setUint32(note.offset + 4, 0xffffffff, true)))).toContain("runs past the end of its note area");
  });
  test("version requirement count lies", () => {
    const elf = ElfFile.fromBytes(b);
    const vr = elf.section(".gnu.version_r")!;
    const errs = exercise(patch(b, (v) => v.setUint16(vr.offset + 2, 0xffff, true)));
    expectOnlyElfErrors(errs, "verneed");
  });
  test("dynamic string out of range", () => {
    const elf = ElfFile.fromBytes(b);
    const dyn = elf.section(".dynamic")!;
    const bad = patch(b, (v) => {
      for (let o = dyn.offset; o < dyn.offset + dyn.size; o += 16) {
        if (v.getBigUint64(o, true) === 1n) v.setBigUint64(o + 8, 0xfffffffn, true); // DT_NEEDED
      }
    });
    expect(errorOf(bad)).toContain("DT_NEEDED string offset 0xfffffff is outside the dynamic string table");
  });
});

describe("compressed sections", () => {
  const b = new Uint8Array(readFileSync(compileFixture("elf_zoo", { flags: ["-Wl,--compress-debug-sections=zlib"] })));
  const info = ElfFile.fromBytes(b).section(".debug_info")!;
  const sectionError = (f: (v: DataView) => void) => {
    const e = ElfFile.fromBytes(patch(b, f), NAME);
    try {
      e.sectionData(".debug_info");
    } catch (err) {
      expect(err).toBeInstanceOf(ElfError);
      return (err as Error).message;
    }
    throw new Error("expected an ElfError");
  };
  test("declared size beyond the limit", () => {
    expect(sectionError((v) => v.setBigUint64(info.offset + 8, 1n << 40n, true))).toBe(
      `corrupt ELF ${NAME}: section .debug_info: declared uncompressed size 0x10000000000 exceeds the 0x40000000 limit`,
    );
  });
  test("declared size smaller or larger than the stream", () => {
    expect(sectionError((v) => v.setBigUint64(info.offset + 8, 10n, true))).toContain("zlib data does not decompress");
    const big = sectionError((v) => v.setBigUint64(info.offset + 8, 1n << 20n, true));
    expect(big).toContain("header says 0x100000");
  });
  test("unknown algorithm", () => {
    expect(sectionError((v) => v.setUint32(info.offset, 9, true))).toContain("unknown compression type 9");
  });
  test("garbage payload", () => {
    expect(sectionError((v) => v.setUint32(info.offset + 24, 0xdeadbeef, true))).toContain("zlib data does not decompress");
  });
  test("SHF_COMPRESSED on a section too small for its header", () => {
    const o = shdrOffset(b, ".comment");
    const bad = patch(b, (v) => {
      v.setBigUint64(o + 8, v.getBigUint64(o + 8, true) | 0x800n, true);
      v.setBigUint64(o + 32, 10n, true);
    });
    expect(() => ElfFile.fromBytes(bad, NAME).sectionData(".comment")).toThrow(
      new ElfError(`corrupt ELF ${NAME}: section .comment: compression header truncated (section is 10 bytes)`),
    );
  });
});

describe("truncation and mutation", () => {
  test("a PIE truncated at every byte", () => {
    const b = pie();
    const t = performance.now();
    for (let cut = 0; cut < b.length; cut++) expectOnlyElfErrors(exercise(b.subarray(0, cut)), `cut at ${cut}`);
    expect(performance.now() - t).toBeLessThan(15_000);
  });

  test("libc truncated at 200 points", () => {
    const b = new Uint8Array(readFileSync(LIBC));
    for (let i = 0; i < 200; i++) {
      const cut = Math.floor((b.length * i) / 200) + (i % 7);
      expectOnlyElfErrors(exercise(b.subarray(0, cut)), `libc cut at ${cut}`);
    }
  });

  test("libc with 4 KiB windows zeroed at 100 places", () => {
    const b = new Uint8Array(readFileSync(LIBC));
    let failures = 0;
    for (let i = 0; i < 100; i++) {
      const copy = b.slice();
      const at = Math.floor((b.length * i) / 100);
      copy.fill(0, at, at + 4096);
      const errs = exercise(copy);
      expectOnlyElfErrors(errs, `libc zeroed at ${at}`);
      if (errs.length) failures++;
    }
    expect(failures).toBeGreaterThan(0); // some windows hit structure and are reported
  });

  test("random byte mutations of headers and tables", () => {
    // xorshift32: reproducible without a dependency.
    let seed = 0x9e3779b9;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      seed >>>= 0;
      return seed % n;
    };
    for (const base of [zooShared(), pie()]) {
      const elf = ElfFile.fromBytes(base);
      // Mutate where structure lives: headers, section table, symbol/dynamic/version/note sections.
      const regions: [number, number][] = [
        [0, 64],
        [elf.header.phoff, elf.segments().length * 56],
        [elf.header.shoff, elf.sections().length * 64],
      ];
      for (const name of [".dynsym", ".symtab", ".dynamic", ".gnu.version_r", ".gnu.version", ".note.gnu.build-id", ".dynstr"]) {
        const s = elf.section(name);
        if (s) regions.push([s.offset, s.size]);
      }
      const t = performance.now();
      let reported = 0;
      for (let iter = 0; iter < 3000; iter++) {
        const copy = base.slice();
        const flips = 1 + rand(6);
        for (let k = 0; k < flips; k++) {
          const [start, len] = regions[rand(regions.length)]!;
          const at = start + rand(Math.max(len, 1));
          copy[at] = rand(4) === 0 ? 0xff : rand(256);
        }
        const errs = exercise(copy);
        expectOnlyElfErrors(errs, `mutation ${iter}`);
        if (errs.length) reported++;
      }
      // Most mutations should be caught; some hit harmless fields.
      expect(reported).toBeGreaterThan(500);
      expect(performance.now() - t).toBeLessThan(20_000);
    }
  });
});
