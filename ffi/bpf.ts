// Maps, programs and links through libbpf's low-level API (bpf_map_create,
// bpf_prog_load, bpf_link_create). libbpf 1.x returns -errno directly.
import { BpfError, VerifierError } from "./errors.ts";
import { B } from "./libbpf.ts";
import { addressOf, closeFd as libcClose, cstr } from "./libc.ts";

// ── maps ────────────────────────────────────────────────────────────────────
export const MAP_TYPES = {
  hash: 1, array: 2, prog_array: 3, perf_event_array: 4, percpu_hash: 5, percpu_array: 6,
  stack_trace: 7, lru_hash: 9, lru_percpu_hash: 10, queue: 22, stack: 23, ringbuf: 27,
} as const;
export type MapType = keyof typeof MAP_TYPES;

export interface MapSpec {
  type: MapType;
  /** Up to 15 characters of [A-Za-z0-9_.]; others become '_'. */
  name: string;
  keySize: number;
  valueSize: number;
  /** For ringbuf: the ring size in bytes (a power of 2, multiple of the page size). */
  maxEntries: number;
  flags?: number;
}

export interface MapInfo {
  type: number;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
}

/** BPF_ANY / BPF_NOEXIST / BPF_EXIST for mapUpdate. */
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;

const PERCPU_TYPES = new Set<number>([MAP_TYPES.percpu_hash, MAP_TYPES.percpu_array, MAP_TYPES.lru_percpu_hash]);
const ENOENT = 2;
const ENOSPC = 28;

/** Maps created here, by fd: lets mapLookup size its output buffer. */
const known = new Map<number, { spec: MapSpec; percpu: boolean }>();

/** BPF object names: at most 15 bytes of [A-Za-z0-9_.] (the kernel rejects others). */
export function objName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, "_").slice(0, 15);
}

/** Create a BPF map; returns its fd (close with closeFd). */
export function createMap(spec: MapSpec): number {
  const type = MAP_TYPES[spec.type];
  if (type === undefined) throw new BpfError(`creating BPF map '${spec.name}'`, 22, { advice: `unknown map type '${spec.type}'` });
  // struct bpf_map_create_opts (libbpf 1.1): sz@0, btf_fd@8, btf_key_type_id@12,
  // btf_value_type_id@16, btf_vmlinux_value_type_id@20, inner_map_fd@24,
  // map_flags@28, map_extra@32, numa_node@40, map_ifindex@44; 48 bytes.
  const opts = new DataView(new ArrayBuffer(48));
  opts.setBigUint64(0, 48n, true);
  opts.setUint32(28, spec.flags ?? 0, true);
  const fd = B().bpf_map_create(type, cstr(objName(spec.name)), spec.keySize, spec.valueSize, spec.maxEntries, new Uint8Array(opts.buffer));
  if (fd < 0) {
    throw new BpfError(`creating BPF ${spec.type} map '${spec.name}'`, -fd, {
      detail: `key ${spec.keySize} B, value ${spec.valueSize} B, ${spec.maxEntries} entries`,
    });
  }
  known.set(fd, { spec, percpu: PERCPU_TYPES.has(type) });
  return fd;
}

let possibleCpus = 0;
/** Number of possible CPUs (per-CPU map values hold one slot per possible CPU). */
export function numPossibleCpus(): number {
  if (!possibleCpus) {
    const n = B().libbpf_num_possible_cpus();
    if (n < 0) throw new BpfError("counting possible CPUs", -n);
    possibleCpus = n;
  }
  return possibleCpus;
}

/** Size of the buffer a lookup of this map fills: per-CPU maps hold round_up(value, 8) × CPUs. */
export function valueBufferSize(valueSize: number, percpu: boolean): number {
  return percpu ? ((valueSize + 7) & ~7) * numPossibleCpus() : valueSize;
}

/** Insert or replace an element (flags: BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
export function mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags: number = BPF_ANY): void {
  const r = B().bpf_map_update_elem(fd, key, value, flags);
  if (r < 0) throw new BpfError(`updating BPF map fd ${fd}`, -r);
}

/**
 * Look up an element. Fills `out` (or a new buffer sized for a map created
 * here: for per-CPU maps, one 8-byte-aligned slot per possible CPU) and
 * returns it, or returns undefined when the key is absent.
 */
export function mapLookup(fd: number, key: Uint8Array, out?: Uint8Array): Uint8Array | undefined {
  if (!out) {
    const k = known.get(fd);
    if (!k) throw new BpfError(`looking up BPF map fd ${fd}`, 22, { advice: "pass an output buffer for maps not created by createMap" });
    out = new Uint8Array(valueBufferSize(k.spec.valueSize, k.percpu));
  }
  const r = B().bpf_map_lookup_elem(fd, key, out);
  if (r === -ENOENT) return undefined;
  if (r < 0) throw new BpfError(`looking up BPF map fd ${fd}`, -r);
  return out;
}

/** Delete an element; returns false when the key was absent. */
export function mapDelete(fd: number, key: Uint8Array): boolean {
  const r = B().bpf_map_delete_elem(fd, key);
  if (r === -ENOENT) return false;
  if (r < 0) throw new BpfError(`deleting from BPF map fd ${fd}`, -r);
  return true;
}

/** The key after `key` (or the first key when `key` is null); undefined at the end. */
export function mapNextKey(fd: number, key: Uint8Array | null, keySize: number): Uint8Array | undefined {
  const next = new Uint8Array(keySize);
  const r = B().bpf_map_get_next_key(fd, key, next);
  if (r === -ENOENT) return undefined;
  if (r < 0) throw new BpfError(`iterating BPF map fd ${fd}`, -r);
  return next;
}

/** Type, sizes and name of any BPF map fd (bpf_obj_get_info_by_fd). */
export function mapInfo(fd: number): MapInfo {
  // struct bpf_map_info: type@0 id@4 key_size@8 value_size@12 max_entries@16
  // map_flags@20 name[16]@24 … (the kernel fills at most info_len bytes).
  const info = new Uint8Array(80);
  const len = new Uint32Array([info.length]);
  const r = B().bpf_obj_get_info_by_fd(fd, info, len);
  if (r < 0) throw new BpfError(`reading info of BPF map fd ${fd}`, -r);
  const dv = new DataView(info.buffer);
  const nameBytes = info.subarray(24, 40);
  const nul = nameBytes.indexOf(0);
  return {
    type: dv.getUint32(0, true), id: dv.getUint32(4, true), keySize: dv.getUint32(8, true),
    valueSize: dv.getUint32(12, true), maxEntries: dv.getUint32(16, true), flags: dv.getUint32(20, true),
    name: new TextDecoder().decode(nameBytes.subarray(0, nul < 0 ? 16 : nul)),
  };
}

/** A new fd for the map with this id (see mapInfo().id); needs CAP_SYS_ADMIN. */
export function mapFdById(id: number): number {
  const fd = B().bpf_map_get_fd_by_id(id);
  if (fd < 0) throw new BpfError(`opening BPF map id ${id}`, -fd);
  return fd;
}

/** Close any fd (map, program, link, perf event). */
export function closeFd(fd: number): void {
  known.delete(fd);
  libcClose(fd);
}

// ── programs ────────────────────────────────────────────────────────────────
export const PROG_TYPES = {
  socket_filter: 1, kprobe: 2, tracepoint: 5, perf_event: 7, raw_tracepoint: 17,
} as const;
export type ProgType = keyof typeof PROG_TYPES;

export interface ProgramSpec {
  /** Up to 15 characters of [A-Za-z0-9_.]; others become '_'. */
  name: string;
  /** Uprobes are BPF_PROG_TYPE_KPROBE. */
  type: ProgType;
  /** struct bpf_insn array, 8 bytes per instruction, little-endian. */
  insns: Uint8Array;
  license?: string;
  /**
   * Verifier log level for the retry after a failure (default 1; 2 is very
   * verbose). The first attempt always runs without a log (it is faster).
   */
  logLevel?: number;
  /** bpf_attr.expected_attach_type (e.g. BPF_TRACE_UPROBE_MULTI for programs behind a uprobe_multi link); default 0. */
  expectedAttachType?: number;
}

const INITIAL_LOG = 1 << 20; // 1 MiB
const MAX_LOG = 1 << 28; // 256 MiB; the kernel accepts up to UINT32_MAX >> 2

/**
 * Load a program. The first attempt runs without a verifier log; if it
 * fails, the load is retried at log level 1 (growing the buffer while the
 * kernel reports ENOSPC) and a VerifierError carries the full log.
 */
export function loadProgram(spec: ProgramSpec): number {
  const type = PROG_TYPES[spec.type];
  if (type === undefined) throw new BpfError(`loading BPF program '${spec.name}'`, 22, { advice: `unknown program type '${spec.type}'` });
  if (spec.insns.length === 0 || spec.insns.length % 8 !== 0) {
    throw new BpfError(`loading BPF program '${spec.name}'`, 22, { advice: `instructions must be a non-empty multiple of 8 bytes (got ${spec.insns.length})` });
  }
  const name = cstr(objName(spec.name));
  const license = cstr(spec.license ?? "GPL");
  const count = spec.insns.length / 8;
  const b = B();

  const fd = b.bpf_prog_load(type, name, license, spec.insns, count, progLoadOpts(0, 0, 0, spec.expectedAttachType));
  if (fd >= 0) return fd;
  const firstErr = -fd;
  // Not the verifier's verdict: no privilege, or no file descriptor left for the program (ulimit -n).
  if (firstErr === 1 /* EPERM */ || firstErr === 23 /* ENFILE */ || firstErr === 24 /* EMFILE */ || firstErr === 12 /* ENOMEM */ && count > 1_000_000) {
    throw new BpfError(`loading BPF program '${spec.name}'`, firstErr);
  }

  const level = spec.logLevel && spec.logLevel > 0 ? spec.logLevel : 1;
  let size = INITIAL_LOG;
  for (;;) {
    const log = new Uint8Array(size);
    const r = b.bpf_prog_load(type, name, license, spec.insns, count, progLoadOpts(level, size, addressOf(log), spec.expectedAttachType));
    if (r >= 0) return r; // loaded on the retry (the first failure was transient)
    const err = -r;
    if (err === ENOSPC && size < MAX_LOG) {
      size *= 4;
      continue;
    }
    const nul = log.indexOf(0);
    const text = new TextDecoder().decode(log.subarray(0, nul < 0 ? log.length : nul));
    if (text.trim().length === 0) throw new BpfError(`loading BPF program '${spec.name}'`, firstErr);
    throw new VerifierError(spec.name, err === ENOSPC ? firstErr : err, text);
  }
}

// struct bpf_prog_load_opts (libbpf 1.1, 104 bytes): sz@0, attempts@8,
// expected_attach_type@12, prog_btf_fd@16, prog_flags@20, prog_ifindex@24,
// kern_version@28, attach_btf_id@32, attach_prog_fd@36, attach_btf_obj_fd@40,
// fd_array@48, func_info@56, func_info_cnt@64, func_info_rec_size@68,
// line_info@72, line_info_cnt@80, line_info_rec_size@84, log_level@88,
// log_size@92, log_buf@96. Newer libbpf appends fields after log_buf and
// accepts a smaller sz.
const PROG_LOAD_OPTS_SIZE = 104;
function progLoadOpts(logLevel: number, logSize: number, logBuf: number, expectedAttachType = 0): Uint8Array {
  const dv = new DataView(new ArrayBuffer(PROG_LOAD_OPTS_SIZE));
  dv.setBigUint64(0, BigInt(PROG_LOAD_OPTS_SIZE), true);
  dv.setUint32(12, expectedAttachType, true);
  dv.setUint32(88, logLevel, true);
  dv.setUint32(92, logSize, true);
  dv.setBigUint64(96, BigInt(logBuf), true);
  return new Uint8Array(dv.buffer);
}

// ── links ───────────────────────────────────────────────────────────────────
export const BPF_PERF_EVENT = 41;

/**
 * bpf_link_create(prog, perf event fd, BPF_PERF_EVENT): returns a link fd or
 * a negative errno (callers decide whether to fall back to the ioctl).
 * `cookie` is readable in the program with bpf_get_attach_cookie().
 */
export function linkPerfEvent(progFd: number, perfFd: number, cookie = 0n): number {
  // struct bpf_link_create_opts (libbpf 1.1): sz@0, flags@8, iter_info@16,
  // iter_info_len@24, target_btf_id@28, perf_event.bpf_cookie@32 … 64 bytes.
  const dv = new DataView(new ArrayBuffer(64));
  dv.setBigUint64(0, 64n, true);
  dv.setBigUint64(32, cookie, true);
  return B().bpf_link_create(progFd, perfFd, BPF_PERF_EVENT, new Uint8Array(dv.buffer));
}
