// Classification: what a BPF uprobe program must do to read an object whose
// location is a DWARF expression. A tiny stack machine runs the operations
// symbolically, building value trees (value.ts) instead of numbers; the
// result is a read plan:
//
//   register      the object is the low bytes of register `reg`
//                 (read ctx + ptRegsOffset(reg), keep the type's size)
//   memory        the object's bytes are in user memory at `address`
//                 (compute address, bpf_probe_read_user(type size))
//   value         the object's value is `value` (DW_OP_stack_value); its
//                 low type-size bytes, little-endian
//   implicit      the object's bytes are known at compile time
//   pieces        the object is split: piece i covers `sizeBits` bits,
//                 in order from the object's lowest byte; each piece has its
//                 own plan (optimizedOut for a hole; unsupported for a piece
//                 BPF cannot read, e.g. one in an xmm register). For a
//                 register or value piece, `bitOffset` selects bits from the
//                 source; for memory it is added to the address (in bits).
//   optimizedOut  no location: an empty expression or no list entry
//   entryValue    the plan uses values as they were at the function's entry
//                 (DW_OP_entry_value). `atEntry` is the plan with those
//                 replaced by the current values, valid only when the probe
//                 PC is the function's entry PC; anywhere else report the
//                 object as optimized out.
//   unsupported   cannot be lowered; `op` names the DWARF operation and
//                 `reason` says why. A compile-time error, never a guess.
//
// Frame base and CFA stay symbolic unless the caller passes them; withFrame()
// substitutes them once the PC's CFI row and DW_AT_frame_base are known.

import { decodeExpression } from "./decode.ts";
import { opName } from "./opcodes.ts";
import type { DecodeOptions, Encoding, Op } from "./ops.ts";
import { unreadableRegisterReason } from "./registers.ts";
import { binary, constant, mapValue, someValue, unary, valueSize, type Value } from "./value.ts";

export type ReadPlan =
  | { kind: "register"; reg: number }
  | { kind: "memory"; address: Value }
  | { kind: "value"; value: Value }
  | { kind: "implicit"; bytes: Uint8Array }
  | { kind: "pieces"; pieces: Piece[] }
  | { kind: "optimizedOut" }
  | { kind: "entryValue"; atEntry: ReadPlan }
  | { kind: "unsupported"; op: string; reason: string };

export interface Piece {
  sizeBits: number;
  bitOffset: number;
  /** Never `pieces` or `entryValue` itself. */
  plan: ReadPlan;
}

/** DW_ATE_* encoding and size of a base type DIE, for the typed operations. */
export interface BaseTypeInfo {
  encoding: number;
  byteSize: number;
}

export interface ClassifyOptions {
  /** The function's frame base at this PC (see frameBaseValue); symbolic if absent. */
  frameBase?: Value;
  /** The CFA at this PC (from CFI); symbolic if absent. */
  cfa?: Value;
  /** Looks up a base type by unit-relative DIE offset (DW_OP_convert, regval_type, deref_type, const_type). */
  baseType?: (unitRelativeOffset: number) => BaseTypeInfo | undefined;
}

/** Steps before a skip/branch loop is declared non-terminating. */
const MAX_STEPS = 10_000;
/** Nodes in one value tree: far beyond any compiler's output, far below a slow walk. */
const MAX_VALUE_NODES = 256;

class Unsupported extends Error {
  constructor(readonly op: string, readonly reason: string) {
    super(`${op}: ${reason}`);
  }
}

/** Decode and classify in one go. Malformed bytes throw DwarfError. */
export function planExpression(bytes: Uint8Array, encoding: Encoding, options: ClassifyOptions & DecodeOptions = {}): ReadPlan {
  return classify(decodeExpression(bytes, encoding, options), options);
}

/** The read plan for a location expression's operations. */
export function classify(ops: readonly Op[], options: ClassifyOptions = {}): ReadPlan {
  let plan: ReadPlan;
  try {
    plan = run(ops, options);
  } catch (e) {
    if (e instanceof Unsupported) return { kind: "unsupported", op: e.op, reason: e.reason };
    throw e;
  }
  if (!planUses(plan, (v) => v.kind === "atEntry")) return plan;
  return { kind: "entryValue", atEntry: mapPlan(plan, (v) => (v.kind === "atEntry" ? atEntryPc(v.operand) : undefined)) };
}

/**
 * The value DW_AT_frame_base denotes: for a register location (DW_OP_reg6)
 * the register's contents, for a memory location (DW_OP_call_frame_cfa,
 * DW_OP_breg7 RSP+8) the address. Anything else is unsupported.
 */
export function frameBaseValue(ops: readonly Op[], options: Omit<ClassifyOptions, "frameBase"> = {}): Value | Extract<ReadPlan, { kind: "unsupported" }> {
  const plan = classify(ops, options);
  switch (plan.kind) {
    case "register": return { kind: "register", reg: plan.reg };
    case "memory": return plan.address;
    case "unsupported": return plan;
    default: return { kind: "unsupported", op: "DW_AT_frame_base", reason: `frame base is ${plan.kind === "optimizedOut" ? "empty" : `a ${plan.kind} location`}` };
  }
}

/** Replace the symbolic frame base and CFA once they are known for the PC. */
export function withFrame(plan: ReadPlan, frame: { frameBase?: Value; cfa?: Value }): ReadPlan {
  return mapPlan(plan, (v) => {
    if (v.kind === "frameBase" && frame.frameBase) return frame.frameBase;
    if (v.kind === "cfa" && frame.cfa) return frame.cfa;
    return undefined;
  });
}

/** Apply `visit` to every value tree in a plan. */
export function mapPlan(plan: ReadPlan, visit: (v: Value) => Value | undefined): ReadPlan {
  switch (plan.kind) {
    case "memory": return { kind: "memory", address: mapValue(plan.address, visit) };
    case "value": return { kind: "value", value: mapValue(plan.value, visit) };
    case "pieces": return { kind: "pieces", pieces: plan.pieces.map((p) => ({ ...p, plan: mapPlan(p.plan, visit) })) };
    case "entryValue": return { kind: "entryValue", atEntry: mapPlan(plan.atEntry, visit) };
    default: return plan;
  }
}

/** Whether any value in the plan has a node satisfying `test` (e.g. needs the CFA, the load bias). */
export function planUses(plan: ReadPlan, test: (v: Value) => boolean): boolean {
  switch (plan.kind) {
    case "memory": return someValue(plan.address, test);
    case "value": return someValue(plan.value, test);
    case "pieces": return plan.pieces.some((p) => planUses(p.plan, test));
    case "entryValue": return planUses(plan.atEntry, test);
    default: return false;
  }
}

/** Every unsupported part of a plan (the plan itself, or its pieces). Empty means codegen can lower all of it. */
export function planProblems(plan: ReadPlan): Extract<ReadPlan, { kind: "unsupported" }>[] {
  if (plan.kind === "unsupported") return [plan];
  if (plan.kind === "pieces") return plan.pieces.flatMap((p) => planProblems(p.plan));
  if (plan.kind === "entryValue") return planProblems(plan.atEntry);
  return [];
}

// ---------------------------------------------------------------------------
// The symbolic stack machine.

/** What the operations since the last piece describe, besides the stack. */
type Described =
  | { kind: "stack" } // a memory location: the address is the top of stack
  | { kind: "register"; reg: number; op: Op }
  | { kind: "value" }
  | { kind: "implicit"; bytes: Uint8Array }
  | { kind: "unsupported"; op: string; reason: string };

const DW_ATE_boolean = 0x02, DW_ATE_float = 0x04, DW_ATE_signed = 0x05, DW_ATE_signed_char = 0x06;
const DW_ATE_unsigned = 0x07, DW_ATE_unsigned_char = 0x08, DW_ATE_UTF = 0x10, DW_ATE_address = 0x01;
const INTEGER_ENCODINGS = new Set([DW_ATE_address, DW_ATE_boolean, DW_ATE_signed, DW_ATE_signed_char, DW_ATE_unsigned, DW_ATE_unsigned_char, DW_ATE_UTF]);

function run(ops: readonly Op[], options: ClassifyOptions): ReadPlan {
  const stack: Value[] = [];
  const pieces: Piece[] = [];
  let described: Described = { kind: "stack" };
  let lastOp: Op | undefined;

  const pop = (op: Op): Value => {
    const v = stack.pop();
    if (!v) throw new Unsupported(opName(op.code), "pops an empty stack");
    return v;
  };
  const register = (op: Op, reg: number): Value => {
    const why = unreadableRegisterReason(reg);
    if (why) throw new Unsupported(opName(op.code), why);
    return { kind: "register", reg };
  };
  /** The integer type a typed operation names, as (bits, signed); float and unknown types are unsupported. */
  const integerType = (op: Op, offset: number): { bits: number; signed: boolean } => {
    const t = options.baseType?.(offset);
    if (!t) throw new Unsupported(opName(op.code), `needs the base type at unit offset 0x${offset.toString(16)}, which is not known`);
    if (t.encoding === DW_ATE_float) throw new Unsupported(opName(op.code), "floating-point arithmetic");
    if (!INTEGER_ENCODINGS.has(t.encoding) || t.byteSize < 1 || t.byteSize > 8)
      throw new Unsupported(opName(op.code), `base type with encoding 0x${t.encoding.toString(16)} and size ${t.byteSize}`);
    return { bits: t.byteSize * 8, signed: t.encoding === DW_ATE_signed || t.encoding === DW_ATE_signed_char };
  };
  const extend = (v: Value, t: { bits: number; signed: boolean }): Value =>
    t.bits >= 64 ? v : { kind: "extend", operand: v, bits: t.bits, signed: t.signed };
  /** Only DW_OP_piece (and no-ops) may follow a location that is not on the stack. */
  const requireStack = (op: Op): void => {
    if (described.kind !== "stack")
      throw new Unsupported(opName(op.code), `follows ${lastOp ? opName(lastOp.code) : "a location"}, which must end the expression or piece`);
  };

  const indexAt = new Map<number, number>();
  ops.forEach((op, i) => indexAt.set(op.start, i));
  const end = ops.length ? ops[ops.length - 1].end : 0;
  const jump = (op: Op, target: number): number => {
    if (target === end) return ops.length;
    const i = indexAt.get(target);
    if (i === undefined) throw new Unsupported(opName(op.code), `jumps into the middle of an operation (offset ${target})`);
    return i;
  };

  let steps = 0;
  for (let i = 0; i < ops.length; ) {
    if (++steps > MAX_STEPS) throw new Unsupported(opName(ops[i].code), "the expression does not terminate");
    const op = ops[i++];
    if (op.kind !== "piece" && op.kind !== "nop" && op.kind !== "uninit") requireStack(op);
    switch (op.kind) {
      case "address": stack.push({ kind: "moduleAddress", address: op.address }); break;
      case "addressIndex":
        if (op.address === undefined) throw new Unsupported(opName(op.code), `.debug_addr entry ${op.index} is not available`);
        stack.push({ kind: "moduleAddress", address: op.address });
        break;
      case "constantIndex":
        if (op.value === undefined) throw new Unsupported(opName(op.code), `.debug_addr entry ${op.index} is not available`);
        stack.push(constant(op.value));
        break;
      case "literal": stack.push(constant(op.value)); break;
      case "register": {
        // Unreadable only for this piece: the rest of a split object may still be read.
        const why = unreadableRegisterReason(op.reg);
        described = why ? { kind: "unsupported", op: opName(op.code), reason: why } : { kind: "register", reg: op.reg, op };
        break;
      }
      case "registerOffset": stack.push(binary("plus", register(op, op.reg), constant(op.offset))); break;
      case "frameOffset": stack.push(binary("plus", options.frameBase ?? { kind: "frameBase" }, constant(op.offset))); break;
      case "callFrameCfa": stack.push(options.cfa ?? { kind: "cfa" }); break;
      case "deref":
        if (op.size < 1 || op.size > 8) throw new Unsupported(opName(op.code), `reads ${op.size} bytes; at most 8 fit a stack entry`);
        stack.push({ kind: "load", address: pop(op), size: op.size, signed: false });
        break;
      case "derefType": {
        const t = integerType(op, op.baseType);
        if (op.size < 1 || op.size > 8) throw new Unsupported(opName(op.code), `reads ${op.size} bytes; at most 8 fit a stack entry`);
        stack.push(extend({ kind: "load", address: pop(op), size: op.size, signed: t.signed }, t));
        break;
      }
      case "xderef":
      case "xderefType":
        throw new Unsupported(opName(op.code), "reads another address space");
      case "pick": {
        if (op.index >= stack.length) throw new Unsupported(opName(op.code), `picks entry ${op.index} of a ${stack.length}-entry stack`);
        stack.push(stack[stack.length - 1 - op.index]);
        break;
      }
      case "drop": pop(op); break;
      case "swap": {
        const a = pop(op), b = pop(op);
        stack.push(a, b);
        break;
      }
      case "rot": {
        const a = pop(op), b = pop(op), c = pop(op);
        stack.push(a, c, b);
        break;
      }
      case "unary": stack.push(unary(op.operator, pop(op))); break;
      case "binary": {
        const right = pop(op), left = pop(op);
        stack.push(binary(op.operator, left, right));
        break;
      }
      case "plusConstant": stack.push(binary("plus", pop(op), constant(op.value))); break;
      case "skip": i = jump(op, op.target); break;
      case "branch": {
        const condition = pop(op);
        if (condition.kind !== "const") throw new Unsupported(opName(op.code), "branches on a value known only at run time");
        if (condition.value !== 0n) i = jump(op, op.target);
        break;
      }
      case "stackValue":
        stack.push(pop(op)); // checks there is one
        described = { kind: "value" };
        break;
      case "implicitValue": described = { kind: "implicit", bytes: op.bytes }; break;
      case "implicitPointer":
        described = { kind: "unsupported", op: opName(op.code), reason: `points into DIE 0x${op.die.toString(16)}${op.byteOffset ? ` at offset ${op.byteOffset}` : ""}, which has no address in memory` };
        break;
      case "entryValue": stack.push({ kind: "atEntry", operand: entryValue(op, options) }); break;
      case "typedConstant": {
        const t = integerType(op, op.baseType);
        if (op.bytes.length < 1 || op.bytes.length > 8) throw new Unsupported(opName(op.code), `a ${op.bytes.length}-byte constant`);
        let v = 0n;
        for (let b = op.bytes.length - 1; b >= 0; b--) v = (v << 8n) | BigInt(op.bytes[b]);
        stack.push(constant(t.signed ? BigInt.asIntN(op.bytes.length * 8, v) : v));
        break;
      }
      case "typedRegister": stack.push(extend(register(op, op.reg), integerType(op, op.baseType))); break;
      case "convert":
      case "reinterpret": {
        const v = pop(op);
        // The generic type is the 64-bit integer every untyped entry already is.
        stack.push(op.baseType === 0 ? v : extend(v, integerType(op, op.baseType)));
        break;
      }
      case "tlsAddress": stack.push({ kind: "tlsAddress", offset: pop(op) }); break;
      case "piece": {
        pieces.push({ sizeBits: op.sizeBits, bitOffset: op.bitOffset, plan: finish(described, stack, lastOp, true) });
        stack.length = 0;
        described = { kind: "stack" };
        break;
      }
      case "nop":
      case "uninit":
        break;
      case "call": throw new Unsupported(opName(op.code), `calls the DWARF procedure at DIE 0x${op.ref.toString(16)}`);
      case "parameterRef": throw new Unsupported(opName(op.code), `needs parameter DIE 0x${op.ref.toString(16)}'s value in the caller, which the optimiser removed`);
      case "variableValue": throw new Unsupported(opName(op.code), `needs the value of the variable at DIE 0x${op.ref.toString(16)}`);
      case "pushObjectAddress": throw new Unsupported(opName(op.code), "needs the address of an enclosing object");
    }
    const top = stack[stack.length - 1];
    if (top && valueSize(top) > MAX_VALUE_NODES) throw new Unsupported(opName(op.code), `the computation grows beyond ${MAX_VALUE_NODES} operations`);
    lastOp = op;
  }

  if (pieces.length === 0) return finish(described, stack, lastOp, false);
  // Operations after the last piece without a piece of their own are ill-formed.
  if (described.kind !== "stack" || stack.length)
    throw new Unsupported(lastOp ? opName(lastOp.code) : "DW_OP_piece", "a location after the last DW_OP_piece has no size");
  return { kind: "pieces", pieces };
}

/** The plan for what the operations since the last piece (or the whole expression) described. */
function finish(d: Described, stack: Value[], lastOp: Op | undefined, inPiece: boolean): ReadPlan {
  switch (d.kind) {
    case "register": return { kind: "register", reg: d.reg };
    case "implicit": return { kind: "implicit", bytes: d.bytes };
    case "unsupported": return { kind: "unsupported", op: d.op, reason: d.reason };
    case "value": return { kind: "value", value: stack[stack.length - 1] };
    case "stack": {
      const top = stack[stack.length - 1];
      if (top) return { kind: "memory", address: top };
      // An empty piece is a hole; an empty expression is no location at all.
      if (inPiece || !lastOp) return { kind: "optimizedOut" };
      throw new Unsupported(opName(lastOp.code), "leaves no location on the stack");
    }
  }
}

/**
 * The value inside DW_OP_entry_value: a register location (DW_OP_reg5 → rdi's
 * contents) or an expression whose top of stack is the value.
 */
function entryValue(op: Extract<Op, { kind: "entryValue" }>, options: ClassifyOptions): Value {
  const inner = run(op.ops, options); // Unsupported propagates, naming the inner operation
  switch (inner.kind) {
    case "register": return { kind: "register", reg: inner.reg };
    case "memory": return inner.address; // an expression: its result is the value
    case "value": return inner.value;
    case "unsupported": throw new Unsupported(inner.op, inner.reason);
    default: throw new Unsupported(opName(op.code), `block describes ${inner.kind === "optimizedOut" ? "nothing" : `a ${inner.kind} location`}`);
  }
}

/** A value with every "as at entry" marker removed: what it is when the probe is at the entry PC. */
function atEntryPc(v: Value): Value {
  return mapValue(v, (n) => (n.kind === "atEntry" ? atEntryPc(n.operand) : undefined));
}
