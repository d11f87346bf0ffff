// Typed DWARF operations. The decoder (decode.ts) turns expression bytes into
// these; the printer (print.ts) and the classifier (plan.ts) consume them.
// Every operand is already interpreted: signed where DWARF says signed, 64-bit
// values as bigint (constants and addresses may use all 64 bits), register
// numbers and sizes as numbers.

import type { OffsetSize } from "../reader.ts";

/** What an expression's bytes mean depends on the unit that holds them. */
export interface Encoding {
  /** Bytes in a target address (DW_OP_addr, DW_OP_deref): 8 on x86-64. */
  addressSize: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF (DW_OP_call_ref, implicit_pointer, variable_value). */
  offsetSize: OffsetSize;
  /** Unit version 2–5. In DWARF 2, DW_OP_call_ref's operand is address-sized. */
  version: number;
}

export interface DecodeOptions {
  /**
   * The unit's `.debug_addr` entry `index` (DW_AT_addr_base already applied).
   * Without it, DW_OP_addrx / DW_OP_constx keep only their index.
   */
  addrAt?: (index: number) => bigint;
}

export type BinaryOperator =
  | "and" | "div" | "minus" | "mod" | "mul" | "or" | "plus" | "shl" | "shr" | "shra" | "xor"
  | "eq" | "ge" | "gt" | "le" | "lt" | "ne";

export type UnaryOperator = "abs" | "neg" | "not";

/** Fields every operation has: its opcode and where it sits in the expression. */
export interface OpPosition {
  /** The DW_OP_* byte (see opcodes.ts). */
  code: number;
  /** Position of the opcode byte within the expression. */
  start: number;
  /** Position just past the operation's last operand. */
  end: number;
}

export type OpKind =
  /** DW_OP_addr: a module-relative static address (add the load bias). */
  | { kind: "address"; address: bigint }
  /** DW_OP_addrx, DW_OP_GNU_addr_index: an address from .debug_addr. */
  | { kind: "addressIndex"; index: number; address?: bigint }
  /** DW_OP_constx, DW_OP_GNU_const_index: a constant (often a TLS offset) from .debug_addr. */
  | { kind: "constantIndex"; index: number; value?: bigint }
  /** DW_OP_lit*, DW_OP_const*: push a constant (unsigned ops zero-extend, signed ones sign-extend). */
  | { kind: "literal"; value: bigint }
  /** DW_OP_reg*, DW_OP_regx: the object lives in a register (a location, not a value). */
  | { kind: "register"; reg: number }
  /** DW_OP_breg*, DW_OP_bregx: push register + offset. */
  | { kind: "registerOffset"; reg: number; offset: bigint }
  /** DW_OP_fbreg: push the function's frame base + offset. */
  | { kind: "frameOffset"; offset: bigint }
  /** DW_OP_deref (size = address size), DW_OP_deref_size. */
  | { kind: "deref"; size: number }
  /** DW_OP_xderef, DW_OP_xderef_size: deref in another address space. */
  | { kind: "xderef"; size: number }
  /** DW_OP_deref_type, DW_OP_GNU_deref_type: deref `size` bytes as a base type (unit-relative DIE offset). */
  | { kind: "derefType"; size: number; baseType: number }
  /** DW_OP_xderef_type. */
  | { kind: "xderefType"; size: number; baseType: number }
  /** DW_OP_dup (0), DW_OP_over (1), DW_OP_pick: push a copy of the stack entry `index` below the top. */
  | { kind: "pick"; index: number }
  | { kind: "drop" }
  | { kind: "swap" }
  | { kind: "rot" }
  | { kind: "unary"; operator: UnaryOperator }
  | { kind: "binary"; operator: BinaryOperator }
  /** DW_OP_plus_uconst. */
  | { kind: "plusConstant"; value: bigint }
  /** DW_OP_skip: continue at `target` (an offset in the expression; may equal its length). */
  | { kind: "skip"; delta: number; target: number }
  /** DW_OP_bra: pop; if non-zero continue at `target`. */
  | { kind: "branch"; delta: number; target: number }
  /** DW_OP_piece (bitOffset 0, sizeBits = 8 × bytes), DW_OP_bit_piece. */
  | { kind: "piece"; sizeBits: number; bitOffset: number }
  /** DW_OP_implicit_value: the object's bytes are these. */
  | { kind: "implicitValue"; bytes: Uint8Array }
  /** DW_OP_stack_value: the top of stack is the object's value, not its address. */
  | { kind: "stackValue" }
  /** DW_OP_implicit_pointer, DW_OP_GNU_implicit_pointer: a pointer to `die`'s value + byteOffset, which has no address. */
  | { kind: "implicitPointer"; die: number; byteOffset: bigint }
  /** DW_OP_entry_value, DW_OP_GNU_entry_value: evaluate `ops` as at the function's entry. */
  | { kind: "entryValue"; expression: Uint8Array; ops: Op[] }
  /** DW_OP_const_type, DW_OP_GNU_const_type: a typed constant (unit-relative base type DIE). */
  | { kind: "typedConstant"; baseType: number; bytes: Uint8Array }
  /** DW_OP_regval_type, DW_OP_GNU_regval_type: a register's contents as a base type. */
  | { kind: "typedRegister"; reg: number; baseType: number }
  /** DW_OP_convert, DW_OP_GNU_convert (baseType 0 = the generic type). */
  | { kind: "convert"; baseType: number }
  /** DW_OP_reinterpret, DW_OP_GNU_reinterpret. */
  | { kind: "reinterpret"; baseType: number }
  /** DW_OP_call2/call4 (unit-relative DIE offset) and DW_OP_call_ref (.debug_info offset). */
  | { kind: "call"; ref: number; unitRelative: boolean }
  /** DW_OP_GNU_parameter_ref: a parameter the optimiser removed (unit-relative DIE offset). */
  | { kind: "parameterRef"; ref: number }
  /** DW_OP_GNU_variable_value: the value of another variable (.debug_info offset). */
  | { kind: "variableValue"; ref: number }
  /** DW_OP_form_tls_address, DW_OP_GNU_push_tls_address: pop a TLS offset, push its address in this thread. */
  | { kind: "tlsAddress" }
  /** DW_OP_call_frame_cfa: push the CFA (from the CFI row at the PC). */
  | { kind: "callFrameCfa" }
  | { kind: "pushObjectAddress" }
  | { kind: "nop" }
  /** DW_OP_GNU_uninit: the value described so far may be uninitialised. */
  | { kind: "uninit" };

export type Op = OpPosition & OpKind;
