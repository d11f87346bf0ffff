// Program headers (Elf64_Phdr) and the vaddr ↔ file offset mapping.
//
// Uprobes attach at (file, file offset), while symbols and DWARF speak in
// link-time virtual addresses; the PT_LOAD segment holding an address is what
// connects the two: offset = vaddr - p_vaddr + p_offset.
//
// Segment contents are not bounds-checked here: separate debug files
// (objcopy --only-keep-debug) keep the original program headers, whose
// offsets point past their own end. Readers of segment contents check.

import type { FileBytes } from "./bytes.ts";
import { PN_XNUM, PT_LOAD, segmentTypeName } from "./constants.ts";
import { type ElfHeader, PHDR_SIZE } from "./header.ts";
import type { SectionZero } from "./sections.ts";

export interface Segment {
  index: number;
  /** p_type, e.g. PT_LOAD; see `typeName` for readelf's spelling. */
  type: number;
  typeName: string;
  /** p_flags: PF_R | PF_W | PF_X. */
  flags: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

export function parseSegments(file: FileBytes, h: ElfHeader, zero: SectionZero | undefined): Segment[] {
  const count = h.phnum === PN_XNUM && zero ? zero.info : h.phnum;
  if (h.phoff === 0 || count === 0) return [];
  if (h.phentsize !== PHDR_SIZE) {
    throw file.corrupt(`program header entry size is ${h.phentsize}, expected ${PHDR_SIZE}`);
  }
  file.checkRange(h.phoff, count * PHDR_SIZE, `program header table (${count} entries)`);
  const segments: Segment[] = [];
  for (let i = 0; i < count; i++) {
    const o = h.phoff + i * PHDR_SIZE;
    const type = file.u32(o);
    segments.push({
      index: i,
      type,
      typeName: segmentTypeName(type),
      flags: file.u32(o + 4),
      offset: file.u64(o + 8),
      vaddr: file.u64(o + 16),
      paddr: file.u64(o + 24),
      filesz: file.u64(o + 32),
      memsz: file.u64(o + 40),
      align: file.u64(o + 48),
    });
  }
  return segments;
}

/**
 * File offset of `vaddr` through the PT_LOAD segment whose file-backed part
 * contains it; undefined if no segment does (including the zero-filled .bss
 * tail between p_filesz and p_memsz, which has no file bytes to probe).
 */
export function vaddrToFileOffset(segments: readonly Segment[], vaddr: number): number | undefined {
  for (const s of segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz) return vaddr - s.vaddr + s.offset;
  }
  return undefined;
}

/** Inverse of vaddrToFileOffset: the link-time address a file offset is loaded at. */
export function fileOffsetToVaddr(segments: readonly Segment[], offset: number): number | undefined {
  for (const s of segments) {
    if (s.type === PT_LOAD && offset >= s.offset && offset - s.offset < s.filesz) return offset - s.offset + s.vaddr;
  }
  return undefined;
}
