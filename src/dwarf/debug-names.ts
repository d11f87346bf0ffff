// .debug_names (DWARF 5 §6.1.1): the producer's own name → DIE index.
//
// The section is a sequence of name indexes (one per linked object unless the
// linker merged them). Each has a CU list, local and foreign TU lists, an
// optional hash table (DJB hash of the case-folded name), a name table
// (string offset + entry-pool offset per name), an abbreviation table that
// describes entries as (DW_IDX_*, DW_FORM_*) pairs, and the entry pool.
//
// Opening parses headers and abbreviation tables and checks that every region
// fits; names and entries are decoded only when looked up. All reads go
// through Reader, so a corrupt index surfaces as a DwarfError that the caller
// (DwarfFile) records before falling back to its own scan.

import { DW_FORM, DW_IDX, formName } from "./constants.ts";
import { type AttrValue, type FormContext, readFormValue, skipForm } from "./forms.ts";
import { DwarfError, type OffsetSize, Reader, stringAt } from "./reader.ts";

/** One entry of a name: which unit and DIE a name denotes. */
export interface DebugNamesEntry {
  /** Section offset of the entry in .debug_names (what llvm-dwarfdump prints as "Entry @"). */
  offset: number;
  abbrevCode: number;
  tag: number;
  /** Section offset in .debug_info of the unit holding the DIE, when known (a foreign TU has none). */
  unitOffset?: number;
  /** Foreign type units: the signature (the DIE lives in a .dwo/.dwp wraith does not read). */
  foreignSignature?: bigint;
  /** Section offset of the DIE (unit offset + DW_IDX_die_offset), if the entry has one. */
  dieOffset?: number;
  /** DW_IDX_parent: entry-pool offset of the parent entry, "none" for a flag_present top-level mark. */
  parent?: number | "none";
  /** DW_IDX_type_hash. */
  typeHash?: bigint;
}

interface IdxSpec {
  idx: number;
  form: number;
}

interface EntryAbbrev {
  code: number;
  tag: number;
  specs: IdxSpec[];
}

/** One name index (one "Name Index @ 0x…" in llvm-dwarfdump). */
export class NameIndexUnit {
  readonly compUnits: number[] = [];
  readonly localTypeUnits: number[] = [];
  readonly foreignTypeUnits: bigint[] = [];
  readonly abbrevs = new Map<number, EntryAbbrev>();
  readonly bucketCount: number;
  readonly nameCount: number;
  readonly augmentation: string;
  private readonly bucketsAt: number;
  private readonly hashesAt: number;
  private readonly stringOffsetsAt: number;
  private readonly entryOffsetsAt: number;
  private readonly poolAt: number;
  private readonly ctx: FormContext;
  private linear?: Map<string, number[]>;

  constructor(
    private readonly r: Reader,
    /** Section offset of the index's first byte. */
    readonly offset: number,
    /** Section offset one past the index's last byte. */
    readonly end: number,
    readonly offsetSize: OffsetSize,
    private readonly str: Uint8Array,
  ) {
    const version = r.u16();
    if (version !== 5) r.fail(`name index version ${version} (only 5 is defined)`, r.pos - 2);
    r.u16(); // padding
    const cuCount = r.u32();
    const localTuCount = r.u32();
    const foreignTuCount = r.u32();
    this.bucketCount = r.u32();
    this.nameCount = r.u32();
    const abbrevSize = r.u32();
    const augSize = r.u32();
    const aug = r.bytesN(augSize);
    this.augmentation = new TextDecoder().decode(aug).replace(/\0+$/, "");
    // Check the sizes of the tables against the index length before reading
    // any of them: counts in a corrupt header can be anything.
    const os = offsetSize;
    const need = cuCount * os + localTuCount * os + foreignTuCount * 8 + this.bucketCount * 4 + (this.bucketCount > 0 ? this.nameCount * 4 : 0) + this.nameCount * 2 * os + abbrevSize;
    if (need > end - r.pos) r.fail(`name index tables need 0x${need.toString(16)} bytes but only 0x${(end - r.pos).toString(16)} remain in the index`, offset);
    for (let i = 0; i < cuCount; i++) this.compUnits.push(r.offset(os));
    for (let i = 0; i < localTuCount; i++) this.localTypeUnits.push(r.offset(os));
    for (let i = 0; i < foreignTuCount; i++) this.foreignTypeUnits.push(r.u64());
    this.bucketsAt = r.pos;
    this.hashesAt = this.bucketsAt + this.bucketCount * 4;
    this.stringOffsetsAt = this.hashesAt + (this.bucketCount > 0 ? this.nameCount * 4 : 0);
    this.entryOffsetsAt = this.stringOffsetsAt + this.nameCount * os;
    const abbrevAt = this.entryOffsetsAt + this.nameCount * os;
    this.poolAt = abbrevAt + abbrevSize;
    this.ctx = { version: 5, addressSize: 8, offsetSize: os, unitOffset: 0 };
    this.parseAbbrevs(r.at(abbrevAt), this.poolAt);
    // Bucket heads must name a name (1-based) or be empty.
    const b = r.at(this.bucketsAt);
    for (let i = 0; i < this.bucketCount; i++) {
      const at = b.pos;
      const v = b.u32();
      if (v > this.nameCount) b.fail(`bucket ${i} points at name ${v} of ${this.nameCount}`, at);
    }
  }

  private parseAbbrevs(r: Reader, end: number): void {
    for (;;) {
      if (r.pos >= end) r.fail("abbreviation table is not terminated");
      const at = r.pos;
      const code = r.uleb();
      if (code === 0) return;
      const tag = r.uleb();
      const specs: IdxSpec[] = [];
      for (;;) {
        const idx = r.uleb();
        const form = r.uleb();
        if (idx === 0 && form === 0) break;
        if (idx === 0 || form === 0) r.fail(`abbreviation ${code}: DW_IDX 0x${idx.toString(16)} with form 0x${form.toString(16)}`);
        if (form === DW_FORM.indirect || form === DW_FORM.implicit_const) r.fail(`abbreviation ${code}: ${formName(form)} is not allowed in a name index`);
        specs.push({ idx, form });
        if (r.pos > end) r.fail("abbreviation runs past the table");
      }
      if (this.abbrevs.has(code)) r.fail(`duplicate abbreviation code ${code}`, at);
      this.abbrevs.set(code, { code, tag, specs });
    }
  }

  /** Name `i` (0-based) of the name table. */
  nameAt(i: number): string {
    const r = this.r.at(this.stringOffsetsAt + i * this.offsetSize);
    return stringAt(this.str, ".debug_str", r.offset(this.offsetSize));
  }

  /** Entry-pool offset (relative to the pool) of name `i`'s entry list. */
  private entriesOffsetAt(i: number): number {
    return this.r.at(this.entryOffsetsAt + i * this.offsetSize).offset(this.offsetSize);
  }

  private hashAt(i: number): number {
    return this.r.at(this.hashesAt + i * 4).u32();
  }

  /** Indexes (0-based) of the names equal to `name` (normally at most one). */
  findName(name: string): number[] {
    if (this.bucketCount === 0 || !isAscii(name)) return this.linearFind(name);
    const h = djbHashFolded(name);
    const bucket = h % this.bucketCount;
    const head = this.r.at(this.bucketsAt + bucket * 4).u32();
    if (head === 0) return [];
    const out: number[] = [];
    // Names of one bucket are consecutive; the chain ends where the bucket changes.
    for (let i = head - 1; i < this.nameCount; i++) {
      const hi = this.hashAt(i);
      if (hi % this.bucketCount !== bucket) break;
      if (hi === h && this.nameAt(i) === name) out.push(i);
    }
    return out;
  }

  // Without a hash table (allowed by the spec), or for names whose Unicode
  // case folding we do not reproduce: one pass over the name table, once.
  private linearFind(name: string): number[] {
    if (!this.linear) {
      this.linear = new Map();
      for (let i = 0; i < this.nameCount; i++) {
        const n = this.nameAt(i);
        const l = this.linear.get(n);
        if (l) l.push(i);
        else this.linear.set(n, [i]);
      }
    }
    return this.linear.get(name) ?? [];
  }

  /** The entries of name `i`, decoded. */
  entries(i: number): DebugNamesEntry[] {
    const rel = this.entriesOffsetAt(i);
    if (rel >= this.end - this.poolAt) this.r.fail(`name ${i}'s entries at pool offset 0x${rel.toString(16)} are outside the entry pool`, this.entryOffsetsAt + i * this.offsetSize);
    const r = this.r.at(this.poolAt + rel);
    const out: DebugNamesEntry[] = [];
    for (;;) {
      if (r.pos >= this.end) r.fail("entry list is not terminated");
      const at = r.pos;
      const code = r.uleb();
      if (code === 0) return out;
      const abbrev = this.abbrevs.get(code) ?? r.fail(`entry abbreviation code ${code} is not in the table`, at);
      out.push(this.decodeEntry(r, abbrev, at));
      if (out.length > this.end - this.poolAt) r.fail("entry list longer than the pool");
    }
  }

  private decodeEntry(r: Reader, abbrev: EntryAbbrev, at: number): DebugNamesEntry {
    const e: DebugNamesEntry = { offset: r.base + at, abbrevCode: abbrev.code, tag: abbrev.tag };
    let cu: number | undefined;
    let tu: number | undefined;
    let dieRel: number | undefined;
    for (const s of abbrev.specs) {
      if (s.idx !== DW_IDX.compile_unit && s.idx !== DW_IDX.type_unit && s.idx !== DW_IDX.die_offset && s.idx !== DW_IDX.parent && s.idx !== DW_IDX.type_hash) {
        // Vendor attributes (DW_IDX_GNU_internal, …): skipped by form.
        skipForm(r, s.form, this.ctx);
        continue;
      }
      const v = readFormValue(r, s.form, this.ctx);
      switch (s.idx) {
        case DW_IDX.compile_unit:
          cu = indexValue(v, r, "DW_IDX_compile_unit");
          break;
        case DW_IDX.type_unit:
          tu = indexValue(v, r, "DW_IDX_type_unit");
          break;
        case DW_IDX.die_offset:
          dieRel = v.kind === "ref" ? v.offset : indexValue(v, r, "DW_IDX_die_offset");
          break;
        case DW_IDX.parent:
          e.parent = v.kind === "flag" ? "none" : v.kind === "ref" ? v.offset : indexValue(v, r, "DW_IDX_parent");
          break;
        case DW_IDX.type_hash:
          e.typeHash = v.kind === "constant" ? (v.big ?? BigInt(v.value)) : undefined;
          break;
      }
    }
    if (tu !== undefined) {
      if (tu < this.localTypeUnits.length) e.unitOffset = this.localTypeUnits[tu];
      else if (tu < this.localTypeUnits.length + this.foreignTypeUnits.length) e.foreignSignature = this.foreignTypeUnits[tu - this.localTypeUnits.length];
      else r.fail(`DW_IDX_type_unit ${tu} but the index lists ${this.localTypeUnits.length + this.foreignTypeUnits.length} type units`, at);
    } else if (cu !== undefined) {
      if (cu >= this.compUnits.length) r.fail(`DW_IDX_compile_unit ${cu} but the index lists ${this.compUnits.length} compile units`, at);
      e.unitOffset = this.compUnits[cu];
    } else if (this.compUnits.length === 1) {
      // §6.1.1.4.2: with a single CU the attribute may be omitted.
      e.unitOffset = this.compUnits[0];
    } else r.fail("entry names no unit (no DW_IDX_compile_unit or DW_IDX_type_unit, and the index has several units)", at);
    if (dieRel !== undefined && e.unitOffset !== undefined) e.dieOffset = e.unitOffset + dieRel;
    return e;
  }
}

function indexValue(v: AttrValue, r: Reader, what: string): number {
  if (v.kind === "constant" && v.big === undefined && v.value >= 0) return v.value;
  if (v.kind === "ref") return v.offset;
  return r.fail(`${what} has unexpected form ${formName(v.form)}`);
}

/** Every name index in a .debug_names section. */
export class DebugNames {
  private constructor(readonly indexes: NameIndexUnit[]) {}

  static parse(section: Uint8Array, str: Uint8Array | undefined): DebugNames {
    if (!str) throw new DwarfError(".debug_names without .debug_str");
    const r = new Reader(section, ".debug_names");
    const out: NameIndexUnit[] = [];
    while (!r.atEnd) {
      const offset = r.pos;
      const { length, offsetSize } = r.initialLength();
      if (length > r.remaining) r.fail(`name index length 0x${length.toString(16)} runs past the end of the section`, offset);
      const end = r.pos + length;
      // Each index reads only within its own bytes.
      const sub = new Reader(section.subarray(0, end), ".debug_names", r.pos);
      out.push(new NameIndexUnit(sub, offset, end, offsetSize, str));
      r.pos = end;
    }
    return new DebugNames(out);
  }

  /** Every entry of every index for exactly `name`. */
  lookup(name: string): DebugNamesEntry[] {
    const out: DebugNamesEntry[] = [];
    for (const ix of this.indexes) for (const i of ix.findName(name)) out.push(...ix.entries(i));
    return out;
  }

  /** Every (name, entries) pair in table order — for dumps and tests. */
  *all(): IterableIterator<{ index: NameIndexUnit; name: string; entries: DebugNamesEntry[] }> {
    for (const ix of this.indexes) for (let i = 0; i < ix.nameCount; i++) yield { index: ix, name: ix.nameAt(i), entries: ix.entries(i) };
  }
}

/**
 * The DJB hash of §6.1.1.4.5 over the case-folded name. Only ASCII folding
 * is done here; other names are found by a linear pass (see findName).
 */
export function djbHashFolded(name: string): number {
  let h = 5381;
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    h = (Math.imul(h, 33) + c) >>> 0;
  }
  return h;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
