// wraith's BPF assembler and disassembler.
//
// Instructions are small plain values (`Insn`): the fields of `struct
// bpf_insn` (code, dst, src, off, imm; `imm2` for the second slot of
// LD_IMM64). Jumps may name a label (`target`) instead of an offset; labels
// are pseudo-instructions (`{ label: "name" }`) and are resolved once, by
// `assemble`, counting LD_IMM64 as two slots. Every validation problem is an
// `AsmError` naming the item index.
//
// Two equivalent ways to build a program:
//
//   // 1. The chainable builder (reads best for straight-line lowering):
//   const p = new Program()
//     .comment("read 8 bytes at *(r1 + 16) into the stack")
//     .ldx("u64", R3, R1, 16)
//     .mov(R1, R10).add(R1, -8)
//     .mov(R2, 8)
//     .call(Helper.probe_read_user)       // or .call("probe_read_user")
//     .jne(R0, 0, "fail")
//     .ldMapFd(R1, ringbufFd)
//     .label("fail").mov(R0, 0).exit();
//   const bytes = p.assemble();           // Uint8Array, 8 bytes per slot
//
//   // 2. Plain arrays of constructor results:
//   const q = [mov64(R1, R10), add64(R1, -8), call("ktime_get_ns"), label("x"), exit()];
//   assemble(q);
//
// Naming: in the builder unsuffixed ALU methods are 64-bit and `…32`
// variants are 32-bit; the free functions always carry the suffix
// (`add64`, `add32`). A numeric source operand is a signed 32-bit immediate;
// a `Reg` (R0–R10) selects the register form.
//
// Printing: `disassemble(bytes | program)` returns llvm-objdump's text per
// instruction (e.g. `r1 += -8`, `if r0 != 0 goto +3`, `r1 = 4660 ll`,
// `ld_pseudo r1, 1, 7` for a map fd); `formatProgram(program)` is the
// debugging listing with slot indices, labels, helper names and comments.
//
// Safety: `assemble` refuses calls to `ForbiddenHelper`s (helpers that write
// user memory, send signals or override return values).
export { AsmError, isLabel, slotCount, imm64Value, withComment } from "./insn.ts";
export type { Insn, Label, Item, Target, Width, AtomicSize, AtomicArith } from "./insn.ts";
export {
  label,
  alu64, alu32,
  add64, add32, sub64, sub32, mul64, mul32, div64, div32, mod64, mod32,
  or64, or32, and64, and32, xor64, xor32, lsh64, lsh32, rsh64, rsh32, arsh64, arsh32,
  mov64, mov32, neg64, neg32,
  sdiv64, sdiv32, smod64, smod32, movsx64, movsx32,
  le, be, bswap,
  jmp, jmp32,
  jeq, jeq32, jne, jne32, jgt, jgt32, jge, jge32, jlt, jlt32, jle, jle32,
  jset, jset32, jsgt, jsgt32, jsge, jsge32, jslt, jslt32, jsle, jsle32,
  ja, jaLong, call, callLocal, exit,
  ldx, ldxs, stx, st, atomic, atomicAdd, xchg, cmpxchg,
  ld64, ldMapFd, ldMapValue,
} from "./insn.ts";
export {
  Reg, R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, regByNum,
  Class, Src, AluOp, JmpOp, SizeCode, Mode, AtomicOp, Pseudo, PseudoCall, LD_IMM64,
  Helper, ForbiddenHelper, helperName,
} from "./opcodes.ts";
export type { AluOpName, CondName, Size, HelperName } from "./opcodes.ts";
export { assemble, resolve, encode, layout } from "./assemble.ts";
export type { ProgramLike, Layout, HasItems } from "./assemble.ts";
export { decode } from "./decode.ts";
export { disassemble, formatProgram } from "./format.ts";
export type { ListingOptions } from "./format.ts";
export { insnText, describeInsn } from "./text.ts";
export type { TextOptions } from "./text.ts";
export { Program } from "./program.ts";
