// Attribute values: decoding one value of a given DW_FORM into a typed value,
// and skipping one without decoding it (the fast path of lazy DIE scans).
//
// A value says what it *is* (an address, an index into .debug_addr, a
// constant of known or unknown signedness, a reference, …), not just a
// number; resolving indexes and offsets against other sections is the
// unit's job (see unit.ts), because only the unit knows its bases.

import { DW_FORM, formName } from "./constants.ts";
import { DwarfError, type OffsetSize, Reader } from "./reader.ts";

/** What decoding a form needs to know about the unit (or line header) it sits in. */
export interface FormContext {
  /** DWARF version of the unit (2–5). */
  version: number;
  /** Size of a target address in bytes. */
  addressSize: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  offsetSize: OffsetSize;
  /**
   * Section offset of the unit header, added to unit-relative references
   * (ref1/2/4/8/udata) to make them section-global. 0 where no references
   * can occur (line program headers).
   */
  unitOffset: number;
}

/**
 * A constant. `value` is exact whenever it fits a JS number (|v| < 2^53);
 * otherwise `big` holds the exact bits and `value` is only approximate.
 * data1/2/4/8 carry no signedness: the consumer (say, an enumerator of a
 * signed enum) decides, with asSigned().
 */
export interface ConstantValue {
  kind: "constant";
  form: number;
  signedness: "signed" | "unsigned" | "unknown";
  /** Byte width for dataN forms (sign extension needs it); 0 for LEB128 and implicit_const. */
  size: number;
  value: number;
  big?: bigint;
}

export type AttrValue =
  /** A target address. Values above 2^53 (lld's 0xffff… tombstones for discarded code) are approximate; see isTombstoneAddress. */
  | { kind: "address"; form: number; value: number }
  /** Index into .debug_addr, relative to the unit's DW_AT_addr_base (addrx*, GNU_addr_index). */
  | { kind: "addrx"; form: number; index: number }
  | ConstantValue
  | { kind: "data16"; form: number; bytes: Uint8Array }
  /** Uninterpreted bytes (block1/2/4/block). `offset` is the section offset of bytes[0]. */
  | { kind: "block"; form: number; bytes: Uint8Array; offset: number }
  /** A DWARF expression (DW_FORM_exprloc). `offset` is the section offset of bytes[0]. */
  | { kind: "exprloc"; form: number; bytes: Uint8Array; offset: number }
  | { kind: "flag"; form: number; value: boolean }
  /** A DIE in the same section as the referring unit, as a section offset (already made global). */
  | { kind: "ref"; form: number; offset: number }
  /** A DIE anywhere in .debug_info, as a section offset. */
  | { kind: "refAddr"; form: number; offset: number }
  /** A type unit's signature (DW_FORM_ref_sig8). */
  | { kind: "refSig8"; form: number; signature: bigint }
  /** A DIE in the supplementary (dwz / DWARF 5 sup) file: ref_sup4/8, GNU_ref_alt. */
  | { kind: "refSup"; form: number; offset: number }
  /** An inline string (DW_FORM_string). */
  | { kind: "string"; form: number; value: string }
  /** Offset into .debug_str. */
  | { kind: "strp"; form: number; offset: number }
  /** Offset into .debug_line_str. */
  | { kind: "lineStrp"; form: number; offset: number }
  /** Offset into the supplementary file's string section: strp_sup, GNU_strp_alt. */
  | { kind: "strpSup"; form: number; offset: number }
  /** Index into .debug_str_offsets, relative to DW_AT_str_offsets_base (strx*, GNU_str_index). */
  | { kind: "strx"; form: number; index: number }
  /** An offset into another section; which one depends on the attribute (stmt_list → .debug_line, ranges → .debug_rnglists, …). */
  | { kind: "secOffset"; form: number; offset: number }
  /** Index into the unit's .debug_loclists offset table. */
  | { kind: "loclistx"; form: number; index: number }
  /** Index into the unit's .debug_rnglists offset table. */
  | { kind: "rnglistx"; form: number; index: number };

export type AttrKind = AttrValue["kind"];

/**
 * True for the addresses lld writes for discarded code (0xffffffffffffffff, or
 * …fffe in range and location lists). ld.bfd writes 0 instead, which only the
 * caller can tell from a real address 0.
 */
export function isTombstoneAddress(a: number, addressSize = 8): boolean {
  return addressSize === 8 ? a >= 0xffff_ffff_ffff_f000 : a >= 0xffff_fffe;
}

/** A constant's exact value as a signed bigint (dataN sign-extended from its width). */
export function asSigned(c: ConstantValue): bigint {
  const raw = c.big ?? BigInt(c.value);
  if (c.signedness === "signed") return raw;
  if (c.size > 0) return BigInt.asIntN(c.size * 8, raw);
  return BigInt.asIntN(64, raw);
}

/** A constant's exact value as an unsigned bigint (signed values reinterpreted in their width, or 64 bits). */
export function asUnsigned(c: ConstantValue): bigint {
  const raw = c.big ?? BigInt(c.value);
  return BigInt.asUintN(c.size > 0 ? c.size * 8 : 64, raw);
}

/** A constant as a JS number, signed per asSigned, or undefined if it does not fit exactly. */
export function asSignedNumber(c: ConstantValue): number | undefined {
  if (c.signedness === "signed" && c.big === undefined) return c.value;
  const v = asSigned(c);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

const TWO32 = 0x1_0000_0000;
const MAX_INDIRECTION = 4;

/** An 8-byte little-endian value as a number: exact below 2^53, approximate above. */
function u64Lossy(r: Reader): number {
  const lo = r.u32();
  return r.u32() * TWO32 + lo;
}

function address(r: Reader, size: number): number {
  return size === 8 ? u64Lossy(r) : r.address(size);
}

function unsignedConstant(form: number, size: number, value: number | bigint): ConstantValue {
  if (typeof value === "number") return { kind: "constant", form, signedness: size ? "unknown" : "unsigned", size, value };
  if (value <= BigInt(Number.MAX_SAFE_INTEGER)) return { kind: "constant", form, signedness: size ? "unknown" : "unsigned", size, value: Number(value) };
  return { kind: "constant", form, signedness: size ? "unknown" : "unsigned", size, value: Number(value), big: value };
}

function signedConstant(form: number, value: bigint): ConstantValue {
  if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) return { kind: "constant", form, signedness: "signed", size: 0, value: Number(value) };
  return { kind: "constant", form, signedness: "signed", size: 0, value: Number(value), big: value };
}

/** ULEB128 as a number when it fits, else as a bigint (constants may use all 64 bits). */
function ulebAny(r: Reader): number | bigint {
  const start = r.pos;
  // Up to 7 bytes carry 49 bits: always exact as a number.
  for (let i = 0; i < 7; i++) {
    if (r.pos >= r.length) break;
    if ((r.bytes[r.pos++]! & 0x80) === 0) {
      r.pos = start;
      return r.uleb();
    }
  }
  r.pos = start;
  return r.ulebBig();
}

/**
 * Decode one attribute value of `form` at the reader's position, advancing
 * past it. `implicitConst` is the value stored in the abbreviation for
 * DW_FORM_implicit_const (which has no bytes in the DIE).
 */
export function readFormValue(r: Reader, form: number, ctx: FormContext, implicitConst?: bigint): AttrValue {
  for (let depth = 0; ; depth++) {
    switch (form) {
      case DW_FORM.addr:
        return { kind: "address", form, value: address(r, ctx.addressSize) };
      case DW_FORM.addrx:
      case DW_FORM.GNU_addr_index:
        return { kind: "addrx", form, index: r.uleb() };
      case DW_FORM.addrx1:
        return { kind: "addrx", form, index: r.u8() };
      case DW_FORM.addrx2:
        return { kind: "addrx", form, index: r.u16() };
      case DW_FORM.addrx3:
        return { kind: "addrx", form, index: r.u24() };
      case DW_FORM.addrx4:
        return { kind: "addrx", form, index: r.u32() };

      case DW_FORM.data1:
        return { kind: "constant", form, signedness: "unknown", size: 1, value: r.u8() };
      case DW_FORM.data2:
        return { kind: "constant", form, signedness: "unknown", size: 2, value: r.u16() };
      case DW_FORM.data4:
        return { kind: "constant", form, signedness: "unknown", size: 4, value: r.u32() };
      case DW_FORM.data8:
        return unsignedConstant(form, 8, r.u64());
      case DW_FORM.udata:
        return unsignedConstant(form, 0, ulebAny(r));
      case DW_FORM.sdata:
        return signedConstant(form, r.slebBig());
      case DW_FORM.implicit_const:
        if (implicitConst === undefined) throw new DwarfError(`corrupt ${r.section}: DW_FORM_implicit_const without a value in its abbreviation`);
        return signedConstant(form, implicitConst);
      case DW_FORM.data16:
        return { kind: "data16", form, bytes: r.bytesN(16) };

      case DW_FORM.block1:
        return block(r, form, r.u8(), "block");
      case DW_FORM.block2:
        return block(r, form, r.u16(), "block");
      case DW_FORM.block4:
        return block(r, form, r.u32(), "block");
      case DW_FORM.block:
        return block(r, form, r.uleb(), "block");
      case DW_FORM.exprloc:
        return block(r, form, r.uleb(), "exprloc");

      case DW_FORM.flag:
        return { kind: "flag", form, value: r.u8() !== 0 };
      case DW_FORM.flag_present:
        return { kind: "flag", form, value: true };

      case DW_FORM.ref1:
        return { kind: "ref", form, offset: ctx.unitOffset + r.u8() };
      case DW_FORM.ref2:
        return { kind: "ref", form, offset: ctx.unitOffset + r.u16() };
      case DW_FORM.ref4:
        return { kind: "ref", form, offset: ctx.unitOffset + r.u32() };
      case DW_FORM.ref8:
        return { kind: "ref", form, offset: ctx.unitOffset + r.u64n() };
      case DW_FORM.ref_udata:
        return { kind: "ref", form, offset: ctx.unitOffset + r.uleb() };
      case DW_FORM.ref_addr:
        // DWARF 2 sized it like an address; DWARF 3 onwards like an offset.
        return { kind: "refAddr", form, offset: ctx.version <= 2 ? r.address(ctx.addressSize) : r.offset(ctx.offsetSize) };
      case DW_FORM.ref_sig8:
        return { kind: "refSig8", form, signature: r.u64() };
      case DW_FORM.ref_sup4:
        return { kind: "refSup", form, offset: r.u32() };
      case DW_FORM.ref_sup8:
        return { kind: "refSup", form, offset: r.u64n() };
      case DW_FORM.GNU_ref_alt:
        return { kind: "refSup", form, offset: r.offset(ctx.offsetSize) };

      case DW_FORM.string:
        return { kind: "string", form, value: r.cstr() };
      case DW_FORM.strp:
        return { kind: "strp", form, offset: r.offset(ctx.offsetSize) };
      case DW_FORM.line_strp:
        return { kind: "lineStrp", form, offset: r.offset(ctx.offsetSize) };
      case DW_FORM.strp_sup:
      case DW_FORM.GNU_strp_alt:
        return { kind: "strpSup", form, offset: r.offset(ctx.offsetSize) };
      case DW_FORM.strx:
      case DW_FORM.GNU_str_index:
        return { kind: "strx", form, index: r.uleb() };
      case DW_FORM.strx1:
        return { kind: "strx", form, index: r.u8() };
      case DW_FORM.strx2:
        return { kind: "strx", form, index: r.u16() };
      case DW_FORM.strx3:
        return { kind: "strx", form, index: r.u24() };
      case DW_FORM.strx4:
        return { kind: "strx", form, index: r.u32() };

      case DW_FORM.sec_offset:
        return { kind: "secOffset", form, offset: r.offset(ctx.offsetSize) };
      case DW_FORM.loclistx:
        return { kind: "loclistx", form, index: r.uleb() };
      case DW_FORM.rnglistx:
        return { kind: "rnglistx", form, index: r.uleb() };

      case DW_FORM.indirect: {
        // The real form precedes the value. Indirect-to-indirect chains are
        // legal but pointless; bound them so a malicious file cannot spin.
        if (depth >= MAX_INDIRECTION) r.fail("DW_FORM_indirect nested too deeply");
        form = r.uleb();
        if (form === DW_FORM.implicit_const) r.fail("DW_FORM_indirect cannot name DW_FORM_implicit_const");
        continue;
      }
      default:
        return r.fail(`unknown attribute form ${formName(form)}`);
    }
  }
}

function block(r: Reader, form: number, length: number, kind: "block" | "exprloc"): AttrValue {
  const offset = r.base + r.pos;
  return { kind, form, bytes: r.bytesN(length), offset };
}

/**
 * The size in bytes of a value of `form` if it is the same for every value
 * (given the unit's encoding), else undefined. Abbreviations use this to skip
 * whole DIEs by a precomputed length.
 */
export function formFixedSize(form: number, ctx: Pick<FormContext, "version" | "addressSize" | "offsetSize">): number | undefined {
  switch (form) {
    case DW_FORM.flag_present:
    case DW_FORM.implicit_const:
      return 0;
    case DW_FORM.data1:
    case DW_FORM.ref1:
    case DW_FORM.flag:
    case DW_FORM.strx1:
    case DW_FORM.addrx1:
      return 1;
    case DW_FORM.data2:
    case DW_FORM.ref2:
    case DW_FORM.strx2:
    case DW_FORM.addrx2:
      return 2;
    case DW_FORM.strx3:
    case DW_FORM.addrx3:
      return 3;
    case DW_FORM.data4:
    case DW_FORM.ref4:
    case DW_FORM.strx4:
    case DW_FORM.addrx4:
    case DW_FORM.ref_sup4:
      return 4;
    case DW_FORM.data8:
    case DW_FORM.ref8:
    case DW_FORM.ref_sig8:
    case DW_FORM.ref_sup8:
      return 8;
    case DW_FORM.data16:
      return 16;
    case DW_FORM.addr:
      return ctx.addressSize;
    case DW_FORM.ref_addr:
      return ctx.version <= 2 ? ctx.addressSize : ctx.offsetSize;
    case DW_FORM.strp:
    case DW_FORM.line_strp:
    case DW_FORM.sec_offset:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_ref_alt:
    case DW_FORM.GNU_strp_alt:
      return ctx.offsetSize;
    default:
      return undefined;
  }
}

/** Advance past one value of `form` without decoding it. */
export function skipForm(r: Reader, form: number, ctx: Pick<FormContext, "version" | "addressSize" | "offsetSize">): void {
  for (let depth = 0; ; depth++) {
    const fixed = formFixedSize(form, ctx);
    if (fixed !== undefined) {
      r.skip(fixed);
      return;
    }
    switch (form) {
      case DW_FORM.udata:
      case DW_FORM.sdata:
      case DW_FORM.ref_udata:
      case DW_FORM.strx:
      case DW_FORM.addrx:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.GNU_str_index:
        skipLeb(r);
        return;
      case DW_FORM.string: {
        const end = r.bytes.indexOf(0, r.pos);
        if (end < 0) r.fail("unterminated string");
        r.pos = end + 1;
        return;
      }
      case DW_FORM.block1:
        r.skip(r.u8());
        return;
      case DW_FORM.block2:
        r.skip(r.u16());
        return;
      case DW_FORM.block4:
        r.skip(r.u32());
        return;
      case DW_FORM.block:
      case DW_FORM.exprloc:
        r.skip(r.uleb());
        return;
      case DW_FORM.indirect:
        if (depth >= MAX_INDIRECTION) r.fail("DW_FORM_indirect nested too deeply");
        form = r.uleb();
        if (form === DW_FORM.implicit_const) r.fail("DW_FORM_indirect cannot name DW_FORM_implicit_const");
        continue;
      default:
        r.fail(`unknown attribute form ${formName(form)}`);
    }
  }
}

/** Skip a LEB128 of any length (bounded by the section). */
function skipLeb(r: Reader): void {
  const bytes = r.bytes;
  let p = r.pos;
  const end = bytes.length;
  while (p < end && bytes[p]! & 0x80) p++;
  if (p >= end) r.fail("unterminated LEB128");
  r.pos = p + 1;
}
