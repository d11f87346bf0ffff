// sysmon: the client of bpf/sysmon.bpf.o. It loads the embedded object
// through libbpf (CO-RE relocations for this kernel), attaches its four
// programs (exec, fork, exit, executable mmap), and turns ring records into
// typed events. What to report is decided in the kernel: processes whose tgid
// is watched (forks inherit it) and processes that exec or map a watched
// file; the rest of the machine produces no records.
//
// PIDs here are host-view (what bpf_get_current_pid_tgid reports), like the
// keys of the load-bias table.
//
// It can also keep a session's load-bias map exact for the processes it
// follows (keepBiases): the BPF handlers write the entries inside the
// process's own mmap/exec/fork/exit, before it runs on (bpf/module_bias.h).
import { readFileSync } from "node:fs";
import { BpfObject, mapDelete, mapLookup, mapUpdate, openRingBuffer, type RingBuffer } from "../../ffi/index.ts";
import { unpackKernelDev } from "./devno.ts";
import { SYSMON_OBJECT_PATH } from "./sysmon-object.ts";

/** A file as the kernel names it: inode and device (major, minor). */
export interface FileId {
  inode: bigint;
  major: number;
  minor: number;
}

interface Common {
  /** Host-view process id (for fork: the new child). */
  tgid: number;
  /** Host-view thread id that did it. */
  pid: number;
  /** The task's comm (for exec: the new program's). */
  comm: string;
  /** bpf_ktime_get_ns() at the event. */
  ns: bigint;
}

export type SysmonEvent =
  | (Common & { kind: "exec"; /** the path given to execve (may be relative) */ path: string; file: FileId; /** the thread that called execve */ oldPid: number })
  | (Common & { kind: "fork"; /** the parent's tgid */ parent: number })
  | (Common & { kind: "exit" })
  | (Common & { kind: "mmap"; /** the file's last path component */ name: string; file: FileId; addr: bigint; len: bigint; pgoff: bigint; prot: number });

// struct sysmon_event (bpf/sysmon_event.h); test/bpf/sysmon-object.test.ts
// compiles that header and checks these offsets against it.
export const EVENT_LAYOUT = {
  kind: 0, tgid: 4, pid: 8, ppid: 12, ino: 16, dev: 24, prot: 28, addr: 32, len: 40, pgoff: 48, ts: 56, comm: 64, path: 80,
  commSize: 16, pathSize: 256, size: 336,
} as const;
const KIND = { 1: "exec", 2: "fork", 3: "exit", 4: "mmap" } as const;

// bpf/module_bias.h: struct bias_rule_key, struct bias_rule, struct
// bias_config and the limits; checked by the same layout test.
export const BIAS_RULE_LAYOUT = {
  key: { ino: 0, pgoff: 8, dev: 16, pad: 20, size: 24 },
  value: { vaddr: 0, module: 8, pad: 12, size: 16 },
  config: { modules: 0, pad: 4, size: 8 },
  maxModules: 64, maxRules: 1024, pageShift: 12,
} as const;

/**
 * A mapping of file page `pgoff` of file (dev, inode) starts at link-time
 * address `vaddr` of module `module` (one per PT_LOAD: pgoff =
 * ⌊p_offset / page⌋, vaddr = p_vaddr − (p_offset − pgoff·page)).
 */
export interface BiasRule {
  /** Kernel encoding, major << 20 | minor. */
  dev: number;
  inode: bigint;
  /** In pages of 1 << BIAS_RULE_LAYOUT.pageShift bytes. */
  pgoff: bigint;
  vaddr: bigint;
  module: number;
}
/** The program behind "mmap" events (bpf/sysmon.bpf.c). */
const MMAP_PROGRAM = "sysmon_mmap";

/** sysmon could not start here (old kernel, no BTF, not allowed): the message says why in one line. */
export class SysmonUnavailable extends Error {
  override name = "SysmonUnavailable";
}

const decoder = new TextDecoder();
function cString(b: Uint8Array, off: number, size: number): string {
  const s = b.subarray(off, off + size);
  const nul = s.indexOf(0);
  return decoder.decode(nul < 0 ? s : s.subarray(0, nul));
}

/** One ring record → an event; undefined for a record of a kind this build does not know. */
export function decodeEvent(b: Uint8Array): SysmonEvent | undefined {
  const L = EVENT_LAYOUT;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const kind = KIND[dv.getUint32(L.kind, true) as keyof typeof KIND];
  if (!kind) return undefined;
  const common: Common = {
    tgid: dv.getUint32(L.tgid, true),
    pid: dv.getUint32(L.pid, true),
    comm: cString(b, L.comm, L.commSize),
    ns: dv.getBigUint64(L.ts, true),
  };
  const file = (): FileId => ({ inode: dv.getBigUint64(L.ino, true), ...unpackKernelDev(dv.getUint32(L.dev, true)) });
  switch (kind) {
    case "exec":
      return { ...common, kind, path: cString(b, L.path, L.pathSize), file: file(), oldPid: dv.getUint32(L.ppid, true) };
    case "fork":
      return { ...common, kind, parent: dv.getUint32(L.ppid, true) };
    case "exit":
      return { ...common, kind };
    case "mmap":
      return {
        ...common, kind, name: cString(b, L.path, L.pathSize), file: file(),
        addr: dv.getBigUint64(L.addr, true), len: dv.getBigUint64(L.len, true), pgoff: dv.getBigUint64(L.pgoff, true), prot: dv.getUint32(L.prot, true),
      };
  }
}

function u32Key(n: number): Uint8Array {
  return new Uint8Array(new Uint32Array([n >>> 0]).buffer);
}
function u64Key(n: bigint): Uint8Array {
  return new Uint8Array(new BigUint64Array([BigInt.asUintN(64, n)]).buffer);
}
const ONE = u32Key(1);

export class Sysmon {
  private readonly ring: RingBuffer;
  private readonly tgids: number;
  private readonly inodes: number;
  private readonly lostFd: number;
  private biasKept = false;
  private queue: SysmonEvent[] = [];
  private closed = false;

  private constructor(private readonly obj: BpfObject) {
    this.tgids = obj.mapFd("watched_tgids");
    this.inodes = obj.mapFd("watched_inodes");
    this.lostFd = obj.mapFd("sysmon_lost");
    this.ring = openRingBuffer(obj.mapFd("sysmon_events"), (data) => {
      const e = decodeEvent(data);
      if (e) this.queue.push(e);
    });
  }

  /**
   * Load and attach the embedded object. Throws SysmonUnavailable (one line:
   * what failed and why) when this kernel or this process cannot run it.
   *
   * `mappings`: also report executable mmaps. Off unless needed: that program
   * sits on the sys_exit tracepoint, and enabling it sends every syscall on
   * the machine through the kernel's syscall-tracing path (measured here:
   * a getppid() loop went from 92 to 120 ns per call, best of 7, 3 rounds),
   * while exec/fork/exit cost only process churn (no measurable change).
   * It is loaded either way, so the verifier vets it on every start.
   */
  static start(opts: { mappings?: boolean } = {}): Sysmon {
    let obj: BpfObject | undefined;
    try {
      obj = BpfObject.open(readFileSync(SYSMON_OBJECT_PATH), "sysmon.bpf.o");
      obj.load();
      const s = new Sysmon(obj);
      obj.attachAll((name) => opts.mappings === true || name !== MMAP_PROGRAM);
      return s;
    } catch (e) {
      obj?.close();
      throw new SysmonUnavailable(e instanceof Error ? e.message.split("\n")[0]! : String(e));
    }
  }

  /** Report this process (host tgid) and the processes it forks from now on. */
  watchProcess(hostTgid: number): void {
    mapUpdate(this.tgids, u32Key(hostTgid), ONE);
  }

  /** Stop reporting a process (no exit event will come for it). */
  unwatchProcess(hostTgid: number): void {
    mapDelete(this.tgids, u32Key(hostTgid));
  }

  isWatched(hostTgid: number): boolean {
    return mapLookup(this.tgids, u32Key(hostTgid), new Uint8Array(4)) !== undefined;
  }

  /** Start following any process that execs or maps (PROT_EXEC) the file with this inode. */
  watchFile(inode: bigint): void {
    mapUpdate(this.inodes, u64Key(inode), ONE);
  }

  /**
   * Keep the load-bias map `biasMapFd` (the one the session's probes read,
   * keyed as bpf/module_bias.h says) exact for every process followed from
   * now on: its module ids are 0 .. modules-1, and `rules` say which mapping
   * is which module's. Written by the BPF handlers before the mapping
   * syscall returns, so a library's first instruction already has its
   * entry. Only the sys_exit program sees library mappings (start with
   * `mappings`); exec, fork and exit are handled either way.
   * Returns false (nothing changed) when there are more modules or rules
   * than the object has room for: userspace's /proc path is all there is then.
   * Once per Sysmon.
   */
  keepBiases(biasMapFd: number, modules: number, rules: BiasRule[]): boolean {
    const L = BIAS_RULE_LAYOUT;
    if (this.biasKept) throw new Error("sysmon: keepBiases() called twice");
    if (modules <= 0 || modules > L.maxModules || rules.length > L.maxRules) return false;
    const rulesFd = this.obj.mapFd("bias_rules");
    for (const r of rules) {
      const key = new Uint8Array(L.key.size);
      const k = new DataView(key.buffer);
      k.setBigUint64(L.key.ino, BigInt.asUintN(64, r.inode), true);
      k.setBigUint64(L.key.pgoff, BigInt.asUintN(64, r.pgoff), true);
      k.setUint32(L.key.dev, r.dev >>> 0, true);
      const value = new Uint8Array(L.value.size);
      const v = new DataView(value.buffer);
      v.setBigUint64(L.value.vaddr, BigInt.asUintN(64, r.vaddr), true);
      v.setUint32(L.value.module, r.module >>> 0, true);
      mapUpdate(rulesFd, key, value);
    }
    // The map last: until it is in its slot the handlers leave biases alone.
    const config = new Uint8Array(L.config.size);
    new DataView(config.buffer).setUint32(L.config.modules, modules, true);
    mapUpdate(this.obj.mapFd("bias_config"), u32Key(0), config);
    mapUpdate(this.obj.mapFd("module_bias"), u32Key(0), u32Key(biasMapFd));
    this.biasKept = true;
    return true;
  }

  /** Whether keepBiases took effect. */
  get keepsBiases(): boolean {
    return this.biasKept;
  }

  /**
   * Events that arrived, waiting up to timeoutMs for the first (0: take what
   * is there now). In the order the kernel wrote them.
   */
  poll(timeoutMs = 0): SysmonEvent[] {
    if (this.closed) return [];
    this.ring.poll(timeoutMs);
    const out = this.queue;
    this.queue = [];
    return out;
  }

  /** Records the kernel could not fit in the ring (each a missed event). */
  lost(): number {
    if (this.closed) return 0;
    const v = mapLookup(this.lostFd, u32Key(0), new Uint8Array(8));
    return v ? Number(new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true)) : 0;
  }

  /** An fd that becomes readable when records arrive. */
  get epollFd(): number {
    return this.ring.epollFd;
  }

  /** Detach, free the ring and the object. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ring.close();
    this.obj.close();
  }
}
