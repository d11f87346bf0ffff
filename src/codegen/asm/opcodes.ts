// Opcode fields of `struct bpf_insn` (kernel Documentation/bpf/standardization/
// instruction-set.rst), registers, and the helper ids wraith uses.

/** Instruction class: the low 3 bits of the opcode byte. */
export const Class = {
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  ALU: 0x04,
  JMP: 0x05,
  JMP32: 0x06,
  ALU64: 0x07,
} as const;

/** Operand source for ALU and JMP classes (bit 3). */
export const Src = { K: 0x00, X: 0x08 } as const;

/** ALU operation (high 4 bits) for classes ALU and ALU64. */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  MOD: 0x90,
  XOR: 0xa0,
  MOV: 0xb0,
  ARSH: 0xc0,
  END: 0xd0,
} as const;
export type AluOpName = Exclude<keyof typeof AluOp, "NEG" | "END">;

/** Jump operation (high 4 bits) for classes JMP and JMP32. */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
} as const;
export type CondName = Exclude<keyof typeof JmpOp, "JA" | "CALL" | "EXIT">;

/** Access size (bits 3-4) for load and store classes. */
export const SizeCode = { u32: 0x00, u16: 0x08, u8: 0x10, u64: 0x18 } as const;
export type Size = keyof typeof SizeCode;

/** Addressing mode (high 3 bits) for load and store classes. */
export const Mode = {
  IMM: 0x00,
  ABS: 0x20,
  IND: 0x40,
  MEM: 0x60,
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;

/** Atomic operation, carried in the immediate of STX|ATOMIC. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  FETCH: 0x01,
  XCHG: 0xe1,
  CMPXCHG: 0xf1,
} as const;

/** src_reg values of LD_IMM64 (include/uapi/linux/bpf.h). */
export const Pseudo = {
  MAP_FD: 1,
  MAP_VALUE: 2,
  BTF_ID: 3,
  FUNC: 4,
  MAP_IDX: 5,
  MAP_IDX_VALUE: 6,
} as const;

/** src_reg values of CALL. */
export const PseudoCall = { HELPER: 0, CALL: 1, KFUNC: 2 } as const;

export const LD_IMM64 = Class.LD | SizeCode.u64 | Mode.IMM; // 0x18

/** A register operand. Only the constants R0–R10 exist; compare by identity or `.num`. */
export class Reg {
  private constructor(readonly num: number) {}
  toString(): string {
    return `r${this.num}`;
  }
  /** @internal */
  static readonly all: readonly Reg[] = Array.from({ length: 11 }, (_, i) => new Reg(i));
}

export const R0 = Reg.all[0]!;
export const R1 = Reg.all[1]!;
export const R2 = Reg.all[2]!;
export const R3 = Reg.all[3]!;
export const R4 = Reg.all[4]!;
export const R5 = Reg.all[5]!;
export const R6 = Reg.all[6]!;
export const R7 = Reg.all[7]!;
export const R8 = Reg.all[8]!;
export const R9 = Reg.all[9]!;
/** Read-only frame pointer. */
export const R10 = Reg.all[10]!;

/** Register by number; undefined outside 0–10. */
export function regByNum(n: number): Reg | undefined {
  return Reg.all[n];
}

/**
 * Helper ids used by wraith, as numbered in enum bpf_func_id of
 * include/uapi/linux/bpf.h (verified against the installed header).
 */
export const Helper = {
  map_lookup_elem: 1,
  map_update_elem: 2,
  map_delete_elem: 3,
  probe_read: 4,
  ktime_get_ns: 5,
  trace_printk: 6,
  get_smp_processor_id: 8,
  get_current_pid_tgid: 14,
  get_current_uid_gid: 15,
  get_current_comm: 16,
  perf_event_output: 25,
  get_current_task: 35,
  probe_read_str: 45,
  get_stack: 67,
  get_current_cgroup_id: 80,
  probe_read_user: 112,
  probe_read_kernel: 113,
  probe_read_user_str: 114,
  probe_read_kernel_str: 115,
  get_ns_current_pid_tgid: 120,
  ktime_get_boot_ns: 125,
  ringbuf_output: 130,
  ringbuf_reserve: 131,
  ringbuf_submit: 132,
  ringbuf_discard: 133,
  ringbuf_query: 134,
  get_func_ip: 173,
  get_attach_cookie: 174,
} as const;
export type HelperName = keyof typeof Helper;

/**
 * Helpers that write process memory, send signals or change control flow of
 * the traced process. wraith is read-only: `assemble` refuses to emit a call
 * to any of these.
 */
export const ForbiddenHelper = {
  probe_write_user: 36,
  override_return: 58,
  send_signal: 109,
  send_signal_thread: 117,
} as const;

const helperNames = new Map<number, string>(
  [...Object.entries(Helper), ...Object.entries(ForbiddenHelper)].map(([k, v]) => [v, k]),
);

/** `bpf_<name>` for a known helper id, else undefined. */
export function helperName(id: number): string | undefined {
  const n = helperNames.get(id);
  return n === undefined ? undefined : `bpf_${n}`;
}
