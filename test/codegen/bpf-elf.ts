// Test helper: wrap raw BPF instruction bytes in the smallest ELF64
// relocatable object that llvm-objdump will disassemble, and run it.
//
// Layout: [ELF header][.text][.shstrtab][.strtab][.symtab][section headers]
// Sections: 0 null, 1 .text (SHF_ALLOC|SHF_EXECINSTR), 2 .shstrtab,
// 3 .strtab, 4 .symtab (null symbol + a section symbol + a global "prog"
// function covering the whole .text so objdump prints a "<prog>:" header).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const EM_BPF = 247;
const SHT_PROGBITS = 1;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHF_ALLOC = 0x2;
const SHF_EXECINSTR = 0x4;

function strtab(names: string[]): { bytes: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  const parts: number[] = [0];
  for (const n of names) {
    offsets.push(parts.length);
    for (const c of n) parts.push(c.charCodeAt(0));
    parts.push(0);
  }
  return { bytes: Uint8Array.from(parts), offsets };
}

const align8 = (n: number) => (n + 7) & ~7;

/** Build an ELF64 little-endian relocatable object with `text` as .text. */
export function bpfElf(text: Uint8Array): Uint8Array {
  const shstr = strtab([".text", ".shstrtab", ".strtab", ".symtab"]);
  const str = strtab(["prog"]);
  const symSize = 24;
  const syms = new Uint8Array(symSize * 3);
  const sv = new DataView(syms.buffer);
  // symbol 1: section symbol for .text (STB_LOCAL, STT_SECTION)
  sv.setUint8(symSize + 4, 0x03);
  sv.setUint16(symSize + 6, 1, true);
  // symbol 2: global function "prog" (STB_GLOBAL<<4 | STT_FUNC)
  sv.setUint32(symSize * 2, str.offsets[0]!, true);
  sv.setUint8(symSize * 2 + 4, 0x12);
  sv.setUint16(symSize * 2 + 6, 1, true);
  sv.setBigUint64(symSize * 2 + 16, BigInt(text.length), true);

  const textOff = 64;
  const shstrOff = align8(textOff + text.length);
  const strOff = align8(shstrOff + shstr.bytes.length);
  const symOff = align8(strOff + str.bytes.length);
  const shOff = align8(symOff + syms.length);
  const nsec = 5;
  const out = new Uint8Array(shOff + 64 * nsec);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELFCLASS64, LSB, EV_CURRENT
  v.setUint16(16, 1, true); // ET_REL
  v.setUint16(18, EM_BPF, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shOff), true);
  v.setUint16(52, 64, true); // e_ehsize
  v.setUint16(58, 64, true); // e_shentsize
  v.setUint16(60, nsec, true);
  v.setUint16(62, 2, true); // e_shstrndx
  out.set(text, textOff);
  out.set(shstr.bytes, shstrOff);
  out.set(str.bytes, strOff);
  out.set(syms, symOff);

  const sh = (i: number, name: number, type: number, flags: number, off: number, size: number,
    link = 0, info = 0, align = 1, entsize = 0) => {
    const b = shOff + 64 * i;
    v.setUint32(b, name, true);
    v.setUint32(b + 4, type, true);
    v.setBigUint64(b + 8, BigInt(flags), true);
    v.setBigUint64(b + 24, BigInt(off), true);
    v.setBigUint64(b + 32, BigInt(size), true);
    v.setUint32(b + 40, link, true);
    v.setUint32(b + 44, info, true);
    v.setBigUint64(b + 48, BigInt(align), true);
    v.setBigUint64(b + 56, BigInt(entsize), true);
  };
  sh(1, shstr.offsets[0]!, SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, textOff, text.length, 0, 0, 8);
  sh(2, shstr.offsets[1]!, SHT_STRTAB, 0, shstrOff, shstr.bytes.length);
  sh(3, shstr.offsets[2]!, SHT_STRTAB, 0, strOff, str.bytes.length);
  sh(4, shstr.offsets[3]!, SHT_SYMTAB, 0, symOff, syms.length, 3, 2, 8, symSize);
  return out;
}

export const LLVM_OBJDUMP = "/usr/bin/llvm-objdump";

/**
 * Disassemble `text` with llvm-objdump and return one entry per instruction
 * line: its slot index (BPF objdump prints addresses as decimal slot numbers)
 * and its text with runs of whitespace collapsed and objdump's symbolic
 * branch annotation (` <prog+0x18>`) removed. LD_IMM64 occupies one line.
 * `mattr` is passed as `--mattr=…` (e.g. "+alu32").
 */
export function llvmDisassemble(text: Uint8Array, mattr?: string): Map<number, string> {
  const dir = mkdtempSync(join(tmpdir(), "wraith-asm-"));
  try {
    const path = join(dir, "prog.o");
    writeFileSync(path, bpfElf(text));
    const args = [LLVM_OBJDUMP, "-d", "--no-show-raw-insn", ...(mattr ? [`--mattr=${mattr}`] : []), path];
    const r = Bun.spawnSync(args);
    if (r.exitCode !== 0) throw new Error(`llvm-objdump failed: ${r.stderr.toString()}`);
    const lines = new Map<number, string>();
    for (const line of r.stdout.toString().split("\n")) {
      const m = /^\s*(\d+):\s+(.*)$/.exec(line);
      if (!m) continue;
      const insn = m[2]!.replace(/\s+<[^<>]*>$/, "").replace(/\s+/g, " ").trim();
      lines.set(parseInt(m[1]!, 10), insn);
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
