// x86-64 DWARF register numbers (System V AMD64 psABI, "DWARF Register Number
// Mapping"): their names as llvm-dwarfdump spells them, and where a uprobe's
// BPF program finds each one in `struct pt_regs`.
//
// pt_regs layout checked against the kernel's
// arch/x86/include/uapi/asm/ptrace.h (x86-64 branch): r15 r14 r13 r12 rbp rbx
// r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss, eight
// bytes each. Vector, x87 and segment-base registers are not saved there, so
// a value held in one cannot be read by a uprobe program.

import { x86_64RegisterName } from "../registers.ts";

/**
 * DWARF register number → name as llvm-dwarfdump spells it: the psABI name
 * (../registers.ts) in capitals, for the registers llvm names at all.
 */
const LLVM_NAMED = (reg: number): boolean => reg <= 48 || (reg >= 67 && reg <= 82) || (reg >= 118 && reg <= 125);
const NAMES = new Map<number, string>();
for (let reg = 0; reg <= 125; reg++) if (LLVM_NAMED(reg)) NAMES.set(reg, x86_64RegisterName(reg).toUpperCase());
// llvm-dwarfdump prints these numbers bare (DW_OP_regx 0x31); the psABI names are for diagnostics only.
const ABI_ONLY_NAMES = new Map<number, string>([49, 50, 51, 52, 53, 54, 55, 58, 59].map((r) => [r, x86_64RegisterName(r)]));

/** DWARF register number → byte offset of its slot in x86-64 `struct pt_regs`. */
const PT_REGS_OFFSETS = new Map<number, number>([
  [0, 80], // rax
  [1, 96], // rdx
  [2, 88], // rcx
  [3, 40], // rbx
  [4, 104], // rsi
  [5, 112], // rdi
  [6, 32], // rbp
  [7, 152], // rsp
  [8, 72], // r8
  [9, 64], // r9
  [10, 56], // r10
  [11, 48], // r11
  [12, 24], // r12
  [13, 16], // r13
  [14, 8], // r14
  [15, 0], // r15
  [16, 128], // rip (the return-address column; at a uprobe, the probed instruction)
  [49, 144], // rflags
  [51, 136], // cs
  [52, 160], // ss
]);

/** `RDI` for 5, as llvm-dwarfdump spells it; undefined where it prints the bare number. */
export function x86RegisterName(reg: number): string | undefined {
  return NAMES.get(reg);
}

/** Offset of the register's 8-byte slot in `struct pt_regs`, or undefined if pt_regs does not hold it. */
export function ptRegsOffset(reg: number): number | undefined {
  return PT_REGS_OFFSETS.get(reg);
}

/** Why a register cannot be read from pt_regs (for diagnostics), or undefined if it can. */
export function unreadableRegisterReason(reg: number): string | undefined {
  if (PT_REGS_OFFSETS.has(reg)) return undefined;
  const name = NAMES.get(reg) ?? ABI_ONLY_NAMES.get(reg) ?? `DWARF register ${reg}`;
  if ((reg >= 17 && reg <= 32) || (reg >= 67 && reg <= 82)) return `value in xmm register ${name}, which pt_regs does not hold`;
  if (reg >= 33 && reg <= 48) return `value in x87/MMX register ${name}, which pt_regs does not hold`;
  if (reg >= 118 && reg <= 125) return `value in AVX-512 mask register ${name}, which pt_regs does not hold`;
  return `value in ${name}, which pt_regs does not hold`;
}
