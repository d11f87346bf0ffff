// The binaries a script's trace points are looked up in, opened once each.
import { ElfFile } from "../elf/index.ts";

/** A file to search for trace points. */
export interface ModuleRef {
  /** The path the user knows it by (shown in messages). */
  name: string;
  /** Where wraith reads the file's bytes. */
  readPath: string;
  /** The path handed to the kernel for the uprobe (may go through /proc/PID/root). */
  attachPath: string;
}

export class ResolveError extends Error {
  override name = "ResolveError";
}

const cache = new Map<string, ElfFile>();

/** Open (once) and return a module's ELF file. Unreadable and non-ELF files throw a one-line ElfError. */
export function elfOf(m: ModuleRef): ElfFile {
  let elf = cache.get(m.readPath);
  if (!elf) {
    elf = ElfFile.open(m.readPath);
    cache.set(m.readPath, elf);
  }
  return elf;
}
