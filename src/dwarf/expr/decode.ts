// Decoding DWARF expression bytes into typed operations (ops.ts). Lazy:
// `operations` yields one op at a time straight from the bytes, so a caller
// that only wants the first op (is this DW_OP_call_frame_cfa?) reads no more.
// Malformed input (truncated operands, unknown opcodes, branches outside the
// expression) is a DwarfError that names the offset.

import { Reader } from "../reader.ts";
import { DW_OP } from "./opcodes.ts";
import type { BinaryOperator, DecodeOptions, Encoding, Op, OpKind, UnaryOperator } from "./ops.ts";

const SECTION = "DWARF expression";

/** Nested DW_OP_entry_value blocks deeper than this are refused (no real compiler nests them). */
const MAX_ENTRY_VALUE_DEPTH = 4;

const BINARY: Partial<Record<number, BinaryOperator>> = {
  [DW_OP.and]: "and", [DW_OP.div]: "div", [DW_OP.minus]: "minus", [DW_OP.mod]: "mod", [DW_OP.mul]: "mul",
  [DW_OP.or]: "or", [DW_OP.plus]: "plus", [DW_OP.shl]: "shl", [DW_OP.shr]: "shr", [DW_OP.shra]: "shra",
  [DW_OP.xor]: "xor", [DW_OP.eq]: "eq", [DW_OP.ge]: "ge", [DW_OP.gt]: "gt", [DW_OP.le]: "le",
  [DW_OP.lt]: "lt", [DW_OP.ne]: "ne",
};
const UNARY: Partial<Record<number, UnaryOperator>> = { [DW_OP.abs]: "abs", [DW_OP.neg]: "neg", [DW_OP.not]: "not" };

/** Every operation in `bytes`, in order. */
export function* operations(bytes: Uint8Array, encoding: Encoding, options: DecodeOptions = {}): Generator<Op> {
  yield* decodeAt(new Reader(bytes, SECTION), encoding, options, 0);
}

/** All operations of an expression as an array. */
export function decodeExpression(bytes: Uint8Array, encoding: Encoding, options: DecodeOptions = {}): Op[] {
  return [...operations(bytes, encoding, options)];
}

function* decodeAt(r: Reader, enc: Encoding, options: DecodeOptions, depth: number): Generator<Op> {
  while (!r.atEnd) {
    const start = r.pos;
    const code = r.u8();
    const kind = operand(r, code, enc, options, depth, start);
    yield { ...kind, code, start, end: r.pos } as Op;
  }
}

/** An unsigned 64-bit constant of `size` bytes. */
function unsigned(r: Reader, size: number): bigint {
  switch (size) {
    case 1: return BigInt(r.u8());
    case 2: return BigInt(r.u16());
    case 4: return BigInt(r.u32());
    case 8: return r.u64();
    default: return r.fail(`unsupported address size ${size}`);
  }
}

/** A reference to .debug_info: offset-sized, except DWARF 2's address-sized DW_OP_call_ref. */
function sectionRef(r: Reader, enc: Encoding, addressSizedInV2: boolean): number {
  if (addressSizedInV2 && enc.version <= 2) return Number(unsigned(r, enc.addressSize));
  return r.offset(enc.offsetSize);
}

function branchTarget(r: Reader, delta: number, at: number): number {
  const target = r.pos + delta;
  if (target < 0 || target > r.length) r.fail(`branch to offset ${target} outside the expression (length ${r.length})`, at);
  return target;
}

function operand(r: Reader, code: number, enc: Encoding, options: DecodeOptions, depth: number, at: number): OpKind {
  if (code >= DW_OP.lit0 && code <= DW_OP.lit31) return { kind: "literal", value: BigInt(code - DW_OP.lit0) };
  if (code >= DW_OP.reg0 && code <= DW_OP.reg31) return { kind: "register", reg: code - DW_OP.reg0 };
  if (code >= DW_OP.breg0 && code <= DW_OP.breg31) return { kind: "registerOffset", reg: code - DW_OP.breg0, offset: r.slebBig() };
  const binary = BINARY[code];
  if (binary) return { kind: "binary", operator: binary };
  const unary = UNARY[code];
  if (unary) return { kind: "unary", operator: unary };

  switch (code) {
    case DW_OP.addr: return { kind: "address", address: unsigned(r, enc.addressSize) };
    case DW_OP.deref: return { kind: "deref", size: enc.addressSize };
    case DW_OP.deref_size: return { kind: "deref", size: r.u8() };
    case DW_OP.xderef: return { kind: "xderef", size: enc.addressSize };
    case DW_OP.xderef_size: return { kind: "xderef", size: r.u8() };
    case DW_OP.const1u: return { kind: "literal", value: BigInt(r.u8()) };
    case DW_OP.const1s: return { kind: "literal", value: BigInt(r.i8()) };
    case DW_OP.const2u: return { kind: "literal", value: BigInt(r.u16()) };
    case DW_OP.const2s: return { kind: "literal", value: BigInt(r.i16()) };
    case DW_OP.const4u: return { kind: "literal", value: BigInt(r.u32()) };
    case DW_OP.const4s: return { kind: "literal", value: BigInt(r.i32()) };
    case DW_OP.const8u: return { kind: "literal", value: r.u64() };
    case DW_OP.const8s: return { kind: "literal", value: r.i64() };
    case DW_OP.constu: return { kind: "literal", value: r.ulebBig() };
    case DW_OP.consts: return { kind: "literal", value: r.slebBig() };
    case DW_OP.dup: return { kind: "pick", index: 0 };
    case DW_OP.over: return { kind: "pick", index: 1 };
    case DW_OP.pick: return { kind: "pick", index: r.u8() };
    case DW_OP.drop: return { kind: "drop" };
    case DW_OP.swap: return { kind: "swap" };
    case DW_OP.rot: return { kind: "rot" };
    case DW_OP.plus_uconst: return { kind: "plusConstant", value: r.ulebBig() };
    case DW_OP.skip: {
      const delta = r.i16();
      return { kind: "skip", delta, target: branchTarget(r, delta, at) };
    }
    case DW_OP.bra: {
      const delta = r.i16();
      return { kind: "branch", delta, target: branchTarget(r, delta, at) };
    }
    case DW_OP.regx: return { kind: "register", reg: r.uleb() };
    case DW_OP.fbreg: return { kind: "frameOffset", offset: r.slebBig() };
    case DW_OP.bregx: {
      const reg = r.uleb();
      return { kind: "registerOffset", reg, offset: r.slebBig() };
    }
    case DW_OP.piece: {
      const bytes = r.uleb();
      if (bytes > Number.MAX_SAFE_INTEGER / 8) r.fail(`piece of ${bytes} bytes is too large`, at);
      return { kind: "piece", sizeBits: bytes * 8, bitOffset: 0 };
    }
    case DW_OP.bit_piece: {
      const sizeBits = r.uleb();
      return { kind: "piece", sizeBits, bitOffset: r.uleb() };
    }
    case DW_OP.nop: return { kind: "nop" };
    case DW_OP.push_object_address: return { kind: "pushObjectAddress" };
    case DW_OP.call2: return { kind: "call", ref: r.u16(), unitRelative: true };
    case DW_OP.call4: return { kind: "call", ref: r.u32(), unitRelative: true };
    case DW_OP.call_ref: return { kind: "call", ref: sectionRef(r, enc, true), unitRelative: false };
    case DW_OP.form_tls_address:
    case DW_OP.GNU_push_tls_address:
      return { kind: "tlsAddress" };
    case DW_OP.call_frame_cfa: return { kind: "callFrameCfa" };
    case DW_OP.implicit_value: return { kind: "implicitValue", bytes: r.bytesN(r.uleb()) };
    case DW_OP.stack_value: return { kind: "stackValue" };
    case DW_OP.implicit_pointer:
    case DW_OP.GNU_implicit_pointer: {
      const die = sectionRef(r, enc, true);
      return { kind: "implicitPointer", die, byteOffset: r.slebBig() };
    }
    case DW_OP.addrx:
    case DW_OP.GNU_addr_index: {
      const index = r.uleb();
      return options.addrAt ? { kind: "addressIndex", index, address: options.addrAt(index) } : { kind: "addressIndex", index };
    }
    case DW_OP.constx:
    case DW_OP.GNU_const_index: {
      const index = r.uleb();
      return options.addrAt ? { kind: "constantIndex", index, value: options.addrAt(index) } : { kind: "constantIndex", index };
    }
    case DW_OP.entry_value:
    case DW_OP.GNU_entry_value: {
      if (depth >= MAX_ENTRY_VALUE_DEPTH) r.fail(`DW_OP_entry_value nested more than ${MAX_ENTRY_VALUE_DEPTH} deep`, at);
      const length = r.uleb();
      const inner = r.sub(length);
      const expression = inner.bytes;
      // Decode the block with positions relative to the block itself.
      const ops = [...decodeAt(new Reader(expression, SECTION, 0, inner.base), enc, options, depth + 1)];
      return { kind: "entryValue", expression, ops };
    }
    case DW_OP.const_type:
    case DW_OP.GNU_const_type: {
      const baseType = r.uleb();
      return { kind: "typedConstant", baseType, bytes: r.bytesN(r.u8()) };
    }
    case DW_OP.regval_type:
    case DW_OP.GNU_regval_type: {
      const reg = r.uleb();
      return { kind: "typedRegister", reg, baseType: r.uleb() };
    }
    case DW_OP.deref_type:
    case DW_OP.GNU_deref_type: {
      const size = r.u8();
      return { kind: "derefType", size, baseType: r.uleb() };
    }
    case DW_OP.xderef_type: {
      const size = r.u8();
      return { kind: "xderefType", size, baseType: r.uleb() };
    }
    case DW_OP.convert:
    case DW_OP.GNU_convert:
      return { kind: "convert", baseType: r.uleb() };
    case DW_OP.reinterpret:
    case DW_OP.GNU_reinterpret:
      return { kind: "reinterpret", baseType: r.uleb() };
    case DW_OP.GNU_parameter_ref: return { kind: "parameterRef", ref: r.u32() };
    case DW_OP.GNU_variable_value: return { kind: "variableValue", ref: sectionRef(r, enc, false) };
    case DW_OP.GNU_uninit: return { kind: "uninit" };
    default:
      // Includes DW_OP_GNU_encoded_addr, whose operand size depends on a
      // pointer encoding no compiler we support emits in debug info.
      return r.fail(`unknown DWARF operation 0x${code.toString(16).padStart(2, "0")}`, at);
  }
}

