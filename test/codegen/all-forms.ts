// A program exercising every instruction form the assembler can emit,
// shared by the round-trip and llvm-objdump tests.
import {
  type AluOpName,
  type CondName,
  type Insn,
  type Item,
  AluOp,
  Class,
  JmpOp,
  Mode,
  R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10,
  SizeCode,
  alu32, alu64, atomic, be, bswap, call, callLocal, cmpxchg, exit, ja, jaLong, jmp, jmp32,
  label, ld64, ldMapFd, ldMapValue, ldx, ldxs, le, movsx32, movsx64, neg32, neg64,
  sdiv32, sdiv64, smod32, smod64, st, stx, xchg,
} from "../../src/codegen/asm/index.ts";

export const ALU_OPS: AluOpName[] = ["ADD", "SUB", "MUL", "DIV", "OR", "AND", "LSH", "RSH", "MOD", "XOR", "MOV", "ARSH"];
export const CONDS: CondName[] = ["JEQ", "JGT", "JGE", "JSET", "JNE", "JSGT", "JSGE", "JLT", "JLE", "JSLT", "JSLE"];
export const SIZES = ["u8", "u16", "u32", "u64"] as const;
const REGS = [R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10];

/** Every form, with raw numeric jump offsets (no labels). */
export function allFormsRaw(): Insn[] {
  const out: Insn[] = [];
  const imms = [0, 1, -1, -8, 0x7fffffff, -0x80000000, 12345];
  ALU_OPS.forEach((op, k) => {
    const imm = imms[k % imms.length]!;
    out.push(alu64(op, R1, imm), alu64(op, REGS[k % 10]!, REGS[(k + 3) % 11]!));
    out.push(alu32(op, R2, imm), alu32(op, REGS[(k + 5) % 10]!, REGS[(k + 1) % 11]!));
  });
  out.push(neg64(R3), neg32(R4));
  for (const bits of [16, 32, 64] as const) out.push(le(R5, bits), be(R6, bits), bswap(R7, bits));
  out.push(sdiv64(R1, R2), sdiv64(R1, -3), sdiv32(R1, R2), sdiv32(R1, 7));
  out.push(smod64(R1, R2), smod64(R1, -3), smod32(R1, R2), smod32(R1, 7));
  out.push(movsx64(R1, R2, 8), movsx64(R1, R2, 16), movsx64(R1, R2, 32), movsx32(R1, R2, 8), movsx32(R1, R2, 16));
  CONDS.forEach((c, k) => {
    const offs = [3, -3, 0, 32767, -32768];
    const off = offs[k % 5]!;
    const imm = imms[k % imms.length]!;
    out.push(jmp(c, R1, imm, off), jmp(c, REGS[k % 10]!, REGS[(k + 2) % 11]!, offs[(k + 1) % 5]!));
    out.push(jmp32(c, R2, imm, off), jmp32(c, REGS[(k + 4) % 10]!, REGS[(k + 7) % 11]!, off));
  });
  out.push(ja(0), ja(5), ja(-7), jaLong(100000), jaLong(-2));
  out.push(call(1), call("probe_read_user"), call("ringbuf_reserve"), callLocal(4), callLocal(-9), exit());
  SIZES.forEach((s, k) => {
    out.push(ldx(s, R0, R1, 8), ldx(s, R9, R10, -8 * (k + 1)), ldx(s, R2, R3, 0), ldx(s, R4, R5, -32768), ldx(s, R6, R7, 32767));
    out.push(stx(s, R10, -4, R1), stx(s, R1, 16, R9), stx(s, R2, 0, R3));
    out.push(st(s, R10, -16, -77), st(s, R1, 8, 0x7fffffff), st(s, R2, 0, 0));
  });
  for (const s of ["u8", "u16", "u32"] as const) out.push(ldxs(s, R0, R1, 2), ldxs(s, R3, R10, -6));
  for (const s of ["u32", "u64"] as const) {
    for (const op of ["add", "or", "and", "xor"] as const) {
      out.push(atomic(op, s, R1, -16, R2), atomic(op, s, R10, 8, R3, true));
    }
    out.push(xchg(s, R1, -16, R2), cmpxchg(s, R1, 24, R2));
  }
  out.push(
    ld64(R1, 0x1234),
    ld64(R2, -1),
    ld64(R3, 0x0123456789abcdefn),
    ld64(R4, 0xfedcba9876543210n),
    ld64(R5, -(1n << 63n)),
    ld64(R6, (1n << 63n) - 1n),
    ld64(R7, 0x80000000),
    ld64(R8, 0),
    ldMapFd(R1, 7),
    ldMapFd(R9, 0x7fffffff),
    ldMapValue(R2, 5, 16),
    ldMapValue(R3, 9),
  );
  return out;
}

/**
 * cpu v4 forms that llvm-objdump 14 decodes as if `off` were 0 (sdiv/smod
 * print as div/mod, movsx as mov): it predates the meaning of that field.
 */
export function misprintedByLlvm14(i: Insn): boolean {
  const cls = i.code & 0x07;
  const op = i.code & 0xf0;
  return (cls === Class.ALU || cls === Class.ALU64) && (op === AluOp.DIV || op === AluOp.MOV) && i.off !== 0;
}

/** Forms that llvm-objdump 14 cannot decode (it prints `<unknown>`). */
export function unknownToLlvm14(i: Insn): boolean {
  const cls = i.code & 0x07;
  const op = i.code & 0xf0;
  if (cls === Class.ALU || cls === Class.ALU64) {
    if (op === AluOp.MOD) return true; // also smod
    if (op === AluOp.END) return cls === Class.ALU64; // bswap
    return false;
  }
  if (cls === Class.JMP || cls === Class.JMP32) {
    if (op === JmpOp.JSET) return true;
    return cls === Class.JMP32 && op === JmpOp.JA; // gotol
  }
  if (cls === Class.ST) return true;
  if (cls === Class.LDX) return (i.code & 0xe0) === Mode.MEMSX;
  return false;
}

/** 32-bit atomics: llvm-objdump 14 only decodes them with --mattr=+alu32. */
export function needsAlu32(i: Insn): boolean {
  return (i.code & 0x07) === Class.STX && (i.code & 0xe0) === Mode.ATOMIC && (i.code & 0x18) === SizeCode.u32;
}

/**
 * A program with labels: forward and backward jumps, across LD_IMM64, and
 * the slot offsets each must resolve to.
 */
export function labelledProgram(): { items: Item[]; expect: { index: number; field: "off" | "imm"; value: number }[] } {
  const items: Item[] = [
    label("start"),            // slot 0
    ld64(R1, 1n << 40n),       // 0,1
    jmp("JEQ", R1, 0, "end"),   // 2 -> end
    ld64(R2, -5),              // 3,4
    label("loop"),             // slot 5
    alu64("ADD", R2, 1),       // 5
    ldMapFd(R3, 4),            // 6,7
    jmp32("JSLT", R2, R1, "loop"), // 8 -> loop: 5 - 9 = -4
    ja("start"),               // 9 -> 0 - 10 = -10
    callLocal("sub"),          // 10 -> sub
    jaLong("end"),             // 11 -> end
    label("end"),              // slot 12
    label("also_end"),         // slot 12
    jmp("JNE", R0, R1, "also_end"), // 12 -> 12 - 13 = -1
    exit(),                    // 13
    label("sub"),              // slot 14
    alu64("MOV", R0, 0),       // 14
    exit(),                    // 15
  ];
  return {
    items,
    expect: [
      // index: position among the resolved instructions (labels dropped)
      { index: 1, field: "off", value: 12 - 3 },
      { index: 5, field: "off", value: 5 - 9 },
      { index: 6, field: "off", value: 0 - 10 },
      { index: 7, field: "imm", value: 14 - 11 },
      { index: 8, field: "imm", value: 12 - 12 },
      { index: 9, field: "off", value: 12 - 13 },
    ],
  };
}
