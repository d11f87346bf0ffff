// Symbols against `readelf -sW`; lookups, dedup, versions, and the
// vaddr → file offset of every function (what a uprobe attaches at).
import { describe, expect, test } from "bun:test";
import { compileFixture } from "../helpers/fixtures.ts";
import { ElfFile, PT_LOAD, SHN_ABS, SHN_COMMON, SHN_UNDEF, versionedName, type ElfSymbol } from "../../src/elf/index.ts";
import { LIBC, readelfSegments, readelfSymbols, type ReadelfSymbol } from "./readelf.ts";

const targets = {
  "tick non-PIE": () => compileFixture("tick", { pie: false }),
  "tick PIE": () => compileFixture("tick", { pie: true }),
  "zoo PIE -O2": () => compileFixture("elf_zoo", { opt: "-O2" }),
  "zoo shared": () => compileFixture("elf_zoo", { shared: true }),
  libc: () => LIBC,
};

function ndx(s: ElfSymbol): string {
  if (s.sectionIndex === SHN_UNDEF) return "UND";
  if (s.sectionIndex === SHN_ABS) return "ABS";
  if (s.sectionIndex === SHN_COMMON) return "COM";
  return String(s.sectionIndex);
}

function asReadelf(s: ElfSymbol): ReadelfSymbol {
  return {
    index: s.index,
    value: s.value,
    size: s.size,
    type: s.type === "OTHER" ? "?" : s.type,
    bind: s.binding,
    vis: s.visibility,
    ndx: ndx(s),
    name: versionedName(s),
  };
}

describe.each(Object.entries(targets))("%s", (_label, pathOf) => {
  const path = pathOf();
  const elf = ElfFile.open(path);
  const expected = readelfSymbols(path);

  test.each([".symtab", ".dynsym"])("%s matches readelf -sW entry for entry", (table) => {
    const ours = elf.symbolTable(table === ".symtab" ? "symtab" : "dynsym");
    const theirs = expected.get(table) ?? [];
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < theirs.length; i++) expect(asReadelf(ours[i]!)).toEqual(theirs[i]!);
  });

  test("symbols() lists each symbol once, without null entries", () => {
    const all = elf.symbols();
    expect(all.every((s) => s.index > 0)).toBe(true);
    const dynOnly = all.filter((s) => s.table === "dynsym");
    const symtabKeys = new Set(elf.symbolTable("symtab").map((s) => `${s.name}\0${s.value}`));
    for (const s of dynOnly) {
      expect(symtabKeys.has(`${s.name}\0${s.value}`)).toBe(false);
      expect(symtabKeys.has(`${versionedName(s)}\0${s.value}`)).toBe(false);
    }
    // Every defined FUNC/OBJECT readelf knows about is findable by name.
    for (const list of expected.values()) {
      for (const e of list) {
        if (e.ndx === "UND" || (e.type !== "FUNC" && e.type !== "OBJECT") || e.name === "") continue;
        const found = elf.findSymbol(e.name);
        expect(found, e.name).toBeDefined();
        expect(found!.defined).toBe(true);
      }
    }
  });

  test("functionSymbols are the defined FUNCs, sorted by address", () => {
    const fns = elf.functionSymbols();
    expect(fns.length).toBeGreaterThan(0);
    for (let i = 0; i < fns.length; i++) {
      expect(fns[i]!.type).toBe("FUNC");
      expect(fns[i]!.defined).toBe(true);
      if (i > 0) expect(fns[i]!.value).toBeGreaterThanOrEqual(fns[i - 1]!.value);
    }
  });

  test("every function's file offset follows from readelf's PT_LOAD segments", () => {
    const loads = readelfSegments(path).segments.filter((p) => p.type === "LOAD");
    for (const f of elf.functionSymbols()) {
      const seg = loads.find((p) => f.value >= p.vaddr && f.value < p.vaddr + p.filesz);
      expect(seg, f.name).toBeDefined();
      const off = elf.vaddrToFileOffset(f.value);
      expect(off).toBe(f.value - seg!.vaddr + seg!.offset);
      expect(elf.fileOffsetToVaddr(off!)).toBe(f.value);
      // And the section holding it says the same.
      const sec = elf.sectionByIndex(f.sectionIndex)!;
      expect(off).toBe(f.value - sec.addr + sec.offset);
      expect(elf.segments()[0]!.type === PT_LOAD || elf.segments().length > 0).toBe(true);
    }
  });

  test("functionContaining maps every byte of a sized function back to it", () => {
    for (const f of elf.functionSymbols().filter((s) => s.size > 0).slice(0, 300)) {
      for (const pc of [f.value, f.value + (f.size >> 1), f.value + f.size - 1]) {
        const got = elf.functionContaining(pc);
        expect(got, `${f.name}+${pc - f.value}`).toBeDefined();
        expect(pc >= got!.value && pc < got!.value + Math.max(got!.size, 1)).toBe(true);
      }
    }
  });
});

describe("lookups", () => {
  test("findSymbol skips imports and prefers defined FUNC/OBJECT", () => {
    const tick = ElfFile.open(compileFixture("tick", { pie: true }));
    expect(tick.findSymbol("printf")).toBeUndefined(); // only an import here
    expect(tick.symbolsNamed("printf").every((s) => !s.defined)).toBe(true);
    expect(tick.findSymbol("tick")).toMatchObject({ type: "FUNC", binding: "GLOBAL", size: 27 });
    expect(tick.findSymbol("counter")).toMatchObject({ type: "OBJECT", size: 4 });
  });

  test("zoo: static, alias, weak, TLS, IFUNC and .bss symbols", () => {
    const zoo = ElfFile.open(compileFixture("elf_zoo"));
    const helper = zoo.findSymbol("helper_static")!;
    expect([helper.type, helper.binding]).toEqual(["FUNC", "LOCAL"]);
    expect(zoo.findSymbol("handle_request_alias")!.value).toBe(zoo.findSymbol("handle_request")!.value);
    expect(zoo.findSymbol("weak_hook")!.binding).toBe("WEAK");
    expect(zoo.findSymbol("tls_var")!.type).toBe("TLS");
    expect(zoo.findSymbol("picked")!.type).toBe("IFUNC");
    expect(zoo.functionSymbols().some((s) => s.name === "picked")).toBe(false);
    const bss = zoo.findSymbol("big_bss")!;
    expect(bss.size).toBe(1 << 16);
    expect(zoo.vaddrToFileOffset(bss.value + 100)).toBeUndefined(); // no file bytes behind .bss
    // Two names, one address: functionContaining returns one of them.
    expect(["handle_request", "handle_request_alias"]).toContain(zoo.functionContaining(zoo.findSymbol("handle_request")!.value + 1)!.name);
  });

  test("libc: GNU versions, versioned lookups, IFUNC ranks below FUNC", () => {
    const libc = ElfFile.open(LIBC);
    const start = libc.symbolsNamed("__libc_start_main");
    expect(start.map(versionedName).sort()).toEqual(["__libc_start_main@@GLIBC_2.34", "__libc_start_main@GLIBC_2.2.5"]);
    expect(versionedName(libc.findSymbol("__libc_start_main")!)).toBe("__libc_start_main@@GLIBC_2.34");
    expect(libc.symbolsNamed("memcpy@@GLIBC_2.14").map((s) => s.type)).toEqual(["IFUNC"]);
    expect(libc.findSymbol("memcpy")!.type).toBe("FUNC");
    const argv = libc.symbolsNamed("_dl_argv")[0]!;
    expect([argv.defined, argv.version]).toEqual([false, "GLIBC_PRIVATE"]);
  });

  test("closeMatches suggests real names", () => {
    const zoo = ElfFile.open(compileFixture("elf_zoo"));
    expect(zoo.closeMatches("hanlde_request")[0]).toBe("handle_request");
    expect(zoo.closeMatches("handle")).toContain("handle_request");
    expect(zoo.closeMatches("zzzzzzzzzz")).toEqual([]);
    const libc = ElfFile.open(LIBC);
    const t = performance.now();
    expect(libc.closeMatches("prinft")).toContain("printf");
    expect(performance.now() - t).toBeLessThan(500);
  });
});
