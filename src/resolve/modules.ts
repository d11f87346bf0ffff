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

/**
 * The module a user means by `text` (`libfoo.so`, `lib/libfoo.so.1`, a full
 * path): the whole path, a path suffix on a "/" boundary, or — for a bare
 * name — a versioned basename it starts (`libfoo.so` → `libfoo.so.1.2`).
 * Exact and suffix matches beat versioned ones. Throws ResolveError naming
 * the candidates when several match, and the modules when none does.
 */
export function matchModule<M extends { name: string }>(mods: readonly M[], text: string, what = "the target"): M {
  const found = moduleCandidates(mods, text);
  if (found.length === 1) return found[0]!;
  if (found.length > 1)
    throw new ResolveError(`module ${text} is ambiguous in ${what}: ${found.map((m) => m.name).join(", ")}; give more of the path`);
  const names = [...new Set(mods.map((m) => m.name))];
  const shown = names.length > 12 ? `${names.slice(0, 12).join(", ")}, … (${names.length} in all)` : names.join(", ");
  throw new ResolveError(`no module matching ${text} in ${what}; its modules are: ${shown}`);
}

/** Every module `text` could name (see matchModule), best kind of match only, one per path. */
export function moduleCandidates<M extends { name: string }>(mods: readonly M[], text: string): M[] {
  const uniq = (ms: M[]) => ms.filter((m, i) => ms.findIndex((x) => x.name === m.name) === i);
  const exact = uniq(mods.filter((m) => m.name === text || m.name.endsWith(text.startsWith("/") ? text : `/${text}`)));
  if (exact.length > 0) return exact;
  if (text.includes("/")) return [];
  return uniq(mods.filter((m) => {
    const base = m.name.slice(m.name.lastIndexOf("/") + 1);
    return base.startsWith(`${text}.`) || base.startsWith(`${text}-`);
  }));
}
