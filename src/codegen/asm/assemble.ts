// Label resolution, validation and encoding into `struct bpf_insn` bytes.
import { AsmError, type Insn, type Item, isLabel, slotCount } from "./insn.ts";
import { Class, ForbiddenHelper, JmpOp, LD_IMM64, PseudoCall } from "./opcodes.ts";
import { describeInsn } from "./text.ts";

/** Anything that holds a sequence of items: a `Program` or a plain array. */
export interface HasItems {
  readonly items: readonly Item[];
}
export type ProgramLike = readonly Item[] | HasItems;

export function itemsOf(p: ProgramLike): readonly Item[] {
  return Array.isArray(p) ? (p as readonly Item[]) : (p as HasItems).items;
}

export interface Layout {
  /** Slot index of each item (a label gets the slot of the next instruction). */
  slots: number[];
  /** Label name → slot index. */
  labels: Map<string, number>;
  /** Total number of 8-byte slots. */
  size: number;
}

/** Place every item; throws on duplicate or empty label names. */
export function layout(p: ProgramLike): Layout {
  const items = itemsOf(p);
  const slots: number[] = [];
  const labels = new Map<string, number>();
  let slot = 0;
  items.forEach((item, index) => {
    slots.push(slot);
    if (isLabel(item)) {
      if (item.label === "") throw new AsmError("empty label name", index);
      const prev = labels.get(item.label);
      if (prev !== undefined) {
        throw new AsmError(`duplicate label "${item.label}" (already defined at slot ${prev})`, index);
      }
      labels.set(item.label, slot);
    }
    slot += slotCount(item);
  });
  return { slots, labels, size: slot };
}

const S16 = [-0x8000, 0x7fff] as const;
const S32 = [-0x80000000, 0x7fffffff] as const;

function checkRange(v: number, [lo, hi]: readonly [number, number], what: string, index: number): void {
  if (!Number.isInteger(v)) throw new AsmError(`${what} ${v} is not an integer`, index);
  if (v < lo || v > hi) {
    const hint = what.endsWith("immediate") && v > hi && v <= 0xffffffff ? ` (use ${v | 0} for the same 32 bits)` : "";
    throw new AsmError(`${what} ${v} out of range ${lo}..${hi}${hint}`, index);
  }
}

/** Does this instruction's src field name a register (rather than a pseudo kind or nothing)? */
function srcIsRegister(i: Insn): boolean {
  const cls = i.code & 0x07;
  if (cls === Class.LDX || cls === Class.STX) return true;
  if (cls === Class.ALU || cls === Class.ALU64 || cls === Class.JMP || cls === Class.JMP32) {
    return (i.code & 0x08) !== 0;
  }
  return false;
}

function isJump(i: Insn): boolean {
  const cls = i.code & 0x07;
  if (cls !== Class.JMP && cls !== Class.JMP32) return false;
  const op = i.code & 0xf0;
  return op !== JmpOp.CALL && op !== JmpOp.EXIT;
}

function describeForError(i: Insn): string {
  const code = `0x${i.code.toString(16).padStart(2, "0")}`;
  return i.target === undefined ? `opcode ${code}` : `opcode ${code} -> "${i.target}"`;
}

/**
 * Resolve labels and validate every field. Returns plain instructions (no
 * labels, targets or comments): exactly what `decode(assemble(p))` yields.
 */
export function resolve(p: ProgramLike): Insn[] {
  const items = itemsOf(p);
  const { slots, labels } = layout(items);
  const out: Insn[] = [];
  items.forEach((item, index) => {
    if (isLabel(item)) return;
    const i: Insn = { code: item.code, dst: item.dst, src: item.src, off: item.off, imm: item.imm };
    if (item.code === LD_IMM64) i.imm2 = item.imm2 ?? 0;
    else if (item.imm2 !== undefined) throw new AsmError(`imm2 is only valid on LD_IMM64 (${describeForError(item)})`, index);

    if (!Number.isInteger(i.code) || i.code < 0 || i.code > 0xff) throw new AsmError(`opcode ${i.code} is not a byte`, index);
    if (!Number.isInteger(i.dst) || i.dst < 0 || i.dst > 10) throw new AsmError(`dst register r${i.dst} is not r0..r10`, index);
    if (srcIsRegister(i)) {
      if (!Number.isInteger(i.src) || i.src < 0 || i.src > 10) throw new AsmError(`src register r${i.src} is not r0..r10`, index);
    } else if (!Number.isInteger(i.src) || i.src < 0 || i.src > 15) {
      throw new AsmError(`src field ${i.src} does not fit in 4 bits`, index);
    }

    if (item.target !== undefined) {
      const dest = labels.get(item.target);
      if (dest === undefined) throw new AsmError(`unknown label "${item.target}"`, index);
      const rel = dest - (slots[index]! + 1);
      const cls = i.code & 0x07;
      const op = i.code & 0xf0;
      const inImm =
        (cls === Class.JMP32 && op === JmpOp.JA) || (cls === Class.JMP && op === JmpOp.CALL && i.src === PseudoCall.CALL);
      if (inImm) {
        checkRange(rel, S32, `jump offset to "${item.target}"`, index);
        i.imm = rel;
      } else if (isJump(i)) {
        if (rel < S16[0] || rel > S16[1]) {
          throw new AsmError(`jump to "${item.target}" is ${rel} slots away, beyond the 16-bit offset range ${S16[0]}..${S16[1]}`, index);
        }
        i.off = rel;
      } else {
        throw new AsmError(`${describeForError(item)} is not a jump but names a target label`, index);
      }
    }

    checkRange(i.off, S16, "offset", index);
    checkRange(i.imm, S32, "immediate", index);
    if (i.imm2 !== undefined) checkRange(i.imm2, S32, "second-slot immediate", index);
    if (describeInsn(i) === undefined) {
      throw new AsmError(`invalid instruction (${describeForError(i)}, dst ${i.dst}, src ${i.src}, off ${i.off}, imm ${i.imm})`, index);
    }
    if (i.code === (Class.JMP | JmpOp.CALL) && i.src === PseudoCall.HELPER) {
      const bad = Object.entries(ForbiddenHelper).find(([, id]) => id === i.imm);
      if (bad) throw new AsmError(`helper bpf_${bad[0]} (${i.imm}) is forbidden: wraith never writes to or signals the traced process`, index);
    }
    out.push(i);
  });
  return out;
}

/** Encode resolved instructions as little-endian `struct bpf_insn` bytes. */
export function encode(insns: readonly Insn[]): Uint8Array {
  let n = 0;
  for (const i of insns) n += i.code === LD_IMM64 ? 2 : 1;
  const bytes = new Uint8Array(n * 8);
  const v = new DataView(bytes.buffer);
  let at = 0;
  for (const i of insns) {
    v.setUint8(at, i.code);
    v.setUint8(at + 1, ((i.src & 0xf) << 4) | (i.dst & 0xf));
    v.setInt16(at + 2, i.off, true);
    v.setInt32(at + 4, i.imm, true);
    at += 8;
    if (i.code === LD_IMM64) {
      v.setInt32(at + 4, i.imm2 ?? 0, true);
      at += 8;
    }
  }
  return bytes;
}

/** Resolve labels, validate, and encode. Throws `AsmError` on any problem. */
export function assemble(p: ProgramLike): Uint8Array {
  return encode(resolve(p));
}
