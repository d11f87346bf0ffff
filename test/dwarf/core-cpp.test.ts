// C++: qualified names (namespaces, classes, out-of-line members through
// DW_AT_specification), linkage names, static members, templates.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { DW_TAG, DwarfFile } from "../../src/dwarf/index.ts";
import { ElfFile } from "../../src/elf/index.ts";
import { CACHE, FIXTURES } from "../helpers/fixtures.ts";
import { run } from "./core-oracle.ts";

// The shared helper compiles C only; C++ builds for this file are made here, cached the same way.
function compileCpp(cxx: "g++" | "clang++", opt: string, dwarf: number): string {
  const src = join(FIXTURES, "dwarf_cpp.cpp");
  const hash = createHash("sha256").update(readFileSync(src)).digest("hex").slice(0, 12);
  const out = join(CACHE, `dwarf_cpp-${cxx}${opt.slice(1)}-d${dwarf}-${hash}`);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  run([cxx, opt, `-gdwarf-${dwarf}`, "-o", `${out}.tmp${process.pid}`, src]);
  renameSync(`${out}.tmp${process.pid}`, out);
  return out;
}

const MATRIX = (["g++", "clang++"] as const).flatMap((cxx) => (["-O0", "-O2"] as const).flatMap((opt) => [4, 5].map((dwarf) => ({ cxx, opt, dwarf }))));

describe("C++ names", () => {
  for (const m of MATRIX) {
    test(`${m.cxx} ${m.opt} DWARF ${m.dwarf}`, () => {
      const bin = compileCpp(m.cxx, m.opt, m.dwarf);
      const elf = ElfFile.open(bin);
      const dwarf = DwarfFile.open(elf);
      const grow = dwarf.lookup("outer::inner::Widget::grow", "function");
      // Two overloads, each declared in the class and defined out of line.
      expect(grow.filter((e) => e.hasCode).length).toBe(m.opt === "-O0" ? 2 : grow.filter((e) => e.hasCode).length);
      expect(grow.some((e) => e.declaration)).toBe(true);
      for (const e of grow.filter((e) => e.hasCode)) {
        const die = dwarf.entryDie(e);
        expect(die.qualifiedName()).toBe("outer::inner::Widget::grow");
        expect(die.linkageName()).toMatch(/^_ZN5outer5inner6Widget4growE[id]$/);
        // The linkage name finds the same DIE, and matches the ELF symbol at its address.
        expect(dwarf.lookup(die.linkageName()!, "function").some((x) => x.offset === e.offset)).toBe(true);
        const sym = elf.findSymbol(die.linkageName()!);
        if (sym) expect(die.lowPc()).toBe(sym.value);
      }
      expect(dwarf.lookup("grow", "function").length).toBeGreaterThanOrEqual(grow.length);
      // Namespaced free function and the anonymous namespace.
      expect(dwarf.lookup("outer::helper", "function").some((e) => e.hasCode)).toBe(true);
      const hidden = dwarf.lookup("hidden", "function");
      if (hidden.length) expect(hidden[0]!.qualifiedName).toBe("(anonymous namespace)::hidden");
      // Types and namespaces.
      const widget = dwarf.findTypes("outer::inner::Widget");
      expect(widget[0]!.tag).toBe(DW_TAG.structure_type);
      expect(dwarf.lookup("outer::inner", "namespace").length).toBeGreaterThan(0);
      // Static data member: declared in the class, defined at namespace scope.
      const count = dwarf.lookup("outer::inner::Widget::count", "variable");
      expect(count.some((e) => !e.declaration)).toBe(true);
      expect(dwarf.lookup("plain_global", "variable")[0]!.declaration).toBe(false);
      // Every function symbol of ours has an indexed function with code at its address
      // (C1/C2 and D1/D2 aliases share one; anonymous-namespace functions have no linkage name).
      const starts = new Set(dwarf.index().entries.filter((e) => e.kind === "function" && e.hasCode).flatMap((e) => dwarf.entryDie(e).ranges().map((r) => r.begin)));
      for (const s of elf.functionSymbols()) {
        if (!/^_ZN5outer|^_ZN12_GLOBAL__N_1/.test(s.name)) continue;
        expect(starts.has(s.value)).toBe(true);
        if (dwarf.lookup(s.name, "function").length === 0) expect(s.name).toMatch(/C1|D1|_GLOBAL__N_1/);
      }
    });
  }
});
