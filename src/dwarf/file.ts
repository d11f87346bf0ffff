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
import { type InlineInstance, InlineIndex } from "./inline.ts";
import { buildNameIndex, type IndexEntry, NameIndex, type NameKind } from "./names.ts";
import { type NameSourceKind, type NameSourcePreference, type NativeNames, openNativeNames } from "./native-names.ts";
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
  private nameSourcePref: NameSourcePreference = "auto";
  /** undefined: not opened yet; null: none present, allowed or usable. */
  private native?: NativeNames | null;
  private readonly nativeErrors: string[] = [];
  private nativeMisses = 0;
  private readonly unitNames = new Map<Unit, NameIndex>();
  private inlineIndex?: InlineIndex;

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
    return (this.nameIndex ??= buildNameIndex([...this.units(), ...this.units(".debug_types")], this.resolveOrigin, undefined, this.onUnitScanned));
  }

  /**
   * Called after each unit the name scan reads: a large binary's scan takes
   * seconds and the caller may show progress (cli/progress.ts). Set around a
   * lookup by whoever displays it.
   */
  onUnitScanned?: () => void;

  // A name living on a DIE the scan did not index (in another unit, or local).
  private readonly resolveOrigin = (unit: Unit, ref: Parameters<Unit["reference"]>[0]) => {
    const die = unit.reference(ref);
    if (!die) return undefined;
    return { name: die.name(), qualifiedName: die.qualifiedName(), linkageName: die.linkageName() };
  };

  /**
   * Choose the name index lookups use: "auto" (default) takes .debug_names,
   * else .gdb_index, else our scan; the others force one (falling back to the
   * scan if it is absent or unusable).
   */
  useNameSource(pref: NameSourcePreference): void {
    this.nameSourcePref = pref;
    this.native = undefined;
  }

  /**
   * Which index answers name lookups, why a present native index was
   * rejected (`errors`: the DwarfError messages, for --verbose), how many
   * units the native index does not cover (those are scanned), and how many
   * lookups found no definition through it and were answered by the scan.
   */
  nameSource(): { kind: NameSourceKind; errors: readonly string[]; uncoveredUnits: number; scanFallbacks: number } {
    const n = this.nativeNames();
    return { kind: n ? n.kind : "scan", errors: this.nativeErrors, uncoveredUnits: n ? n.uncovered.length : 0, scanFallbacks: this.nativeMisses };
  }

  private nativeNames(): NativeNames | undefined {
    if (this.native === undefined) {
      const { index, errors } = openNativeNames(this, this.nameSourcePref);
      this.nativeErrors.push(...errors);
      this.native = index ?? null;
    }
    return this.native ?? undefined;
  }

  /** Our scan of one unit (cached): what the full index holds for that unit. */
  private namesOfUnit(u: Unit): NameIndex {
    let ix = this.unitNames.get(u);
    if (!ix) this.unitNames.set(u, (ix = buildNameIndex([u], this.resolveOrigin, undefined, this.onUnitScanned)));
    return ix;
  }

  /**
   * Index entries named `name` (plain, qualified or linkage name), best
   * first, and which index answered. Through a native index only the units
   * it names (plus any it does not cover) are scanned. Declarations, and
   * further same-named definitions of a type in units the index does not
   * name (gdb files a base type under one unit), can then be missing; a
   * lookup where some kind has no definition goes to the full scan.
   */
  lookupWithSource(name: string, kind?: NameKind): { entries: IndexEntry[]; source: NameSourceKind } {
    const native = this.nativeNames();
    if (native) {
      try {
        const units = native.unitsFor(name);
        if (units) {
          const merged = new NameIndex();
          for (const u of [...units, ...native.uncovered]) for (const e of this.namesOfUnit(u).lookup(name)) merged.add(e);
          const entries = merged.lookup(name, kind);
          // Producers index only DIEs with an address, and gdb files some
          // names under another unit or spelling ("unsigned long" for "long
          // unsigned int", an extern or a type-unit type under the unit that
          // declares it). So an answer is trusted only if every kind in it
          // has a definition; otherwise the scan decides (and finds the name
          // if it exists anywhere).
          if (entries.length > 0 && entries.every((e) => !e.declaration || entries.some((d) => d.kind === e.kind && !d.declaration))) return { entries, source: native.kind };
          this.nativeMisses++;
        }
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        // Corrupt index: remember why, and answer from the scan from now on.
        this.nativeErrors.push(`${native.kind === "debug_names" ? ".debug_names" : ".gdb_index"}: ${e.message}`);
        this.native = null;
      }
    }
    return { entries: this.index().lookup(name, kind), source: "scan" };
  }

  /** Index entries named `name` (plain, qualified or linkage name), best first. */
  lookup(name: string, kind?: NameKind): IndexEntry[] {
    return this.lookupWithSource(name, kind).entries;
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

  // ---- inlining --------------------------------------------------------------------

  /**
   * Every copy of function `fn`'s code: the out-of-line concrete DIEs and
   * the DW_TAG_inlined_subroutine DIEs whose abstract origin is `fn` — or,
   * when `fn` is itself a concrete or inlined copy, its abstract instance.
   * See inline.ts.
   */
  inlinedInstances(fn: Die): InlineInstance[] {
    return (this.inlineIndex ??= new InlineIndex(this)).instances(fn);
  }
}
