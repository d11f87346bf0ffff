// DW_OP opcode values of DWARF 2–5 and the GNU extensions gcc and clang emit,
// with their spelling. Names are the standard ones (as llvm-dwarfdump prints
// them); the numbered families (lit, reg, breg) are generated.

export const DW_OP = {
  addr: 0x03,
  deref: 0x06,
  const1u: 0x08,
  const1s: 0x09,
  const2u: 0x0a,
  const2s: 0x0b,
  const4u: 0x0c,
  const4s: 0x0d,
  const8u: 0x0e,
  const8s: 0x0f,
  constu: 0x10,
  consts: 0x11,
  dup: 0x12,
  drop: 0x13,
  over: 0x14,
  pick: 0x15,
  swap: 0x16,
  rot: 0x17,
  xderef: 0x18,
  abs: 0x19,
  and: 0x1a,
  div: 0x1b,
  minus: 0x1c,
  mod: 0x1d,
  mul: 0x1e,
  neg: 0x1f,
  not: 0x20,
  or: 0x21,
  plus: 0x22,
  plus_uconst: 0x23,
  shl: 0x24,
  shr: 0x25,
  shra: 0x26,
  xor: 0x27,
  bra: 0x28,
  eq: 0x29,
  ge: 0x2a,
  gt: 0x2b,
  le: 0x2c,
  lt: 0x2d,
  ne: 0x2e,
  skip: 0x2f,
  lit0: 0x30,
  lit31: 0x4f,
  reg0: 0x50,
  reg31: 0x6f,
  breg0: 0x70,
  breg31: 0x8f,
  regx: 0x90,
  fbreg: 0x91,
  bregx: 0x92,
  piece: 0x93,
  deref_size: 0x94,
  xderef_size: 0x95,
  nop: 0x96,
  // DWARF 3
  push_object_address: 0x97,
  call2: 0x98,
  call4: 0x99,
  call_ref: 0x9a,
  form_tls_address: 0x9b,
  call_frame_cfa: 0x9c,
  bit_piece: 0x9d,
  // DWARF 4
  implicit_value: 0x9e,
  stack_value: 0x9f,
  // DWARF 5
  implicit_pointer: 0xa0,
  addrx: 0xa1,
  constx: 0xa2,
  entry_value: 0xa3,
  const_type: 0xa4,
  regval_type: 0xa5,
  deref_type: 0xa6,
  xderef_type: 0xa7,
  convert: 0xa8,
  reinterpret: 0xa9,
  // GNU extensions (DW_OP_lo_user = 0xe0 .. DW_OP_hi_user = 0xff)
  GNU_push_tls_address: 0xe0,
  GNU_uninit: 0xf0,
  GNU_encoded_addr: 0xf1,
  GNU_implicit_pointer: 0xf2,
  GNU_entry_value: 0xf3,
  GNU_const_type: 0xf4,
  GNU_regval_type: 0xf5,
  GNU_deref_type: 0xf6,
  GNU_convert: 0xf7,
  GNU_reinterpret: 0xf9,
  GNU_parameter_ref: 0xfa,
  GNU_addr_index: 0xfb,
  GNU_const_index: 0xfc,
  GNU_variable_value: 0xfd,
} as const;

const names = new Map<number, string>();
for (const [name, code] of Object.entries(DW_OP)) {
  if (/^(lit|reg|breg)\d+$/.test(name)) continue; // the families are generated below
  names.set(code, `DW_OP_${name}`);
}
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
