// Symbol tables (.symtab, .dynsym: arrays of Elf64_Sym) and GNU symbol
// versions (.gnu.version + .gnu.version_d/.gnu.version_r) for .dynsym.
//
// A table is decoded only when asked for; its entry count is bounded by its
// section size, which is bounded by the file.

import { readCString } from "./bytes.ts";
import {
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_DYNSYM,
  SHT_GNU_verdef,
  SHT_GNU_verneed,
  SHT_GNU_versym,
  SHT_NOBITS,
  SHT_SYMTAB_SHNDX,
  type SymbolBinding,
  type SymbolType,
  type SymbolVisibility,
  symbolBindingName,
  symbolTypeName,
  symbolVisibilityName,
} from "./constants.ts";
import type { ElfError } from "./errors.ts";
import { hex } from "./errors.ts";
import type { Section } from "./sections.ts";

export const SYM_SIZE = 24;

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: SymbolType;
  binding: SymbolBinding;
  visibility: SymbolVisibility;
  /** st_shndx with SHN_XINDEX resolved: SHN_UNDEF (0), a section index, SHN_ABS or SHN_COMMON. */
  sectionIndex: number;
  /** False for undefined references (sectionIndex SHN_UNDEF), which have no address in this file. */
  defined: boolean;
  /** Which table it came from. */
  table: "symtab" | "dynsym";
  /** Index within that table (what relocations and readelf's `Num:` refer to). */
  index: number;
  /** GNU symbol version (dynsym only), e.g. "GLIBC_2.2.5"; absent for local/base-version symbols. */
  version?: string;
  /**
   * True when the version is not the default one (readelf's `name@VER`,
   * versus `name@@VER` for the default). Only meaningful with `version`.
   */
  versionHidden?: boolean;
}

/**
 * The name as readelf spells it: "name@@VER" for the default version of a
 * defined symbol, "name@VER" for hidden versions and for imports, plain name
 * otherwise. The symbols that name a version definition itself (an ABS
 * "GLIBC_2.10" in version GLIBC_2.10) stay unsuffixed, as in readelf.
 */
export function versionedName(s: ElfSymbol): string {
  if (!s.version || s.name === s.version) return s.name;
  return s.name + (s.versionHidden || !s.defined ? "@" : "@@") + s.version;
}

/** What the symbol reader needs from the file: its sections and their bytes. */
export interface SectionAccess {
  sections: readonly Section[];
  data(section: Section): Uint8Array;
  corrupt(what: string): ElfError;
}

function dataView(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function linkedSection(src: SectionAccess, table: Section, what: string): Section {
  const s = src.sections[table.link];
  if (!s || table.link === 0) {
    throw src.corrupt(`${table.name || `section ${table.index}`} links to ${what} section ${table.link}, which does not exist`);
  }
  return s;
}

/** Decode every entry (including the null symbol at index 0) of a SYMTAB or DYNSYM section. */
export function parseSymbolTable(src: SectionAccess, table: Section): ElfSymbol[] {
  const label = table.name || `section ${table.index}`;
  if (table.entsize !== SYM_SIZE && table.entsize !== 0) {
    throw src.corrupt(`symbol table ${label} has entry size ${table.entsize}, expected ${SYM_SIZE}`);
  }
  if (table.type === SHT_NOBITS) return [];
  const bytes = src.data(table);
  const view = dataView(bytes);
  const count = Math.floor(bytes.length / SYM_SIZE);
  const strtab = linkedSection(src, table, "string table");
  const strings = strtab.type === SHT_NOBITS ? new Uint8Array(0) : src.data(strtab);
  const extendedIndices = findExtendedIndices(src, table);
  const versions = table.type === SHT_DYNSYM ? symbolVersions(src, table, count) : undefined;
  const kind = table.type === SHT_DYNSYM ? "dynsym" : "symtab";

  const symbols: ElfSymbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * SYM_SIZE;
    const nameOffset = view.getUint32(o, true);
    const info = view.getUint8(o + 4);
    const other = view.getUint8(o + 5);
    let shndx = view.getUint16(o + 6, true);
    if (shndx === SHN_XINDEX) {
      if (!extendedIndices || 4 * i + 4 > extendedIndices.byteLength) {
        throw src.corrupt(`symbol ${i} in ${label} uses SHN_XINDEX but there is no matching SYMTAB_SHNDX entry`);
      }
      shndx = extendedIndices.getUint32(4 * i, true);
    }
    const name = readCString(strings, nameOffset);
    if (name === undefined) {
      throw src.corrupt(`symbol ${i} in ${label} has name offset ${hex(nameOffset)} outside its string table (size ${hex(strings.length)})`);
    }
    const sym: ElfSymbol = {
      name,
      value: view.getUint32(o + 8, true) + view.getUint32(o + 12, true) * 0x1_0000_0000,
      size: view.getUint32(o + 16, true) + view.getUint32(o + 20, true) * 0x1_0000_0000,
      type: symbolTypeName(info & 0xf),
      binding: symbolBindingName(info >> 4),
      visibility: symbolVisibilityName(other),
      sectionIndex: shndx,
      defined: shndx !== SHN_UNDEF,
      table: kind,
      index: i,
    };
    const v = versions?.[i];
    if (v) {
      sym.version = v.name;
      sym.versionHidden = v.hidden;
    }
    symbols[i] = sym;
  }
  return symbols;
}

/** The SHT_SYMTAB_SHNDX section paired with `table` (only present with ≥ 0xff00 sections). */
function findExtendedIndices(src: SectionAccess, table: Section): DataView | undefined {
  const s = src.sections.find((x) => x.type === SHT_SYMTAB_SHNDX && x.link === table.index);
  return s ? dataView(src.data(s)) : undefined;
}

// ---- GNU symbol versioning -------------------------------------------------
// .gnu.version holds one u16 per dynsym entry: 0 = local, 1 = global (base
// version, printed without a suffix), else an index into the version names
// defined in .gnu.version_d (verdef) or required in .gnu.version_r (verneed).
// Bit 15 marks a hidden (non-default) version.

const VERSYM_HIDDEN = 0x8000;
const VERDEF_SIZE = 20;
const VERDAUX_SIZE = 8;
const VERNEED_SIZE = 16;
const VERNAUX_SIZE = 16;

interface SymbolVersion {
  name: string;
  hidden: boolean;
}

function symbolVersions(src: SectionAccess, dynsym: Section, count: number): (SymbolVersion | undefined)[] | undefined {
  const versym = src.sections.find((s) => s.type === SHT_GNU_versym && s.link === dynsym.index);
  if (!versym || versym.type === SHT_NOBITS) return undefined;
  const bytes = src.data(versym);
  const view = dataView(bytes);
  const names = versionNames(src);
  const out: (SymbolVersion | undefined)[] = new Array(count);
  const n = Math.min(count, bytes.length >> 1);
  for (let i = 0; i < n; i++) {
    const raw = view.getUint16(2 * i, true);
    const idx = raw & 0x7fff;
    if (idx <= 1) continue; // local or base version: no suffix
    const name = names.get(idx);
    // An index with no name is left unversioned rather than guessed.
    if (name !== undefined) out[i] = { name, hidden: (raw & VERSYM_HIDDEN) !== 0 };
  }
  return out;
}

/** Map version index → name from every verdef and verneed section. */
function versionNames(src: SectionAccess): Map<number, string> {
  const names = new Map<number, string>();
  for (const s of src.sections) {
    if (s.type === SHT_NOBITS) continue;
    if (s.type === SHT_GNU_verdef) readVerdef(src, s, names);
    else if (s.type === SHT_GNU_verneed) readVerneed(src, s, names);
  }
  return names;
}

// Both chains are linked lists of offsets inside the section. Every step is
// bounds-checked, and the number of steps is capped by how many records could
// fit in the section, so a cycle or a lying count cannot spin forever.

function readVerdef(src: SectionAccess, sec: Section, names: Map<number, string>): void {
  const bytes = src.data(sec);
  const view = dataView(bytes);
  const strings = src.data(linkedSection(src, sec, "string table"));
  const maxSteps = Math.floor(bytes.length / VERDEF_SIZE);
  let off = 0;
  for (let step = 0; step < maxSteps; step++) {
    if (off + VERDEF_SIZE > bytes.length) throw src.corrupt(`version definition at ${hex(off)} runs past end of ${sec.name}`);
    const ndx = view.getUint16(off + 4, true);
    const cnt = view.getUint16(off + 6, true);
    const aux = off + view.getUint32(off + 12, true);
    const next = view.getUint32(off + 16, true);
    if (cnt > 0) {
      if (aux + VERDAUX_SIZE > bytes.length) throw src.corrupt(`version definition auxiliary at ${hex(aux)} runs past end of ${sec.name}`);
      const name = readCString(strings, view.getUint32(aux, true));
      if (name === undefined) throw src.corrupt(`version definition ${ndx} has a name outside its string table`);
      names.set(ndx & 0x7fff, name);
    }
    if (next === 0) return;
    off += next;
  }
}

function readVerneed(src: SectionAccess, sec: Section, names: Map<number, string>): void {
  const bytes = src.data(sec);
  const view = dataView(bytes);
  const strings = src.data(linkedSection(src, sec, "string table"));
  const maxSteps = Math.floor(bytes.length / VERNAUX_SIZE);
  let steps = 0;
  let off = 0;
  while (true) {
    if (off + VERNEED_SIZE > bytes.length) throw src.corrupt(`version requirement at ${hex(off)} runs past end of ${sec.name}`);
    const cnt = view.getUint16(off + 2, true);
    let aux = off + view.getUint32(off + 8, true);
    const next = view.getUint32(off + 12, true);
    for (let j = 0; j < cnt; j++) {
      if (++steps > maxSteps) throw src.corrupt(`version requirements in ${sec.name} list more entries than fit`);
      if (aux + VERNAUX_SIZE > bytes.length) throw src.corrupt(`version requirement auxiliary at ${hex(aux)} runs past end of ${sec.name}`);
      const other = view.getUint16(aux + 6, true);
      const name = readCString(strings, view.getUint32(aux + 8, true));
      if (name === undefined) throw src.corrupt(`version requirement ${other} has a name outside its string table`);
      names.set(other & 0x7fff, name);
      const auxNext = view.getUint32(aux + 12, true);
      if (auxNext === 0) break;
      aux += auxNext;
    }
    if (next === 0) return;
    if (++steps > maxSteps) throw src.corrupt(`version requirements in ${sec.name} list more entries than fit`);
    off += next;
  }
}
