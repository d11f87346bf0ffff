// .debug_aranges: address ranges → the compile unit that covers them. gcc
// emits it by default; clang does not (then units' own ranges are used, see
// DwarfFile.unitForAddress). Parsed whole on first use into one sorted array.

import { Reader } from "./reader.ts";

export interface AddressRange {
  /** First address covered. */
  begin: number;
  /** One past the last address covered. */
  end: number;
  /** Section offset of the unit's header in .debug_info. */
  unitOffset: number;
}

export function parseAranges(bytes: Uint8Array): AddressRange[] {
  const r = new Reader(bytes, ".debug_aranges");
  const out: AddressRange[] = [];
  while (r.remaining > 0) {
    const setStart = r.pos;
    const { length, offsetSize } = r.initialLength();
    if (length > r.remaining) r.fail(`set length 0x${length.toString(16)} runs past the end of the section`, setStart);
    const set = r.sub(length);
    const version = set.u16();
    if (version !== 2 && version !== 3) set.fail(`unsupported .debug_aranges version ${version}`, set.pos - 2);
    const unitOffset = set.offset(offsetSize);
    const addressSize = set.u8();
    const segmentSize = set.u8();
    if (addressSize !== 4 && addressSize !== 8) set.fail(`unsupported address size ${addressSize}`);
    // Tuples start at a multiple of their own size, counted from the set's start.
    const tuple = 2 * addressSize + segmentSize;
    const misalign = ((offsetSize === 8 ? 12 : 4) + set.pos) % tuple;
    if (misalign) set.skip(Math.min(tuple - misalign, set.remaining));
    while (set.remaining >= tuple) {
      if (segmentSize) set.skip(segmentSize);
      const begin = readAddr(set, addressSize);
      const size = readAddr(set, addressSize);
      if (begin === 0 && size === 0 && segmentSize === 0) break;
      if (size > 0) out.push({ begin, end: begin + size, unitOffset });
    }
  }
  out.sort((a, b) => a.begin - b.begin || a.end - b.end);
  return out;
}

function readAddr(r: Reader, size: number): number {
  if (size === 8) {
    const lo = r.u32();
    return r.u32() * 0x1_0000_0000 + lo;
  }
  return r.u32();
}

/** The range containing `address` in a list sorted by begin (ranges may overlap; the latest-starting one wins). */
export function findRange<T extends { begin: number; end: number }>(sorted: readonly T[], address: number): T | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.begin <= address) lo = mid + 1;
    else hi = mid;
  }
  // Walk back a little over overlapping entries (nested or duplicate ranges).
  for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) if (address < sorted[i]!.end) return sorted[i];
  return undefined;
}
