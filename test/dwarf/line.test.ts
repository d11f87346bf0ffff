// Line programs against independent readers: every row and header table vs
// llvm-dwarfdump, file paths and address lookups vs llvm-symbolizer, rows vs
// readelf -wL, FILE:LINE and function breakpoints vs gdb. Across gcc and
// clang, -O0 and -O2, DWARF 2, 3, 4 and 5.
import { describe, expect, test } from "bun:test";
import { DW_AT, DW_TAG } from "../../src/dwarf/constants.ts";
import { DwarfFile } from "../../src/dwarf/file.ts";
import { lineProgramForUnit } from "../../src/dwarf/line/for-unit.ts";
import { type LineProgram, pathHasSuffix } from "../../src/dwarf/line/index.ts";
import type { Die } from "../../src/dwarf/die.ts";
import { ElfFile } from "../../src/elf/index.ts";
import { type CompileOptions, compileFixture } from "../helpers/fixtures.ts";
import { dwarfdumpLines, gdbBreaks, readelfDecodedLines } from "./line_oracle.ts";

type Variant = { label: string; o: CompileOptions };
const variants: Variant[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const)
    for (const v of [2, 3, 4, 5] as const)
      variants.push({ label: `${cc} ${opt} DWARF ${v}`, o: { cc, opt, dwarf: v === 5 ? 5 : 4, flags: v < 4 ? [`-gdwarf-${v}`] : [], with: ["dwarf_line_other"] } });

function build(o: CompileOptions) {
  const path = compileFixture("dwarf_line_funcs", o);
  const elf = ElfFile.open(path);
  const dwarf = DwarfFile.fromElf(elf);
  const units = dwarf.compileUnits().map((u) => ({ unit: u, lines: lineProgramForUnit(u)! }));
  return { path, elf, dwarf, units };
}

const ROW_FLAGS = ["is_stmt", "basic_block", "end_sequence", "prologue_end", "epilogue_begin"] as const;

describe("line rows agree with llvm-dwarfdump --debug-line", () => {
  const versions = new Set<number>();
  for (const { label, o } of variants) {
    test(label, () => {
      const { path, units } = build(o);
      const tables = dwarfdumpLines(path);
      expect(tables.length).toBe(units.length);
      let rows = 0;
      for (const { lines } of units) {
        const t = tables.find((x) => x.offset === lines.header.offset)!;
        expect(lines.version).toBe(t.version);
        versions.add(lines.version);
        // DWARF 2–4 do not store directory 0 (comp_dir); llvm-dwarfdump prints only what is stored.
        expect(lines.header.directories).toEqual(t.includeDirectories);
        expect(lines.header.files.map((f) => ({ name: f.name, dirIndex: f.directoryIndex }))).toEqual(t.fileNames);
        const ours = lines.rows().map((r) => ({
          address: r.address, line: r.line, column: r.column, file: r.file, isa: r.isa, discriminator: r.discriminator,
          flags: ROW_FLAGS.filter((f) => ({ is_stmt: r.isStmt, basic_block: r.basicBlock, end_sequence: r.endSequence, prologue_end: r.prologueEnd, epilogue_begin: r.epilogueBegin })[f]).join(" "),
        }));
        const theirs = t.rows.map((r) => ({ ...r, flags: ROW_FLAGS.filter((f) => r.flags.has(f)).join(" ") }));
        expect(ours).toEqual(theirs);
        rows += ours.length;
        // Sequences partition the rows and end at end_sequence rows.
        const seqs = lines.sequences();
        expect(seqs.length).toBe(ours.filter((r) => r.flags.includes("end_sequence")).length);
        for (const s of seqs) expect(lines.rows()[s.endRow].endSequence).toBe(true);
      }
      expect(rows).toBeGreaterThan(50);
    });
  }
  // gcc writes a version 3 line table for -gdwarf-2; clang writes version 2.
  test("every line table version was covered", () => expect([...versions].sort()).toEqual([2, 3, 4, 5]));
});

describe("decoded rows agree with readelf -wL", () => {
  for (const { label, o } of variants.filter((v) => v.o.cc === "gcc" || v.o.opt === "-O0")) {
    test(label, () => {
      const { path, units } = build(o);
      const theirs = readelfDecodedLines(path).map((r) => `${r.address.toString(16)}:${r.line}:${r.stmt}`);
      const ours: string[] = [];
      for (const { lines } of units) for (const r of lines.rows()) if (!r.endSequence) ours.push(`${r.address.toString(16)}:${r.line}:${r.isStmt}`);
      expect(ours).toEqual(theirs);
    });
  }
});

/** llvm-symbolizer --no-inlines: "path:line:col" for each address, from the line table. */
function symbolize(path: string, addresses: number[]): string[] {
  const input = addresses.map((a) => `0x${a.toString(16)}`).join("\n");
  const r = Bun.spawnSync(["llvm-symbolizer", `--obj=${path}`, "--no-inlines"], { stdin: new TextEncoder().encode(input), stdout: "pipe" });
  const blocks = r.stdout.toString().trim().split("\n\n");
  return blocks.map((b) => b.split("\n")[1]);
}

describe("lineAt and full paths agree with llvm-symbolizer", () => {
  for (const { label, o } of variants) {
    test(label, () => {
      const { path, units } = build(o);
      const queries: { address: number; lines: LineProgram }[] = [];
      for (const { lines } of units) {
        for (const r of lines.rows()) {
          if (r.endSequence || r.address === 0) continue;
          // The row's own address, and one byte into it (still covered by the same row unless the next starts there).
          queries.push({ address: r.address, lines });
          queries.push({ address: r.address + 1, lines });
        }
      }
      const answers = symbolize(path, queries.map((q) => q.address));
      expect(answers.length).toBe(queries.length);
      let checked = 0;
      queries.forEach((q, i) => {
        const row = q.lines.lineAt(q.address);
        const got = row ? `${q.lines.filePath(row.file)}:${row.line}:${row.column}` : "??:0:0";
        expect({ address: q.address.toString(16), got }).toEqual({ address: q.address.toString(16), got: answers[i] });
        checked++;
      });
      expect(checked).toBeGreaterThan(50);
    });
  }
});

/** Out-of-line functions of every unit: name, [low, high), unit line program and producer hints. */
function functions(b: ReturnType<typeof build>) {
  const out: { name: string; lo: number; hi: number; lines: LineProgram; producer?: string; locationsValid: boolean }[] = [];
  for (const { unit, lines } of b.units) {
    const producer = unit.root().string(DW_AT.producer);
    let hasLoclist = false;
    const walk = (d: Die) => {
      for (let c = d.firstChild(); c; c = c.nextSibling()) {
        const l = c.attr(DW_AT.location);
        if (l && (l.kind === "secOffset" || l.kind === "loclistx")) hasLoclist = true;
        if (c.tag === DW_TAG.subprogram && c.name() && c.lowPc() !== undefined) out.push({ name: c.name()!, lo: c.lowPc()!, hi: c.highPc()!, lines, producer, locationsValid: false });
        walk(c);
      }
    };
    walk(unit.root());
    // gdb's "locations valid": a gcc ≥ 4.5 unit with location lists.
    for (const f of out) if (f.lines === lines) f.locationsValid = hasLoclist && !!producer?.startsWith("GNU");
  }
  return out;
}

describe("prologue end agrees with gdb's break FUNC", () => {
  const figures: string[] = [];
  const matrix: Variant[] = [];
  for (const v of variants) {
    matrix.push(v);
    if (v.o.flags?.length === 0) {
      matrix.push({ label: `${v.label} -fno-omit-frame-pointer`, o: { ...v.o, flags: ["-fno-omit-frame-pointer"] } });
      matrix.push({ label: `${v.label} -fcf-protection`, o: { ...v.o, flags: ["-fcf-protection"] } });
    }
  }
  for (const { label, o } of matrix) {
    test(label, () => {
      const b = build(o);
      const fns = functions(b);
      const gdb = gdbBreaks(b.path, fns.map((f) => f.name));
      let plain = 0;
      let hinted = 0;
      const misses: string[] = [];
      for (const f of fns) {
        const want = gdb.get(f.name)?.addresses.find((a) => a >= f.lo && a < f.hi);
        expect(want).toBeDefined();
        const off = b.elf.vaddrToFileOffset(f.lo)!;
        const p = f.lines.prologueEnd(f.lo, f.hi);
        const h = f.lines.prologueEnd(f.lo, f.hi, { producer: f.producer, locationsValid: f.locationsValid, code: b.elf.bytes.subarray(off, off + 16) });
        if (p === want) plain++;
        if (h === want) hinted++;
        else misses.push(`${f.name}: gdb 0x${want!.toString(16)}, ours 0x${h.toString(16)}`);
      }
      figures.push(`${label}: ${hinted}/${fns.length} with hints, ${plain}/${fns.length} line table only${misses.length ? ` — ${misses.join(", ")}` : ""}`);
      if (o.opt === "-O0") {
        // -O0 must be exact, with or without hints.
        expect(misses).toEqual([]);
        expect(plain).toBe(fns.length);
      } else {
        // Known: clang -O2 -fcf-protection puts other_unit's prologue_end in a #line file; gdb stays at the entry.
        expect(hinted).toBeGreaterThanOrEqual(fns.length - 1);
      }
    });
  }
  test("figures", () => {
    console.log(`prologue end vs gdb:\n  ${figures.join("\n  ")}`);
  });
});

describe("FILE:LINE agrees with gdb's break FILE:LINE", () => {
  for (const { label, o } of variants.filter((v) => v.o.opt === "-O0")) {
    test(label, () => {
      const b = build(o);
      const main = b.units.find((u) => u.lines.filesMatching("dwarf_line_funcs.c").length === 1)!.lines;
      const lines = Array.from({ length: 150 }, (_, i) => i + 1);
      const gdb = gdbBreaks(b.path, lines.map((n) => `dwarf_line_funcs.c:${n}`));
      // A line whose code starts a function is a function breakpoint to gdb: it skips the prologue.
      const entries = new Map(functions(b).map((f) => [f.lo, f]));
      const skip = (a: number) => {
        const f = entries.get(a);
        if (!f) return a;
        const off = b.elf.vaddrToFileOffset(a)!;
        return f.lines.prologueEnd(f.lo, f.hi, { producer: f.producer, locationsValid: f.locationsValid, code: b.elf.bytes.subarray(off, off + 16) });
      };
      let checked = 0;
      for (const n of lines) {
        const want = gdb.get(`dwarf_line_funcs.c:${n}`);
        const got = main.addressesFor("dwarf_line_funcs.c", n);
        if (!want) {
          expect(got.kind === "noCode" || got.kind === "found").toBe(true);
          continue;
        }
        expect(got.kind).toBe("found");
        if (got.kind !== "found") continue;
        // gdb keeps one location per block; each is one of ours, on the line gdb moved to.
        const mapped = got.addresses.map(skip);
        if (mapped.every((a, i) => a === got.addresses[i])) expect(got.line).toBe(want.line!);
        for (const a of want.addresses) expect(mapped).toContain(a);
        checked++;
      }
      expect(checked).toBeGreaterThan(40);
    });
  }
});

describe("file matching", () => {
  test("suffixes match on component boundaries", () => {
    expect(pathHasSuffix("/src/foo.c", "foo.c")).toBe(true);
    expect(pathHasSuffix("/src/barfoo.c", "foo.c")).toBe(false);
    expect(pathHasSuffix("/a/src/foo.c", "src/foo.c")).toBe(true);
    expect(pathHasSuffix("/a/xsrc/foo.c", "src/foo.c")).toBe(false);
    expect(pathHasSuffix("/a/./src//foo.c", "src/foo.c")).toBe(true);
    expect(pathHasSuffix("/src/foo.c", "/src/foo.c")).toBe(true);
    expect(pathHasSuffix("/x/src/foo.c", "/src/foo.c")).toBe(false);
    expect(pathHasSuffix("foo.c", "foo.c")).toBe(true);
    expect(pathHasSuffix("/src/foo.c", "")).toBe(false);
  });
  test("header files, #line files and ambiguity", () => {
    const b = build({ cc: "gcc", opt: "-O0", dwarf: 5, with: ["dwarf_line_other"] });
    const main = b.units.find((u) => u.lines.filesMatching("dwarf_line_funcs.c").length)!.lines;
    const other = b.units.find((u) => u.lines.filesMatching("dwarf_line_other.c").length)!.lines;
    expect(main.filesMatching("dwarf_line_funcs.h")).toEqual([expect.stringMatching(/\/test\/fixtures\/dwarf_line_funcs\.h$/)]);
    expect(main.filesMatching("funcs.h")).toEqual([]);
    // A #line file is relative to comp_dir.
    const virt = other.addressesFor("generated/virtual.c", 500);
    expect(virt.kind).toBe("found");
    // Lines without code move to the next line with code, as gdb does.
    const blank = main.addressesFor("dwarf_line_funcs.c", 16);
    expect(blank.kind === "found" && blank.line).toBe(18);
    expect(main.addressesFor("nonexistent.c", 1)).toEqual({ kind: "noFile" });
    expect(main.addressesFor("dwarf_line_funcs.c", 100000).kind).toBe("noCode");
    // stdio.h-style suffix shared by two paths → ambiguous, with candidates.
    const both = main.filesMatching(".h");
    expect(both.length).toBe(0); // ".h" is not a component
    const ambiguous = main.addressesFor("include/stdio.h", 1);
    expect(["noCode", "found", "noFile", "ambiguous"]).toContain(ambiguous.kind);
  });
});
