// .eh_frame_hdr (LSB 5.0): a pointer to .eh_frame plus, usually, a table of
// (initial location, FDE address) pairs sorted by location, so the FDE for a
// PC is found by binary search without reading .eh_frame at all. Entries are
// read straight from the section bytes on each probe of the search.

import { Reader } from "../reader.ts";
import { DW_EH_PE_omit } from "./constants.ts";
import { type PointerBases, encodedSize, readEncodedPointer } from "./pointer.ts";

export class EhFrameHdr {
  /** Address of .eh_frame, as the header states it. */
  readonly ehFramePointer: number;
  /** Entries in the search table (0 when there is no usable table). */
  readonly fdeCount: number;
  readonly tableEncoding: number;
  private readonly tableOffset: number;
  private readonly entrySize: number;
  private readonly bases: PointerBases;

  /**
   * @param address virtual address of the section: the base of pcrel
   *   pointers and of the table's datarel entries.
   */
  constructor(readonly bytes: Uint8Array, readonly address: number, readonly addressSize = 8) {
    const r = new Reader(bytes, ".eh_frame_hdr");
    const version = r.u8();
    if (version !== 1) r.fail(`unsupported version ${version}`, 0);
    const ehFramePtrEnc = r.u8();
    const fdeCountEnc = r.u8();
    this.tableEncoding = r.u8();
    this.bases = { section: address, data: address };
    if (ehFramePtrEnc === DW_EH_PE_omit) r.fail("no .eh_frame pointer");
    this.ehFramePointer = this.pointer(r, ehFramePtrEnc);
    let count = 0;
    if (fdeCountEnc !== DW_EH_PE_omit) count = this.pointer(r, fdeCountEnc);
    this.tableOffset = r.pos;
    const size = this.tableEncoding === DW_EH_PE_omit ? undefined : encodedSize(this.tableEncoding, addressSize);
    // Binary search needs fixed-size entries; without them the caller scans .eh_frame.
    if (size === undefined || fdeCountEnc === DW_EH_PE_omit) {
      this.entrySize = 0;
      this.fdeCount = 0;
      return;
    }
    this.entrySize = 2 * size;
    if (count * this.entrySize > r.remaining) r.fail(`table of ${count} entries needs ${count * this.entrySize} bytes but only ${r.remaining} remain`);
    this.fdeCount = count;
  }

  private pointer(r: Reader, encoding: number): number {
    const at = r.pos;
    const p = readEncodedPointer(r, encoding, this.addressSize, this.bases);
    if (p.indirect) r.fail("indirect pointers are not supported in .eh_frame_hdr", at);
    return p.address;
  }

  /** The table entry `i`: an FDE's initial location and the FDE's address. */
  entry(i: number): { location: number; fde: number } {
    const r = new Reader(this.bytes, ".eh_frame_hdr", this.tableOffset + i * this.entrySize);
    const location = this.pointer(r, this.tableEncoding);
    const fde = this.pointer(r, this.tableEncoding);
    return { location, fde };
  }

  /**
   * Address of the FDE whose initial location is the greatest one ≤ pc (the
   * only one that can cover pc; the caller checks its range), or undefined.
   */
  lookup(pc: number): number | undefined {
    let lo = 0;
    let hi = this.fdeCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entry(mid).location <= pc) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : this.entry(lo - 1).fde;
  }
}
