// functionsNamed through the ELF symbol table (by-symbol.ts) must give
// exactly what the name index gives, for every function name in the index,
// whenever it answers at all: C fixtures with gcc's clones (.constprop,
// .part, .isra, .cold), static functions of the same name in two units, C++
// linkage names, separate debug files, and stripped symbol tables (where it
// must step aside).
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, renameSync } from "node:fs";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { compileCxxFixture } from "../dwarf/cxx_fixture.ts";
import { DebugInfo } from "../../src/resolve/debuginfo.ts";
import { functionsBySymbol } from "../../src/resolve/by-symbol.ts";

interface Case {
  label: string;
  bin: () => string;
  debugFile?: () => string;
}

const cases: Case[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const)
    for (const dwarf of [4, 5] as const) {
      const o: CompileOptions = { cc, opt, dwarf };
      cases.push({ label: `dwarf_core ${cc} ${opt} d${dwarf}`, bin: () => compileFixture("dwarf_core", { ...o, with: ["dwarf_core2"] }) });
      cases.push({ label: `dwarf_inline ${cc} ${opt} d${dwarf}`, bin: () => compileFixture("dwarf_inline", { ...o, with: ["dwarf_inline2"] }) });
      cases.push({ label: `dwarf_names ${cc} ${opt} d${dwarf}`, bin: () => compileFixture("dwarf_names", { ...o, with: ["dwarf_names2"] }) });
    }
cases.push({ label: "dwarf_inline gcc -O2 LTO", bin: () => compileFixture("dwarf_inline", { cc: "gcc", opt: "-O2", with: ["dwarf_inline2"], flags: ["-flto"] }) });
for (const cxx of ["g++", "clang++"] as const)
  for (const opt of ["-O0", "-O2"] as const) cases.push({ label: `dwarf_types_demangle ${cxx} ${opt}`, bin: () => compileCxxFixture("dwarf_types_demangle", { cxx, opt }) });

/** `bin` with its DWARF moved out: [stripped binary, debug file]. */
function splitDebug(bin: string, strip: "--strip-all" | "--strip-debug" | "--discard-all"): [string, string] {
  const dbg = `${bin}.debug`;
  const out = `${bin}${strip}`;
  if (!existsSync(dbg)) {
    Bun.spawnSync(["objcopy", "--only-keep-debug", bin, `${dbg}.tmp${process.pid}`]);
    renameSync(`${dbg}.tmp${process.pid}`, dbg);
  }
  if (!existsSync(out)) {
    copyFileSync(bin, `${out}.tmp${process.pid}`);
    Bun.spawnSync(["objcopy", strip, `${out}.tmp${process.pid}`]);
    renameSync(`${out}.tmp${process.pid}`, out);
  }
  return [out, dbg];
}
const core = () => compileFixture("dwarf_core", { cc: "gcc", opt: "-O2", with: ["dwarf_core2"] });
// The debug file keeps the whole .symtab, so it answers even for a stripped binary.
for (const strip of ["--strip-all", "--strip-debug"] as const)
  cases.push({ label: `dwarf_core gcc -O2 ${strip} + debug file`, bin: () => splitDebug(core(), strip)[0], debugFile: () => splitDebug(core(), strip)[1] });
// strip -x: static functions are gone from .symtab, so that symbol table must not answer (asked alone below).
cases.push({ label: "dwarf_core gcc -O2 --discard-all (no local symbols)", bin: () => splitDebug(core(), "--discard-all")[0], debugFile: () => splitDebug(core(), "--discard-all")[1] });

const offsets = (ds: { offset: number }[]) => ds.map((d) => d.offset);

describe("functionsNamed: symbol table agrees with the name index", () => {
  for (const c of cases) {
    test(c.label, () => {
      const info = DebugInfo.open(c.bin(), c.debugFile ? { debugFile: c.debugFile() } : {});
      const dwarf = info.dwarf;
      const discarded = c.label.includes("discard-all");
      const elfs = dwarf.debugElf === info.elf || discarded ? [info.elf] : [dwarf.debugElf, info.elf];
      let answered = 0;
      const names = new Set(dwarf.index().entries.filter((e) => e.kind === "function").flatMap((e) => [e.name, e.qualifiedName, e.linkageName ?? e.name]));
      for (const name of names) {
        const fast = functionsBySymbol(dwarf, elfs, name);
        if (fast === undefined) continue;
        answered++;
        expect({ name, dies: offsets(fast) }).toEqual({ name, dies: offsets(info.functionsFromIndex(name)) });
        if (!discarded) expect({ name, dies: offsets(info.functionsNamed(name)) }).toEqual({ name, dies: offsets(fast) });
      }
      // It must carry the common case where the symbol table is whole, and step aside without local symbols.
      if (discarded) expect(answered).toBe(0);
      else expect(answered).toBeGreaterThan(0);
      if (process.env.BY_SYMBOL_VERBOSE) console.log(`${c.label}: ${answered}/${names.size} names answered by symbols`);
    });
  }
});
