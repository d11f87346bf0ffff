// Location lists and range lists, for callers who know the unit.
//
//   DWARF 2–4: .debug_loc    (start/end pairs, base address selection, 2-byte expression lengths)
//              .debug_ranges (start/end pairs, base address selection)
//   DWARF 5:   .debug_loclists (DW_LLE_* entries; DW_FORM_loclistx indexes via DW_AT_loclists_base)
//              .debug_rnglists (DW_RLE_* entries; DW_FORM_rnglistx indexes via DW_AT_rnglists_base)
//
// Usage, from a unit's DIE attributes:
//
//   const ctx: ListContext = {
//     version, addressSize, offsetSize,
//     baseAddress: cuLowPc ?? 0,                     // the unit's DW_AT_low_pc
//     addrAt: (i) => debugAddr(addrBase + i * addressSize),  // needed by *x entries
//     sections: { loc, loclists, ranges, rnglists }, // from ElfFile.debugSectionData
//     loclistsBase, rnglistsBase,                    // DW_AT_loclists_base / DW_AT_rnglists_base
//   };
//   // DW_FORM_sec_offset (any version) → { offset }; DW_FORM_loclistx/rnglistx → { index }
//   const list = readLocationList(ctx, { offset: attr.value });
//   const expr = locationAt(list, pc);               // expression bytes, or undefined: optimized out
//   const ranges = readRangeList(ctx, { index: attr.value });
//
// Addresses are module-relative numbers, as in the ELF file. Entries whose
// addresses do not fit a JS number are linker tombstones for discarded code
// (-1/-2 from lld, and such) and are dropped from resolved lists. Expressions
// are zero-copy views into the section. Malformed input (truncated entries,
// unknown entry kinds, offsets or indexes out of range) throws DwarfError.
// Split-DWARF (.dwo) list forms are not supported.

import { DwarfError, type OffsetSize, Reader } from "./reader.ts";

export interface ListContext {
  /** Version of the unit that refers to the list: 2–4 read .debug_loc/.debug_ranges, 5 the *lists sections. */
  version: number;
  addressSize: number;
  /** The unit's offset size; also the width of the *lists offset arrays. */
  offsetSize: OffsetSize;
  /** The unit's base address (the compile unit's DW_AT_low_pc; 0 if absent). */
  baseAddress: number;
  /** Entry `index` of the unit's .debug_addr table (DW_AT_addr_base applied). Needed for *x entries. */
  addrAt?: (index: number) => bigint | number;
  sections: { loc?: Uint8Array; loclists?: Uint8Array; ranges?: Uint8Array; rnglists?: Uint8Array };
  /** DW_AT_loclists_base: section offset just past the .debug_loclists header (its offset array). */
  loclistsBase?: number;
  /** DW_AT_rnglists_base: section offset just past the .debug_rnglists header. */
  rnglistsBase?: number;
}

/** How an attribute names a list: a section offset (DW_FORM_sec_offset) or an index (DW_FORM_loclistx/rnglistx). */
export type ListRef = { offset: number } | { index: number };

export interface LocationListEntry {
  /** First address covered. */
  start: number;
  /** First address past the range. */
  end: number;
  /** The location expression's bytes. */
  expr: Uint8Array;
}

export interface LocationList {
  /** Section offset of the list's first entry. */
  offset: number;
  entries: LocationListEntry[];
  /** DW_LLE_default_location: the location wherever no entry applies. */
  default?: Uint8Array;
}

export interface Range {
  start: number;
  end: number;
}

/** An entry as stored, before base addresses and .debug_addr are applied (for dumps and tests). */
export interface RawListEntry {
  /** Section offset of the entry. */
  offset: number;
  /** DW_LLE_* / DW_RLE_* name, or for DWARF 2–4: "pair", "base_address", "end_of_list". */
  kind: string;
  /** Operands in encoding order (addresses, indexes, lengths, offsets). */
  operands: bigint[];
  /** Location lists only: the expression. */
  expr?: Uint8Array;
}

const LLE_NAMES = ["DW_LLE_end_of_list", "DW_LLE_base_addressx", "DW_LLE_startx_endx", "DW_LLE_startx_length", "DW_LLE_offset_pair", "DW_LLE_default_location", "DW_LLE_base_address", "DW_LLE_start_end", "DW_LLE_start_length", "DW_LLE_GNU_view_pair"];
const RLE_NAMES = ["DW_RLE_end_of_list", "DW_RLE_base_addressx", "DW_RLE_startx_endx", "DW_RLE_startx_length", "DW_RLE_offset_pair", "DW_RLE_base_address", "DW_RLE_start_end", "DW_RLE_start_length"];

// ---------------------------------------------------------------------------
// Resolved lists.

/** The location list `ref` of a unit, with every entry resolved to absolute [start, end). */
export function readLocationList(ctx: ListContext, ref: ListRef): LocationList {
  const offset = listOffset(ctx, "loclists", ref);
  const list: LocationList = { offset, entries: [] };
  const resolver = new AddressResolver(ctx);
  for (const e of rawLocationList(ctx, { offset })) {
    const range = resolver.apply(e);
    if (e.kind === "DW_LLE_default_location") list.default = e.expr;
    else if (range && e.expr) list.entries.push({ ...range, expr: e.expr });
  }
  return list;
}

/** The expression that applies at `pc`, or undefined if none does (the object is optimized out there). */
export function locationAt(list: LocationList, pc: number): Uint8Array | undefined {
  for (const e of list.entries) if (pc >= e.start && pc < e.end) return e.expr;
  return list.default;
}

/** The range list `ref` of a unit, resolved to absolute [start, end) ranges in list order. */
export function readRangeList(ctx: ListContext, ref: ListRef): Range[] {
  const offset = listOffset(ctx, "rnglists", ref);
  const ranges: Range[] = [];
  const resolver = new AddressResolver(ctx);
  for (const e of rawRangeList(ctx, { offset })) {
    const range = resolver.apply(e);
    if (range) ranges.push(range);
  }
  return ranges;
}

/** Whether `pc` lies in one of the ranges. */
export function rangesContain(ranges: readonly Range[], pc: number): boolean {
  return ranges.some((r) => pc >= r.start && pc < r.end);
}

/** Applies base-address entries and .debug_addr lookups as a list is walked. */
class AddressResolver {
  private base: bigint;
  private readonly mask: bigint;

  constructor(private readonly ctx: ListContext) {
    this.base = BigInt(ctx.baseAddress);
    this.mask = (1n << BigInt(ctx.addressSize * 8)) - 1n;
  }

  private addr(index: bigint, at: number): bigint {
    if (!this.ctx.addrAt) throw new DwarfError(`list entry at 0x${at.toString(16)} needs .debug_addr, which the unit does not provide`);
    if (index > BigInt(Number.MAX_SAFE_INTEGER)) throw new DwarfError(`list entry at 0x${at.toString(16)}: .debug_addr index ${index} is too large`);
    return BigInt(this.ctx.addrAt(Number(index)));
  }

  /** The absolute range an entry covers, or undefined for entries that cover none (or a tombstone). */
  apply(e: RawListEntry): Range | undefined {
    const [a = 0n, b = 0n] = e.operands;
    let start: bigint, end: bigint;
    switch (e.kind) {
      case "base_address":
      case "DW_LLE_base_address":
      case "DW_RLE_base_address":
        this.base = a;
        return undefined;
      case "DW_LLE_base_addressx":
      case "DW_RLE_base_addressx":
        this.base = this.addr(a, e.offset);
        return undefined;
      case "pair":
      case "DW_LLE_offset_pair":
      case "DW_RLE_offset_pair":
        start = this.base + a;
        end = this.base + b;
        break;
      case "DW_LLE_startx_endx":
      case "DW_RLE_startx_endx":
        start = this.addr(a, e.offset);
        end = this.addr(b, e.offset);
        break;
      case "DW_LLE_startx_length":
      case "DW_RLE_startx_length":
        start = this.addr(a, e.offset);
        end = start + b;
        break;
      case "DW_LLE_start_end":
      case "DW_RLE_start_end":
        start = a;
        end = b;
        break;
      case "DW_LLE_start_length":
      case "DW_RLE_start_length":
        start = a;
        end = a + b;
        break;
      default:
        return undefined; // end of list, default location, view pairs
    }
    if (this.base === this.mask) return undefined; // base is a tombstone: the code was discarded
    start &= this.mask;
    end &= this.mask;
    const limit = BigInt(Number.MAX_SAFE_INTEGER);
    if (start > limit || end > limit) return undefined;
    return { start: Number(start), end: Number(end) };
  }
}

// ---------------------------------------------------------------------------
// Raw entries.

/** The stored entries of a location list, up to and including its end-of-list entry. */
export function* rawLocationList(ctx: ListContext, ref: ListRef): Generator<RawListEntry> {
  const offset = listOffset(ctx, "loclists", ref);
  if (ctx.version >= 5) yield* rawV5(reader(ctx, "loclists", offset), ctx, true);
  else yield* rawV4(reader(ctx, "loc", offset), ctx, true);
}

/** The stored entries of a range list, up to and including its end-of-list entry. */
export function* rawRangeList(ctx: ListContext, ref: ListRef): Generator<RawListEntry> {
  const offset = listOffset(ctx, "rnglists", ref);
  if (ctx.version >= 5) yield* rawV5(reader(ctx, "rnglists", offset), ctx, false);
  else yield* rawV4(reader(ctx, "ranges", offset), ctx, false);
}

function reader(ctx: ListContext, which: "loc" | "loclists" | "ranges" | "rnglists", offset: number): Reader {
  const bytes = ctx.sections[which];
  if (!bytes) throw new DwarfError(`a DWARF ${ctx.version} unit refers to a list but there is no .debug_${which} section`);
  return new Reader(bytes, `.debug_${which}`).at(offset);
}

function address(r: Reader, size: number): bigint {
  switch (size) {
    case 4: return BigInt(r.u32());
    case 8: return r.u64();
    case 2: return BigInt(r.u16());
    case 1: return BigInt(r.u8());
    default: return r.fail(`unsupported address size ${size}`);
  }
}

/** DWARF 2–4 pairs: (0, 0) ends the list; (max, base) selects a new base. */
function* rawV4(r: Reader, ctx: ListContext, withExpr: boolean): Generator<RawListEntry> {
  const max = (1n << BigInt(ctx.addressSize * 8)) - 1n;
  for (;;) {
    const offset = r.base + r.pos;
    const start = address(r, ctx.addressSize);
    const end = address(r, ctx.addressSize);
    if (start === 0n && end === 0n) {
      yield { offset, kind: "end_of_list", operands: [] };
      return;
    }
    if (start === max) {
      yield { offset, kind: "base_address", operands: [end] };
      continue;
    }
    yield withExpr ? { offset, kind: "pair", operands: [start, end], expr: r.bytesN(r.u16()) } : { offset, kind: "pair", operands: [start, end] };
  }
}

/** DWARF 5 DW_LLE_* / DW_RLE_* entries up to the end-of-list entry. */
function* rawV5(r: Reader, ctx: ListContext, isLoc: boolean): Generator<RawListEntry> {
  const names = isLoc ? LLE_NAMES : RLE_NAMES;
  for (;;) {
    const offset = r.base + r.pos;
    const code = r.u8();
    const kind = names[code];
    if (kind === undefined) r.fail(`unknown ${isLoc ? "DW_LLE" : "DW_RLE"} entry kind 0x${code.toString(16)}`, offset - r.base);
    let operands: bigint[];
    let hasExpr = isLoc;
    switch (kind.slice(7)) {
      case "end_of_list":
        yield { offset, kind, operands: [] };
        return;
      case "base_addressx":
        operands = [r.ulebBig()];
        hasExpr = false;
        break;
      case "startx_endx":
      case "startx_length":
      case "offset_pair":
        operands = [r.ulebBig(), r.ulebBig()];
        break;
      case "GNU_view_pair":
        operands = [r.ulebBig(), r.ulebBig()];
        hasExpr = false;
        break;
      case "default_location":
        operands = [];
        break;
      case "base_address":
        operands = [address(r, ctx.addressSize)];
        hasExpr = false;
        break;
      case "start_end":
        operands = [address(r, ctx.addressSize), address(r, ctx.addressSize)];
        break;
      case "start_length":
        operands = [address(r, ctx.addressSize), r.ulebBig()];
        break;
      default:
        return r.fail(`unhandled entry ${kind}`);
    }
    yield hasExpr ? { offset, kind, operands, expr: r.bytesN(r.uleb()) } : { offset, kind, operands };
  }
}

// ---------------------------------------------------------------------------
// Offsets and indexes.

/**
 * The section offset of list `ref`. Offsets are used as given. An index
 * (DWARF 5 only) selects an entry of the offset array at the unit's
 * DW_AT_loclists_base / DW_AT_rnglists_base, checked against the header's
 * offset_entry_count; the array holds offsets relative to that base.
 */
export function listOffset(ctx: ListContext, which: "loclists" | "rnglists", ref: ListRef): number {
  if ("offset" in ref) {
    if (!Number.isSafeInteger(ref.offset) || ref.offset < 0) throw new DwarfError(`list offset ${ref.offset} is invalid`);
    return ref.offset;
  }
  const { index } = ref;
  if (ctx.version < 5) throw new DwarfError(`a DWARF ${ctx.version} unit cannot refer to a list by index`);
  const section = ctx.sections[which];
  if (!section) throw new DwarfError(`list index ${index} but there is no .debug_${which} section`);
  // Without a base attribute, the first header's array is meant (split units do this).
  const headerSize = ctx.offsetSize === 8 ? 20 : 12;
  const base = (which === "loclists" ? ctx.loclistsBase : ctx.rnglistsBase) ?? headerSize;
  const r = new Reader(section, `.debug_${which}`);
  if (base < headerSize || base > section.byteLength) r.fail(`DW_AT_${which}_base 0x${base.toString(16)} does not follow a header`, Math.min(Math.max(base, 0), section.byteLength));
  const count = r.at(base - 4).u32(); // offset_entry_count ends every header
  if (!Number.isSafeInteger(index) || index < 0 || index >= count) r.fail(`list index ${index} is out of range (offset_entry_count ${count})`, base - 4);
  const entry = r.at(base);
  entry.skip(index * ctx.offsetSize);
  return base + entry.offset(ctx.offsetSize);
}
