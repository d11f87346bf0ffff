// Executes call frame instructions into the unwind table of DWARF 5 §6.4.1:
// one row per address range, giving the CFA rule and a rule per register.
//
// The CIE's initial instructions build the starting row (also what
// DW_CFA_restore returns to); the FDE's instructions then edit it, and every
// location advance closes a row. Rows are built per FDE on demand: FDEs are
// short, so re-running one is cheaper than keeping every table in memory.

import { DwarfError } from "../reader.ts";
import type { FrameDescriptionEntry, FrameSection } from "./entries.ts";
import { type CfaInstruction, decodeInstructions } from "./instructions.ts";

/** How to compute the Canonical Frame Address. */
export type CfaRule =
  /** CFA = value of register `reg` + `offset`. */
  | { kind: "regOffset"; reg: number; offset: number }
  /** CFA = result of evaluating a DWARF expression (bytes not decoded here). */
  | { kind: "expression"; bytes: Uint8Array };

/** How to recover a register's value in the caller's frame. */
export type RegisterRule =
  /** Not recoverable (e.g. the return address of the outermost frame). */
  | { kind: "undefined" }
  /** Unchanged from the callee (callee-saved and not yet touched). */
  | { kind: "sameValue" }
  /** Saved in memory at CFA + offset. */
  | { kind: "offset"; offset: number }
  /** The value itself is CFA + offset. */
  | { kind: "valOffset"; offset: number }
  /** Saved in another register. */
  | { kind: "register"; reg: number }
  /** Saved in memory at the address the expression computes (the CFA is pushed first). */
  | { kind: "expression"; bytes: Uint8Array }
  /** The value is what the expression computes (the CFA is pushed first). */
  | { kind: "valExpression"; bytes: Uint8Array };

export interface UnwindRow {
  /** First address the row applies to. */
  start: number;
  /** One past the last address it applies to. */
  end: number;
  cfa: CfaRule;
  /**
   * Rules the CFI states, by DWARF register number. A register absent here has
   * no rule in the CFI: the ABI's default applies (on x86-64, callee-saved
   * registers keep their value, others are lost).
   */
  registers: ReadonlyMap<number, RegisterRule>;
  /** The FDE the row comes from. */
  fde: FrameDescriptionEntry;
}

interface State {
  cfa: CfaRule | undefined;
  registers: Map<number, RegisterRule>;
}

/** Bounds that keep hostile input from costing quadratic time or memory. */
const MAX_STATE_STACK = 256;
const MAX_REGISTERS = 512;

/** Every row of an FDE, in address order, without empty ranges. */
export function unwindRows(section: FrameSection, fde: FrameDescriptionEntry): UnwindRow[] {
  const rows: UnwindRow[] = [];
  buildRows(section, fde, (row) => { rows.push(row); return true; });
  return rows;
}

/** The row covering `pc`, or undefined when the FDE does not cover it. */
export function unwindRowIn(section: FrameSection, fde: FrameDescriptionEntry, pc: number): UnwindRow | undefined {
  if (pc < fde.start || pc >= fde.start + fde.length) return undefined;
  let found: UnwindRow | undefined;
  buildRows(section, fde, (row) => {
    if (pc >= row.start && pc < row.end) { found = row; return false; }
    return row.start <= pc;
  });
  return found;
}

/** The state after the CIE's initial instructions (what DW_CFA_restore restores). */
function initialState(section: FrameSection, fde: FrameDescriptionEntry): State {
  const { cie } = fde;
  const state: State = { cfa: undefined, registers: new Map() };
  const ctx = { cie, section: section.kind, bases: section.bases() };
  for (const ins of decodeInstructions(cie.initialInstructions, cie.instructionsOffset, ctx)) {
    switch (ins.op) {
      case "setLoc": case "advanceLoc": case "restore": case "restoreState":
        throw new DwarfError(`corrupt ${section.kind}: CIE at 0x${cie.offset.toString(16)} uses DW_CFA ${ins.op} in its initial instructions`);
      default:
        apply(section, fde, state, ins, undefined, []);
    }
  }
  return state;
}

/** Runs the FDE, handing each finished row to `emit` until it returns false. */
function buildRows(section: FrameSection, fde: FrameDescriptionEntry, emit: (row: UnwindRow) => boolean): void {
  const initial = initialState(section, fde);
  const state: State = { cfa: initial.cfa, registers: new Map(initial.registers) };
  const stack: State[] = [];
  const end = fde.start + fde.length;
  let loc = fde.start;
  const ctx = { cie: fde.cie, section: section.kind, bases: section.bases(fde.start) };
  const close = (next: number): boolean => {
    if (next < loc) throw new DwarfError(`corrupt ${section.kind}: FDE at 0x${fde.offset.toString(16)} moves its location backwards to 0x${next.toString(16)}`);
    const stop = Math.min(next, end);
    if (stop > loc) {
      if (state.cfa === undefined) throw new DwarfError(`corrupt ${section.kind}: FDE at 0x${fde.offset.toString(16)} has no CFA rule at 0x${loc.toString(16)}`);
      if (!emit({ start: loc, end: stop, cfa: state.cfa, registers: new Map(state.registers), fde })) return false;
    }
    loc = next;
    return loc < end;
  };
  for (const ins of decodeInstructions(fde.instructions, fde.instructionsOffset, ctx)) {
    if (ins.op === "advanceLoc") { if (!close(loc + ins.delta)) return; continue; }
    if (ins.op === "setLoc") { if (!close(ins.address)) return; continue; }
    apply(section, fde, state, ins, initial, stack);
  }
  close(end);
}

function apply(section: FrameSection, fde: FrameDescriptionEntry, state: State, ins: CfaInstruction, initial: State | undefined, stack: State[]): void {
  const fail = (why: string): never => { throw new DwarfError(`corrupt ${section.kind}: FDE at 0x${fde.offset.toString(16)}: ${why}`); };
  const set = (reg: number, rule: RegisterRule) => {
    if (!state.registers.has(reg) && state.registers.size >= MAX_REGISTERS) fail(`more than ${MAX_REGISTERS} registers have rules`);
    state.registers.set(reg, rule);
  };
  switch (ins.op) {
    case "defCfa": state.cfa = { kind: "regOffset", reg: ins.reg, offset: ins.offset }; break;
    case "defCfaRegister": {
      const cfa = state.cfa;
      if (cfa?.kind !== "regOffset") return fail("DW_CFA_def_cfa_register without a register+offset CFA rule");
      state.cfa = { kind: "regOffset", reg: ins.reg, offset: cfa.offset };
      break;
    }
    case "defCfaOffset": {
      const cfa = state.cfa;
      if (cfa?.kind !== "regOffset") return fail("DW_CFA_def_cfa_offset without a register+offset CFA rule");
      state.cfa = { kind: "regOffset", reg: cfa.reg, offset: ins.offset };
      break;
    }
    case "defCfaExpression": state.cfa = { kind: "expression", bytes: ins.expression }; break;
    case "undefined": set(ins.reg, { kind: "undefined" }); break;
    case "sameValue": set(ins.reg, { kind: "sameValue" }); break;
    case "offset": set(ins.reg, { kind: "offset", offset: ins.offset }); break;
    case "valOffset": set(ins.reg, { kind: "valOffset", offset: ins.offset }); break;
    case "register": set(ins.reg, { kind: "register", reg: ins.from }); break;
    case "expression": set(ins.reg, { kind: "expression", bytes: ins.expression }); break;
    case "valExpression": set(ins.reg, { kind: "valExpression", bytes: ins.expression }); break;
    case "restore": {
      const rule = initial?.registers.get(ins.reg);
      if (rule) set(ins.reg, rule);
      else state.registers.delete(ins.reg);
      break;
    }
    case "rememberState":
      if (stack.length >= MAX_STATE_STACK) fail(`DW_CFA_remember_state nested deeper than ${MAX_STATE_STACK}`);
      stack.push({ cfa: state.cfa, registers: new Map(state.registers) });
      break;
    case "restoreState": {
      const saved = stack.pop() ?? fail("DW_CFA_restore_state without a remembered state");
      // The CFA rule is part of the remembered state, as gcc, LLVM and binutils treat it.
      state.cfa = saved.cfa;
      state.registers = saved.registers;
      break;
    }
    case "argsSize": case "windowSave": case "nop": break;
    case "setLoc": case "advanceLoc": break; // handled by the caller
  }
}
