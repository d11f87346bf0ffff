// A bounds-checked cursor over one DWARF section's bytes. Every DWARF reader
// in this folder (units, line programs, CFI, expressions, location lists)
// reads through it, so malformed input always surfaces as a DwarfError that
// names the section and offset, never as a RangeError or a wrong value.

export class DwarfError extends Error {
  override name = "DwarfError";
}

/** 32-bit or 64-bit DWARF: the size of section offsets in this unit/entry. */
export type OffsetSize = 4 | 8;

export class Reader {
  private readonly view: DataView;
  /** Current position, relative to the start of `bytes`. */
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    /** Section name, for error messages. */
    readonly section: string,
    start = 0,
    /** Added to positions in error messages (the section offset of bytes[0]). */
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.byteLength;
  }

  fail(message: string, at = this.pos): never {
    throw new DwarfError(`corrupt ${this.section} at 0x${(this.base + at).toString(16)}: ${message}`);
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.bytes.byteLength) this.fail(`needs ${n} bytes but only ${Math.max(0, this.bytes.byteLength - at)} remain`);
    this.pos = at + n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  i8(): number {
    return this.view.getInt8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  i16(): number {
    return this.view.getInt16(this.need(2), true);
  }
  u24(): number {
    const at = this.need(3);
    return this.view.getUint16(at, true) | (this.view.getUint8(at + 2) << 16);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.need(8), true);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.need(8), true);
  }

  /** A u64 that must fit a JS number exactly (offsets, sizes, user-space addresses). */
  u64n(): number {
    const at = this.pos;
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`value 0x${v.toString(16)} is too large`, at);
    return Number(v);
  }

  /** Unsigned LEB128 as bigint (any length up to 10 bytes of payload bits). */
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    const start = this.pos;
    for (;;) {
      const b = this.u8();
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      else if ((b & 0x7f) !== 0) this.fail("ULEB128 value wider than 64 bits", start);
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
      if (shift > 630n) this.fail("unterminated ULEB128", start);
    }
  }

  /** Unsigned LEB128 that must fit a JS number exactly (counts, codes, offsets). */
  uleb(): number {
    const start = this.pos;
    // Fast path: values below 2^28 in at most four bytes.
    let result = 0;
    for (let i = 0, shift = 0; i < 4; i++, shift += 7) {
      const b = this.u8();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    this.pos = start;
    const v = this.ulebBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`ULEB128 value 0x${v.toString(16)} is too large`, start);
    return Number(v);
  }

  /** Signed LEB128 as bigint. */
  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    const start = this.pos;
    let b: number;
    do {
      b = this.u8();
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (shift > 630n) this.fail("unterminated SLEB128", start);
    } while (b & 0x80);
    if (shift < 64n && b & 0x40) result -= 1n << shift;
    return BigInt.asIntN(64, result);
  }

  /** Signed LEB128 that must fit a JS number exactly. */
  sleb(): number {
    const start = this.pos;
    const v = this.slebBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) this.fail(`SLEB128 value ${v} is too large`, start);
    return Number(v);
  }

  /** A section offset of the given size (DWARF32: 4, DWARF64: 8). */
  offset(size: OffsetSize): number {
    return size === 4 ? this.u32() : this.u64n();
  }

  /** An address of `size` bytes (1, 2, 4 or 8). */
  address(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64n();
      default: return this.fail(`unsupported address size ${size}`);
    }
  }

  /** An unsigned value of 1, 2, 3, 4 or 8 bytes. */
  uN(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 3: return this.u24();
      case 4: return this.u32();
      case 8: return this.u64n();
      default: return this.fail(`unsupported value size ${size}`);
    }
  }

  /**
   * The initial length field of a unit or entry: returns the length and the
   * offset size it implies (0xffffffff introduces 64-bit DWARF).
   */
  initialLength(): { length: number; offsetSize: OffsetSize } {
    const at = this.pos;
    const l = this.u32();
    if (l < 0xfffffff0) return { length: l, offsetSize: 4 };
    if (l === 0xffffffff) return { length: this.u64n(), offsetSize: 8 };
    return this.fail(`reserved initial length 0x${l.toString(16)}`, at);
  }

  /** A NUL-terminated UTF-8 string. */
  cstr(): string {
    const start = this.pos;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) this.fail("unterminated string");
    this.pos = end + 1;
    return decoder.decode(this.bytes.subarray(start, end));
  }

  /** `n` bytes, zero-copy. */
  bytesN(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  skip(n: number): void {
    this.need(n);
  }

  /** A reader over [pos, pos+n), advancing this one past it. */
  sub(n: number, section = this.section): Reader {
    const at = this.need(n);
    return new Reader(this.bytes.subarray(at, at + n), section, 0, this.base + at);
  }

  /** A new reader over the same bytes at `pos` (checked). */
  at(pos: number): Reader {
    if (pos < 0 || pos > this.bytes.byteLength) this.fail(`offset 0x${(this.base + pos).toString(16)} is outside the section (size 0x${this.bytes.byteLength.toString(16)})`, pos);
    return new Reader(this.bytes, this.section, pos, this.base);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: false });

/** A NUL-terminated string at `offset` in a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Uint8Array, name: string, offset: number): string {
  if (offset < 0 || offset >= section.byteLength) throw new DwarfError(`corrupt string offset 0x${offset.toString(16)} into ${name} (size 0x${section.byteLength.toString(16)})`);
  const end = section.indexOf(0, offset);
  if (end < 0) throw new DwarfError(`corrupt ${name}: unterminated string at 0x${offset.toString(16)}`);
  return decoder.decode(section.subarray(offset, end));
}
