// Bounds-checked little-endian reads over the whole file's bytes.
//
// Every structure the reader decodes goes through FileBytes, so a corrupt
// offset or size becomes an ElfError naming the structure instead of a
// RangeError, an out-of-bounds `undefined`, or a giant allocation.
//
// 64-bit fields are returned as JS numbers. Offsets and sizes are checked
// against the file length (so they are small); addresses of user-space code on
// the 64-bit targets we support stay below 2^48, far inside 2^53. Values above
// 2^53 (only seen in odd absolute symbols) lose their low bits.

import { ElfError, hex } from "./errors.ts";

export class FileBytes {
  readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    /** The path or label used in error messages. */
    readonly name: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** An ElfError saying the file is corrupt, in our usual phrasing. */
  corrupt(what: string): ElfError {
    return new ElfError(`corrupt ELF ${this.name}: ${what}`);
  }

  /**
   * Check that [offset, offset+size) lies inside the file; `what` names the
   * structure for the error message (e.g. "section header table").
   */
  checkRange(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0) {
      throw this.corrupt(`${what} has an impossible offset ${hex(offset)} or size ${hex(size)}`);
    }
    if (offset + size > this.bytes.length) {
      throw this.corrupt(
        `${what} at ${hex(offset)} (size ${hex(size)}) runs past end of file (size ${hex(this.bytes.length)})`,
      );
    }
  }

  /** Zero-copy view of [offset, offset+size), bounds-checked. */
  slice(offset: number, size: number, what: string): Uint8Array {
    this.checkRange(offset, size, what);
    return this.bytes.subarray(offset, offset + size);
  }

  // The fixed-width readers below assume the caller already checked the
  // enclosing structure with checkRange; DataView still throws RangeError on a
  // bug, which tests would catch.
  u8(offset: number): number {
    return this.view.getUint8(offset);
  }
  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }
  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }
  u64(offset: number): number {
    return readU64(this.view, offset);
  }
}

/** Read a little-endian u64 as a number (exact below 2^53). */
export function readU64(view: DataView, offset: number): number {
  const lo = view.getUint32(offset, true);
  const hi = view.getUint32(offset + 4, true);
  return hi * 0x1_0000_0000 + lo;
}

const utf8 = new TextDecoder("utf-8");

/**
 * Read a NUL-terminated string starting at `offset` inside `table` (a string
 * table's bytes). A string running off the table's end is cut at the end,
 * which is what binutils does too; an offset outside the table returns
 * undefined so callers can say which name was bad.
 */
export function readCString(table: Uint8Array, offset: number): string | undefined {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= table.length) {
    return offset === 0 && table.length === 0 ? "" : undefined;
  }
  let end = table.indexOf(0, offset);
  if (end < 0) end = table.length;
  return utf8.decode(table.subarray(offset, end));
}
