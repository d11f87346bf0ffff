// /proc/PID/maps: parsing, grouping file-backed mappings into modules, and
// each module's load bias.
//
// Addresses, file offsets and inodes are **bigint** everywhere in target/:
// user-space addresses on x86-64/arm64 go up to 2^47/2^48 (beyond 2^53 on
// 5-level paging and for the [vsyscall] page at 0xffffffffff600000), and
// inode numbers on overlayfs/btrfs can be 64-bit. One type avoids mixing.
import { readFileSync } from "node:fs";
import { checkPid, procError, TargetError } from "./errors.ts";
import { type ElfSegments, type PtLoad, readPtLoads, type SegmentProvider } from "./phdrs.ts";
import { procRootPrefix } from "./proc.ts";

export type MapKind =
  | "file" // backed by a file (path starts with "/", inode != 0), possibly deleted
  | "anon" // no path
  | "heap" // [heap]
  | "stack" // [stack] (and legacy [stack:TID])
  | "vdso" // [vdso]
  | "vvar" // [vvar], [vvar_vclock]
  | "vsyscall" // [vsyscall]
  | "special"; // any other [name] or anon_inode:… / non-path name

export interface MapEntry {
  start: bigint;
  /** exclusive */
  end: bigint;
  /** "r-xp" as printed: r/w/x/-, then p (private) or s (shared) */
  perms: string;
  readable: boolean;
  writable: boolean;
  executable: boolean;
  shared: boolean;
  /** file offset of `start` */
  offset: bigint;
  /** "major:minor" in hex as printed, e.g. "fe:00" */
  dev: string;
  inode: bigint;
  /** path or pseudo-name, with a trailing " (deleted)" removed; "" for anonymous */
  path: string;
  /** the file was unlinked (or replaced) after being mapped */
  deleted: boolean;
  kind: MapKind;
}

const DELETED = " (deleted)";

function kindOf(path: string, inode: bigint): MapKind {
  if (path === "") return "anon";
  if (path === "[heap]") return "heap";
  if (path === "[stack]" || path.startsWith("[stack:")) return "stack";
  if (path === "[vdso]") return "vdso";
  if (path.startsWith("[vvar")) return "vvar";
  if (path === "[vsyscall]") return "vsyscall";
  if (path.startsWith("/") && inode !== 0n) return "file";
  return "special";
}

/** Parse one line of /proc/PID/maps; returns null for blank lines. Throws on malformed input. */
export function parseMapsLine(line: string): MapEntry | null {
  if (line.trim() === "") return null;
  // address perms offset dev inode [path]; the path is everything after the
  // inode and its padding, and may itself contain spaces.
  const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+([0-9a-f]+:[0-9a-f]+)\s+(\d+)(?:\s+(.*))?$/.exec(line);
  if (!m) throw new TargetError("io", `unexpected line in /proc/PID/maps: ${JSON.stringify(line)}`);
  const inode = BigInt(m[6]!);
  let path = m[7] ?? "";
  let deleted = false;
  if (path.endsWith(DELETED) && path.startsWith("/")) {
    deleted = true;
    path = path.slice(0, -DELETED.length);
  }
  // The kernel escapes "\n" in path names as "\012" (seq_file_path).
  path = path.replaceAll("\\012", "\n");
  const perms = m[3]!;
  return {
    start: BigInt("0x" + m[1]),
    end: BigInt("0x" + m[2]),
    perms,
    readable: perms[0] === "r",
    writable: perms[1] === "w",
    executable: perms[2] === "x",
    shared: perms[3] === "s",
    offset: BigInt("0x" + m[4]),
    dev: m[5]!,
    inode,
    path,
    deleted,
    kind: kindOf(path, inode),
  };
}

export function parseMaps(text: string): MapEntry[] {
  const out: MapEntry[] = [];
  for (const line of text.split("\n")) {
    const e = parseMapsLine(line);
    if (e) out.push(e);
  }
  return out;
}

/**
 * Read and parse /proc/PID/maps. Throws TargetError: no such process,
 * permission denied, or the process exited (a zombie has an empty maps file).
 */
export function readMaps(pid: number): MapEntry[] {
  checkPid(pid);
  const path = `/proc/${pid}/maps`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw procError(pid, path, e, false);
  }
  const entries = parseMaps(text);
  // Every live user process has at least its stack mapped; an empty file
  // means the address space is gone (zombie, or exited between open and read)
  // or a kernel thread, which has nothing to trace either.
  if (entries.length === 0) {
    throw new TargetError(
      "exited",
      `process ${pid} has no address space (it exited, or is a kernel thread): pick a running user-space process`,
      pid,
    );
  }
  return entries;
}

// ---------------------------------------------------------------------------
// Modules and load bias

export interface Module {
  /** the path as the target sees it (in its own mount namespace), without " (deleted)" */
  path: string;
  deleted: boolean;
  dev: string;
  inode: bigint;
  /** lowest start / highest end over the module's mappings */
  start: bigint;
  end: bigint;
  /** the mapping the bias is computed from: lowest file offset (normally 0), then lowest address */
  base: MapEntry;
  /** this module's mappings, in address order */
  mappings: MapEntry[];
  /**
   * Where *we* can open the file's bytes: the path itself, or
   * /proc/PID/root/<path> when the target has another root / mount
   * namespace, or /proc/PID/map_files/<start>-<end> when it was deleted.
   */
  openPath: string;
  /** ELF e_type when known */
  elfType?: "exec" | "dyn" | "other";
  /** runtime address - link-time (ELF p_vaddr) address; null when it cannot be computed */
  bias: bigint | null;
  /** why bias is null */
  biasError?: string;
}

let pageSizeCache: bigint | undefined;
/** The kernel page size, from AT_PAGESZ in our own auxv (fallback 4096). */
export function pageSize(): bigint {
  if (pageSizeCache !== undefined) return pageSizeCache;
  pageSizeCache = 4096n;
  try {
    const auxv = readFileSync("/proc/self/auxv");
    for (let i = 0; i + 16 <= auxv.length; i += 16) {
      const type = auxv.readBigUInt64LE(i);
      if (type === 0n) break;
      if (type === 6n) {
        // AT_PAGESZ
        pageSizeCache = auxv.readBigUInt64LE(i + 8);
        break;
      }
    }
  } catch {
    // keep 4096
  }
  return pageSizeCache;
}

/**
 * Load bias of a module, as ELF tooling (gdb, perf, libbpf) defines it:
 * runtime address = link-time address (p_vaddr space) + bias.
 *
 * The kernel maps each PT_LOAD by mmap()ing the file from
 * alignDown(p_offset) to runtime address alignDown(p_vaddr) + bias. So a
 * mapping M that came from segment S shows file offset M.offset at runtime
 * address M.start, and within S the byte at file offset o has link-time
 * address p_vaddr + (o - p_offset). Hence
 *
 *     bias = M.start - (S.p_vaddr - (S.p_offset - M.offset))
 *
 * which does not depend on the page size as long as M really came from S.
 * We use the module's mapping with the lowest file offset (normally offset
 * 0, from the first PT_LOAD; for non-PIE executables this yields 0) and the
 * PT_LOAD whose page-aligned file range contains that offset.
 */
export function computeBias(base: { start: bigint; offset: bigint }, pLoads: PtLoad[]): bigint | null {
  const page = pageSize();
  for (const raw of pLoads) {
    const pOffset = BigInt(raw.offset);
    const pVaddr = BigInt(raw.vaddr);
    const fileSz = raw.filesz === undefined ? undefined : BigInt(raw.filesz);
    const lo = pOffset - (pOffset % page);
    const hi = fileSz === undefined ? pOffset + 1n : pOffset + (fileSz === 0n ? 1n : fileSz);
    if (base.offset >= lo && base.offset < hi) return base.start - (pVaddr - (pOffset - base.offset));
  }
  return null;
}

export interface ModulesOptions {
  /** How to get PT_LOAD segments for a file (given the path we can open). Default: readPtLoads. */
  segments?: SegmentProvider;
  /** Use these maps instead of reading /proc/PID/maps. */
  maps?: MapEntry[];
}

/**
 * Group file-backed mappings of `pid` into modules (one per mapped file
 * instance, in address order) and compute each one's load bias. A file
 * mapped twice (a second mapping at file offset 0) becomes two modules.
 * Non-ELF files get bias null with biasError "not an ELF file".
 */
export function modules(pid: number, opts: ModulesOptions = {}): Module[] {
  const maps = opts.maps ?? readMaps(pid);
  const provider = opts.segments ?? readPtLoads;
  const prefix = procRootPrefix(pid);

  const groups: MapEntry[][] = [];
  const open = new Map<string, MapEntry[]>();
  for (const e of maps) {
    if (e.kind !== "file") continue;
    const key = `${e.dev}\0${e.inode}\0${e.path}`;
    let g = open.get(key);
    if (!g || (e.offset === 0n && g.some((x) => x.offset === 0n))) {
      g = [];
      groups.push(g);
      open.set(key, g);
    }
    g.push(e);
  }

  const segCache = new Map<string, ElfSegments | null | Error>();
  const out: Module[] = [];
  for (const g of groups) {
    const first = g[0]!;
    let base = first;
    for (const e of g) if (e.offset < base.offset || (e.offset === base.offset && e.start < base.start)) base = e;
    const openPath = first.deleted
      ? `/proc/${pid}/map_files/${base.start.toString(16)}-${base.end.toString(16)}`
      : prefix + first.path;
    const mod: Module = {
      path: first.path,
      deleted: first.deleted,
      dev: first.dev,
      inode: first.inode,
      start: g.reduce((a, e) => (e.start < a ? e.start : a), first.start),
      end: g.reduce((a, e) => (e.end > a ? e.end : a), first.end),
      base,
      mappings: g,
      openPath,
      bias: null,
    };
    const cacheKey = first.deleted ? openPath : `${first.dev}\0${first.inode}\0${openPath}`;
    let segs = segCache.get(cacheKey);
    if (segs === undefined) {
      try {
        segs = provider(openPath);
      } catch (e) {
        segs = e instanceof Error ? e : new Error(String(e));
      }
      segCache.set(cacheKey, segs);
    }
    if (segs instanceof Error) {
      mod.biasError = `cannot read ELF headers of ${openPath}: ${segs.message}`;
    } else if (segs === null) {
      mod.biasError = "not an ELF file";
    } else {
      mod.elfType = segs.type;
      mod.bias = computeBias(base, segs.pLoads);
      if (mod.bias === null) {
        mod.biasError = `no PT_LOAD segment covers file offset 0x${base.offset.toString(16)} of the mapping at 0x${base.start.toString(16)}`;
      }
    }
    out.push(mod);
  }
  return out;
}

/** The module whose mappings contain runtime address `addr`, if any. */
export function moduleAt(mods: Module[], addr: bigint): Module | undefined {
  return mods.find((m) => m.mappings.some((e) => addr >= e.start && addr < e.end));
}
