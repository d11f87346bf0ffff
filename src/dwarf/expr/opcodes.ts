// The DW_OP operations this decoder understands (DWARF 2–5 and the GNU
// extensions gcc and clang emit), with their spelling as llvm-dwarfdump
// prints them. Values come from the one table in ../constants.ts; the
// numbered families (lit, reg, breg) are generated.
import { DW_OP } from "../constants.ts";

export { DW_OP };

const UNDERSTOOD: readonly (keyof typeof DW_OP)[] = [
  "addr", "deref", "const1u", "const1s", "const2u", "const2s", "const4u", "const4s", "const8u", "const8s", "constu",
  "consts", "dup", "drop", "over", "pick", "swap", "rot", "xderef", "abs", "and", "div", "minus", "mod", "mul",
  "neg", "not", "or", "plus", "plus_uconst", "shl", "shr", "shra", "xor", "bra", "eq", "ge", "gt", "le", "lt", "ne",
  "skip", "regx", "fbreg", "bregx", "piece", "deref_size", "xderef_size", "nop", "push_object_address", "call2",
  "call4", "call_ref", "form_tls_address", "call_frame_cfa", "bit_piece", "implicit_value", "stack_value",
  "implicit_pointer", "addrx", "constx", "entry_value", "const_type", "regval_type", "deref_type", "xderef_type",
  "convert", "reinterpret", "GNU_push_tls_address", "GNU_uninit", "GNU_encoded_addr", "GNU_implicit_pointer",
  "GNU_entry_value", "GNU_const_type", "GNU_regval_type", "GNU_deref_type", "GNU_convert", "GNU_reinterpret",
  "GNU_parameter_ref", "GNU_addr_index", "GNU_const_index", "GNU_variable_value",
];

const names = new Map<number, string>();
for (const name of UNDERSTOOD) names.set(DW_OP[name], `DW_OP_${name}`);
for (let i = 0; i < 32; i++) {
  names.set(DW_OP.lit0 + i, `DW_OP_lit${i}`);
  names.set(DW_OP.reg0 + i, `DW_OP_reg${i}`);
  names.set(DW_OP.breg0 + i, `DW_OP_breg${i}`);
}

/** `DW_OP_fbreg`, or `DW_OP_<0xNN>` for a code DWARF does not define. */
export function opName(code: number): string {
  return names.get(code) ?? `DW_OP_<0x${code.toString(16).padStart(2, "0")}>`;
}

/** Whether `code` is an opcode this decoder understands. */
export function isKnownOp(code: number): boolean {
  return names.has(code);
}
