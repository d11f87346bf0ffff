// Chainable program builder over the instruction constructors.
import { assemble, layout } from "./assemble.ts";
import { formatProgram, disassemble } from "./format.ts";
import * as I from "./insn.ts";
import type { AtomicArith, AtomicSize, Item, Target, Width } from "./insn.ts";
import type { CondName, HelperName, Reg, Size } from "./opcodes.ts";
import type { TextOptions } from "./text.ts";

type Src = Reg | number;

/**
 * A growing list of instructions and labels. Every method appends and
 * returns `this`; ALU methods without a suffix are 64-bit, `…32` are 32-bit.
 *
 *   const p = new Program()
 *     .mov(R6, R1)
 *     .call("get_current_pid_tgid")
 *     .jeq(R0, 0, "out")
 *     .label("out").mov(R0, 0).exit();
 */
export class Program {
  readonly items: Item[] = [];
  private pendingComment: string | undefined;
  private labelCounter = 0;

  /** Append instructions built with the plain constructors (`mov64(R1, R10)`, …). */
  emit(...items: Item[]): this {
    for (const item of items) {
      if (this.pendingComment !== undefined) {
        const c = item.comment ? `${this.pendingComment}; ${item.comment}` : this.pendingComment;
        this.items.push({ ...item, comment: c });
        this.pendingComment = undefined;
      } else {
        this.items.push(item);
      }
    }
    return this;
  }

  /** Attach `text` to the next appended item; shown by `formatProgram`. */
  comment(text: string): this {
    this.pendingComment = this.pendingComment === undefined ? text : `${this.pendingComment}; ${text}`;
    return this;
  }

  /** Define `name` at the current position. */
  label(name: string): this {
    return this.emit(I.label(name));
  }

  /** A label name not used before by this builder: `${hint}.${n}`. Does not place it. */
  newLabel(hint = "L"): string {
    return `${hint}.${this.labelCounter++}`;
  }

  /** Number of 8-byte slots so far (LD_IMM64 counts two): the index of the next instruction. */
  get slots(): number {
    return layout(this.items).size;
  }

  // ALU, 64-bit
  mov(d: Reg, s: Src): this { return this.emit(I.mov64(d, s)); }
  add(d: Reg, s: Src): this { return this.emit(I.add64(d, s)); }
  sub(d: Reg, s: Src): this { return this.emit(I.sub64(d, s)); }
  mul(d: Reg, s: Src): this { return this.emit(I.mul64(d, s)); }
  div(d: Reg, s: Src): this { return this.emit(I.div64(d, s)); }
  mod(d: Reg, s: Src): this { return this.emit(I.mod64(d, s)); }
  or(d: Reg, s: Src): this { return this.emit(I.or64(d, s)); }
  and(d: Reg, s: Src): this { return this.emit(I.and64(d, s)); }
  xor(d: Reg, s: Src): this { return this.emit(I.xor64(d, s)); }
  lsh(d: Reg, s: Src): this { return this.emit(I.lsh64(d, s)); }
  rsh(d: Reg, s: Src): this { return this.emit(I.rsh64(d, s)); }
  arsh(d: Reg, s: Src): this { return this.emit(I.arsh64(d, s)); }
  neg(d: Reg): this { return this.emit(I.neg64(d)); }
  sdiv(d: Reg, s: Src): this { return this.emit(I.sdiv64(d, s)); }
  smod(d: Reg, s: Src): this { return this.emit(I.smod64(d, s)); }
  movsx(d: Reg, s: Reg, bits: 8 | 16 | 32): this { return this.emit(I.movsx64(d, s, bits)); }

  // ALU, 32-bit
  mov32(d: Reg, s: Src): this { return this.emit(I.mov32(d, s)); }
  add32(d: Reg, s: Src): this { return this.emit(I.add32(d, s)); }
  sub32(d: Reg, s: Src): this { return this.emit(I.sub32(d, s)); }
  mul32(d: Reg, s: Src): this { return this.emit(I.mul32(d, s)); }
  div32(d: Reg, s: Src): this { return this.emit(I.div32(d, s)); }
  mod32(d: Reg, s: Src): this { return this.emit(I.mod32(d, s)); }
  or32(d: Reg, s: Src): this { return this.emit(I.or32(d, s)); }
  and32(d: Reg, s: Src): this { return this.emit(I.and32(d, s)); }
  xor32(d: Reg, s: Src): this { return this.emit(I.xor32(d, s)); }
  lsh32(d: Reg, s: Src): this { return this.emit(I.lsh32(d, s)); }
  rsh32(d: Reg, s: Src): this { return this.emit(I.rsh32(d, s)); }
  arsh32(d: Reg, s: Src): this { return this.emit(I.arsh32(d, s)); }
  neg32(d: Reg): this { return this.emit(I.neg32(d)); }
  sdiv32(d: Reg, s: Src): this { return this.emit(I.sdiv32(d, s)); }
  smod32(d: Reg, s: Src): this { return this.emit(I.smod32(d, s)); }
  movsx32(d: Reg, s: Reg, bits: 8 | 16): this { return this.emit(I.movsx32(d, s, bits)); }

  // Byte order
  le(d: Reg, bits: Width): this { return this.emit(I.le(d, bits)); }
  be(d: Reg, bits: Width): this { return this.emit(I.be(d, bits)); }
  bswap(d: Reg, bits: Width): this { return this.emit(I.bswap(d, bits)); }

  // Jumps
  ja(t: Target): this { return this.emit(I.ja(t)); }
  jaLong(t: Target): this { return this.emit(I.jaLong(t)); }
  jmp(c: CondName, d: Reg, s: Src, t: Target): this { return this.emit(I.jmp(c, d, s, t)); }
  jmp32(c: CondName, d: Reg, s: Src, t: Target): this { return this.emit(I.jmp32(c, d, s, t)); }
  jeq(d: Reg, s: Src, t: Target): this { return this.emit(I.jeq(d, s, t)); }
  jne(d: Reg, s: Src, t: Target): this { return this.emit(I.jne(d, s, t)); }
  jgt(d: Reg, s: Src, t: Target): this { return this.emit(I.jgt(d, s, t)); }
  jge(d: Reg, s: Src, t: Target): this { return this.emit(I.jge(d, s, t)); }
  jlt(d: Reg, s: Src, t: Target): this { return this.emit(I.jlt(d, s, t)); }
  jle(d: Reg, s: Src, t: Target): this { return this.emit(I.jle(d, s, t)); }
  jset(d: Reg, s: Src, t: Target): this { return this.emit(I.jset(d, s, t)); }
  jsgt(d: Reg, s: Src, t: Target): this { return this.emit(I.jsgt(d, s, t)); }
  jsge(d: Reg, s: Src, t: Target): this { return this.emit(I.jsge(d, s, t)); }
  jslt(d: Reg, s: Src, t: Target): this { return this.emit(I.jslt(d, s, t)); }
  jsle(d: Reg, s: Src, t: Target): this { return this.emit(I.jsle(d, s, t)); }
  jeq32(d: Reg, s: Src, t: Target): this { return this.emit(I.jeq32(d, s, t)); }
  jne32(d: Reg, s: Src, t: Target): this { return this.emit(I.jne32(d, s, t)); }
  jgt32(d: Reg, s: Src, t: Target): this { return this.emit(I.jgt32(d, s, t)); }
  jge32(d: Reg, s: Src, t: Target): this { return this.emit(I.jge32(d, s, t)); }
  jlt32(d: Reg, s: Src, t: Target): this { return this.emit(I.jlt32(d, s, t)); }
  jle32(d: Reg, s: Src, t: Target): this { return this.emit(I.jle32(d, s, t)); }
  jset32(d: Reg, s: Src, t: Target): this { return this.emit(I.jset32(d, s, t)); }
  jsgt32(d: Reg, s: Src, t: Target): this { return this.emit(I.jsgt32(d, s, t)); }
  jsge32(d: Reg, s: Src, t: Target): this { return this.emit(I.jsge32(d, s, t)); }
  jslt32(d: Reg, s: Src, t: Target): this { return this.emit(I.jslt32(d, s, t)); }
  jsle32(d: Reg, s: Src, t: Target): this { return this.emit(I.jsle32(d, s, t)); }

  // Calls
  call(helper: number | HelperName): this { return this.emit(I.call(helper)); }
  callLocal(t: Target): this { return this.emit(I.callLocal(t)); }
  exit(): this { return this.emit(I.exit()); }

  // Memory
  ldx(size: Size, d: Reg, s: Reg, off: number): this { return this.emit(I.ldx(size, d, s, off)); }
  ldxs(size: Exclude<Size, "u64">, d: Reg, s: Reg, off: number): this { return this.emit(I.ldxs(size, d, s, off)); }
  stx(size: Size, d: Reg, off: number, s: Reg): this { return this.emit(I.stx(size, d, off, s)); }
  st(size: Size, d: Reg, off: number, imm: number): this { return this.emit(I.st(size, d, off, imm)); }
  atomic(op: AtomicArith, size: AtomicSize, d: Reg, off: number, s: Reg, fetch = false): this {
    return this.emit(I.atomic(op, size, d, off, s, fetch));
  }
  atomicAdd(size: AtomicSize, d: Reg, off: number, s: Reg): this { return this.emit(I.atomicAdd(size, d, off, s)); }
  xchg(size: AtomicSize, d: Reg, off: number, s: Reg): this { return this.emit(I.xchg(size, d, off, s)); }
  cmpxchg(size: AtomicSize, d: Reg, off: number, s: Reg): this { return this.emit(I.cmpxchg(size, d, off, s)); }

  // 64-bit immediates
  ld64(d: Reg, value: bigint | number): this { return this.emit(I.ld64(d, value)); }
  ldMapFd(d: Reg, fd: number): this { return this.emit(I.ldMapFd(d, fd)); }
  ldMapValue(d: Reg, fd: number, off = 0): this { return this.emit(I.ldMapValue(d, fd, off)); }

  /** `struct bpf_insn` bytes; throws `AsmError`. */
  assemble(): Uint8Array {
    return assemble(this);
  }
  /** llvm-objdump-style text, one entry per instruction. */
  disassemble(opts?: TextOptions): string[] {
    return disassemble(this, opts);
  }
  /** The debugging listing (`formatProgram`). */
  toString(): string {
    return formatProgram(this);
  }
  /** Copy of the items, for code that wants a plain array. */
  toArray(): Item[] {
    return [...this.items];
  }
}

