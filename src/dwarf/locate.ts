// Finding a binary's debug information: in the binary itself, in a file given
// explicitly (--debug-file), by build-id under /usr/lib/debug/.build-id/, or
// by .gnu_debuglink next to the binary, in its .debug/ subdirectory or under
// /usr/lib/debug/<dir>/ — the places and order gdb uses. A candidate whose
// build-id or CRC does not match is rejected: stale debug info gives wrong
// answers that look right.

import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ElfError, ElfFile } from "../elf/index.ts";
import { DwarfError } from "./reader.ts";

export interface DebugFileOptions {
  /** Use this file's DWARF (the --debug-file flag). Checked against the binary's build-id / debuglink CRC. */
  debugFile?: string;
  /** Global debug directories, default ["/usr/lib/debug"]. */
  debugRoots?: string[];
}

export type DebugSourceKind = "embedded" | "explicit" | "build-id" | "debuglink";

export interface DebugSource {
  /** The file whose sections hold the DWARF. */
  elf: ElfFile;
  how: DebugSourceKind;
}

function hasDwarf(elf: ElfFile): boolean {
  return elf.section(".debug_info") !== undefined || elf.section(".zdebug_info") !== undefined;
}

function tryOpen(path: string): ElfFile | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return ElfFile.open(path);
  } catch (e) {
    if (e instanceof ElfError) return undefined;
    throw e;
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** Why `candidate` is not `binary`'s debug file, or undefined if it matches. */
export function debugFileMismatch(binary: ElfFile, candidate: ElfFile): string | undefined {
  const want = binary.buildId();
  const got = candidate.buildId();
  if (want && got && want !== got) return `build-id ${got} does not match the binary's ${want}`;
  if (want && got) return undefined;
  const link = binary.debugLink();
  if (link) {
    const crc = candidate.crc32();
    if (crc !== link.crc) return `CRC 0x${hex8(crc)} does not match the binary's .gnu_debuglink CRC 0x${hex8(link.crc)}`;
  }
  return undefined;
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** Find the DWARF for `binary`; throws DwarfError listing every place tried. */
export function locateDebugInfo(binary: ElfFile, opts: DebugFileOptions = {}): DebugSource {
  if (opts.debugFile) {
    const elf = ElfFile.open(opts.debugFile);
    if (!hasDwarf(elf)) throw new DwarfError(`${opts.debugFile} has no DWARF debug info (.debug_info)`);
    const why = debugFileMismatch(binary, elf);
    if (why) throw new DwarfError(`${opts.debugFile} is not the debug file of ${binary.name}: ${why}`);
    return { elf, how: "explicit" };
  }
  if (hasDwarf(binary)) return { elf: binary, how: "embedded" };

  const tried: string[] = [];
  const roots = opts.debugRoots ?? ["/usr/lib/debug"];
  const consider = (path: string, how: DebugSourceKind): DebugSource | undefined => {
    if (sameFile(path, binary.name)) return undefined;
    const elf = tryOpen(path);
    if (!elf) {
      tried.push(path);
      return undefined;
    }
    const why = hasDwarf(elf) ? debugFileMismatch(binary, elf) : "no .debug_info";
    if (why) {
      tried.push(`${path} (rejected: ${why})`);
      return undefined;
    }
    return { elf, how };
  };

  const id = binary.buildId();
  if (id && id.length > 2) {
    for (const root of roots) {
      const found = consider(join(root, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`), "build-id");
      if (found) return found;
    }
  }
  const link = binary.debugLink();
  if (link) {
    let dir: string;
    try {
      dir = dirname(realpathSync(binary.name));
    } catch {
      dir = dirname(resolve(binary.name));
    }
    const candidates = [join(dir, link.fileName), join(dir, ".debug", link.fileName), ...roots.map((root) => join(root, dir, link.fileName))];
    for (const c of candidates) {
      const found = consider(c, "debuglink");
      if (found) return found;
    }
  }
  const what = [id ? `build-id ${id}` : "no build-id", link ? `debuglink ${link.fileName}` : "no .gnu_debuglink"].join(", ");
  throw new DwarfError(`no DWARF debug info for ${binary.name}: it has no .debug_info (${what})${tried.length ? `; tried ${tried.join(", ")}` : ""}`);
}
