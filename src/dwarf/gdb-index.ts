// .gdb_index (gdb manual, "Index Section Format"), versions 7–9: a CU list,
// a TU list, an address area, an open-addressed symbol hash table and a
// constant pool of names and CU vectors. Each CU vector entry packs the CU
// index (bits 0–23), the symbol kind (bits 28–30) and "static" (bit 31).
//
// Opening checks the header and the shape of every area; a symbol's slot,
// name and CU vector are read only when looked up. Names are what gdb
// searches by: plain names in C, qualified names ("ns::Class::member")
// without parameters in C++; no linkage names.

import { DwarfError, Reader } from "./reader.ts";

export const GDB_SYMBOL_KIND = { none: 0, type: 1, variable: 2, function: 3, other: 4 } as const;

export interface GdbIndexCu {
  /** Section offset of the unit (.debug_info for CUs; .debug_types, or .debug_info in DWARF 5, for TUs). */
  offset: number;
  /** CUs: the unit's length from the index. */
  length?: number;
  /** TUs: the type's offset inside the unit, and the signature. */
  typeOffset?: number;
  signature?: bigint;
}

export interface GdbSymbolRef {
  /** Index into the combined list: CUs first, then TUs. */
  cuIndex: number;
  /** GDB_SYMBOL_KIND value (0 in indexes that do not record it). */
  kind: number;
  isStatic: boolean;
}

export interface GdbAddressRange {
  begin: number;
  end: number;
  cuIndex: number;
}

export class GdbIndex {
  readonly version: number;
  readonly cus: GdbIndexCu[] = [];
  readonly tus: GdbIndexCu[] = [];
  private readonly addressAt: number;
  private readonly addressEnd: number;
  private readonly symtabAt: number;
  /** Number of slots (a power of two). */
  readonly slotCount: number;
  private readonly poolAt: number;
  private readonly r: Reader;

  constructor(section: Uint8Array) {
    const r = (this.r = new Reader(section, ".gdb_index"));
    this.version = r.u32();
    // 7 added the kind bits; 8 changed only which unit TU symbols name; 9
    // added a shortcut table before the constant pool.
    if (this.version < 7 || this.version > 9) r.fail(`unsupported .gdb_index version ${this.version} (wraith reads 7, 8 and 9)`, 0);
    const cuAt = r.u32();
    const tuAt = r.u32();
    this.addressAt = r.u32();
    this.symtabAt = r.u32();
    const shortcutAt = this.version >= 9 ? r.u32() : undefined;
    this.poolAt = r.u32();
    const areas = [r.pos, cuAt, tuAt, this.addressAt, this.symtabAt, ...(shortcutAt !== undefined ? [shortcutAt] : []), this.poolAt, section.length];
    for (let i = 1; i < areas.length; i++) if (areas[i]! < areas[i - 1]!) r.fail(`header offsets are out of order or outside the section: ${areas.slice(1, -1).map((a) => `0x${a.toString(16)}`).join(", ")}`, 0);
    const shape = (from: number, to: number, size: number, what: string) => {
      if ((to - from) % size !== 0) r.fail(`${what} size 0x${(to - from).toString(16)} is not a multiple of ${size}`, from);
      return (to - from) / size;
    };
    const nCu = shape(cuAt, tuAt, 16, "CU list");
    const nTu = shape(tuAt, this.addressAt, 24, "TU list");
    this.addressEnd = this.symtabAt;
    shape(this.addressAt, this.addressEnd, 20, "address area");
    this.slotCount = shape(this.symtabAt, shortcutAt ?? this.poolAt, 8, "symbol table");
    if (this.slotCount & (this.slotCount - 1)) r.fail(`symbol table has ${this.slotCount} slots, not a power of two`, this.symtabAt);
    if (nCu + nTu > 0xffffff) r.fail(`${nCu + nTu} units do not fit the 24-bit CU index`, cuAt);
    const c = r.at(cuAt);
    for (let i = 0; i < nCu; i++) this.cus.push({ offset: c.u64n(), length: c.u64n() });
    for (let i = 0; i < nTu; i++) this.tus.push({ offset: c.u64n(), typeOffset: c.u64n(), signature: c.u64() });
  }

  get unitCount(): number {
    return this.cus.length + this.tus.length;
  }

  /** The address area: [begin, end) → CU index. */
  addressRanges(): GdbAddressRange[] {
    const r = this.r.at(this.addressAt);
    const out: GdbAddressRange[] = [];
    while (r.pos < this.addressEnd) {
      const at = r.pos;
      const begin = r.u64n();
      const end = r.u64n();
      const cuIndex = r.u32();
      if (cuIndex >= this.cus.length) r.fail(`address range names CU ${cuIndex} of ${this.cus.length}`, at);
      out.push({ begin, end, cuIndex });
    }
    return out;
  }

  /** CU vector entries of the symbol named exactly `name` (empty if absent). */
  lookup(name: string): GdbSymbolRef[] {
    if (this.slotCount === 0) return [];
    const h = gdbIndexHash(name);
    const mask = this.slotCount - 1;
    let slot = h & mask;
    const step = (Math.imul(h, 17) & mask) | 1;
    // A full table has no empty slot to stop at: bound the probe sequence.
    for (let probes = 0; probes < this.slotCount; probes++) {
      const s = this.slot(slot);
      if (s.name === 0 && s.vector === 0) return [];
      if (this.nameAt(s.name) === name) return this.cuVector(s.vector);
      slot = (slot + step) & mask;
    }
    return [];
  }

  /** Every symbol in slot order: for dumps, tests and name walks. */
  *symbols(): IterableIterator<{ slot: number; name: string; refs: GdbSymbolRef[] }> {
    for (let i = 0; i < this.slotCount; i++) {
      const s = this.slot(i);
      if (s.name === 0 && s.vector === 0) continue;
      yield { slot: i, name: this.nameAt(s.name), refs: this.cuVector(s.vector) };
    }
  }

  private slot(i: number): { name: number; vector: number } {
    const r = this.r.at(this.symtabAt + i * 8);
    return { name: r.u32(), vector: r.u32() };
  }

  private nameAt(offset: number): string {
    const r = this.r.at(this.poolAt + offset);
    return r.cstr();
  }

  private cuVector(offset: number): GdbSymbolRef[] {
    const r = this.r.at(this.poolAt + offset);
    const n = r.u32();
    if (n > r.remaining / 4) r.fail(`CU vector of ${n} entries runs past the section`, r.pos - 4);
    const out: GdbSymbolRef[] = [];
    for (let i = 0; i < n; i++) {
      const v = r.u32();
      const cuIndex = v & 0xffffff;
      if (cuIndex >= this.unitCount) r.fail(`CU vector names unit ${cuIndex} of ${this.unitCount}`, r.pos - 4);
      out.push({ cuIndex, kind: (v >>> 28) & 7, isStatic: (v >>> 31) !== 0 });
    }
    return out;
  }

  /** The CU or TU a CU-vector index names. */
  unit(cuIndex: number): GdbIndexCu {
    const u = cuIndex < this.cus.length ? this.cus[cuIndex] : this.tus[cuIndex - this.cus.length];
    if (!u) throw new DwarfError(`.gdb_index: unit index ${cuIndex} of ${this.unitCount}`);
    return u;
  }
}

/** gdb's symbol hash for index versions ≥ 5: r = r·67 + tolower(c) − 113 over the name's bytes. */
export function gdbIndexHash(name: string): number {
  const bytes = encoder.encode(name);
  let h = 0;
  for (const b of bytes) {
    const c = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
    h = (Math.imul(h, 67) + c - 113) >>> 0;
  }
  return h;
}

const encoder = new TextEncoder();
