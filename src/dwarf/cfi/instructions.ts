// Decoding of call frame instructions (DWARF 5 §6.4.2) into typed values.
//
// Factored operands are multiplied out here (code alignment for advances,
// data alignment for the *_sf and offset forms), so the table builder and any
// printer deal only in bytes. Expressions stay zero-copy views of the section.

import { Reader } from "../reader.ts";
import * as C from "./constants.ts";
import type { CommonInformationEntry } from "./entries.ts";
import { type PointerBases, readEncodedPointer } from "./pointer.ts";

export type CfaInstruction =
  | { op: "setLoc"; address: number }
  /** Advance the location by `delta` bytes (already multiplied by the code alignment factor). */
  | { op: "advanceLoc"; delta: number }
  | { op: "defCfa"; reg: number; offset: number }
  | { op: "defCfaRegister"; reg: number }
  | { op: "defCfaOffset"; offset: number }
  | { op: "defCfaExpression"; expression: Uint8Array }
  | { op: "undefined"; reg: number }
  | { op: "sameValue"; reg: number }
  /** The register is saved at CFA + offset. */
  | { op: "offset"; reg: number; offset: number }
  /** The register's value is CFA + offset. */
  | { op: "valOffset"; reg: number; offset: number }
  /** The register is saved in register `from`. */
  | { op: "register"; reg: number; from: number }
  | { op: "expression"; reg: number; expression: Uint8Array }
  | { op: "valExpression"; reg: number; expression: Uint8Array }
  /** Back to the rule the CIE's initial instructions gave the register. */
  | { op: "restore"; reg: number }
  | { op: "rememberState" }
  | { op: "restoreState" }
  /** DW_CFA_GNU_args_size: bytes of outgoing arguments on the stack (no effect on the rules). */
  | { op: "argsSize"; size: number }
  /** DW_CFA_GNU_window_save (SPARC) / AARCH64_negate_ra_state: recognized, no effect on x86-64 rules. */
  | { op: "windowSave" }
  | { op: "nop" };

/** What decoding needs from the entry the instructions belong to. */
export interface InstructionContext {
  cie: CommonInformationEntry;
  /** Section the instructions live in (for set_loc's encoding and error messages). */
  section: ".eh_frame" | ".debug_frame";
  /** Pointer bases for DW_CFA_set_loc in .eh_frame. */
  bases: PointerBases;
}

/**
 * Decode instructions one at a time. `offset` is the section offset of
 * bytes[0], so errors name the real position.
 */
export function* decodeInstructions(bytes: Uint8Array, offset: number, ctx: InstructionContext): Generator<CfaInstruction> {
  const r = new Reader(bytes, ctx.section, 0, offset);
  const { codeAlignmentFactor: caf, dataAlignmentFactor: daf } = ctx.cie;
  while (!r.atEnd) {
    const at = r.pos;
    const byte = r.u8();
    const high = byte & 0xc0;
    const low = byte & 0x3f;
    if (high === C.DW_CFA_advance_loc) { yield { op: "advanceLoc", delta: mul(r, low, caf, at) }; continue; }
    if (high === C.DW_CFA_offset) { yield { op: "offset", reg: low, offset: mul(r, r.uleb(), daf, at) }; continue; }
    if (high === C.DW_CFA_restore) { yield { op: "restore", reg: low }; continue; }
    switch (byte) {
      case C.DW_CFA_nop: yield { op: "nop" }; break;
      case C.DW_CFA_set_loc: yield { op: "setLoc", address: readSetLoc(r, ctx) }; break;
      case C.DW_CFA_advance_loc1: yield { op: "advanceLoc", delta: mul(r, r.u8(), caf, at) }; break;
      case C.DW_CFA_advance_loc2: yield { op: "advanceLoc", delta: mul(r, r.u16(), caf, at) }; break;
      case C.DW_CFA_advance_loc4: yield { op: "advanceLoc", delta: mul(r, r.u32(), caf, at) }; break;
      case C.DW_CFA_MIPS_advance_loc8: yield { op: "advanceLoc", delta: mul(r, r.u64n(), caf, at) }; break;
      case C.DW_CFA_offset_extended: yield { op: "offset", reg: r.uleb(), offset: mul(r, r.uleb(), daf, at) }; break;
      case C.DW_CFA_offset_extended_sf: yield { op: "offset", reg: r.uleb(), offset: mul(r, r.sleb(), daf, at) }; break;
      case C.DW_CFA_GNU_negative_offset_extended: yield { op: "offset", reg: r.uleb(), offset: -mul(r, r.uleb(), daf, at) }; break;
      case C.DW_CFA_restore_extended: yield { op: "restore", reg: r.uleb() }; break;
      case C.DW_CFA_undefined: yield { op: "undefined", reg: r.uleb() }; break;
      case C.DW_CFA_same_value: yield { op: "sameValue", reg: r.uleb() }; break;
      case C.DW_CFA_register: yield { op: "register", reg: r.uleb(), from: r.uleb() }; break;
      case C.DW_CFA_remember_state: yield { op: "rememberState" }; break;
      case C.DW_CFA_restore_state: yield { op: "restoreState" }; break;
      // def_cfa's offset is not factored; def_cfa_sf's is.
      case C.DW_CFA_def_cfa: yield { op: "defCfa", reg: r.uleb(), offset: r.uleb() }; break;
      case C.DW_CFA_def_cfa_sf: yield { op: "defCfa", reg: r.uleb(), offset: mul(r, r.sleb(), daf, at) }; break;
      case C.DW_CFA_def_cfa_register: yield { op: "defCfaRegister", reg: r.uleb() }; break;
      case C.DW_CFA_def_cfa_offset: yield { op: "defCfaOffset", offset: r.uleb() }; break;
      case C.DW_CFA_def_cfa_offset_sf: yield { op: "defCfaOffset", offset: mul(r, r.sleb(), daf, at) }; break;
      case C.DW_CFA_def_cfa_expression: yield { op: "defCfaExpression", expression: r.bytesN(r.uleb()) }; break;
      case C.DW_CFA_expression: yield { op: "expression", reg: r.uleb(), expression: r.bytesN(r.uleb()) }; break;
      case C.DW_CFA_val_expression: yield { op: "valExpression", reg: r.uleb(), expression: r.bytesN(r.uleb()) }; break;
      case C.DW_CFA_val_offset: yield { op: "valOffset", reg: r.uleb(), offset: mul(r, r.uleb(), daf, at) }; break;
      case C.DW_CFA_val_offset_sf: yield { op: "valOffset", reg: r.uleb(), offset: mul(r, r.sleb(), daf, at) }; break;
      case C.DW_CFA_GNU_args_size: yield { op: "argsSize", size: r.uleb() }; break;
      case C.DW_CFA_GNU_window_save: yield { op: "windowSave" }; break;
      // Operand sizes of an unknown opcode are unknowable: stop rather than misread.
      default: r.fail(`unknown call frame instruction 0x${byte.toString(16)}`, at);
    }
  }
}

function readSetLoc(r: Reader, ctx: InstructionContext): number {
  const { cie } = ctx;
  if (ctx.section === ".debug_frame") {
    r.skip(cie.segmentSelectorSize);
    return r.address(cie.addressSize);
  }
  const at = r.pos;
  const p = readEncodedPointer(r, cie.fdeEncoding, cie.addressSize, ctx.bases);
  if (p.indirect) r.fail("indirect DW_CFA_set_loc is not supported", at);
  return p.address;
}

/** A factored operand times its alignment factor, which must stay an exact integer. */
function mul(r: Reader, v: number, factor: number, at: number): number {
  const p = v * factor;
  if (!Number.isSafeInteger(p)) r.fail(`factored operand ${v} × ${factor} overflows`, at);
  return p === 0 ? 0 : p;
}
