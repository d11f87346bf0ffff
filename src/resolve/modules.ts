// The binaries a script's trace points are looked up in, opened once each.
import { ElfError, ElfFile } from "../elf/index.ts";

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

/** Open (once) and return a module's ELF file. Non-ELF files and unreadable paths are one-line errors. */
export function elfOf(m: ModuleRef): ElfFile {
  let elf = cache.get(m.readPath);
  if (!elf) {
    try {
      elf = ElfFile.open(m.readPath);
    } catch (e) {
      if (e instanceof ElfError) throw e;
      const code = (e as { code?: string }).code;
      if (code === "ENOENT") throw new ResolveError(`${m.name}: no such file; check the path given with -t`);
      if (code === "EACCES") throw new ResolveError(`${m.name}: permission denied reading it; run wraith as root`);
      if (code === "EISDIR") throw new ResolveError(`${m.name} is a directory; give -t the path of an executable or library`);
      throw e;
    }
    cache.set(m.readPath, elf);
  }
  return elf;
}
