// DwarfFile: the entry point to a module's debug information. It owns the
// debug sections (zero-copy views into the ELF file, or its cached
// decompressed copies), reads unit headers on first use — cheap, headers
// only — and parses a unit's DIEs only when a question lands in that unit.

import { ElfFile } from "../elf/index.ts";
import { type AbbrevTable, parseAbbrevTable } from "./abbrev.ts";
import { type AddressRange, findRange, parseAranges } from "./aranges.ts";
import { DW_UT } from "./constants.ts";
import type { Die } from "./die.ts";
import { type DebugFileOptions, type DebugSource, locateDebugInfo } from "./locate.ts";
import { buildNameIndex, type IndexEntry, type NameIndex, type NameKind } from "./names.ts";
import { DwarfError } from "./reader.ts";
import { parseUnitHeaders, Unit, type UnitHeader, type UnitOwner, type UnitSection } from "./unit.ts";

export class DwarfFile implements UnitOwner {
  private readonly sectionCache = new Map<string, Uint8Array | undefined>();
  private readonly abbrevCache = new Map<number, AbbrevTable>();
  private infoHeaders?: UnitHeader[];
  private typesHeaders?: UnitHeader[];
  private readonly infoUnits: (Unit | undefined)[] = [];
  private readonly typesUnits: (Unit | undefined)[] = [];
  private signatures?: Map<bigint, Unit>;
  private aranges?: AddressRange[];
  private unitRangeTable?: AddressRange[];
  private nameIndex?: NameIndex;

  private constructor(
    /** The module as loaded (what uprobes attach to). */
    readonly binary: ElfFile,
    /** Where the DWARF was found (the binary itself or a separate debug file). */
    readonly source: DebugSource,
  ) {}

  /**
   * Open a module's debug info: from the file itself, `--debug-file`, or a
   * separate debug file found by build-id or .gnu_debuglink.
   */
  static open(target: string | ElfFile, opts: DebugFileOptions = {}): DwarfFile {
    const binary = typeof target === "string" ? ElfFile.open(target) : target;
    return new DwarfFile(binary, locateDebugInfo(binary, opts));
  }

  /** Use `elf`'s own sections as they are, without looking anywhere else. */
  static fromElf(elf: ElfFile): DwarfFile {
    return new DwarfFile(elf, { elf, how: "embedded" });
  }

  /** The ELF file holding the debug sections. */
  get debugElf(): ElfFile {
    return this.source.elf;
  }

  // ---- sections ----------------------------------------------------------------

  /** A debug section's (decompressed) bytes, or undefined if the file has none. */
  section(name: string): Uint8Array | undefined {
    if (this.sectionCache.has(name)) return this.sectionCache.get(name);
    const data = this.source.elf.debugSectionData(name);
    this.sectionCache.set(name, data);
    return data;
  }

  abbrevTable(offset: number): AbbrevTable {
    let t = this.abbrevCache.get(offset);
    if (!t) {
      const bytes = this.section(".debug_abbrev");
      if (!bytes) throw new DwarfError(`${this.source.elf.name} has no .debug_abbrev section`);
      t = parseAbbrevTable(bytes, offset);
      this.abbrevCache.set(offset, t);
    }
    return t;
  }

  // ---- units ---------------------------------------------------------------------

  private headers(section: UnitSection): UnitHeader[] {
    if (section === ".debug_info") {
      const bytes = this.section(".debug_info");
      return (this.infoHeaders ??= bytes ? parseUnitHeaders(bytes, section) : []);
    }
    const bytes = this.section(".debug_types");
    return (this.typesHeaders ??= bytes ? parseUnitHeaders(bytes, section) : []);
  }

  private unitByPosition(section: UnitSection, i: number): Unit {
    const cache = section === ".debug_info" ? this.infoUnits : this.typesUnits;
    return (cache[i] ??= new Unit(this, this.headers(section)[i]!));
  }

  /** Every unit in .debug_info, in section order (headers only are read). */
  units(section: UnitSection = ".debug_info"): Unit[] {
    const n = this.headers(section).length;
    const out: Unit[] = [];
    for (let i = 0; i < n; i++) out.push(this.unitByPosition(section, i));
    return out;
  }

  /** Compile, partial and skeleton units — the ones holding code and variables. */
  compileUnits(): Unit[] {
    return this.units().filter((u) => !u.isTypeUnit);
  }

  /** Type units: DWARF 4 .debug_types and DWARF 5 DW_UT_type. */
  typeUnits(): Unit[] {
    return [...this.units().filter((u) => u.isTypeUnit), ...this.units(".debug_types")];
  }

  /** The unit whose header starts at `offset`. */
  unitAt(offset: number, section: UnitSection = ".debug_info"): Unit | undefined {
    const u = this.unitContaining(offset, section);
    return u?.offset === offset ? u : undefined;
  }

  /** The unit whose bytes contain `offset`. */
  unitContaining(offset: number, section: UnitSection = ".debug_info"): Unit | undefined {
    const hs = this.headers(section);
    let lo = 0;
    let hi = hs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hs[mid]!.offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const i = lo - 1;
    return i >= 0 && offset < hs[i]!.end ? this.unitByPosition(section, i) : undefined;
  }

  /** The type unit with this signature (DW_FORM_ref_sig8). */
  typeUnit(signature: bigint): Unit | undefined {
    if (!this.signatures) {
      this.signatures = new Map();
      for (const u of this.typeUnits()) if (u.typeSignature !== undefined && !this.signatures.has(u.typeSignature)) this.signatures.set(u.typeSignature, u);
    }
    return this.signatures.get(signature);
  }

  /** The DIE starting at section offset `offset`. */
  dieAt(offset: number, section: UnitSection = ".debug_info"): Die | undefined {
    return this.unitContaining(offset, section)?.dieAt(offset);
  }

  // ---- addresses -------------------------------------------------------------------

  /** The compile unit whose code covers `address` (a link-time address of this module). */
  unitForAddress(address: number): Unit | undefined {
    const aranges = (this.aranges ??= this.loadAranges());
    const hit = findRange(aranges, address);
    if (hit) {
      const u = this.unitAt(hit.unitOffset);
      if (u) return u;
    }
    // Units not covered by .debug_aranges (clang emits none): their own ranges.
    const own = (this.unitRangeTable ??= this.buildUnitRanges(new Set(aranges.map((a) => a.unitOffset))));
    const r = findRange(own, address);
    return r ? this.unitAt(r.unitOffset) : undefined;
  }

  private loadAranges(): AddressRange[] {
    const bytes = this.section(".debug_aranges");
    return bytes ? parseAranges(bytes) : [];
  }

  private buildUnitRanges(covered: Set<number>): AddressRange[] {
    const out: AddressRange[] = [];
    for (const u of this.compileUnits()) {
      if (covered.has(u.offset) || u.unitType === DW_UT.partial) continue;
      // This parses the unit's DIE tree to reach its root; units without
      // aranges come from clang, whose units are split finer than gcc's.
      for (const r of u.root().ranges()) out.push({ begin: r.begin, end: r.end, unitOffset: u.offset });
    }
    return out.sort((a, b) => a.begin - b.begin || a.end - b.end);
  }

  // ---- names -----------------------------------------------------------------------

  /** The name index over every unit (built on first use by a fast scan of all DIEs). */
  index(): NameIndex {
    return (this.nameIndex ??= buildNameIndex([...this.units(), ...this.units(".debug_types")], (unit, ref) => {
      // A name living on a DIE the scan did not index (in another unit, or local).
      const die = unit.reference(ref);
      if (!die) return undefined;
      return { name: die.name(), qualifiedName: die.qualifiedName(), linkageName: die.linkageName() };
    }));
  }

  /** Index entries named `name` (plain, qualified or linkage name), best first. */
  lookup(name: string, kind?: NameKind): IndexEntry[] {
    return this.index().lookup(name, kind);
  }

  /** The DIE of an index entry. */
  entryDie(e: IndexEntry): Die {
    const die = this.dieAt(e.offset, e.section);
    if (!die) throw new DwarfError(`index entry ${e.name} points to 0x${e.offset.toString(16)}, where no DIE starts`);
    return die;
  }

  /** Functions (DW_TAG_subprogram) named `name`: definitions with code first. */
  findFunctions(name: string): Die[] {
    return this.lookup(name, "function").map((e) => this.entryDie(e));
  }

  /** Global and static variables (and C++ static members) named `name`: definitions first. */
  findVariables(name: string): Die[] {
    return this.lookup(name, "variable").map((e) => this.entryDie(e));
  }

  /** Types named `name` (struct/class/union/enum tags, typedefs, base types): complete types first. */
  findTypes(name: string): Die[] {
    return this.lookup(name, "type").map((e) => this.entryDie(e));
  }
}
