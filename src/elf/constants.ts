// Numeric constants from the ELF gABI and the GNU extensions we read, with
// the names readelf prints. Only what the reader uses or reports is here.

// e_ident
export const ELFMAG = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;

// e_type
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export type ElfType = "NONE" | "REL" | "EXEC" | "DYN" | "CORE" | "OTHER";
export function elfTypeName(t: number): ElfType {
  return (["NONE", "REL", "EXEC", "DYN", "CORE"] as const)[t] ?? "OTHER";
}

// e_machine (the ones worth naming in messages)
export const EM_386 = 3;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;
export const EM_BPF = 247;
const MACHINE_NAMES: Record<number, string> = {
  [EM_386]: "i386",
  8: "MIPS",
  20: "PowerPC",
  21: "PowerPC64",
  22: "s390",
  [EM_ARM]: "ARM",
  [EM_X86_64]: "x86-64",
  [EM_AARCH64]: "AArch64",
  [EM_RISCV]: "RISC-V",
  [EM_BPF]: "BPF",
  258: "LoongArch",
};
export function machineName(m: number): string {
  return MACHINE_NAMES[m] ?? `machine ${m}`;
}

// Special section indices
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
/** e_phnum value meaning "the real count is in section 0's sh_info". */
export const PN_XNUM = 0xffff;

// sh_type
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_GNU_HASH = 0x6ffffff6;
export const SHT_GNU_verdef = 0x6ffffffd;
export const SHT_GNU_verneed = 0x6ffffffe;
export const SHT_GNU_versym = 0x6fffffff;

// sh_flags
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;
export const SHF_INFO_LINK = 0x40;
export const SHF_TLS = 0x400;
export const SHF_COMPRESSED = 0x800;

// Elf64_Chdr.ch_type
export const ELFCOMPRESS_ZLIB = 1;
export const ELFCOMPRESS_ZSTD = 2;

// p_type
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;

const SEGMENT_TYPE_NAMES: Record<number, string> = {
  [PT_NULL]: "NULL",
  [PT_LOAD]: "LOAD",
  [PT_DYNAMIC]: "DYNAMIC",
  [PT_INTERP]: "INTERP",
  [PT_NOTE]: "NOTE",
  5: "SHLIB",
  [PT_PHDR]: "PHDR",
  [PT_TLS]: "TLS",
  [PT_GNU_EH_FRAME]: "GNU_EH_FRAME",
  [PT_GNU_STACK]: "GNU_STACK",
  [PT_GNU_RELRO]: "GNU_RELRO",
  [PT_GNU_PROPERTY]: "GNU_PROPERTY",
  0x6474e554: "GNU_SFRAME",
};
/** readelf's name for a segment type, or its hex value. */
export function segmentTypeName(t: number): string {
  return SEGMENT_TYPE_NAMES[t] ?? "0x" + t.toString(16);
}

// p_flags
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

// Symbols: st_info and st_other
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

export type SymbolType = "NOTYPE" | "OBJECT" | "FUNC" | "SECTION" | "FILE" | "COMMON" | "TLS" | "IFUNC" | "OTHER";
export function symbolTypeName(t: number): SymbolType {
  if (t === STT_GNU_IFUNC) return "IFUNC";
  return (["NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE", "COMMON", "TLS"] as const)[t] ?? "OTHER";
}

export type SymbolBinding = "LOCAL" | "GLOBAL" | "WEAK" | "UNIQUE" | "OTHER";
export function symbolBindingName(b: number): SymbolBinding {
  if (b === 10) return "UNIQUE"; // STB_GNU_UNIQUE
  return (["LOCAL", "GLOBAL", "WEAK"] as const)[b] ?? "OTHER";
}

export type SymbolVisibility = "DEFAULT" | "INTERNAL" | "HIDDEN" | "PROTECTED";
export function symbolVisibilityName(v: number): SymbolVisibility {
  return (["DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"] as const)[v & 3]!;
}

// Dynamic tags
export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_STRSZ = 10;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_RUNPATH = 29;
export const DT_FLAGS = 30;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DF_1_PIE = 0x08000000;

// Notes
export const NT_GNU_BUILD_ID = 3;

const SECTION_TYPE_NAMES: Record<number, string> = {
  [SHT_NULL]: "NULL",
  [SHT_PROGBITS]: "PROGBITS",
  [SHT_SYMTAB]: "SYMTAB",
  [SHT_STRTAB]: "STRTAB",
  [SHT_RELA]: "RELA",
  [SHT_HASH]: "HASH",
  [SHT_DYNAMIC]: "DYNAMIC",
  [SHT_NOTE]: "NOTE",
  [SHT_NOBITS]: "NOBITS",
  [SHT_REL]: "REL",
  [SHT_DYNSYM]: "DYNSYM",
  [SHT_INIT_ARRAY]: "INIT_ARRAY",
  [SHT_FINI_ARRAY]: "FINI_ARRAY",
  16: "PREINIT_ARRAY",
  [SHT_GROUP]: "GROUP",
  [SHT_SYMTAB_SHNDX]: "SYMTAB SECTION INDICES",
  19: "RELR",
  0x6ffffff5: "GNU_ATTRIBUTES",
  [SHT_GNU_HASH]: "GNU_HASH",
  0x6ffffff7: "GNU_LIBLIST",
  [SHT_GNU_verdef]: "VERDEF",
  [SHT_GNU_verneed]: "VERNEED",
  [SHT_GNU_versym]: "VERSYM",
};
/** readelf's name for a section type, or its hex value. */
export function sectionTypeName(t: number): string {
  return SECTION_TYPE_NAMES[t] ?? "0x" + t.toString(16);
}
