// The shared libraries an executable will load, found as glibc's ld.so finds
// them (elf/dl-load.c _dl_map_object, elf/dl-cache.c), without running it:
// for -t PATH, where no process exists yet to read /proc/PID/maps from, these
// are the modules a script's globals and MODULE:0xADDR trace points can be in.
//
// For each DT_NEEDED name, breadth first from the executable (ld.so's load
// order, which is also its symbol lookup order):
//   1. a name with a "/" is a path (relative ones: to wraith's working
//      directory, which is not necessarily the target's);
//   2. an object already loaded under that name or soname is reused;
//   3. DT_RPATH of the object that needs it, then of the object that loaded
//      that one, up to the executable — only when the needing object has no
//      DT_RUNPATH;
//   4. LD_LIBRARY_PATH — wraith's own environment: the target's may differ,
//      so a process started with another one can map other files (their
//      globals then read as "load bias unknown", never from the wrong file);
//   5. DT_RUNPATH of the needing object;
//   6. /etc/ld.so.cache (parsed here: the "glibc-ld.so.cache1.1" format);
//   7. the default directories.
// Steps 6 and 7 are skipped when the needing object has DF_1_NODEFLIB.
// $ORIGIN in a path is the directory of the object that holds it.
// Not modelled: LD_PRELOAD and /etc/ld.so.preload, glibc-hwcaps
// subdirectories (their cache entries are skipped: the baseline file is the
// one every CPU can load), $LIB and $PLATFORM (a path element using them is
// skipped, with a note), and secure (setuid) mode.
import { closeSync, openSync, readFileSync, readSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve as resolvePath } from "node:path";
import { DT_RUNPATH, ElfFile } from "../elf/index.ts";

/** Where ld.so looks last (Debian's multiarch glibc: its system directories, in order). */
export const DEFAULT_LIBRARY_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"];
const LD_SO_CACHE = "/etc/ld.so.cache";
const DF_1_NODEFLIB = 0x800;

export interface LinkedLibrary {
  /** The DT_NEEDED name that brought it in (for the interpreter: its soname). */
  needed: string;
  /** The path ld.so would open, as `ldd` prints it. */
  path: string;
  /** The same file with symlinks resolved: what /proc/PID/maps shows. */
  realPath: string;
}

export interface LibrarySearchOptions {
  /** LD_LIBRARY_PATH to use (default: wraith's own environment's). */
  ldLibraryPath?: string;
  /** The ld.so.cache file (default /etc/ld.so.cache; a missing file is an empty cache). */
  cachePath?: string;
  /** Told about each library that cannot be found, and each path element that is skipped. */
  note?: (line: string) => void;
  /** How to open an ELF file (default ElfFile.open): the caller's cache, so each file is read once. */
  open?: (path: string) => ElfFile;
}

/**
 * The libraries `exe` links, recursively, in ld.so's load order and without
 * duplicates; the interpreter (PT_INTERP) is included where a DT_NEEDED names
 * its soname, else last. Names that cannot be found are left out (`note`).
 */
export function linkedLibraries(exe: string, o: LibrarySearchOptions = {}): LinkedLibrary[] {
  const note = o.note ?? (() => {});
  const open = o.open ?? ((path: string) => ElfFile.open(path));
  const cache = o.cachePath === undefined ? defaultCache() : readLdSoCache(o.cachePath);
  const ldLibraryPath = splitPath(o.ldLibraryPath ?? process.env.LD_LIBRARY_PATH ?? "");
  const exeElf = open(exe);

  interface Loaded { lib?: LinkedLibrary; elf: ElfFile; origin: string; loader?: Loaded; soname?: string; id: string }
  const loaded: Loaded[] = [];
  const root: Loaded = { elf: exeElf, origin: dirname(realpathSync(exe)), id: fileId(exe) };
  loaded.push(root);

  // The interpreter is in every process before any DT_NEEDED is looked at: a DT_NEEDED of its soname is it.
  const interpPath = exeElf.interpreter();
  let interp: Loaded | undefined;
  if (interpPath && isElf64X86(interpPath)) {
    const elf = open(interpPath);
    interp = { elf, origin: dirname(interpPath), soname: elf.soname(), id: fileId(interpPath) };
  }

  const out: LinkedLibrary[] = [];
  const queue: Loaded[] = [root];
  const missing = new Set<string>();
  for (let q = queue.shift(); q; q = queue.shift()) {
    for (const name of q.elf.needed()) {
      if (loaded.some((l) => l.soname === name || l.lib?.needed === name)) continue;
      if (interp && (interp.soname === name || interpPath === name)) {
        if (!interp.lib) {
          interp.lib = { needed: name, path: interpPath!, realPath: realpathSync(interpPath!) };
          loaded.push(interp);
          out.push(interp.lib);
        }
        continue;
      }
      const path = find(name, q);
      if (path === undefined) {
        if (!missing.has(name)) note(`wraith: ${name} (needed by ${q.lib?.path ?? exe}) not found where ld.so would look; its globals cannot be read`);
        missing.add(name);
        continue;
      }
      const id = fileId(path);
      const same = loaded.find((l) => l.id === id);
      if (same) continue; // the same file under another name: ld.so maps it once
      const elf = open(path);
      const l: Loaded = { lib: { needed: name, path, realPath: realpathSync(path) }, elf, origin: dirname(path), loader: q, soname: elf.soname(), id };
      loaded.push(l);
      queue.push(l);
      out.push(l.lib!);
    }
  }
  if (interp && !interp.lib) out.push({ needed: interp.soname ?? interpPath!, path: interpPath!, realPath: realpathSync(interpPath!) });
  return out;

  function find(name: string, from: Loaded): string | undefined {
    if (name.includes("/")) {
      const p = isAbsolute(name) ? name : resolvePath(process.cwd(), name);
      return isElf64X86(p) ? p : undefined;
    }
    const hasRunpath = from.elf.dynamic().some((e) => e.tag === DT_RUNPATH);
    const dirs: string[] = [];
    if (!hasRunpath) for (let l: Loaded | undefined = from; l; l = l.loader) if (!l.elf.dynamic().some((e) => e.tag === DT_RUNPATH)) dirs.push(...expand(l.elf.runpath(), l));
    dirs.push(...ldLibraryPath);
    if (hasRunpath) dirs.push(...expand(from.elf.runpath(), from));
    for (const d of dirs) {
      const p = `${d.replace(/\/+$/, "")}/${name}`;
      if (isElf64X86(p)) return p;
    }
    if ((from.elf.flags1() & DF_1_NODEFLIB) !== 0) return undefined;
    const cached = cache.get(name);
    if (cached !== undefined && isElf64X86(cached)) return cached;
    for (const d of DEFAULT_LIBRARY_DIRS) {
      const p = `${d}/${name}`;
      if (isElf64X86(p)) return p;
    }
    return undefined;
  }

  /** A DT_RPATH/DT_RUNPATH value → directories, $ORIGIN expanded to the holder's directory. */
  function expand(value: string | undefined, holder: Loaded): string[] {
    if (!value) return [];
    const out: string[] = [];
    for (const raw of splitPath(value)) {
      const d = raw.replace(/\$(ORIGIN\b|\{ORIGIN\})/g, holder.origin);
      if (/\$(\{?)(LIB|PLATFORM)\b/.test(d)) {
        note(`wraith: search path ${raw} of ${holder.lib?.path ?? exe} uses $LIB or $PLATFORM, which wraith does not expand; skipped`);
        continue;
      }
      out.push(d);
    }
    return out;
  }
}

/** ld.so treats empty elements of LD_LIBRARY_PATH as the working directory; wraith's is not the target's, so they are dropped. */
function splitPath(s: string): string[] {
  return s.split(/[:;]/).filter((d) => d.length > 0);
}

/** The file's identity (device, inode), so one file reached by two paths is loaded once; the path itself when it cannot be stat'ed. */
function fileId(path: string): string {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return path;
  }
}

/** Can ld.so of an x86-64 process load this file? (exists, ELF64, little-endian, EM_X86_64; ld.so skips others and keeps looking) */
function isElf64X86(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const h = new Uint8Array(20);
    if (readSync(fd, h, 0, 20, 0) < 20) return false;
    const machine = h[18]! | (h[19]! << 8);
    return h[0] === 0x7f && h[1] === 0x45 && h[2] === 0x4c && h[3] === 0x46 && h[4] === 2 /* ELFCLASS64 */ && h[5] === 1 /* LSB */ && machine === 62;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

// ---- /etc/ld.so.cache ------------------------------------------------------
// glibc's "new" format (sysdeps/generic/dl-cache.h), the only one glibc ≥ 2.32
// writes, possibly after an old-format ("ld.so-1.7.0") part:
//   header (48 bytes): char magic[17] "glibc-ld.so.cache", char version[3] "1.1",
//     u32 nlibs, u32 len_strings, u8 flags, u8 pad[3], u32 extension_offset, u32 unused[3]
//   nlibs × entry (24 bytes): i32 flags, u32 key, u32 value, u32 osversion, u64 hwcap
// key (the soname) and value (the path) are string offsets from the start of the new header.
const NEW_MAGIC = "glibc-ld.so.cache1.1";
const OLD_MAGIC = "ld.so-1.7.0";
const HEADER_SIZE = 48;
const ENTRY_SIZE = 24;
const OLD_ENTRY_SIZE = 12;
/** FLAG_ELF_LIBC6 | FLAG_X8664_LIB64: an x86-64 glibc library (_DL_CACHE_DEFAULT_ID). */
const X86_64_LIBC6 = 0x0303;

export class LdSoCacheError extends Error {
  override name = "LdSoCacheError";
}

/** soname → path of the x86-64 entries, the first entry of each soname (the order ld.so prefers). */
export function parseLdSoCache(bytes: Uint8Array, what = LD_SO_CACHE): Map<string, string> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (off: number, n: number) => String.fromCharCode(...bytes.subarray(off, off + n));
  let base = 0;
  if (ascii(0, OLD_MAGIC.length) === OLD_MAGIC) {
    // Old part: magic (11 bytes) padded to 12, u32 nlibs, then 12-byte entries; the new header follows, 8-byte aligned.
    const n = dv.getUint32(12, true);
    base = (16 + n * OLD_ENTRY_SIZE + 7) & ~7;
  }
  if (bytes.length < base + HEADER_SIZE || ascii(base, NEW_MAGIC.length) !== NEW_MAGIC)
    throw new LdSoCacheError(`${what} is not in the glibc-ld.so.cache1.1 format`);
  const nlibs = dv.getUint32(base + 20, true);
  if (base + HEADER_SIZE + nlibs * ENTRY_SIZE > bytes.length) throw new LdSoCacheError(`${what} is truncated (${nlibs} entries do not fit)`);
  const decoder = new TextDecoder();
  const str = (off: number) => {
    const start = base + off;
    const end = bytes.indexOf(0, start);
    if (start >= bytes.length || end < 0) throw new LdSoCacheError(`${what}: string offset ${off} is outside the file`);
    return decoder.decode(bytes.subarray(start, end));
  };
  const out = new Map<string, string>();
  for (let i = 0; i < nlibs; i++) {
    const e = base + HEADER_SIZE + i * ENTRY_SIZE;
    if (dv.getInt32(e, true) !== X86_64_LIBC6) continue; // _dl_cache_check_flags on x86-64
    if (dv.getBigUint64(e + 16, true) !== 0n) continue; // a glibc-hwcaps or legacy hwcap subdirectory's copy
    const key = str(dv.getUint32(e + 4, true));
    if (!out.has(key)) out.set(key, str(dv.getUint32(e + 8, true)));
  }
  return out;
}

/** The cache file's entries; an empty cache when the file does not exist (ld.so then goes on to the default directories). */
export function readLdSoCache(path: string): Map<string, string> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return new Map();
    throw e;
  }
  return parseLdSoCache(bytes, path);
}

let systemCache: Map<string, string> | undefined;
function defaultCache(): Map<string, string> {
  return (systemCache ??= readLdSoCache(LD_SO_CACHE));
}
