// Bytes → instruction values: the inverse of `encode`.
import { AsmError, type Insn } from "./insn.ts";
import { LD_IMM64 } from "./opcodes.ts";

/**
 * Split little-endian `struct bpf_insn` bytes into instructions. LD_IMM64
 * consumes two slots and carries the second immediate in `imm2`. Decoding is
 * structural: unknown opcodes come back as they are (the disassembler prints
 * them as `<unknown>`); a malformed LD_IMM64 pair is an `AsmError`.
 */
export function decode(bytes: Uint8Array): Insn[] {
  if (bytes.length % 8 !== 0) throw new AsmError(`program length ${bytes.length} is not a multiple of 8 bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  const slots = bytes.length / 8;
  for (let slot = 0; slot < slots; slot++) {
    const at = slot * 8;
    const regs = v.getUint8(at + 1);
    const i: Insn = {
      code: v.getUint8(at),
      dst: regs & 0xf,
      src: regs >> 4,
      off: v.getInt16(at + 2, true),
      imm: v.getInt32(at + 4, true),
    };
    if (i.code === LD_IMM64) {
      if (slot + 1 >= slots) throw new AsmError("LD_IMM64 is missing its second slot", slot);
      const next = at + 8;
      if (v.getUint8(next) !== 0 || v.getUint8(next + 1) !== 0 || v.getInt16(next + 2, true) !== 0) {
        throw new AsmError("second slot of LD_IMM64 must have zero opcode, registers and offset", slot + 1);
      }
      i.imm2 = v.getInt32(next + 4, true);
      slot++;
    }
    out.push(i);
  }
  return out;
}
