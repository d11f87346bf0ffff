// CFI against binutils: for every row `readelf -wF` prints, in .eh_frame and
// .debug_frame, of gcc and clang builds of the fixtures and of libc, our CFA
// rule and every register rule at that row's address agree.
import { describe, expect, test } from "bun:test";
import { ElfFile } from "../../src/elf/index.ts";
import { CallFrameInfo, formatCfaRule, formatRegisterRule, type UnwindRow, x86_64RegisterNumber } from "../../src/dwarf/cfi/index.ts";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { LIBC } from "../elf/readelf.ts";
import { type ReadelfFrameEntry, type ReadelfFrameRow, readelfFrames } from "./cfi_oracle.ts";

/** Our row in readelf's notation, for the columns readelf printed. */
function render(row: UnwindRow, columns: Iterable<string>): { cfa: string; registers: Map<string, string> } {
  const registers = new Map<string, string>();
  for (const c of columns) {
    const reg = c === "ra" ? row.fde.cie.returnAddressRegister : (x86_64RegisterNumber(c) ?? Number(/^r(\d+)$/.exec(c)?.[1] ?? NaN));
    const rule = row.registers.get(reg);
    registers.set(c, rule ? formatRegisterRule(rule) : "u");
  }
  return { cfa: formatCfaRule(row.cfa), registers };
}

/** readelf prints "u" both for undefined and for "no rule yet", and a blank column for never-mentioned ones. */
function normalise(row: ReadelfFrameRow): { cfa: string; registers: Map<string, string> } {
  const registers = new Map<string, string>();
  for (const [c, v] of row.registers) registers.set(c, v === "" ? "u" : v.replace(/^r\d+ \((\S+)\)$/, "$1"));
  return { cfa: row.cfa, registers };
}

interface Checked {
  fdes: number;
  rows: number;
}

/** Compare every printed row of one section; CIE rows stand in for FDEs that print none. */
function compareSection(cfi: CallFrameInfo, entries: ReadelfFrameEntry[], section: ReadelfFrameEntry["section"]): Checked {
  const cieRows = new Map<number, ReadelfFrameRow[]>();
  let fdes = 0;
  let rows = 0;
  for (const e of entries) {
    if (e.section !== section) continue;
    if (e.kind === "CIE") { cieRows.set(e.offset, e.rows); continue; }
    if (e.start === e.end) continue;
    fdes++;
    let expected = e.rows;
    if (expected.length === 0) {
      const cie = cieRows.get(e.cie!) ?? [];
      expected = cie.length ? [{ ...cie[cie.length - 1], loc: e.start! }] : [];
    }
    // Zero-width advances print twice at one address; the later row is the one in force.
    const byLoc = new Map<number, ReadelfFrameRow>();
    for (const r of expected) if (r.loc < e.end!) byLoc.set(r.loc, r);
    for (const [loc, r] of byLoc) {
      const row = cfi.unwindRowAt(loc);
      const want = normalise(r);
      const got = row ? render(row, r.registers.keys()) : undefined;
      if (!got || got.cfa !== want.cfa || [...want.registers].some(([c, v]) => got.registers.get(c) !== v)) {
        // One readable failure rather than thousands.
        expect({ section, fde: e.offset.toString(16), loc: loc.toString(16), ...got, registers: got && Object.fromEntries(got.registers) })
          .toEqual({ section, fde: e.offset.toString(16), loc: loc.toString(16), cfa: want.cfa, registers: Object.fromEntries(want.registers) });
      }
      rows++;
    }
  }
  return { fdes, rows };
}

function checkBinary(path: string, sections: ReadelfFrameEntry["section"][]): Record<string, Checked> {
  const elf = ElfFile.open(path);
  const cfi = CallFrameInfo.fromElf(elf);
  const entries = readelfFrames(path);
  const out: Record<string, Checked> = {};
  for (const s of sections) {
    // .debug_frame rows are checked through a CallFrameInfo that has nothing else.
    const only = s === ".eh_frame" ? cfi : new CallFrameInfo(undefined, undefined, cfi.debugFrame);
    out[s] = compareSection(only, entries, s);
    expect(out[s].rows).toBeGreaterThan(0);
  }
  return out;
}

const matrix: [string, CompileOptions][] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const)
    for (const fp of ["-fomit-frame-pointer", "-fno-omit-frame-pointer"])
      matrix.push([`${cc} ${opt} ${fp}`, { cc, opt, dwarf: 5, flags: [fp, "-fexceptions"] }]);

describe("CFI agrees with readelf -wF", () => {
  for (const [label, o] of matrix) {
    test(`.eh_frame: ${label}`, () => {
      const path = compileFixture("dwarf_cfi_frames", o);
      checkBinary(path, [".eh_frame"]);
    });
  }
  for (const cc of ["gcc", "clang"] as const) {
    for (const opt of ["-O0", "-O2"] as const) {
      test(`.debug_frame: ${cc} ${opt} -fno-asynchronous-unwind-tables`, () => {
        const path = compileFixture("dwarf_cfi_frames", { cc, opt, dwarf: 4, flags: ["-fno-asynchronous-unwind-tables"] });
        checkBinary(path, [".debug_frame"]);
      });
    }
  }
  test("libc: every row of every FDE", () => {
    const r = checkBinary(LIBC, [".eh_frame"]);
    expect(r[".eh_frame"].fdes).toBeGreaterThan(1000);
  }, 60_000);
});
