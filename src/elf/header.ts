// The 64-byte Elf64_Ehdr. Parsed eagerly when a file is opened, since every
// other table hangs off it and it is where "is this even ELF64 LE?" is decided.

import type { FileBytes } from "./bytes.ts";
import { ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, ELFMAG, elfTypeName, type ElfType } from "./constants.ts";
import { ElfError, hex } from "./errors.ts";

export const EHDR_SIZE = 64;
export const SHDR_SIZE = 64;
export const PHDR_SIZE = 56;

export interface ElfHeader {
  /** e_ident[EI_OSABI]: 0 = System V, 3 = GNU/Linux. */
  osabi: number;
  /** e_type as a name: EXEC, DYN (PIE or shared library), REL, CORE. */
  type: ElfType;
  /** Raw e_type. */
  typeCode: number;
  /** e_machine, e.g. EM_X86_64 = 62 (see machineName). */
  machine: number;
  entry: number;
  phoff: number;
  shoff: number;
  flags: number;
  phentsize: number;
  /** Raw e_phnum; PN_XNUM means the count lives in section 0 (see segments). */
  phnum: number;
  shentsize: number;
  /** Raw e_shnum; 0 with a non-zero shoff means the count lives in section 0. */
  shnum: number;
  /** Raw e_shstrndx; SHN_XINDEX means the index lives in section 0's sh_link. */
  shstrndx: number;
}

export function parseHeader(file: FileBytes): ElfHeader {
  const b = file.bytes;
  if (b.length < 4 || ELFMAG.some((m, i) => b[i] !== m)) {
    throw new ElfError(`not an ELF file: ${file.name}`);
  }
  if (b.length < 6) throw file.corrupt(`ELF identification truncated (file is ${b.length} bytes)`);
  const cls = b[4]!;
  if (cls !== ELFCLASS64) {
    const what = cls === ELFCLASS32 ? "32-bit" : `${cls} (invalid)`;
    throw new ElfError(`unsupported ELF class ${what} in ${file.name}: wraith reads 64-bit ELF only`);
  }
  const data = b[5]!;
  if (data !== ELFDATA2LSB) {
    const what = data === ELFDATA2MSB ? "big-endian" : `${data} (invalid)`;
    throw new ElfError(`unsupported ELF data encoding ${what} in ${file.name}: wraith reads little-endian ELF only`);
  }
  if (b.length < EHDR_SIZE) {
    throw file.corrupt(`ELF header truncated: file is ${hex(b.length)} bytes, header needs ${hex(EHDR_SIZE)}`);
  }
  const typeCode = file.u16(16);
  return {
    osabi: b[7]!,
    type: elfTypeName(typeCode),
    typeCode,
    machine: file.u16(18),
    entry: file.u64(24),
    phoff: file.u64(32),
    shoff: file.u64(40),
    flags: file.u32(48),
    phentsize: file.u16(54),
    phnum: file.u16(56),
    shentsize: file.u16(58),
    shnum: file.u16(60),
    shstrndx: file.u16(62),
  };
}
