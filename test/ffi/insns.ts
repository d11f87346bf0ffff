// A handful of hand-encoded BPF instructions for the ffi tests and the ring
// buffer benchmark (independent of src/codegen/asm on purpose).
// struct bpf_insn: u8 code; u8 dst:4, src:4; s16 off; s32 imm (little-endian).

export type Insn = Uint8Array; // 8 or 16 bytes

export function insn(code: number, dst: number, src: number, off: number, imm: number): Insn {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  b[0] = code;
  b[1] = (dst & 0xf) | ((src & 0xf) << 4);
  dv.setInt16(2, off, true);
  dv.setInt32(4, imm, true);
  return b;
}

export function program(...insns: Insn[]): Uint8Array {
  const out = new Uint8Array(insns.reduce((n, i) => n + i.length, 0));
  let o = 0;
  for (const i of insns) {
    out.set(i, o);
    o += i.length;
  }
  return out;
}

export const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

/** dst = imm (64-bit) */
export const movImm = (dst: number, imm: number) => insn(0xb7, dst, 0, 0, imm);
/** dst = src (64-bit) */
export const movReg = (dst: number, src: number) => insn(0xbf, dst, src, 0, 0);
/** dst += imm (64-bit) */
export const addImm = (dst: number, imm: number) => insn(0x07, dst, 0, 0, imm);
/** dst = *(u64 *)(src + off) */
export const ldxDw = (dst: number, src: number, off: number) => insn(0x79, dst, src, off, 0);
/** *(u64 *)(dst + off) = src */
export const stxDw = (dst: number, off: number, src: number) => insn(0x7b, dst, src, off, 0);
/** *(u32 *)(dst + off) = imm */
export const stW = (dst: number, off: number, imm: number) => insn(0x62, dst, 0, off, imm);
/** lock *(u64 *)(dst + off) += src */
export const atomicAddDw = (dst: number, off: number, src: number) => insn(0xdb, dst, src, off, 0x00);
/** if dst == imm goto +off */
export const jeqImm = (dst: number, imm: number, off: number) => insn(0x15, dst, 0, off, imm);
/** goto +off */
export const ja = (off: number) => insn(0x05, 0, 0, off, 0);
export const call = (helper: number) => insn(0x85, 0, 0, 0, helper);
export const exit = () => insn(0x95, 0, 0, 0, 0);
/** dst = map (ld_imm64 with BPF_PSEUDO_MAP_FD): two instruction slots. */
export const ldMapFd = (dst: number, fd: number) => program(insn(0x18, dst, 1, 0, fd), insn(0, 0, 0, 0, 0));

export const HELPER = { map_lookup_elem: 1, get_current_pid_tgid: 14, ringbuf_output: 130 } as const;

/** x86-64 struct pt_regs offsets (the kprobe/uprobe context). */
export const PT_REGS = { di: 112, si: 104 } as const;

/** r0 = 0; exit */
export function trivialProgram(): Uint8Array {
  return program(movImm(R0, 0), exit());
}

/** Adds 1 to the u64 at key 0 of an array map on every hit. */
export function counterProgram(arrayFd: number): Uint8Array {
  return program(
    stW(R10, -4, 0), //         *(u32 *)(fp-4) = 0
    ldMapFd(R1, arrayFd), //    r1 = map
    movReg(R2, R10),
    addImm(R2, -4), //          r2 = fp-4
    call(HELPER.map_lookup_elem),
    jeqImm(R0, 0, 2), //        if r0 == NULL goto out
    movImm(R1, 1),
    atomicAddDw(R0, 0, R1), //  lock *(u64 *)r0 += 1
    movImm(R0, 0), //           out:
    exit(),
  );
}

/** bpf_ringbuf_output flags */
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;

/**
 * Emits one ring buffer record per hit: `words` u64 words, word k = first
 * argument (rdi) + k. If `dropsFd` (array map) is given, failed outputs are
 * counted at its key 0. `flags` go to bpf_ringbuf_output (BPF_RB_NO_WAKEUP:
 * the consumer must poll with a timeout).
 */
export function ringbufProgram(ringFd: number, words: number, dropsFd?: number, flags = 0): Uint8Array {
  const size = words * 8;
  const body: Insn[] = [ldxDw(R6, R1, PT_REGS.di)]; // r6 = ctx->di
  for (let k = 0; k < words; k++) {
    body.push(movReg(R7, R6), addImm(R7, k), stxDw(R10, -size + 8 * k, R7));
  }
  body.push(
    ldMapFd(R1, ringFd),
    movReg(R2, R10),
    addImm(R2, -size),
    movImm(R3, size),
    movImm(R4, flags),
    call(HELPER.ringbuf_output),
  );
  if (dropsFd !== undefined) {
    body.push(
      jeqImm(R0, 0, 9), //       if output succeeded goto out
      stW(R10, -size - 4, 0),
      ldMapFd(R1, dropsFd), //   (2 slots)
      movReg(R2, R10),
      addImm(R2, -size - 4),
      call(HELPER.map_lookup_elem),
      jeqImm(R0, 0, 2),
      movImm(R1, 1),
      atomicAddDw(R0, 0, R1),
    );
  }
  body.push(movImm(R0, 0), exit());
  return program(...body);
}
