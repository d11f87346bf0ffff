// Printing expressions the way llvm-dwarfdump 14 does (`DW_OP_fbreg -20`,
// `DW_OP_breg7 RSP+8`, `DW_OP_reg5 RDI`, `DW_OP_piece 0x4`,
// `DW_OP_entry_value(DW_OP_reg5 RDI)`), so tests can compare text directly.
// Operations llvm-dwarfdump 14 cannot decode (it prints "<decoding error>")
// get the same style: name, then operands, hex for unsigned, %+d for signed.

import { opName } from "./opcodes.ts";
import type { Op } from "./ops.ts";
import { x86RegisterName } from "./registers.ts";

export interface PrintOptions {
  /** Register names; x86-64 by default. Unnamed registers print as numbers. */
  registerName?: (reg: number) => string | undefined;
  /** Section offset of the unit, added to base-type references (llvm prints absolute DIE offsets). */
  unitOffset?: number;
  /** Name of the base type DIE at this unit-relative offset, printed after it in quotes. */
  baseTypeName?: (unitRelativeOffset: number) => string | undefined;
}

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;
const signed = (v: number | bigint): string => (v < 0 ? `${v}` : `+${v}`);
const hex8 = (v: number): string => `0x${v.toString(16).padStart(8, "0")}`;

/** One operation, e.g. `DW_OP_breg7 RSP+8`. */
export function formatOp(op: Op, options: PrintOptions = {}): string {
  const name = opName(op.code);
  const regName = options.registerName ?? x86RegisterName;
  const baseType = (offset: number): string => {
    const label = options.baseTypeName?.(offset);
    return ` (${hex8((options.unitOffset ?? 0) + offset)})${label === undefined ? "" : ` "${label}"`}`;
  };
  switch (op.kind) {
    case "address": return `${name} ${hex(op.address)}`;
    case "addressIndex": return `${name} ${hex(op.index)}`;
    case "constantIndex": return `${name} ${hex(op.index)}`;
    case "literal": {
      if (op.code >= 0x30 && op.code <= 0x4f) return name; // DW_OP_litN carries no operand
      const isSigned = op.code === 0x09 || op.code === 0x0b || op.code === 0x0d || op.code === 0x0f || op.code === 0x11;
      return `${name} ${isSigned ? signed(op.value) : hex(op.value)}`;
    }
    case "register": {
      const r = regName(op.reg);
      if (op.code === 0x90) return `${name} ${r ?? hex(op.reg)}`; // DW_OP_regx
      return r === undefined ? name : `${name} ${r}`;
    }
    case "registerOffset": {
      const r = regName(op.reg);
      if (r !== undefined) return `${name} ${r}${signed(op.offset)}`;
      return op.code === 0x92 ? `${name} ${hex(op.reg)} ${signed(op.offset)}` : `${name} ${signed(op.offset)}`;
    }
    case "frameOffset": return `${name} ${signed(op.offset)}`;
    case "deref":
    case "xderef":
      return op.code === 0x06 || op.code === 0x18 ? name : `${name} ${hex(op.size)}`;
    case "derefType":
    case "xderefType":
      return `${name} ${hex(op.size)}${baseType(op.baseType)}`;
    case "pick": return op.code === 0x15 ? `${name} ${hex(op.index)}` : name;
    case "plusConstant": return `${name} ${hex(op.value)}`;
    case "skip":
    case "branch":
      return `${name} ${signed(op.delta)}`;
    case "piece":
      return op.code === 0x93 ? `${name} ${hex(op.sizeBits / 8)}` : `${name} ${hex(op.sizeBits)} ${hex(op.bitOffset)}`;
    case "implicitValue": return `${name} ${hex(op.bytes.length)}${[...op.bytes].map((b) => ` 0x${b.toString(16).padStart(2, "0")}`).join("")}`;
    case "implicitPointer": return `${name} ${hex(op.die)} ${signed(op.byteOffset)}`;
    case "entryValue": return `${name}(${formatOps(op.ops, options)})`;
    case "typedConstant": return `${name}${baseType(op.baseType)} ${hex(op.bytes.length)}${[...op.bytes].map((b) => ` 0x${b.toString(16).padStart(2, "0")}`).join("")}`;
    case "typedRegister": {
      const r = regName(op.reg);
      return `${name} ${r ?? hex(op.reg)}${baseType(op.baseType)}`;
    }
    case "convert":
    case "reinterpret":
      // The generic type (0) has no DIE.
      return op.baseType === 0 ? `${name} 0x0` : `${name}${baseType(op.baseType)}`;
    case "call": return `${name} ${hex(op.ref)}`;
    case "parameterRef": return `${name} ${hex(op.ref)}`;
    case "variableValue": return `${name} ${hex(op.ref)}`;
    case "stackValue":
    case "tlsAddress":
    case "callFrameCfa":
    case "pushObjectAddress":
    case "nop":
    case "uninit":
    case "drop":
    case "swap":
    case "rot":
    case "unary":
    case "binary":
      return name;
  }
}

/** Operations joined as llvm-dwarfdump joins them: `DW_OP_breg7 RSP+8, DW_OP_deref`. */
export function formatOps(ops: readonly Op[], options: PrintOptions = {}): string {
  return ops.map((op) => formatOp(op, options)).join(", ");
}
