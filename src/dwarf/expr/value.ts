// The value IR: a 64-bit quantity the BPF program computes at the probe.
// Read plans (plan.ts) are built from these trees. The symbolic evaluator
// builds them; codegen lowers them bottom-up into one BPF register:
//
//   const          mov/ld_imm64 the constant (stored as a signed 64-bit bigint)
//   register       ldx u64 from ctx (struct pt_regs *) + ptRegsOffset(reg)
//   cfa            the canonical frame address at the probe PC; compile time
//                  replaces it (withFrame) by the CFI rule, e.g. rsp+8
//   frameBase      the function's DW_AT_frame_base at the probe PC; compile
//                  time replaces it (withFrame), e.g. by cfa or by rbp's value
//   moduleAddress  a link-time address in the module: add the module's load
//                  bias in this process (0 for non-PIE executables)
//   tlsAddress     address of `offset` within the module's TLS block for the
//                  current thread (needs the thread pointer and TLS module id)
//   load           bpf_probe_read_user(size bytes) from address, zero-extended
//                  (sign-extended when `signed`); a failed read is a per-field
//                  read error carrying the address
//   binary, unary  64-bit ALU on the operands; DWARF semantics: div is signed,
//                  mod unsigned, shr logical, shra arithmetic, comparisons
//                  push 1 or 0 and compare as signed
//   extend         keep the low `bits`, then zero- or sign-extend to 64
//   atEntry        the operand's value at the function's entry
//                  (DW_OP_entry_value). Only equal to the operand itself when
//                  the probe sits at the function's first instruction; plans
//                  containing it are wrapped in an `entryValue` plan.

import type { BinaryOperator, UnaryOperator } from "./ops.ts";

export type Value =
  | { kind: "const"; value: bigint }
  | { kind: "register"; reg: number }
  | { kind: "cfa" }
  | { kind: "frameBase" }
  | { kind: "moduleAddress"; address: bigint; module?: ForeignModule }
  | { kind: "tlsAddress"; offset: Value }
  | { kind: "load"; address: Value; size: number; signed: boolean }
  | { kind: "binary"; operator: BinaryOperator; left: Value; right: Value }
  | { kind: "unary"; operator: UnaryOperator; operand: Value }
  | { kind: "extend"; operand: Value; bits: number; signed: boolean }
  | { kind: "atEntry"; operand: Value };

/**
 * A moduleAddress in a module other than the probed one (a library's global read from the
 * executable, or the other way round): its load bias is looked up per process by `id`
 * (src/runtime/bias.ts) instead of being derived from the probed instruction.
 */
export interface ForeignModule {
  id: number;
  name: string;
}

const i64 = (v: bigint): bigint => BigInt.asIntN(64, v);

export const constant = (value: bigint): Value => ({ kind: "const", value: i64(value) });

/** Fold constants and merge additions, so `breg7 RSP+8, plus_uconst 8` becomes rsp+16. */
export function binary(operator: BinaryOperator, left: Value, right: Value): Value {
  if (left.kind === "const" && right.kind === "const") {
    const folded = fold(operator, left.value, right.value);
    if (folded !== undefined) return constant(folded);
  }
  if (operator === "minus" && right.kind === "const") return binary("plus", left, constant(-right.value));
  if (operator === "plus") {
    if (left.kind === "const") [left, right] = [right, left];
    if (right.kind === "const") {
      if (right.value === 0n) return left;
      if (left.kind === "binary" && left.operator === "plus" && left.right.kind === "const")
        return binary("plus", left.left, constant(left.right.value + right.value));
    }
  }
  return { kind: "binary", operator, left, right };
}

function fold(operator: BinaryOperator, a: bigint, b: bigint): bigint | undefined {
  const ua = BigInt.asUintN(64, a);
  const ub = BigInt.asUintN(64, b);
  switch (operator) {
    case "plus": return a + b;
    case "minus": return a - b;
    case "mul": return a * b;
    case "and": return ua & ub;
    case "or": return ua | ub;
    case "xor": return ua ^ ub;
    case "shl": return ub >= 64n ? 0n : ua << ub;
    case "shr": return ub >= 64n ? 0n : ua >> ub;
    case "shra": return ub >= 64n ? (a < 0n ? -1n : 0n) : i64(a) >> ub;
    case "eq": return a === b ? 1n : 0n;
    case "ne": return a !== b ? 1n : 0n;
    case "lt": return a < b ? 1n : 0n;
    case "le": return a <= b ? 1n : 0n;
    case "gt": return a > b ? 1n : 0n;
    case "ge": return a >= b ? 1n : 0n;
    default: return undefined; // div/mod: leave the edge cases (zero, overflow) to the probe
  }
}

export function unary(operator: UnaryOperator, operand: Value): Value {
  if (operand.kind === "const") {
    if (operator === "neg") return constant(-operand.value);
    if (operator === "not") return constant(~operand.value);
    if (operator === "abs") return constant(operand.value < 0n ? -operand.value : operand.value);
  }
  return { kind: "unary", operator, operand };
}

/** Rebuild a value bottom-up, letting `visit` replace nodes (returning undefined keeps the node). */
export function mapValue(v: Value, visit: (v: Value) => Value | undefined): Value {
  const replaced = visit(v);
  if (replaced) return replaced;
  switch (v.kind) {
    case "tlsAddress": return { kind: "tlsAddress", offset: mapValue(v.offset, visit) };
    case "load": return { ...v, address: mapValue(v.address, visit) };
    case "binary": return binary(v.operator, mapValue(v.left, visit), mapValue(v.right, visit));
    case "unary": return unary(v.operator, mapValue(v.operand, visit));
    case "extend": return { ...v, operand: mapValue(v.operand, visit) };
    case "atEntry": return { kind: "atEntry", operand: mapValue(v.operand, visit) };
    default: return v;
  }
}

/** Whether any node of `v` satisfies `test`. */
export function someValue(v: Value, test: (v: Value) => boolean): boolean {
  if (test(v)) return true;
  switch (v.kind) {
    case "tlsAddress": return someValue(v.offset, test);
    case "load": return someValue(v.address, test);
    case "binary": return someValue(v.left, test) || someValue(v.right, test);
    case "unary":
    case "extend":
    case "atEntry":
      return someValue(v.operand, test);
    default: return false;
  }
}

const sizes = new WeakMap<Value, number>();

/**
 * Nodes in the tree as written out (shared subtrees counted each time). DW_OP_dup
 * shares subtrees, so a short expression can denote a huge tree; the
 * classifier bounds this before anything walks it. Memoised, so checking a
 * new node costs O(1) once its children are checked.
 */
export function valueSize(v: Value): number {
  const cached = sizes.get(v);
  if (cached !== undefined) return cached;
  let n = 1;
  switch (v.kind) {
    case "tlsAddress": n += valueSize(v.offset); break;
    case "load": n += valueSize(v.address); break;
    case "binary": n += valueSize(v.left) + valueSize(v.right); break;
    case "unary":
    case "extend":
    case "atEntry":
      n += valueSize(v.operand);
      break;
  }
  sizes.set(v, n);
  return n;
}

/** Compact text for diagnostics and tests: `*(u64)(rsp+8)`, `rdi<<1`, `cfa-20`. */
export function formatValue(v: Value, registerName: (reg: number) => string = (r) => `reg${r}`): string {
  const f = (x: Value): string => formatValue(x, registerName);
  switch (v.kind) {
    case "const": return v.value < 0n ? `-0x${(-v.value).toString(16)}` : `0x${v.value.toString(16)}`;
    case "register": return registerName(v.reg).toLowerCase();
    case "cfa": return "cfa";
    case "frameBase": return "frame_base";
    case "moduleAddress": return `${v.module ? v.module.name.slice(v.module.name.lastIndexOf("/") + 1) : "module"}+0x${v.address.toString(16)}`;
    case "tlsAddress": return `tls(${f(v.offset)})`;
    case "load": return `*(${v.signed ? "s" : "u"}${v.size * 8})(${f(v.address)})`;
    case "binary": {
      if (v.operator === "plus" && v.right.kind === "const")
        return v.right.value < 0n ? `${f(v.left)}-${-v.right.value}` : `${f(v.left)}+${v.right.value}`;
      return `(${f(v.left)} ${OPERATOR_TEXT[v.operator]} ${f(v.right)})`;
    }
    case "unary": return `${v.operator === "neg" ? "-" : v.operator === "not" ? "~" : "abs "}${f(v.operand)}`;
    case "extend": return `${v.signed ? "sext" : "zext"}${v.bits}(${f(v.operand)})`;
    case "atEntry": return `entry(${f(v.operand)})`;
  }
}

const OPERATOR_TEXT: Record<BinaryOperator, string> = {
  and: "&", div: "/", minus: "-", mod: "%", mul: "*", or: "|", plus: "+", shl: "<<", shr: ">>", shra: ">>s", xor: "^",
  eq: "==", ge: ">=", gt: ">", le: "<=", lt: "<", ne: "!=",
};
