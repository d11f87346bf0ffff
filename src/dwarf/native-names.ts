// The producer's name index (.debug_names, else .gdb_index) as a unit
// selector for DwarfFile's name lookups.
//
// The native index is never trusted for the answer itself: it only says which
// units hold a DIE of that name, and those units are then read by our own
// scan (names.ts), so entries are exactly the ones the full scan makes for
// them. What the native index can get wrong is which units to read; corrupt
// structure is caught here (every listed unit must start where a unit
// starts, every DIE offset must lie inside its unit) and units it does not
// cover are always scanned.

import { DebugNames } from "./debug-names.ts";
import { GdbIndex } from "./gdb-index.ts";
import { DwarfError } from "./reader.ts";
import type { Unit, UnitSection } from "./unit.ts";

export type NameSourceKind = "debug_names" | "gdb_index" | "scan";
/** Which name index DwarfFile may use: "auto" prefers .debug_names, then .gdb_index, then the scan. */
export type NameSourcePreference = "auto" | NameSourceKind;

/** What the native index needs from the file. */
export interface NativeNamesOwner {
  section(name: string): Uint8Array | undefined;
  units(section?: UnitSection): Unit[];
  unitAt(offset: number, section?: UnitSection): Unit | undefined;
}

export interface NativeNames {
  readonly kind: "debug_names" | "gdb_index";
  /** Units the index lists (and we matched to real units). */
  readonly covered: ReadonlySet<Unit>;
  /** Units of the file the index does not list: always scanned. */
  readonly uncovered: readonly Unit[];
  /**
   * Units that may hold a DIE our scan indexes under `name`; undefined when
   * this index cannot answer such a name (the caller asks the full scan).
   */
  unitsFor(name: string): Unit[] | undefined;
}

/**
 * Open the preferred native index. Returns the index (or undefined: none
 * present or allowed) and the reasons any present index was rejected.
 */
export function openNativeNames(owner: NativeNamesOwner, pref: NameSourcePreference): { index?: NativeNames; errors: string[] } {
  const errors: string[] = [];
  if (pref === "scan") return { errors };
  if (pref === "auto" || pref === "debug_names") {
    const bytes = owner.section(".debug_names");
    if (bytes) {
      try {
        return { index: new DebugNamesSource(owner, DebugNames.parse(bytes, owner.section(".debug_str"))), errors };
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        errors.push(`.debug_names: ${e.message}`);
      }
    }
  }
  if (pref === "auto" || pref === "gdb_index") {
    const bytes = owner.section(".gdb_index");
    if (bytes) {
      try {
        return { index: new GdbIndexSource(owner, new GdbIndex(bytes)), errors };
      } catch (e) {
        if (!(e instanceof DwarfError)) throw e;
        errors.push(`.gdb_index: ${e.message}`);
      }
    }
  }
  return { errors };
}

/**
 * The keys a lookup of `name` may be stored under in a native index: the
 * name itself and every suffix after a "::" (native indexes hold plain
 * names, our scan also answers qualified ones; a template argument may hold
 * "::" too, so every suffix rather than only the last).
 */
export function lookupKeys(name: string): string[] {
  const keys = [name];
  for (let i = name.indexOf("::"); i >= 0; i = name.indexOf("::", i + 2)) if (i + 2 < name.length) keys.push(name.slice(i + 2));
  return keys;
}

/** The last "::"-separated component outside <…> and (…): "a::B<c::d>::f" → "f". */
export function lastComponent(name: string): string {
  let depth = 0;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === "<" || c === "(" || c === "[") depth++;
    else if ((c === ">" || c === ")" || c === "]") && depth > 0) depth--;
    else if (depth === 0 && c === ":" && name[i + 1] === ":") {
      start = i + 2;
      i++;
    }
  }
  return name.slice(start);
}

function allUnits(owner: NativeNamesOwner): Unit[] {
  return [...owner.units(), ...owner.units(".debug_types")];
}

function splitCoverage(owner: NativeNamesOwner, covered: Set<Unit>): Unit[] {
  const uncovered = allUnits(owner).filter((u) => !covered.has(u));
  if (covered.size === 0) throw new DwarfError(`covers none of the file's ${uncovered.length} units`);
  return uncovered;
}

class DebugNamesSource implements NativeNames {
  readonly kind = "debug_names";
  readonly covered = new Set<Unit>();
  readonly uncovered: Unit[];

  constructor(
    private readonly owner: NativeNamesOwner,
    private readonly names: DebugNames,
  ) {
    for (const ix of names.indexes) {
      for (const off of [...ix.compUnits, ...ix.localTypeUnits]) {
        const u = owner.unitAt(off, ".debug_info");
        if (!u) throw new DwarfError(`name index at 0x${ix.offset.toString(16)} lists a unit at 0x${off.toString(16)}, where no unit starts`);
        this.covered.add(u);
      }
    }
    this.uncovered = splitCoverage(owner, this.covered);
  }

  unitsFor(name: string): Unit[] {
    const out = new Set<Unit>();
    for (const key of lookupKeys(name)) {
      for (const e of this.names.lookup(key)) {
        if (e.unitOffset === undefined) continue; // a foreign type unit: its DIEs are not in this file
        const u = this.owner.unitAt(e.unitOffset, ".debug_info");
        if (!u) throw new DwarfError(`.debug_names entry at 0x${e.offset.toString(16)} names a unit at 0x${e.unitOffset.toString(16)}, where no unit starts`);
        if (e.dieOffset !== undefined && (e.dieOffset < u.firstDieOffset || e.dieOffset >= u.end))
          throw new DwarfError(`.debug_names entry at 0x${e.offset.toString(16)} for "${key}" points to 0x${e.dieOffset.toString(16)}, outside its unit at 0x${u.offset.toString(16)}`);
        out.add(u);
      }
    }
    return [...out];
  }
}

class GdbIndexSource implements NativeNames {
  readonly kind = "gdb_index";
  readonly covered = new Set<Unit>();
  readonly uncovered: Unit[];
  private readonly units: Unit[] = [];
  /** Last component of each qualified symbol → CU indexes (C++ members are stored only qualified). */
  private byLast?: Map<string, number[]>;

  constructor(
    owner: NativeNamesOwner,
    private readonly index: GdbIndex,
  ) {
    for (const cu of index.cus) {
      const u = owner.unitAt(cu.offset, ".debug_info");
      if (!u) throw new DwarfError(`CU list names 0x${cu.offset.toString(16)}, where no unit starts`);
      if (cu.length !== undefined && cu.offset + cu.length !== u.end) throw new DwarfError(`CU list gives the unit at 0x${cu.offset.toString(16)} length 0x${cu.length.toString(16)}, but it is 0x${(u.end - u.offset).toString(16)} long`);
      this.units.push(u);
    }
    const tuSection: UnitSection = owner.section(".debug_types") ? ".debug_types" : ".debug_info";
    for (const tu of index.tus) {
      const u = owner.unitAt(tu.offset, tuSection);
      if (!u || u.typeSignature !== tu.signature) throw new DwarfError(`TU list names 0x${tu.offset.toString(16)} (signature 0x${tu.signature?.toString(16)}), where no such type unit starts`);
      this.units.push(u);
    }
    for (const u of this.units) this.covered.add(u);
    this.uncovered = splitCoverage(owner, this.covered);
  }

  unitsFor(name: string): Unit[] | undefined {
    // gdb indexes no linkage names: let the scan answer mangled ones.
    if (name.startsWith("_Z")) return undefined;
    const byLast = (this.byLast ??= this.buildByLast());
    const out = new Set<Unit>();
    for (const key of lookupKeys(name)) {
      for (const ref of this.index.lookup(key)) out.add(this.units[ref.cuIndex]!);
      for (const i of byLast.get(key) ?? []) out.add(this.units[i]!);
    }
    return [...out];
  }

  private buildByLast(): Map<string, number[]> {
    const m = new Map<string, number[]>();
    for (const s of this.index.symbols()) {
      if (!s.name.includes("::")) continue;
      const last = lastComponent(s.name);
      let l = m.get(last);
      if (!l) m.set(last, (l = []));
      for (const r of s.refs) l.push(r.cuIndex);
    }
    return m;
  }
}
