// Instruction values and their constructors.
//
// An `Insn` is the encoded form of one `struct bpf_insn` (two for LD_IMM64)
// as plain data, so `decode(assemble(p))` can be compared field by field.
// Jumps may name a `target` label instead of a numeric offset; `assemble`
// resolves it once all labels are known.
import {
  AluOp,
  type AluOpName,
  AtomicOp,
  Class,
  type CondName,
  Helper,
  type HelperName,
  JmpOp,
  LD_IMM64,
  Mode,
  Pseudo,
  PseudoCall,
  Reg,
  type Size,
  SizeCode,
  Src,
} from "./opcodes.ts";

/** Every problem found while building, assembling or decoding a program. */
export class AsmError extends Error {
  override name = "AsmError";
  /** Index of the offending item in the program (or slot, when decoding), if known. */
  readonly index?: number;
  constructor(message: string, index?: number) {
    super(index === undefined ? message : `instruction ${index}: ${message}`);
    if (index !== undefined) this.index = index;
  }
}

export interface Insn {
  /** Opcode byte: class | size/mode or op | source. */
  code: number;
  /** dst_reg field (0–10). */
  dst: number;
  /** src_reg field: a register (0–10), or a pseudo kind for LD_IMM64 and CALL. */
  src: number;
  /** Signed 16-bit offset. */
  off: number;
  /** Signed 32-bit immediate. */
  imm: number;
  /** LD_IMM64 only: the second slot's immediate (high half, or map value offset). */
  imm2?: number;
  /** Jumps and local calls: label whose position fills `off` (or `imm`) at assembly. */
  target?: string;
  /** Free text shown by `formatProgram` (never encoded). */
  comment?: string;
}

/** Label pseudo-instruction: names the position of the next instruction. */
export interface Label {
  label: string;
  comment?: string;
}

export type Item = Insn | Label;

export function isLabel(item: Item): item is Label {
  return typeof (item as Label).label === "string";
}

/** Number of 8-byte slots an item occupies (LD_IMM64 takes two, labels none). */
export function slotCount(item: Item): number {
  if (isLabel(item)) return 0;
  return item.code === LD_IMM64 ? 2 : 1;
}

/** A jump target: a label name, or a raw relative offset in slots. */
export type Target = string | number;

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

function withTarget(i: Insn, t: Target, field: "off" | "imm"): Insn {
  if (typeof t === "string") i.target = t;
  else i[field] = t;
  return i;
}

/** Return `i` with a comment for the listing. */
export function withComment<T extends Item>(i: T, comment: string): T {
  return { ...i, comment };
}

export function label(name: string): Label {
  return { label: name };
}

// ---- ALU ------------------------------------------------------------------

function alu(cls: number, op: number, dst: Reg, src: Reg | number, off = 0): Insn {
  return src instanceof Reg
    ? insn(cls | op | Src.X, dst.num, src.num, off, 0)
    : insn(cls | op | Src.K, dst.num, 0, off, src);
}

/** 64-bit ALU operation: `dst op= src` (src a register or a signed 32-bit immediate). */
export function alu64(op: AluOpName, dst: Reg, src: Reg | number): Insn {
  return alu(Class.ALU64, AluOp[op], dst, src);
}
/** 32-bit ALU operation on the low halves; the result is zero-extended. */
export function alu32(op: AluOpName, dst: Reg, src: Reg | number): Insn {
  return alu(Class.ALU, AluOp[op], dst, src);
}

type AluFn = (dst: Reg, src: Reg | number) => Insn;
const a64 = (op: AluOpName): AluFn => (d, s) => alu64(op, d, s);
const a32 = (op: AluOpName): AluFn => (d, s) => alu32(op, d, s);

export const add64 = a64("ADD"), add32 = a32("ADD");
export const sub64 = a64("SUB"), sub32 = a32("SUB");
export const mul64 = a64("MUL"), mul32 = a32("MUL");
export const div64 = a64("DIV"), div32 = a32("DIV");
export const mod64 = a64("MOD"), mod32 = a32("MOD");
export const or64 = a64("OR"), or32 = a32("OR");
export const and64 = a64("AND"), and32 = a32("AND");
export const xor64 = a64("XOR"), xor32 = a32("XOR");
export const lsh64 = a64("LSH"), lsh32 = a32("LSH");
export const rsh64 = a64("RSH"), rsh32 = a32("RSH");
export const arsh64 = a64("ARSH"), arsh32 = a32("ARSH");
export const mov64 = a64("MOV"), mov32 = a32("MOV");

export function neg64(dst: Reg): Insn {
  return insn(Class.ALU64 | AluOp.NEG, dst.num, 0, 0, 0);
}
export function neg32(dst: Reg): Insn {
  return insn(Class.ALU | AluOp.NEG, dst.num, 0, 0, 0);
}

/** Signed division (cpu v4: off = 1). */
export function sdiv64(dst: Reg, src: Reg | number): Insn {
  return alu(Class.ALU64, AluOp.DIV, dst, src, 1);
}
export function sdiv32(dst: Reg, src: Reg | number): Insn {
  return alu(Class.ALU, AluOp.DIV, dst, src, 1);
}
/** Signed modulo (cpu v4: off = 1). */
export function smod64(dst: Reg, src: Reg | number): Insn {
  return alu(Class.ALU64, AluOp.MOD, dst, src, 1);
}
export function smod32(dst: Reg, src: Reg | number): Insn {
  return alu(Class.ALU, AluOp.MOD, dst, src, 1);
}
/** Sign-extending move (cpu v4): `dst = (s<bits>)src`. */
export function movsx64(dst: Reg, src: Reg, bits: 8 | 16 | 32): Insn {
  return alu(Class.ALU64, AluOp.MOV, dst, src, bits);
}
export function movsx32(dst: Reg, src: Reg, bits: 8 | 16): Insn {
  return alu(Class.ALU, AluOp.MOV, dst, src, bits);
}

export type Width = 16 | 32 | 64;
/** Convert between host (little-endian) and little-endian: truncates to `bits`. */
export function le(dst: Reg, bits: Width): Insn {
  return insn(Class.ALU | AluOp.END | Src.K, dst.num, 0, 0, bits);
}
/** Convert between host (little-endian) and big-endian: byte swap of the low `bits`. */
export function be(dst: Reg, bits: Width): Insn {
  return insn(Class.ALU | AluOp.END | Src.X, dst.num, 0, 0, bits);
}
/** Unconditional byte swap (cpu v4). */
export function bswap(dst: Reg, bits: Width): Insn {
  return insn(Class.ALU64 | AluOp.END | Src.K, dst.num, 0, 0, bits);
}

// ---- Jumps and calls -------------------------------------------------------

/** Conditional 64-bit jump: `if dst <cond> src goto target`. */
export function jmp(cond: CondName, dst: Reg, src: Reg | number, target: Target): Insn {
  return withTarget(alu(Class.JMP, JmpOp[cond], dst, src), target, "off");
}
/** Conditional jump comparing the low 32 bits. */
export function jmp32(cond: CondName, dst: Reg, src: Reg | number, target: Target): Insn {
  return withTarget(alu(Class.JMP32, JmpOp[cond], dst, src), target, "off");
}

type JmpFn = (dst: Reg, src: Reg | number, target: Target) => Insn;
const j64 = (c: CondName): JmpFn => (d, s, t) => jmp(c, d, s, t);
const j32 = (c: CondName): JmpFn => (d, s, t) => jmp32(c, d, s, t);

export const jeq = j64("JEQ"), jeq32 = j32("JEQ");
export const jne = j64("JNE"), jne32 = j32("JNE");
export const jgt = j64("JGT"), jgt32 = j32("JGT");
export const jge = j64("JGE"), jge32 = j32("JGE");
export const jlt = j64("JLT"), jlt32 = j32("JLT");
export const jle = j64("JLE"), jle32 = j32("JLE");
export const jset = j64("JSET"), jset32 = j32("JSET");
export const jsgt = j64("JSGT"), jsgt32 = j32("JSGT");
export const jsge = j64("JSGE"), jsge32 = j32("JSGE");
export const jslt = j64("JSLT"), jslt32 = j32("JSLT");
export const jsle = j64("JSLE"), jsle32 = j32("JSLE");

/** Unconditional jump (16-bit offset). */
export function ja(target: Target): Insn {
  return withTarget(insn(Class.JMP | JmpOp.JA, 0, 0, 0, 0), target, "off");
}
/** Unconditional jump with a 32-bit offset in imm (cpu v4, `gotol`). */
export function jaLong(target: Target): Insn {
  return withTarget(insn(Class.JMP32 | JmpOp.JA, 0, 0, 0, 0), target, "imm");
}

/** Call a helper by id or by name (see `Helper`). */
export function call(helper: number | HelperName): Insn {
  const id = typeof helper === "number" ? helper : Helper[helper];
  return insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.HELPER, 0, id);
}
/** BPF-to-BPF call of a subprogram starting at `target`. */
export function callLocal(target: Target): Insn {
  return withTarget(insn(Class.JMP | JmpOp.CALL, 0, PseudoCall.CALL, 0, 0), target, "imm");
}
export function exit(): Insn {
  return insn(Class.JMP | JmpOp.EXIT, 0, 0, 0, 0);
}

// ---- Memory ----------------------------------------------------------------

/** `dst = *(size *)(src + off)` */
export function ldx(size: Size, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.LDX | Mode.MEM | SizeCode[size], dst.num, src.num, off, 0);
}
/** Sign-extending load (cpu v4): `dst = *(s<size> *)(src + off)`. */
export function ldxs(size: Exclude<Size, "u64">, dst: Reg, src: Reg, off: number): Insn {
  return insn(Class.LDX | Mode.MEMSX | SizeCode[size], dst.num, src.num, off, 0);
}
/** `*(size *)(dst + off) = src` */
export function stx(size: Size, dst: Reg, off: number, src: Reg): Insn {
  return insn(Class.STX | Mode.MEM | SizeCode[size], dst.num, src.num, off, 0);
}
/** `*(size *)(dst + off) = imm` */
export function st(size: Size, dst: Reg, off: number, imm: number): Insn {
  return insn(Class.ST | Mode.MEM | SizeCode[size], dst.num, 0, off, imm);
}

export type AtomicSize = "u32" | "u64";
export type AtomicArith = "add" | "or" | "and" | "xor";
const atomicCode: Record<AtomicArith, number> = {
  add: AtomicOp.ADD,
  or: AtomicOp.OR,
  and: AtomicOp.AND,
  xor: AtomicOp.XOR,
};
function atomicInsn(size: AtomicSize, dst: Reg, off: number, src: Reg, imm: number): Insn {
  return insn(Class.STX | Mode.ATOMIC | SizeCode[size], dst.num, src.num, off, imm);
}
/** `lock *(size *)(dst + off) op= src`; with `fetch`, src receives the old value. */
export function atomic(op: AtomicArith, size: AtomicSize, dst: Reg, off: number, src: Reg, fetch = false): Insn {
  return atomicInsn(size, dst, off, src, atomicCode[op] | (fetch ? AtomicOp.FETCH : 0));
}
/** `lock *(size *)(dst + off) += src` (the classic XADD). */
export function atomicAdd(size: AtomicSize, dst: Reg, off: number, src: Reg): Insn {
  return atomic("add", size, dst, off, src);
}
/** Atomic exchange: src = xchg(dst + off, src). */
export function xchg(size: AtomicSize, dst: Reg, off: number, src: Reg): Insn {
  return atomicInsn(size, dst, off, src, AtomicOp.XCHG);
}
/** Compare-and-exchange: r0 = cmpxchg(dst + off, r0, src). */
export function cmpxchg(size: AtomicSize, dst: Reg, off: number, src: Reg): Insn {
  return atomicInsn(size, dst, off, src, AtomicOp.CMPXCHG);
}

// ---- 64-bit immediates -------------------------------------------------------

const U64_LIMIT = 1n << 64n;
const S64_MIN = -(1n << 63n);

function ldImm64(dst: Reg, pseudo: number, lo: number, hi: number): Insn {
  return { code: LD_IMM64, dst: dst.num, src: pseudo, off: 0, imm: lo, imm2: hi };
}

/** `dst = value ll` — any signed or unsigned 64-bit value; takes two slots. */
export function ld64(dst: Reg, value: bigint | number): Insn {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new AsmError(`ld64 value ${value} is not a safe integer; pass a bigint`);
  }
  const v = BigInt(value);
  if (v < S64_MIN || v >= U64_LIMIT) throw new AsmError(`ld64 value ${v} does not fit in 64 bits`);
  return ldImm64(dst, 0, Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
}
/** `dst = map` by fd (src_reg = BPF_PSEUDO_MAP_FD); the kernel substitutes the map pointer. */
export function ldMapFd(dst: Reg, fd: number): Insn {
  return ldImm64(dst, Pseudo.MAP_FD, fd, 0);
}
/** `dst = &map value + off` (src_reg = BPF_PSEUDO_MAP_VALUE), for array maps with one entry. */
export function ldMapValue(dst: Reg, fd: number, off = 0): Insn {
  return ldImm64(dst, Pseudo.MAP_VALUE, fd, off);
}

/** The 64-bit value of an LD_IMM64 instruction (signed). */
export function imm64Value(i: Insn): bigint {
  return BigInt.asIntN(64, (BigInt(i.imm2 ?? 0) << 32n) | BigInt(i.imm >>> 0));
}
