// DW_EH_PE_* encoded pointers, as found in .eh_frame (FDE addresses,
// personality routines, LSDAs, DW_CFA_set_loc) and .eh_frame_hdr.
//
// A pointer's low nibble says how it is stored, the next three bits what it
// is relative to, and bit 7 that the result is the address of the real
// pointer rather than the pointer itself.

import { type Reader } from "../reader.ts";
import {
  DW_EH_PE_absptr, DW_EH_PE_aligned, DW_EH_PE_datarel, DW_EH_PE_funcrel, DW_EH_PE_indirect, DW_EH_PE_omit,
  DW_EH_PE_pcrel, DW_EH_PE_sdata2, DW_EH_PE_sdata4, DW_EH_PE_sdata8, DW_EH_PE_signed, DW_EH_PE_sleb128,
  DW_EH_PE_textrel, DW_EH_PE_udata2, DW_EH_PE_udata4, DW_EH_PE_udata8, DW_EH_PE_uleb128,
} from "./constants.ts";

/** The addresses that relative encodings are measured from. */
export interface PointerBases {
  /** Virtual address of the section's first byte (pcrel adds the field's offset to it). */
  section: number;
  /** Start of .text (textrel). */
  text?: number;
  /** datarel base: .eh_frame_hdr's own address there, .got in .eh_frame. */
  data?: number;
  /** Start of the function the FDE describes (funcrel, only for LSDA pointers). */
  func?: number;
}

export interface EncodedPointer {
  /** The decoded address (or, for indirect pointers, where the real pointer is stored). */
  address: number;
  /** DW_EH_PE_indirect: `address` holds a pointer to the value rather than the value. */
  indirect: boolean;
}

/** Size in bytes of a fixed-size format, or undefined for LEB128 and unknown formats. */
export function encodedSize(encoding: number, addressSize: number): number | undefined {
  switch (encoding & 0x0f) {
    case DW_EH_PE_absptr: case DW_EH_PE_signed: return addressSize;
    case DW_EH_PE_udata2: case DW_EH_PE_sdata2: return 2;
    case DW_EH_PE_udata4: case DW_EH_PE_sdata4: return 4;
    case DW_EH_PE_udata8: case DW_EH_PE_sdata8: return 8;
    default: return undefined;
  }
}

export function isValidEncoding(encoding: number): boolean {
  if (encoding === DW_EH_PE_omit) return true;
  const format = encoding & 0x0f;
  const application = encoding & 0x70;
  const formatOk = format <= 0x04 || (format >= 0x08 && format <= 0x0c);
  return formatOk && application <= DW_EH_PE_aligned;
}

/**
 * The stored value alone, without applying the relative part: what
 * pc_range in an FDE is (a length, never an address).
 */
export function readEncodedValue(r: Reader, encoding: number, addressSize: number): number {
  const at = r.pos;
  switch (encoding & 0x0f) {
    case DW_EH_PE_absptr: return r.address(addressSize);
    case DW_EH_PE_uleb128: return r.uleb();
    case DW_EH_PE_udata2: return r.u16();
    case DW_EH_PE_udata4: return r.u32();
    case DW_EH_PE_udata8: return r.u64n();
    case DW_EH_PE_sleb128: return r.sleb();
    case DW_EH_PE_sdata2: return r.i16();
    case DW_EH_PE_sdata4: return r.i32();
    case DW_EH_PE_signed:
    case DW_EH_PE_sdata8: {
      if ((encoding & 0x0f) === DW_EH_PE_signed && addressSize !== 8) {
        if (addressSize === 4) return r.i32();
        if (addressSize === 2) return r.i16();
        return r.fail(`unsupported address size ${addressSize}`, at);
      }
      const v = r.i64();
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) r.fail(`pointer value ${v} is too large`, at);
      return Number(v);
    }
    default: return r.fail(`unknown pointer encoding 0x${encoding.toString(16)}`, at);
  }
}

/**
 * Read a pointer with encoding `encoding` (not DW_EH_PE_omit: callers check
 * that, since omit means "no field here at all").
 */
export function readEncodedPointer(r: Reader, encoding: number, addressSize: number, bases: PointerBases): EncodedPointer {
  const at = r.pos;
  if (encoding === DW_EH_PE_omit) r.fail("an omitted pointer cannot be read", at);
  if (!isValidEncoding(encoding)) r.fail(`unknown pointer encoding 0x${encoding.toString(16)}`, at);
  const fieldAddress = bases.section + r.base + r.pos;
  let base = 0;
  switch (encoding & 0x70) {
    case DW_EH_PE_absptr: break;
    case DW_EH_PE_pcrel: base = fieldAddress; break;
    case DW_EH_PE_textrel: base = need(r, bases.text, "textrel", at); break;
    case DW_EH_PE_datarel: base = need(r, bases.data, "datarel", at); break;
    case DW_EH_PE_funcrel: base = need(r, bases.func, "funcrel", at); break;
    case DW_EH_PE_aligned: {
      // The value sits at the next address-size boundary, stored absolutely.
      const misalign = fieldAddress % addressSize;
      if (misalign !== 0) r.skip(addressSize - misalign);
      break;
    }
  }
  const value = readEncodedValue(r, encoding, addressSize);
  return { address: wrapAddress(r, base + value, addressSize, at), indirect: (encoding & DW_EH_PE_indirect) !== 0 };
}

function need(r: Reader, base: number | undefined, what: string, at: number): number {
  if (base === undefined) r.fail(`${what} pointer but no ${what} base address is known`, at);
  return base;
}

/** Addresses wrap at the target's width; beyond 2^53 a JS number cannot hold them exactly. */
function wrapAddress(r: Reader, v: number, addressSize: number, at: number): number {
  if (addressSize < 8) {
    const m = 2 ** (addressSize * 8);
    return ((v % m) + m) % m;
  }
  if (v < 0 || v > Number.MAX_SAFE_INTEGER) r.fail(`pointer 0x${v.toString(16)} is outside the representable address range`, at);
  return v;
}
