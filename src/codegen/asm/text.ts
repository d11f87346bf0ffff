// One instruction → the text `llvm-objdump -d` prints for it.
//
// The syntax is LLVM's BPF assembly as printed by llvm-objdump 14 (the
// version CI runs). Forms LLVM 14 cannot decode — cpu v4 (sdiv/smod, movsx,
// bswap, sign-extending loads, gotol), BPF_MOD, JSET and ST with an
// immediate — are printed the way newer LLVM prints them.
import { type Insn, imm64Value } from "./insn.ts";
import { AluOp, AtomicOp, Class, JmpOp, LD_IMM64, Mode, SizeCode, Src } from "./opcodes.ts";

export interface TextOptions {
  /**
   * Print sub-register names for narrow (u8/u16/u32) loads and stores, as
   * `llvm-objdump --mattr=+alu32` does: `w0 = *(u32 *)(r1 + 8)`. Off by
   * default, like plain llvm-objdump. 32-bit atomics always use `w`.
   */
  alu32?: boolean;
}

const aluSym: Record<number, string> = {
  [AluOp.ADD]: "+=",
  [AluOp.SUB]: "-=",
  [AluOp.MUL]: "*=",
  [AluOp.DIV]: "/=",
  [AluOp.OR]: "|=",
  [AluOp.AND]: "&=",
  [AluOp.LSH]: "<<=",
  [AluOp.RSH]: ">>=",
  [AluOp.MOD]: "%=",
  [AluOp.XOR]: "^=",
  [AluOp.ARSH]: "s>>=",
};

const jmpSym: Record<number, string> = {
  [JmpOp.JEQ]: "==",
  [JmpOp.JGT]: ">",
  [JmpOp.JGE]: ">=",
  [JmpOp.JSET]: "&",
  [JmpOp.JNE]: "!=",
  [JmpOp.JSGT]: "s>",
  [JmpOp.JSGE]: "s>=",
  [JmpOp.JLT]: "<",
  [JmpOp.JLE]: "<=",
  [JmpOp.JSLT]: "s<",
  [JmpOp.JSLE]: "s<=",
};

const sizeName: Record<number, string> = {
  [SizeCode.u8]: "u8",
  [SizeCode.u16]: "u16",
  [SizeCode.u32]: "u32",
  [SizeCode.u64]: "u64",
};

const atomicSym: Record<number, string> = {
  [AtomicOp.ADD]: "add",
  [AtomicOp.OR]: "or",
  [AtomicOp.AND]: "and",
  [AtomicOp.XOR]: "xor",
};
const atomicAssign: Record<string, string> = { add: "+=", or: "|=", and: "&=", xor: "^=" };

/** `+3`, `-3`, `+0` */
export function signedOff(n: number): string {
  return n < 0 ? `${n}` : `+${n}`;
}

function addr(base: number, off: number): string {
  return off < 0 ? `r${base} - ${-off}` : `r${base} + ${off}`;
}

const isReg = (n: number) => Number.isInteger(n) && n >= 0 && n <= 10;

function alu(i: Insn, is64: boolean): string | undefined {
  const r = is64 ? "r" : "w";
  const op = i.code & 0xf0;
  const x = (i.code & Src.X) !== 0;
  const d = `${r}${i.dst}`;
  if (!isReg(i.dst)) return undefined;
  if (op === AluOp.END) {
    if (i.src !== 0 || i.off !== 0 || (i.imm !== 16 && i.imm !== 32 && i.imm !== 64)) return undefined;
    if (!is64) return `r${i.dst} = ${x ? "be" : "le"}${i.imm} r${i.dst}`;
    return x ? undefined : `r${i.dst} = bswap${i.imm} r${i.dst}`;
  }
  if (op === AluOp.NEG) {
    if (x || i.src !== 0 || i.off !== 0 || i.imm !== 0) return undefined;
    return `${d} = -${d}`;
  }
  if (x) {
    if (!isReg(i.src) || i.imm !== 0) return undefined;
  } else if (i.src !== 0) {
    return undefined;
  }
  const rhs = x ? `${r}${i.src}` : `${i.imm}`;
  if (op === AluOp.MOV) {
    if (i.off === 0) return `${d} = ${rhs}`;
    const sx = is64 ? [8, 16, 32] : [8, 16];
    if (x && sx.includes(i.off)) return `${d} = (s${i.off})${rhs}`;
    return undefined;
  }
  const sym = aluSym[op];
  if (sym === undefined) return undefined;
  if (i.off === 1 && (op === AluOp.DIV || op === AluOp.MOD)) return `${d} s${sym} ${rhs}`;
  if (i.off !== 0) return undefined;
  return `${d} ${sym} ${rhs}`;
}

function jump(i: Insn, is64: boolean): string | undefined {
  const op = i.code & 0xf0;
  const x = (i.code & Src.X) !== 0;
  if (op === JmpOp.JA) {
    if (x || i.dst !== 0 || i.src !== 0) return undefined;
    if (is64) return i.imm === 0 ? `goto ${signedOff(i.off)}` : undefined;
    return i.off === 0 ? `gotol ${signedOff(i.imm)}` : undefined;
  }
  if (op === JmpOp.CALL) {
    if (!is64 || x || i.dst !== 0 || i.off !== 0 || i.src > 2) return undefined;
    return `call ${i.imm}`;
  }
  if (op === JmpOp.EXIT) {
    if (!is64 || x || i.dst !== 0 || i.src !== 0 || i.off !== 0 || i.imm !== 0) return undefined;
    return "exit";
  }
  const sym = jmpSym[op];
  if (sym === undefined || !isReg(i.dst)) return undefined;
  if (x ? !isReg(i.src) || i.imm !== 0 : i.src !== 0) return undefined;
  const r = is64 ? "r" : "w";
  return `if ${r}${i.dst} ${sym} ${x ? `${r}${i.src}` : i.imm} goto ${signedOff(i.off)}`;
}

function memory(i: Insn, opts: TextOptions): string | undefined {
  const cls = i.code & 0x07;
  const mode = i.code & 0xe0;
  const sizeBits = i.code & 0x18;
  const size = sizeName[sizeBits]!;
  const narrow = sizeBits !== SizeCode.u64;
  const wr = opts.alu32 && narrow ? "w" : "r";
  if (!isReg(i.dst)) return undefined;
  if (cls === Class.LD) {
    if (i.code !== LD_IMM64 || i.off !== 0) return undefined;
    if (i.src === 0) return `r${i.dst} = ${imm64Value(i)} ll`;
    if (i.src > 15) return undefined;
    return `ld_pseudo r${i.dst}, ${i.src}, ${i.imm >>> 0}`;
  }
  if (cls === Class.LDX) {
    if (!isReg(i.src) || i.imm !== 0) return undefined;
    if (mode === Mode.MEM) return `${wr}${i.dst} = *(${size} *)(${addr(i.src, i.off)})`;
    if (mode === Mode.MEMSX && narrow) return `r${i.dst} = *(s${size.slice(1)} *)(${addr(i.src, i.off)})`;
    return undefined;
  }
  if (cls === Class.ST) {
    if (mode !== Mode.MEM || i.src !== 0) return undefined;
    return `*(${size} *)(${addr(i.dst, i.off)}) = ${i.imm}`;
  }
  // STX
  if (!isReg(i.src)) return undefined;
  if (mode === Mode.MEM) {
    if (i.imm !== 0) return undefined;
    return `*(${size} *)(${addr(i.dst, i.off)}) = ${wr}${i.src}`;
  }
  if (mode !== Mode.ATOMIC || (sizeBits !== SizeCode.u32 && sizeBits !== SizeCode.u64)) return undefined;
  const is64 = sizeBits === SizeCode.u64;
  const r = is64 ? "r" : "w";
  const s = `${r}${i.src}`;
  const at = addr(i.dst, i.off);
  if (i.imm === AtomicOp.XCHG) return `${s} = xchg${is64 ? "" : "32"}_${is64 ? 64 : 32}(${at}, ${s})`;
  if (i.imm === AtomicOp.CMPXCHG) return `${r}0 = cmpxchg${is64 ? "" : "32"}_${is64 ? 64 : 32}(${at}, ${r}0, ${s})`;
  const name = atomicSym[i.imm & ~AtomicOp.FETCH];
  if (name === undefined) return undefined;
  if (i.imm & AtomicOp.FETCH) return `${s} = atomic_fetch_${name}((${size} *)(${at}), ${s})`;
  return `lock *(${size} *)(${at}) ${atomicAssign[name]} ${s}`;
}

/**
 * The llvm-objdump text of one instruction, or undefined when the opcode or
 * its operand fields are not a valid instruction.
 */
export function describeInsn(i: Insn, opts: TextOptions = {}): string | undefined {
  switch (i.code & 0x07) {
    case Class.ALU64:
      return alu(i, true);
    case Class.ALU:
      return alu(i, false);
    case Class.JMP:
      return jump(i, true);
    case Class.JMP32:
      return jump(i, false);
    default:
      return memory(i, opts);
  }
}

/** Text of one instruction; `<unknown>` (as llvm-objdump prints) when invalid. */
export function insnText(i: Insn, opts: TextOptions = {}): string {
  return describeInsn(i, opts) ?? "<unknown>";
}
