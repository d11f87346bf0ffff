// A line program asked first about one function keeps only that range's rows
// (src/dwarf/line/window.ts). Its answers — prologue end, rows and line at
// every address of the function, sequences, file paths — must equal those of
// the full run, for every function of the fixtures across gcc/clang ×
// -O0/-O2 × DWARF 2–5, and of the SQLite amalgamation's one big unit.
import { describe, expect, test } from "bun:test";
import { DW_AT, DW_TAG } from "../../src/dwarf/constants.ts";
import { DwarfFile } from "../../src/dwarf/file.ts";
import { lineProgramForUnit } from "../../src/dwarf/line/for-unit.ts";
import { ElfFile } from "../../src/elf/index.ts";
import { type CompileOptions, compileFixture } from "../helpers/fixtures.ts";

const builds: { label: string; path: () => string }[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const)
    for (const v of [2, 3, 4, 5] as const) {
      const o: CompileOptions = { cc, opt, dwarf: v === 5 ? 5 : 4, flags: v < 4 ? [`-gdwarf-${v}`] : [], with: ["dwarf_line_other"] };
      builds.push({ label: `dwarf_line_funcs ${cc} ${opt} DWARF ${v}`, path: () => compileFixture("dwarf_line_funcs", o) });
    }
builds.push({ label: "dwarf_inline gcc -O2", path: () => compileFixture("dwarf_inline", { cc: "gcc", opt: "-O2", with: ["dwarf_inline2"] }) });

describe("a windowed line run answers like the full run", () => {
  for (const b of builds) {
    test(b.label, () => {
      const dwarf = DwarfFile.fromElf(ElfFile.open(b.path()));
      let checked = 0;
      for (const unit of dwarf.compileUnits()) {
        for (let i = 1; i < unit.dieCount; i++) {
          const fn = unit.dieByIndex(i);
          if (fn.tag !== DW_TAG.subprogram) continue;
          for (const r of fn.ranges()) {
            const windowed = lineProgramForUnit(unit)!;
            const full = lineProgramForUnit(unit)!;
            full.rows();
            const producer = unit.root().string(DW_AT.producer);
            expect(windowed.prologueEnd(r.begin, r.end, { producer })).toBe(full.prologueEnd(r.begin, r.end, { producer }));
            for (let a = r.begin - 1; a <= r.end; a++) {
              expect({ a, rows: windowed.rowsFor(a) }).toEqual({ a, rows: full.rowsFor(a) });
              expect({ a, row: windowed.lineAt(a) }).toEqual({ a, row: full.lineAt(a) });
              expect(windowed.sequenceFor(a)?.start).toBe(full.sequenceFor(a)?.start);
            }
            for (let f = 0; f < 4; f++) expect(windowed.filePath(f)).toBe(full.filePath(f));
            // Outside its window it falls back to the full run.
            expect(windowed.lineAt(r.end + 0x100)).toEqual(full.lineAt(r.end + 0x100));
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(3);
    });
  }
});
