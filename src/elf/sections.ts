// Section headers (Elf64_Shdr) and their names from .shstrtab.
//
// The table is decoded in one pass the first time anyone asks for a section;
// section contents are never touched here (see ElfFile.sectionData).

import { type FileBytes, readCString } from "./bytes.ts";
import { SHN_UNDEF, SHN_XINDEX, SHT_NOBITS, sectionTypeName } from "./constants.ts";
import { hex } from "./errors.ts";
import { type ElfHeader, SHDR_SIZE } from "./header.ts";

export interface Section {
  /** Position in the section header table (what st_shndx and sh_link refer to). */
  index: number;
  name: string;
  /** sh_type, e.g. SHT_PROGBITS; see `typeName` for readelf's spelling. */
  type: number;
  typeName: string;
  /** sh_flags (SHF_ALLOC, SHF_EXECINSTR, SHF_COMPRESSED, …). */
  flags: number;
  addr: number;
  /** File offset of the contents (meaningless for SHT_NOBITS). */
  offset: number;
  /** Size in the file, or in memory for SHT_NOBITS; compressed size for SHF_COMPRESSED. */
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

/**
 * Extended numbering: when the counts do not fit in the 16-bit header fields,
 * section 0 holds them (sh_size = section count, sh_link = shstrndx,
 * sh_info = program header count). Returned so segments can use it too.
 */
export interface SectionZero {
  size: number;
  link: number;
  info: number;
}

export function readSectionZero(file: FileBytes, h: ElfHeader): SectionZero | undefined {
  if (h.shoff === 0) return undefined;
  checkEntrySize(file, h);
  file.checkRange(h.shoff, SHDR_SIZE, "section header table");
  return { size: file.u64(h.shoff + 32), link: file.u32(h.shoff + 40), info: file.u32(h.shoff + 44) };
}

function checkEntrySize(file: FileBytes, h: ElfHeader): void {
  if (h.shentsize !== SHDR_SIZE) {
    throw file.corrupt(`section header entry size is ${h.shentsize}, expected ${SHDR_SIZE}`);
  }
}

export function parseSections(file: FileBytes, h: ElfHeader): Section[] {
  if (h.shoff === 0) {
    if (h.shnum !== 0) throw file.corrupt(`header lists ${h.shnum} sections but no section header table offset`);
    return [];
  }
  const zero = readSectionZero(file, h)!;
  const count = h.shnum !== 0 ? h.shnum : zero.size;
  // Bounding the whole table by the file size bounds the count (and memory).
  file.checkRange(h.shoff, count * SHDR_SIZE, `section header table (${count} entries)`);

  const headers: { nameOffset: number; fields: Omit<Section, "name" | "typeName"> }[] = [];
  for (let i = 0; i < count; i++) {
    const o = h.shoff + i * SHDR_SIZE;
    headers.push({
      nameOffset: file.u32(o),
      fields: {
        index: i,
        type: file.u32(o + 4),
        flags: file.u64(o + 8),
        addr: file.u64(o + 16),
        offset: file.u64(o + 24),
        size: file.u64(o + 32),
        link: file.u32(o + 40),
        info: file.u32(o + 44),
        addralign: file.u64(o + 48),
        entsize: file.u64(o + 56),
      },
    });
  }

  const strndx = h.shstrndx === SHN_XINDEX ? zero.link : h.shstrndx;
  let names: Uint8Array | undefined;
  if (strndx !== SHN_UNDEF && count > 0) {
    const strtab = headers[strndx]?.fields;
    if (!strtab) throw file.corrupt(`section name table index ${strndx} is out of range (${count} sections)`);
    names = strtab.type === SHT_NOBITS ? new Uint8Array(0) : file.slice(strtab.offset, strtab.size, "section name table");
  }

  return headers.map(({ nameOffset, fields }) => {
    let name = "";
    if (names) {
      const n = readCString(names, nameOffset);
      if (n === undefined) {
        throw file.corrupt(
          `section ${fields.index} name offset ${hex(nameOffset)} is outside the section name table (size ${hex(names.length)})`,
        );
      }
      name = n;
    }
    return { ...fields, name, typeName: sectionTypeName(fields.type) };
  });
}
