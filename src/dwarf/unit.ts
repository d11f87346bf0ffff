// Units: the header of each compile/partial/type/skeleton unit (DWARF 2–5,
// 32- and 64-bit), and — only when a question needs it — the unit's DIE tree.
//
// A parsed tree is a handful of typed arrays (offset, abbreviation code,
// parent, next sibling per DIE), not objects: a 300k-DIE unit costs a few
// megabytes, and attribute bytes are decoded only when someone asks.

import type { Abbrev, AbbrevTable } from "./abbrev.ts";
import { DW_AT, DW_FORM, DW_TAG, DW_UT, dwName } from "./constants.ts";
import { Die } from "./die.ts";
import { type AttrValue, type FormContext, readFormValue, skipForm } from "./forms.ts";
import type { ListContext } from "./lists.ts";
import { DwarfError, type OffsetSize, Reader, stringAt } from "./reader.ts";

/** Which section a unit lives in: v2–v5 units in .debug_info, v4 type units in .debug_types. */
export type UnitSection = ".debug_info" | ".debug_types";

/** What a unit needs from the file around it. DwarfFile implements this. */
export interface UnitOwner {
  /** A debug section's bytes (decompressed), or undefined if absent. */
  section(name: string): Uint8Array | undefined;
  abbrevTable(offset: number): AbbrevTable;
  /** The unit of `section` whose DIEs contain `offset`. */
  unitContaining(offset: number, section: UnitSection): Unit | undefined;
  /** The type unit with this signature (DW_FORM_ref_sig8). */
  typeUnit(signature: bigint): Unit | undefined;
}

export interface UnitHeader {
  /** Section offset of the unit's first byte (its initial length). */
  offset: number;
  section: UnitSection;
  /** Section offset one past the unit's last byte. */
  end: number;
  version: number;
  /** DW_UT_*: from the header in DWARF 5; for older units compile, or type for .debug_types. */
  unitType: number;
  addressSize: number;
  offsetSize: OffsetSize;
  abbrevOffset: number;
  /** Section offset of the first DIE. */
  firstDieOffset: number;
  /** Type units: the signature other units refer to it by. */
  typeSignature?: bigint;
  /** Type units: section offset of the type's DIE. */
  typeOffset?: number;
  /** Skeleton and split compile units (DWARF 5): the id pairing them. */
  dwoId?: bigint;
}

/** Parse the unit header at `offset`. */
export function parseUnitHeader(bytes: Uint8Array, section: UnitSection, offset: number): UnitHeader {
  const r = new Reader(bytes, section).at(offset);
  const { length, offsetSize } = r.initialLength();
  const bodyStart = r.pos;
  if (length > r.remaining) r.fail(`unit length 0x${length.toString(16)} runs past the end of the section`, offset);
  const end = bodyStart + length;
  const version = r.u16();
  if (version < 2 || version > 5) r.fail(`unsupported DWARF version ${version}`, bodyStart);
  let unitType: number;
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = r.u8();
    addressSize = r.u8();
    abbrevOffset = r.offset(offsetSize);
  } else {
    abbrevOffset = r.offset(offsetSize);
    addressSize = r.u8();
    unitType = section === ".debug_types" ? DW_UT.type : DW_UT.compile;
  }
  if (addressSize !== 1 && addressSize !== 2 && addressSize !== 4 && addressSize !== 8) r.fail(`unsupported address size ${addressSize}`, bodyStart);
  const header: UnitHeader = { offset, section, end, version, unitType, addressSize, offsetSize, abbrevOffset, firstDieOffset: 0 };
  switch (unitType) {
    case DW_UT.compile:
    case DW_UT.partial:
      break;
    case DW_UT.skeleton:
    case DW_UT.split_compile:
      header.dwoId = r.u64();
      break;
    case DW_UT.type:
    case DW_UT.split_type:
      header.typeSignature = r.u64();
      header.typeOffset = offset + r.offset(offsetSize);
      break;
    default:
      r.fail(`unknown unit type ${dwName("UT", unitType)}`, bodyStart + 2);
  }
  if (r.pos > end) r.fail(`unit header is longer than the unit (length 0x${length.toString(16)})`, offset);
  header.firstDieOffset = r.pos;
  if (header.typeOffset !== undefined && (header.typeOffset < header.firstDieOffset || header.typeOffset >= end))
    r.fail(`type unit's type offset 0x${header.typeOffset.toString(16)} is outside the unit`, offset);
  return header;
}

/** Headers of every unit in a section, in order. Cheap: reads only headers. */
export function parseUnitHeaders(bytes: Uint8Array, section: UnitSection): UnitHeader[] {
  const headers: UnitHeader[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    // Some linkers pad between units with zeros; a zero initial length is not a unit.
    if (bytes.length - offset >= 4 && bytes[offset] === 0 && bytes[offset + 1] === 0 && bytes[offset + 2] === 0 && bytes[offset + 3] === 0) {
      offset += 4;
      continue;
    }
    const h = parseUnitHeader(bytes, section, offset);
    headers.push(h);
    offset = h.end;
  }
  return headers;
}

/**
 * Bases from the root DIE that index-valued forms (strx, addrx, loclistx,
 * rnglistx) are relative to. Undefined when the unit does not set one.
 */
export interface UnitBases {
  strOffsetsBase?: number;
  addrBase?: number;
  rnglistsBase?: number;
  loclistsBase?: number;
}

// Hard cap on DIEs per unit: protects memory against a corrupt unit length
// (each DIE is at least one byte, so a real unit never exceeds its size).
const MAX_DEPTH = 4096;

export class Unit implements UnitHeader, FormContext {
  readonly offset: number;
  readonly section: UnitSection;
  readonly end: number;
  readonly version: number;
  readonly unitType: number;
  readonly addressSize: number;
  readonly offsetSize: OffsetSize;
  readonly abbrevOffset: number;
  readonly firstDieOffset: number;
  readonly typeSignature?: bigint;
  readonly typeOffset?: number;
  readonly dwoId?: bigint;
  /** FormContext: references are relative to the unit header. */
  get unitOffset(): number {
    return this.offset;
  }

  /** The section this unit lives in (whole section, so offsets are section offsets). */
  readonly bytes: Uint8Array;

  private abbrevTable?: AbbrevTable;
  private tree?: DieTree;
  private basesCache?: UnitBases;
  private listCtx?: ListContext;

  constructor(
    readonly owner: UnitOwner,
    header: UnitHeader,
  ) {
    this.offset = header.offset;
    this.section = header.section;
    this.end = header.end;
    this.version = header.version;
    this.unitType = header.unitType;
    this.addressSize = header.addressSize;
    this.offsetSize = header.offsetSize;
    this.abbrevOffset = header.abbrevOffset;
    this.firstDieOffset = header.firstDieOffset;
    this.typeSignature = header.typeSignature;
    this.typeOffset = header.typeOffset;
    this.dwoId = header.dwoId;
    const bytes = owner.section(header.section);
    if (!bytes) throw new DwarfError(`no ${header.section} section`);
    this.bytes = bytes;
  }

  get isTypeUnit(): boolean {
    return this.unitType === DW_UT.type || this.unitType === DW_UT.split_type;
  }

  get abbrevs(): AbbrevTable {
    return (this.abbrevTable ??= this.owner.abbrevTable(this.abbrevOffset));
  }

  private fixedSizes?: Int32Array;
  /**
   * Byte size of the attributes of a DIE with abbreviation `abbrev` when
   * fixed in this unit's encoding, else undefined. Scans of every DIE ask
   * this once per DIE, so the answers are kept in an array by code.
   */
  attrBytes(abbrev: Abbrev): number | undefined {
    // Codes are usually dense from 1; rarer huge codes take the slow path.
    const sizes = (this.fixedSizes ??= new Int32Array(Math.min(65536, this.abbrevs.size + 1)).fill(-2));
    const code = abbrev.code;
    if (code >= sizes.length) return abbrev.fixedSize(this);
    let n = sizes[code]!;
    if (n === -2) sizes[code] = n = abbrev.fixedSize(this) ?? -1;
    return n < 0 ? undefined : n;
  }

  private bounded?: Uint8Array;
  /** A reader over this unit's bytes, positioned at section offset `at`. */
  reader(at: number): Reader {
    // Bounded by the unit's end so a DIE cannot read into the next unit.
    const r = new Reader((this.bounded ??= this.bytes.subarray(0, this.end)), this.section);
    if (at < this.firstDieOffset || at > this.end) r.fail(`offset 0x${at.toString(16)} is outside the unit at 0x${this.offset.toString(16)}`, at);
    r.pos = at;
    return r;
  }

  // ---- DIE tree --------------------------------------------------------------

  /** Parse the DIE tree (once). Every other DIE query goes through this. */
  private dies(): DieTree {
    return (this.tree ??= parseDieTree(this));
  }

  /** Number of DIEs in the unit (parses it). */
  get dieCount(): number {
    return this.dies().count;
  }

  /** The unit's root DIE (DW_TAG_compile_unit, partial_unit, type_unit, …). */
  root(): Die {
    // Questions about the root alone (name, ranges, bases) need not parse the
    // tree: its abbreviation code is the first thing after the header.
    if (!this.tree) this.rootAbbrev();
    else if (this.tree.count === 0) throw new DwarfError(`unit at 0x${this.offset.toString(16)} in ${this.section} has no DIEs`);
    return new Die(this, 0);
  }

  private rootAbbrevCache?: Abbrev;
  private rootAbbrev(): Abbrev {
    if (this.rootAbbrevCache) return this.rootAbbrevCache;
    const r = this.reader(this.firstDieOffset);
    if (r.pos >= this.end) r.fail(`unit at 0x${this.offset.toString(16)} has no DIEs`);
    const code = r.uleb();
    const abbrev = code === 0 ? r.fail(`unit at 0x${this.offset.toString(16)} has no DIEs`) : (this.abbrevs.get(code) ?? r.fail(`abbreviation code ${code} is not in the table at .debug_abbrev 0x${this.abbrevs.offset.toString(16)}`, this.firstDieOffset));
    return (this.rootAbbrevCache = abbrev);
  }

  /** The DIE at `index` in document order (0 is the root). */
  dieByIndex(index: number): Die {
    return new Die(this, index);
  }

  /** The DIE that starts exactly at section offset `offset`, if any. */
  dieAt(offset: number): Die | undefined {
    const t = this.dies();
    const rel = offset - this.offset;
    let lo = 0;
    let hi = t.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t.offsets[mid]! < rel) lo = mid + 1;
      else hi = mid;
    }
    return lo < t.count && t.offsets[lo] === rel ? new Die(this, lo) : undefined;
  }

  /** Section offset of DIE `index`. */
  dieOffset(index: number): number {
    if (index === 0 && !this.tree) return this.firstDieOffset;
    return this.offset + this.dies().offsets[index]!;
  }
  /** The abbreviation of DIE `index`. */
  dieAbbrev(index: number): Abbrev {
    if (index === 0 && !this.tree) return this.rootAbbrev();
    return this.abbrevs.get(this.dies().codes[index]!)!;
  }
  /** Parent index of DIE `index`, -1 for the root. */
  dieParent(index: number): number {
    return this.dies().parents[index]!;
  }
  /** Index of the next sibling of DIE `index`, -1 if it is the last child. */
  dieNextSibling(index: number): number {
    return this.dies().siblings[index]!;
  }
  /** Index of the first child of DIE `index`, -1 if none. */
  dieFirstChild(index: number): number {
    const t = this.dies();
    return index + 1 < t.count && t.parents[index + 1] === index ? index + 1 : -1;
  }
  /** Nesting depth of DIE `index` (root: 0). */
  dieDepth(index: number): number {
    const t = this.dies();
    let d = 0;
    for (let p = t.parents[index]!; p >= 0; p = t.parents[p]!) d++;
    return d;
  }

  // ---- attribute values --------------------------------------------------------

  /** Bases for index forms, read from the root DIE's attributes on first use. */
  bases(): UnitBases {
    if (this.basesCache) return this.basesCache;
    const bases: UnitBases = {};
    this.basesCache = bases; // set first: reading the root must not recurse here
    const abbrev = this.root().abbrev;
    const r = this.reader(this.dieOffset(0));
    r.uleb();
    for (const spec of abbrev.attrs) {
      const v = readFormValue(r, spec.form, this, spec.implicitConst);
      if (v.kind !== "secOffset" && v.kind !== "constant") continue;
      const n = v.kind === "secOffset" ? v.offset : v.value;
      switch (spec.name) {
        case DW_AT.str_offsets_base:
          bases.strOffsetsBase = n;
          break;
        case DW_AT.addr_base:
        case DW_AT.GNU_addr_base:
          bases.addrBase = n;
          break;
        case DW_AT.rnglists_base:
        case DW_AT.GNU_ranges_base:
          bases.rnglistsBase = n;
          break;
        case DW_AT.loclists_base:
          bases.loclistsBase = n;
          break;
      }
    }
    return bases;
  }

  /**
   * What the location- and range-list readers (lists.ts) need to resolve
   * this unit's DW_AT_location / DW_AT_ranges values: encoding, the unit's
   * base address (root DW_AT_low_pc), .debug_addr and the list bases.
   */
  listContext(): ListContext {
    if (this.listCtx) return this.listCtx;
    const bases = this.bases();
    const o = this.owner;
    const base = this.root().lowPc() ?? 0;
    return (this.listCtx = {
      version: this.version,
      addressSize: this.addressSize,
      offsetSize: this.offsetSize,
      baseAddress: base,
      addrAt: (i) => this.addressAt(i),
      sections: { loc: o.section(".debug_loc"), loclists: o.section(".debug_loclists"), ranges: o.section(".debug_ranges"), rnglists: o.section(".debug_rnglists") },
      loclistsBase: bases.loclistsBase,
      rnglistsBase: bases.rnglistsBase,
    });
  }

  /** The string a string-valued attribute value denotes; undefined for other kinds. */
  string(v: AttrValue): string | undefined {
    switch (v.kind) {
      case "string":
        return v.value;
      case "strp":
        return stringAt(this.requireSection(".debug_str", v), ".debug_str", v.offset);
      case "lineStrp":
        return stringAt(this.requireSection(".debug_line_str", v), ".debug_line_str", v.offset);
      case "strx":
        return stringAt(this.requireSection(".debug_str", v), ".debug_str", this.strOffset(v.index));
      case "strpSup":
        throw unsupportedSup(v.form);
      default:
        return undefined;
    }
  }

  /** Offset into .debug_str of string index `index` (DW_FORM_strx*). */
  strOffset(index: number): number {
    const table = this.owner.section(".debug_str_offsets");
    if (!table) throw new DwarfError(`DW_FORM_strx in unit at 0x${this.offset.toString(16)} but the file has no .debug_str_offsets`);
    // Without DW_AT_str_offsets_base (split units, GNU_str_index) the table
    // starts after the DWARF 5 section header, if there is one.
    const base = this.bases().strOffsetsBase ?? (this.version >= 5 ? (this.offsetSize === 8 ? 16 : 8) : 0);
    const at = base + index * this.offsetSize;
    const r = new Reader(table, ".debug_str_offsets");
    if (at + this.offsetSize > table.length || at < 0) r.fail(`string index ${index} (base 0x${base.toString(16)}) is past the end of the table`, Math.min(at, table.length));
    return r.at(at).offset(this.offsetSize);
  }

  /** The address an address-valued attribute value denotes; undefined for other kinds. */
  address(v: AttrValue): number | undefined {
    if (v.kind === "address") return v.value;
    if (v.kind === "addrx") return this.addressAt(v.index);
    return undefined;
  }

  /** Entry `index` of this unit's .debug_addr table (DW_FORM_addrx*, DW_OP_addrx). */
  addressAt(index: number): number {
    const table = this.owner.section(".debug_addr");
    if (!table) throw new DwarfError(`address index ${index} in unit at 0x${this.offset.toString(16)} but the file has no .debug_addr`);
    const base = this.bases().addrBase ?? (this.version >= 5 ? (this.offsetSize === 8 ? 16 : 8) : 0);
    const at = base + index * this.addressSize;
    const r = new Reader(table, ".debug_addr");
    if (at + this.addressSize > table.length || at < 0) r.fail(`address index ${index} (base 0x${base.toString(16)}) is past the end of the table`, Math.min(at, table.length));
    r.pos = at;
    if (this.addressSize === 8) {
      const lo = r.u32();
      return r.u32() * 0x1_0000_0000 + lo;
    }
    return r.address(this.addressSize);
  }

  /** The DIE a reference-valued attribute value points to; undefined for other kinds. */
  reference(v: AttrValue): Die | undefined {
    switch (v.kind) {
      case "ref": {
        if (v.offset >= this.firstDieOffset && v.offset < this.end) return this.requireDie(this, v.offset, v.form);
        // ref forms are unit-relative, but be forgiving of producers that
        // point into a neighbouring unit of the same section.
        const u = this.owner.unitContaining(v.offset, this.section);
        return this.requireDie(u, v.offset, v.form);
      }
      case "refAddr":
        return this.requireDie(this.owner.unitContaining(v.offset, ".debug_info"), v.offset, v.form);
      case "refSig8": {
        const tu = this.owner.typeUnit(v.signature);
        if (!tu) throw new DwarfError(`no type unit with signature 0x${v.signature.toString(16).padStart(16, "0")} (referenced from unit at 0x${this.offset.toString(16)})`);
        return tu.typeDie();
      }
      case "refSup":
        throw unsupportedSup(v.form);
      default:
        return undefined;
    }
  }

  /** A type unit's type DIE (the one typeOffset names). */
  typeDie(): Die {
    if (this.typeOffset === undefined) throw new DwarfError(`unit at 0x${this.offset.toString(16)} is not a type unit`);
    return this.requireDie(this, this.typeOffset, DW_FORM.ref_sig8);
  }

  private requireDie(unit: Unit | undefined, offset: number, form: number): Die {
    const die = unit?.dieAt(offset);
    if (!die) throw new DwarfError(`corrupt ${this.section}: ${dwName("FORM", form)} reference to 0x${offset.toString(16)}, where no DIE starts (from unit at 0x${this.offset.toString(16)})`);
    return die;
  }

  private requireSection(name: string, v: AttrValue): Uint8Array {
    const s = this.owner.section(name);
    if (!s) throw new DwarfError(`${dwName("FORM", v.form)} in unit at 0x${this.offset.toString(16)} but the file has no ${name}`);
    return s;
  }

  toString(): string {
    return `${dwName("UT", this.unitType)} unit at 0x${this.offset.toString(16)} (${this.section}, DWARF ${this.version}${this.offsetSize === 8 ? "64" : ""})`;
  }
}

function unsupportedSup(form: number): DwarfError {
  return new DwarfError(`unsupported: ${dwName("FORM", form)} refers into a dwz supplementary file (.gnu_debugaltlink); wraith does not read those`);
}

// ---- the DIE tree ---------------------------------------------------------------

interface DieTree {
  count: number;
  /** Unit-relative offset of each DIE. */
  offsets: Uint32Array;
  codes: Uint32Array;
  parents: Int32Array;
  siblings: Int32Array;
}

function parseDieTree(unit: Unit): DieTree {
  const abbrevs = unit.abbrevs;
  const r = unit.reader(unit.firstDieOffset);
  const bytes = r.bytes;
  const end = unit.end;
  // Each DIE takes at least one byte, so this bounds the arrays.
  let capacity = Math.max(16, Math.min(end - unit.firstDieOffset, 1024));
  let offsets = new Uint32Array(capacity);
  let codes = new Uint32Array(capacity);
  let parents = new Int32Array(capacity);
  let siblings = new Int32Array(capacity);
  let count = 0;
  // stack[d] = index of the open parent at depth d; last[d] = last child seen at depth d.
  const stack: number[] = [];
  const last: number[] = [-1];
  while (r.pos < end) {
    const at = r.pos;
    // Inline ULEB128 fast path for one-byte codes, which nearly all are.
    let code = bytes[at]!;
    if (code < 0x80) r.pos = at + 1;
    else code = r.uleb();
    if (code === 0) {
      // End of a sibling chain. Trailing padding after the root closes is allowed.
      if (stack.length === 0) continue;
      stack.pop();
      last.pop();
      if (stack.length === 0) break;
      continue;
    }
    const abbrev = abbrevs.get(code) ?? r.fail(`abbreviation code ${code} is not in the table at .debug_abbrev 0x${abbrevs.offset.toString(16)}`, at);
    if (count > 0 && stack.length === 0) r.fail("a second top-level DIE follows the unit's root", at);
    if (count === capacity) {
      capacity *= 2;
      offsets = grow(offsets, capacity);
      codes = grow(codes, capacity);
      parents = grow(parents, capacity);
      siblings = grow(siblings, capacity);
    }
    const i = count++;
    offsets[i] = at - unit.offset;
    codes[i] = code;
    parents[i] = stack.length > 0 ? stack[stack.length - 1]! : -1;
    siblings[i] = -1;
    const prev = last[last.length - 1]!;
    if (prev >= 0) siblings[prev] = i;
    last[last.length - 1] = i;
    const fixed = unit.attrBytes(abbrev);
    if (fixed !== undefined) r.skip(fixed);
    else for (const a of abbrev.attrs) skipForm(r, a.form, unit);
    if (abbrev.hasChildren) {
      if (stack.length >= MAX_DEPTH) r.fail(`DIEs nested more than ${MAX_DEPTH} deep`, at);
      stack.push(i);
      last.push(-1);
    } else if (stack.length === 0) break; // a childless root: the unit is done
  }
  return { count, offsets, codes, parents, siblings };
}

function grow<T extends Uint32Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/** Tags whose DIE is a unit's root. */
export const ROOT_TAGS: ReadonlySet<number> = new Set([DW_TAG.compile_unit, DW_TAG.partial_unit, DW_TAG.type_unit, DW_TAG.skeleton_unit]);
