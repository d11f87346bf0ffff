// Finding a function's DIEs through the ELF symbol table instead of the name
// index: symbol → address → the unit covering it (.debug_aranges) → the
// subprogram DIE whose code starts there. Building the name index scans every
// DIE of every unit (≈100 ms on the SQLite amalgamation); this parses one unit.
//
// It answers only when the symbol table can be trusted to list every
// definition the name index would: a .symtab that still has local (static)
// function symbols, and a C-style name (C++ plain or qualified names are not
// ELF symbols; a mangled linkage name is). Otherwise, or when nothing
// matches, it returns undefined and the caller asks the name index.
import { DW_AT, DW_TAG, SCOPE_TAGS, type Die, type DwarfFile, type Unit } from "../dwarf/index.ts";
import type { ElfFile, ElfSymbol } from "../elf/index.ts";

/** Per unit: code start address → top-level function DIE indices starting there. */
const starts = new WeakMap<Unit, Map<number, number[]>>();

export function functionsBySymbol(dwarf: DwarfFile, elfs: ElfFile[], name: string): Die[] | undefined {
  if (name.includes("::") || name.includes("(")) return undefined;
  const elf = elfs.find(hasLocalFunctions);
  if (!elf) return undefined;
  const syms = elf.functionSymbols();
  if (!name.startsWith("_Z") && syms.some((s) => s.name.startsWith("_Z"))) return undefined;
  // gcc's clones keep the name before a dot: foo.constprop.0, foo.part.1, foo.cold.
  const clone = name + ".";
  const addresses = new Set<number>();
  for (const s of syms) if (s.name === name || s.name.startsWith(clone)) addresses.add(s.value);
  const found = new Map<string, Die>();
  for (const a of addresses) {
    const unit = dwarf.unitForAddress(a);
    if (!unit) continue;
    for (const i of functionStarts(unit).get(a) ?? []) {
      const d = unit.dieByIndex(i);
      if (d.name() === name || d.linkageName() === name) found.set(`${d.unit.section}:${d.offset}`, d);
    }
  }
  if (found.size === 0) return undefined;
  return [...found.values()].sort((a, b) => a.offset - b.offset);
}

/**
 * A .symtab with at least one local function symbol: not stripped, and not
 * stripped of locals (strip -x), so static functions are in it too. Every
 * gcc- or clang-linked program has some (crtstuff's frame_dummy and friends).
 */
function hasLocalFunctions(elf: ElfFile): boolean {
  // Relocatable objects' symbol values are section offsets, not addresses.
  if (elf.header.type !== "EXEC" && elf.header.type !== "DYN") return false;
  return elf.symbolTable("symtab").some((s: ElfSymbol) => s.type === "FUNC" && s.defined && s.binding === "LOCAL");
}

/**
 * Function DIEs with code at unit scope (or inside namespaces and classes,
 * where the name index also looks), by the start of each of their ranges.
 */
function functionStarts(unit: Unit): Map<number, number[]> {
  let m = starts.get(unit);
  if (m) return m;
  m = new Map();
  const add = (addr: number, i: number) => {
    const list = m!.get(addr);
    if (!list) m!.set(addr, [i]);
    else if (!list.includes(i)) list.push(i);
  };
  const walk = (parent: Die, depth: number) => {
    for (let c = parent.firstChild(); c; c = c.nextSibling()) {
      if (c.tag === DW_TAG.subprogram) {
        // Every range's start: the entry need not be the first range.
        const lo = c.lowPc();
        if (lo !== undefined) add(lo, c.index);
        if (c.has(DW_AT.ranges)) for (const r of c.ranges()) add(r.begin, c.index);
      } else if (SCOPE_TAGS.has(c.tag) && c.hasChildren && depth < 64) walk(c, depth + 1);
    }
  };
  walk(unit.root(), 0);
  starts.set(unit, m);
  return m;
}
