// ElfFile: the entry point. Holds the file's bytes once and decodes each
// table the first time it is asked for, caching the result. Nothing here
// copies section contents except decompression, whose output is cached.

import { readFileSync } from "node:fs";
import { FileBytes, readCString } from "./bytes.ts";
import { decompressChdr, decompressZdebug, isLegacyZdebug } from "./compression.ts";
import {
  DF_1_PIE,
  DT_FLAGS_1,
  DT_NEEDED,
  DT_RPATH,
  DT_RUNPATH,
  DT_SONAME,
  DT_STRSZ,
  DT_STRTAB,
  ET_CORE,
  ET_DYN,
  ET_EXEC,
  ET_REL,
  NT_GNU_BUILD_ID,
  PT_DYNAMIC,
  PT_INTERP,
  PT_LOAD,
  PT_NOTE,
  SHF_COMPRESSED,
  SHT_DYNAMIC,
  SHT_DYNSYM,
  SHT_NOBITS,
  SHT_NOTE,
  SHT_SYMTAB,
} from "./constants.ts";
import { crc32, type DebugAltLink, type DebugLink, parseDebugAltLink, parseDebugLink } from "./debuglink.ts";
import { dynamicString, type DynamicEntry, parseDynamic } from "./dynamic.ts";
import { ElfError } from "./errors.ts";
import { type ElfHeader, parseHeader } from "./header.ts";
import { closeMatches } from "./matches.ts";
import { type ElfNote, parseNotes, toHex } from "./notes.ts";
import { parseSections, readSectionZero, type Section } from "./sections.ts";
import { fileOffsetToVaddr, parseSegments, type Segment, vaddrToFileOffset } from "./segments.ts";
import { type ElfSymbol, parseSymbolTable, type SectionAccess, versionedName } from "./symbols.ts";

/** What a module is, as far as loading and address translation care. */
export type ElfKind = "executable" | "pie" | "shared-library" | "relocatable" | "core" | "unknown";

export class ElfFile {
  readonly header: ElfHeader;
  private readonly file: FileBytes;

  // Lazily decoded tables.
  private sectionList?: Section[];
  private sectionsByName?: Map<string, Section>;
  private segmentList?: Segment[];
  private symbolTables = new Map<"symtab" | "dynsym", ElfSymbol[]>();
  private allSymbols?: ElfSymbol[];
  private symbolsByName?: Map<string, ElfSymbol[]>;
  private functionsByAddress?: ElfSymbol[];
  private decompressed = new Map<number, Uint8Array>();
  private noteList?: ElfNote[];
  private dynamicInfo?: { entries: DynamicEntry[]; strings: () => Uint8Array };

  private constructor(file: FileBytes) {
    this.file = file;
    this.header = parseHeader(file);
  }

  /** Read the whole file once and parse its ELF header. */
  static open(path: string): ElfFile {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const reason = err.code === "ENOENT" ? "no such file" : err.code === "EACCES" ? "permission denied" : err.code === "EISDIR" ? "is a directory" : err.message;
      throw new ElfError(`cannot read ${path}: ${reason}`);
    }
    return new ElfFile(new FileBytes(bytes, path));
  }

  /** Parse an in-memory image; `name` is used in error messages. */
  static fromBytes(bytes: Uint8Array, name = "<memory>"): ElfFile {
    return new ElfFile(new FileBytes(bytes, name));
  }

  /** The path (or label) given when opening; used in every error message. */
  get name(): string {
    return this.file.name;
  }
  /** The whole file. */
  get bytes(): Uint8Array {
    return this.file.bytes;
  }
  get type(): ElfHeader["type"] {
    return this.header.type;
  }
  get machine(): number {
    return this.header.machine;
  }
  get entry(): number {
    return this.header.entry;
  }

  // ---- sections ------------------------------------------------------------

  sections(): readonly Section[] {
    return (this.sectionList ??= parseSections(this.file, this.header));
  }

  /** The first section with this name, if any. */
  section(name: string): Section | undefined {
    if (!this.sectionsByName) {
      this.sectionsByName = new Map();
      for (const s of this.sections()) if (!this.sectionsByName.has(s.name)) this.sectionsByName.set(s.name, s);
    }
    return this.sectionsByName.get(name);
  }

  sectionByIndex(index: number): Section | undefined {
    return this.sections()[index];
  }

  /**
   * A section's contents, decompressed if it is SHF_COMPRESSED or a legacy
   * `.zdebug_*` section. Uncompressed sections are zero-copy views into the
   * file; SHT_NOBITS sections (.bss) are empty. Naming a section the file
   * does not have throws ElfError (use section() or debugSectionData() to probe).
   */
  sectionData(section: Section | string): Uint8Array {
    const sec = this.resolveSection(section);
    const cached = this.decompressed.get(sec.index);
    if (cached) return cached;
    const raw = this.sectionRawData(sec);
    const fail = (what: string) => this.file.corrupt(`section ${sec.name || sec.index}: ${what}`);
    let out: Uint8Array;
    if (sec.flags & SHF_COMPRESSED) out = decompressChdr(raw, fail);
    else if (sec.name.startsWith(".zdebug") && isLegacyZdebug(raw)) out = decompressZdebug(raw, fail);
    else return raw;
    this.decompressed.set(sec.index, out);
    return out;
  }

  /**
   * Contents of a DWARF section by its standard name (".debug_info"),
   * also finding it under the legacy GNU compressed name (".zdebug_info").
   * Undefined if the file has neither.
   */
  debugSectionData(name: string): Uint8Array | undefined {
    const sec = this.section(name) ?? (name.startsWith(".debug_") ? this.section(".zdebug_" + name.slice(7)) : undefined);
    return sec ? this.sectionData(sec) : undefined;
  }

  /** A section's bytes exactly as stored in the file (no decompression). */
  sectionRawData(section: Section | string): Uint8Array {
    const sec = this.resolveSection(section);
    if (sec.type === SHT_NOBITS) return new Uint8Array(0);
    return this.file.slice(sec.offset, sec.size, `section ${sec.name || sec.index}`);
  }

  /** True if the section's stored bytes are compressed (sectionData inflates them). */
  isCompressed(section: Section): boolean {
    return (section.flags & SHF_COMPRESSED) !== 0 || (section.name.startsWith(".zdebug") && isLegacyZdebug(this.sectionRawData(section)));
  }

  // A missing section asked for by name is an error rather than empty bytes:
  // "no .debug_info" and "an empty .debug_info" must not look alike.
  private resolveSection(section: Section | string): Section {
    if (typeof section !== "string") return section;
    const sec = this.section(section);
    if (!sec) throw new ElfError(`${this.file.name} has no ${section} section`);
    return sec;
  }

  private sectionAccess(): SectionAccess {
    return {
      sections: this.sections(),
      data: (s) => this.sectionData(s),
      corrupt: (what) => this.file.corrupt(what),
    };
  }

  // ---- segments ------------------------------------------------------------

  segments(): readonly Segment[] {
    return (this.segmentList ??= parseSegments(this.file, this.header, readSectionZero(this.file, this.header)));
  }

  /** The bytes of a segment's file-backed part, bounds-checked. */
  segmentData(segment: Segment): Uint8Array {
    return this.file.slice(segment.offset, segment.filesz, `${segment.typeName} segment ${segment.index}`);
  }

  /** PT_INTERP: the dynamic loader's path, e.g. /lib64/ld-linux-x86-64.so.2. */
  interpreter(): string | undefined {
    const seg = this.segments().find((s) => s.type === PT_INTERP);
    // Separate debug files keep PT_INTERP but with no file bytes behind it.
    if (!seg || seg.filesz === 0) return undefined;
    return readCString(this.segmentData(seg), 0) ?? "";
  }

  /**
   * Position-independent executable? ET_DYN covers both PIEs and shared
   * libraries. DF_1_PIE (set by modern linkers for -pie, including
   * static-pie) decides when present; otherwise an ET_DYN with an interpreter
   * and no soname is a PIE. (libc.so.6 has an interpreter — it can be run —
   * but also a soname, so it stays a library.)
   */
  isPie(): boolean {
    if (this.header.typeCode !== ET_DYN) return false;
    if (this.flags1() & DF_1_PIE) return true;
    const hasInterp = this.segments().some((s) => s.type === PT_INTERP);
    return hasInterp && this.soname() === undefined;
  }

  kind(): ElfKind {
    switch (this.header.typeCode) {
      case ET_EXEC:
        return "executable";
      case ET_DYN:
        return this.isPie() ? "pie" : "shared-library";
      case ET_REL:
        return "relocatable";
      case ET_CORE:
        return "core";
      default:
        return "unknown";
    }
  }

  /** File offset for a link-time virtual address (what a uprobe attaches at). */
  vaddrToFileOffset(vaddr: number): number | undefined {
    return vaddrToFileOffset(this.segments(), vaddr);
  }

  fileOffsetToVaddr(offset: number): number | undefined {
    return fileOffsetToVaddr(this.segments(), offset);
  }

  /** Lowest PT_LOAD p_vaddr rounded down to its alignment: the base a load bias is measured from. */
  loadBase(): number | undefined {
    let base: number | undefined;
    for (const s of this.segments()) {
      if (s.type !== PT_LOAD) continue;
      const aligned = s.align > 1 ? s.vaddr - (s.vaddr % s.align) : s.vaddr;
      if (base === undefined || aligned < base) base = aligned;
    }
    return base;
  }

  // ---- symbols -------------------------------------------------------------

  /**
   * One symbol table, entry for entry (index 0 is the null symbol), so
   * indices match readelf's `Num:` column. Empty if the file has none.
   */
  symbolTable(which: "symtab" | "dynsym"): readonly ElfSymbol[] {
    let table = this.symbolTables.get(which);
    if (!table) {
      const type = which === "symtab" ? SHT_SYMTAB : SHT_DYNSYM;
      const sec = this.sections().find((s) => s.type === type);
      table = sec ? parseSymbolTable(this.sectionAccess(), sec) : [];
      this.symbolTables.set(which, table);
    }
    return table;
  }

  /**
   * Every symbol from .symtab and .dynsym, without the null entries. A
   * .dynsym entry with the same name and value as a .symtab entry is the same
   * symbol and appears once (the .symtab one). The linker writes versioned
   * imports into .symtab as literal "printf@GLIBC_2.2.5", so a .dynsym entry
   * also matches under its versioned spelling.
   */
  symbols(): readonly ElfSymbol[] {
    if (this.allSymbols) return this.allSymbols;
    const symtab = this.symbolTable("symtab").slice(1);
    const seen = new Set(symtab.map((s) => s.name + "\0" + s.value));
    const dynsym = this.symbolTable("dynsym")
      .slice(1)
      .filter((s) => !spellings(s).some((n) => seen.has(n + "\0" + s.value)));
    return (this.allSymbols = [...symtab, ...dynsym]);
  }

  /** Defined STT_FUNC symbols, sorted by address. (IFUNC resolvers are not the functions they pick.) */
  functionSymbols(): readonly ElfSymbol[] {
    return (this.functionsByAddress ??= this.symbols()
      .filter((s) => s.type === "FUNC" && s.defined)
      .sort((a, b) => a.value - b.value || b.size - a.size));
  }

  /**
   * All symbols with exactly this name (defined or not, any type). A
   * versioned spelling ("memcpy@GLIBC_2.2.5", "memcpy@@GLIBC_2.14") selects
   * that version only.
   */
  symbolsNamed(name: string): readonly ElfSymbol[] {
    if (!this.symbolsByName) {
      this.symbolsByName = new Map();
      for (const s of this.symbols()) {
        for (const n of spellings(s)) {
          const list = this.symbolsByName.get(n);
          if (list) list.push(s);
          else this.symbolsByName.set(n, [s]);
        }
      }
    }
    return this.symbolsByName.get(name) ?? [];
  }

  /**
   * The best defined symbol with this name: functions and objects first,
   * then global over weak over local, the default version over hidden ones.
   * Undefined references (imports) are never returned. An IFUNC ranks below
   * a plain FUNC of the same name: its value is the resolver, not the code
   * that runs (glibc's memcpy@@GLIBC_2.14 vs memcpy@GLIBC_2.2.5).
   */
  findSymbol(name: string): ElfSymbol | undefined {
    let best: ElfSymbol | undefined;
    let bestScore = -1;
    for (const s of this.symbolsNamed(name)) {
      if (!s.defined) continue;
      const score =
        (s.type === "FUNC" || s.type === "OBJECT" ? 8 : 0) +
        (s.binding === "GLOBAL" ? 4 : s.binding === "WEAK" || s.binding === "UNIQUE" ? 2 : 0) +
        (s.versionHidden ? 0 : 1);
      if (score > bestScore) [best, bestScore] = [s, score];
    }
    return best;
  }

  /** The function symbol whose [value, value+size) contains `vaddr`. */
  functionContaining(vaddr: number): ElfSymbol | undefined {
    const fns = this.functionSymbols();
    // Last function starting at or before vaddr, then walk back over
    // overlapping entries (aliases, nested labels) for one that covers it.
    let lo = 0;
    let hi = fns.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fns[mid]!.value <= vaddr) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && i >= lo - 16; i--) {
      const f = fns[i]!;
      if (vaddr < f.value + Math.max(f.size, 1)) return f;
    }
    return undefined;
  }

  /** Names of defined functions and objects close to `name`, for "did you mean …". */
  closeMatches(name: string, n = 5): string[] {
    const names = this.symbols()
      .filter((s) => s.defined && (s.type === "FUNC" || s.type === "OBJECT"))
      .map((s) => s.name);
    return closeMatches(name, names, n);
  }

  // ---- notes and debug links -----------------------------------------------

  /** All notes: from SHT_NOTE sections, or PT_NOTE segments when there are no section headers. */
  notes(): readonly ElfNote[] {
    if (this.noteList) return this.noteList;
    const notes: ElfNote[] = [];
    const fail = (what: string) => this.file.corrupt(what);
    const sections = this.sections();
    if (sections.length > 0) {
      for (const s of sections) if (s.type === SHT_NOTE) notes.push(...parseNotes(this.sectionData(s), s.addralign, fail));
    } else {
      for (const p of this.segments()) if (p.type === PT_NOTE) notes.push(...parseNotes(this.segmentData(p), p.align, fail));
    }
    return (this.noteList = notes);
  }

  /** The GNU build-id as lowercase hex (what `readelf -n` prints), if present. */
  buildId(): string | undefined {
    const note = this.notes().find((n) => n.name === "GNU" && n.type === NT_GNU_BUILD_ID);
    return note ? toHex(note.desc) : undefined;
  }

  /** .gnu_debuglink: the separate debug file's name and expected CRC-32. */
  debugLink(): DebugLink | undefined {
    const sec = this.section(".gnu_debuglink");
    return sec ? parseDebugLink(this.sectionData(sec), (w) => this.file.corrupt(w)) : undefined;
  }

  /** .gnu_debugaltlink: the dwz supplementary file's name and build-id. */
  debugAltLink(): DebugAltLink | undefined {
    const sec = this.section(".gnu_debugaltlink");
    return sec ? parseDebugAltLink(this.sectionData(sec), (w) => this.file.corrupt(w)) : undefined;
  }

  /** CRC-32 of this whole file, to compare with another file's debugLink().crc. */
  crc32(): number {
    return crc32(this.file.bytes);
  }

  // ---- dynamic section -----------------------------------------------------

  /** Dynamic entries up to DT_NULL; empty for static executables and objects. */
  dynamic(): readonly DynamicEntry[] {
    return this.dynamicTable().entries;
  }

  private dynamicTable(): { entries: DynamicEntry[]; strings: () => Uint8Array } {
    if (this.dynamicInfo) return this.dynamicInfo;
    const sec = this.sections().find((s) => s.type === SHT_DYNAMIC);
    if (sec) {
      // Prefer the section: its sh_link names the string table directly.
      const entries = sec.type === SHT_NOBITS ? [] : parseDynamic(this.sectionData(sec));
      const strtab = this.sections()[sec.link];
      return (this.dynamicInfo = {
        entries,
        strings: () => {
          if (!strtab || sec.link === 0) throw this.file.corrupt(`dynamic section links to string table ${sec.link}, which does not exist`);
          return this.sectionData(strtab);
        },
      });
    }
    // No section headers (stripped with sstrip, or a memory image): use
    // PT_DYNAMIC and find the string table through DT_STRTAB.
    const seg = this.segments().find((p) => p.type === PT_DYNAMIC);
    const entries = seg ? parseDynamic(this.segmentData(seg)) : [];
    return (this.dynamicInfo = {
      entries,
      strings: () => {
        const addr = entries.find((e) => e.tag === DT_STRTAB)?.value;
        const size = entries.find((e) => e.tag === DT_STRSZ)?.value ?? 0;
        const offset = addr === undefined ? undefined : this.vaddrToFileOffset(addr);
        if (offset === undefined) throw this.file.corrupt("dynamic string table (DT_STRTAB) is missing or not in a loaded segment");
        return this.file.slice(offset, size, "dynamic string table");
      },
    });
  }

  private dynamicStrings(tag: number, what: string): string[] {
    const { entries, strings } = this.dynamicTable();
    const wanted = entries.filter((e) => e.tag === tag);
    if (wanted.length === 0) return [];
    const table = strings();
    return wanted.map((e) => dynamicString(table, e.value, what, (w) => this.file.corrupt(w)));
  }

  /** DT_NEEDED: libraries this module links against, in order. */
  needed(): string[] {
    return this.dynamicStrings(DT_NEEDED, "DT_NEEDED");
  }

  /** DT_SONAME, e.g. "libc.so.6". */
  soname(): string | undefined {
    return this.dynamicStrings(DT_SONAME, "DT_SONAME")[0];
  }

  /** DT_RUNPATH, else DT_RPATH. */
  runpath(): string | undefined {
    return this.dynamicStrings(DT_RUNPATH, "DT_RUNPATH")[0] ?? this.dynamicStrings(DT_RPATH, "DT_RPATH")[0];
  }

  /** DT_FLAGS_1 (DF_1_PIE, DF_1_NOW, …), 0 when absent. */
  flags1(): number {
    return this.dynamic().find((e) => e.tag === DT_FLAGS_1)?.value ?? 0;
  }
}


/** The names a symbol answers to: its own, plus "name@VER"/"name@@VER" if versioned. */
function spellings(s: ElfSymbol): string[] {
  const v = versionedName(s);
  return v === s.name ? [s.name] : [s.name, v];
}
