// A variable's location at one PC, decided entirely at compile time: the
// location-list entry covering the PC, the function's frame base, and the CFA
// from the CFI row for that PC, folded into one read plan. What remains for
// BPF is "read a register, add, read user memory, repeat".
import type { CallFrameInfo } from "../dwarf/cfi/index.ts";
import { DW_AT, DW_TAG, type Die } from "../dwarf/index.ts";
import { readLocationList, locationAt } from "../dwarf/lists.ts";
import {
  classify, decodeExpression, formatOps, frameBaseValue, planProblems, withFrame, x86RegisterName,
  type ReadPlan, type Value,
} from "../dwarf/expr/index.ts";
import { binary, constant, formatValue } from "../dwarf/expr/index.ts";

export interface VariableLocation {
  plan: ReadPlan;
  /** The DWARF expression in force at the PC, as llvm-dwarfdump spells it ("" when there is none). */
  expression: string;
  /** Where the list entry came from: a single expression, a list entry, a constant. */
  source: "expression" | "list" | "constant" | "none";
}

/** The CFA at `pc` as a value tree (e.g. rsp+8), or undefined when no CFI covers it. */
export function cfaAt(cfi: CallFrameInfo | undefined, pc: number): Value | undefined {
  const row = cfi?.unwindRowAt(pc);
  if (!row) return undefined;
  if (row.cfa.kind === "regOffset") return binary("plus", { kind: "register", reg: row.cfa.reg }, constant(BigInt(row.cfa.offset)));
  return undefined; // a CFA given by an expression stays symbolic (reported as unsupported if used)
}

/** The expression bytes in force at `pc` for a location-valued attribute, or undefined if none applies. */
function expressionAt(die: Die, attr: number, pc: number): { bytes?: Uint8Array; source: VariableLocation["source"] } {
  const v = die.attr(attr);
  if (!v) return { source: "none" };
  switch (v.kind) {
    case "exprloc":
    case "block":
      return { bytes: v.bytes, source: "expression" };
    case "secOffset":
      return { bytes: entryAt(die, readLocationList(die.unit.listContext(), { offset: v.offset }), pc), source: "list" };
    case "loclistx":
      return { bytes: entryAt(die, readLocationList(die.unit.listContext(), { index: v.index }), pc), source: "list" };
    case "constant":
      // DWARF 2–3 wrote location-list offsets as data4/data8.
      if (die.unit.version <= 3) return { bytes: entryAt(die, readLocationList(die.unit.listContext(), { offset: v.value }), pc), source: "list" };
      return { source: "none" };
    default:
      return { source: "none" };
  }
}

/**
 * The list entry for `pc`. gcc also writes empty ranges [entry, entry) that
 * describe parameters at the function's first instruction only; like gdb, use
 * such an entry when the PC is that entry point and nothing else covers it.
 */
function entryAt(die: Die, list: ReturnType<typeof readLocationList>, pc: number): Uint8Array | undefined {
  const found = locationAt(list, pc);
  if (found) return found;
  const empty = list.entries.find((e) => e.start === pc && e.end === pc);
  return empty && frameFunction(die)?.lowPc() === pc ? empty.expr : undefined;
}

/** The concrete function whose frame a DIE's frame-base-relative locations refer to. */
function frameFunction(die: Die): Die | undefined {
  for (let p: Die | undefined = die.parent(); p; p = p.parent()) if (p.tag === DW_TAG.subprogram) return p;
  return undefined;
}

/** Where the variable (parameter, local, global) described by `die` is at `pc`. */
export function locationOf(die: Die, pc: number, cfi: CallFrameInfo | undefined): VariableLocation {
  const unit = die.unit;
  const addrAt = (i: number) => BigInt(unit.addressAt(i));
  const { bytes, source } = expressionAt(die, DW_AT.location, pc);
  if (bytes === undefined) {
    const cv = die.attr(DW_AT.const_value);
    if (cv) return { plan: constantPlan(cv), expression: "", source: "constant" };
    return { plan: { kind: "optimizedOut" }, expression: "", source };
  }
  const ops = decodeExpression(bytes, unit, { addrAt });
  const cfa = cfaAt(cfi, pc);
  let frameBase: Value | undefined;
  const fn = frameFunction(die);
  if (fn) {
    const fb = expressionAt(fn, DW_AT.frame_base, pc);
    if (fb.bytes) {
      const v = frameBaseValue(decodeExpression(fb.bytes, unit, { addrAt }), { cfa });
      if ("kind" in v && v.kind === "unsupported") return { plan: v, expression: formatOps(ops), source };
      frameBase = v as Value;
    }
  }
  const baseType = (unitOffset: number) => {
    const t = unit.dieAt(unit.offset + unitOffset);
    const encoding = t?.constant(DW_AT.encoding);
    const byteSize = t?.constant(DW_AT.byte_size);
    return encoding === undefined || byteSize === undefined ? undefined : { encoding, byteSize };
  };
  const plan = withFrame(classify(ops, { baseType }), { frameBase, cfa });
  return { plan, expression: formatOps(ops), source };
}

function constantPlan(v: NonNullable<ReturnType<Die["attr"]>>): ReadPlan {
  if (v.kind === "block" || v.kind === "data16") return { kind: "implicit", bytes: v.bytes };
  if (v.kind === "constant") {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, BigInt(v.value), true);
    return { kind: "implicit", bytes };
  }
  return { kind: "unsupported", op: "DW_AT_const_value", reason: `constant of form kind ${v.kind}` };
}

const regName = (r: number): string => (x86RegisterName(r) ?? `reg${r}`).toLowerCase();

/** A one-line description of a read plan for `info scope` and --dry-run --details. */
export function describePlan(plan: ReadPlan): string {
  const f = (v: Value) => formatValue(v, regName);
  switch (plan.kind) {
    case "register":
      return `in register ${regName(plan.reg)}`;
    case "memory":
      return plan.address.kind === "moduleAddress" ? `static storage at 0x${plan.address.address.toString(16)}` : `in memory at ${f(plan.address)}`;
    case "value":
      return `computed value ${f(plan.value)}`;
    case "implicit":
      return `constant 0x${Buffer.from(plan.bytes).reverse().toString("hex").replace(/^0+(?=.)/, "")}`;
    case "pieces":
      return `in pieces: ${plan.pieces.map((p) => `[${p.sizeBits} bits ${describePlan(p.plan)}]`).join(", ")}`;
    case "optimizedOut":
      return "optimized out";
    case "entryValue":
      return `entry value: ${describePlan(plan.atEntry)} (only at the function's first instruction)`;
    case "unsupported":
      return `unsupported: ${plan.op}: ${plan.reason}`;
  }
}

export { planProblems };
