// A deliberately tiny ELF64 program-header reader: just enough (e_type and
// the PT_LOAD entries) to compute load biases before src/elf lands. When the
// real ELF reader exists, callers pass its segments to modules() instead and
// this file can go. It reads only the ELF header and the program headers.
import { closeSync, openSync, readSync } from "node:fs";

/** One PT_LOAD segment. Numbers are accepted so other readers can plug in. */
export interface PtLoad {
  offset: bigint | number;
  vaddr: bigint | number;
  filesz?: bigint | number;
  memsz?: bigint | number;
  /** p_flags: PF_X=1, PF_W=2, PF_R=4 */
  flags?: number;
}

export interface ElfSegments {
  /** e_type: "exec" (ET_EXEC, fixed address), "dyn" (ET_DYN: PIE or shared object), or other. */
  type?: "exec" | "dyn" | "other";
  pLoads: PtLoad[];
}

/** Returns the PT_LOAD segments of `path`, or null when it is not an ELF file. */
export type SegmentProvider = (path: string) => ElfSegments | null;

const PT_LOAD = 1;

function readAt(fd: number, pos: number, len: number): Buffer {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Default SegmentProvider: reads the file's ELF64 program headers. Throws on I/O errors. */
export function readPtLoads(path: string): ElfSegments | null {
  const fd = openSync(path, "r");
  try {
    const eh = readAt(fd, 0, 64);
    if (eh.length < 64 || eh.readUInt32BE(0) !== 0x7f454c46) return null; // "\x7fELF"
    if (eh[4] !== 2) return null; // only ELFCLASS64, like the rest of wraith
    const le = eh[5] === 1;
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u64 = (b: Buffer, o: number) => (le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const etype = u16(eh, 16);
    const phoff = Number(u64(eh, 32));
    const phentsize = u16(eh, 54);
    const phnum = u16(eh, 56);
    if (phentsize < 56 || phnum === 0xffff) return null; // PN_XNUM: not worth supporting here
    const ph = readAt(fd, phoff, phentsize * phnum);
    const pLoads: PtLoad[] = [];
    for (let i = 0; i + 56 <= ph.length && i < phentsize * phnum; i += phentsize) {
      if (u32(ph, i) !== PT_LOAD) continue;
      pLoads.push({
        flags: u32(ph, i + 4),
        offset: u64(ph, i + 8),
        vaddr: u64(ph, i + 16),
        filesz: u64(ph, i + 32),
        memsz: u64(ph, i + 40),
      });
    }
    return { type: etype === 2 ? "exec" : etype === 3 ? "dyn" : "other", pLoads };
  } finally {
    closeSync(fd);
  }
}
