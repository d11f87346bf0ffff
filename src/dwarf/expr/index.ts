// DWARF location expressions: decode (decode.ts), print like llvm-dwarfdump
// (print.ts), and classify into read plans for BPF (plan.ts, value.ts).
//
//   const ops = decodeExpression(bytes, { addressSize: 8, offsetSize: 4, version: 5 }, { addrAt });
//   formatOps(ops)                      // "DW_OP_breg7 RSP+8, DW_OP_deref"
//   const plan = classify(ops, { frameBase, cfa, baseType });
//   planProblems(plan)                  // [] when codegen can lower all of it

export { DW_OP, opName, isKnownOp } from "./opcodes.ts";
export type { BinaryOperator, DecodeOptions, Encoding, Op, OpKind, OpPosition, UnaryOperator } from "./ops.ts";
export { decodeExpression, operations } from "./decode.ts";
export { formatOp, formatOps, type PrintOptions } from "./print.ts";
export { ptRegsOffset, unreadableRegisterReason, x86RegisterName } from "./registers.ts";
export { binary, constant, formatValue, mapValue, someValue, unary, valueSize, type ForeignModule, type Value } from "./value.ts";
export {
  classify, frameBaseValue, mapPlan, planExpression, planProblems, planUses, withFrame,
  type BaseTypeInfo, type ClassifyOptions, type Piece, type ReadPlan,
} from "./plan.ts";
