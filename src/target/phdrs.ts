// The PT_LOAD segments of a module, as the load-bias computation needs them,
// read through our ELF reader (src/elf).
import { statSync } from "node:fs";
import { ElfError, ElfFile, PT_LOAD } from "../elf/index.ts";

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

/**
 * Segments already read, by file identity (device, inode, size, mtime): a
 * process's maps are read at start and again at each exec, fork and mmap
 * sysmon reports, and each read asks for every file mapped (libc, the locale
 * archive, …); the file itself is read once per run.
 */
const seen = new Map<string, ElfSegments | null>();

/** Default SegmentProvider. Throws when the file cannot be read at all. */
export function readPtLoads(path: string): ElfSegments | null {
  let key: string | undefined;
  try {
    const st = statSync(path, { bigint: true });
    key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch {
    // Unstattable: readSegments says why, uncached.
  }
  if (key !== undefined && seen.has(key)) return seen.get(key)!;
  const segs = readSegments(path);
  if (key !== undefined) seen.set(key, segs);
  return segs;
}

function readSegments(path: string): ElfSegments | null {
  let elf: ElfFile;
  try {
    elf = ElfFile.open(path);
  } catch (e) {
    // Not ELF (a font, a locale archive mapped into the process): no bias. Unreadable: a real error.
    if (e instanceof ElfError && !e.message.startsWith("cannot read")) return null;
    throw e;
  }
  const type = elf.type === "EXEC" ? "exec" : elf.type === "DYN" ? "dyn" : "other";
  const pLoads = elf
    .segments()
    .filter((s) => s.type === PT_LOAD)
    .map((s) => ({ offset: s.offset, vaddr: s.vaddr, filesz: s.filesz, memsz: s.memsz, flags: s.flags }));
  return { type, pLoads };
}
