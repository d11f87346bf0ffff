// Per-process load biases of the modules a script reads globals from, for
// BPF. A probe reading a global of its *own* module computes the bias from
// the probed instruction (ip − site vaddr) and needs nothing here; a global
// of *another* module (a library's variable printed from the executable, or
// the other way round) has no such anchor, so the probe looks up
// { host tgid, module id } in this hash map. A missing entry is a per-value
// "load bias unknown" status, never a guessed address.
//
// Filled at start from /proc (fillBiasTable), and by the sysmon follow logic
// for processes that start, exec or exit later (refresh / forget).
import { readdirSync, statSync } from "node:fs";
import { closeFd, createMap, mapDelete, mapUpdate } from "../../ffi/index.ts";
import { modules as processModules, pidViews, readMaps, TargetError, type Module } from "../target/index.ts";

/** Key { u32 host tgid; u32 module id }, value u64 bias: the layout the probes' lookups use. */
export const BIAS_KEY_SIZE = 8;
export const BIAS_VALUE_SIZE = 8;
/** Room for (processes × modules of interest); a hash map preallocates, so keep it modest. */
export const BIAS_MAX_ENTRIES = 16384;

/** A module whose globals some probe reads from outside it. */
export interface BiasModule {
  /** The number probes use for it in their map keys. */
  id: number;
  /** Shown in messages (the path the user knows it by). */
  name: string;
  /** A path wraith can stat to learn the file's identity (device, inode). */
  readPath: string;
}

interface Identity {
  module: BiasModule;
  /** From stat(readPath); undefined when the file cannot be stat'ed now. */
  dev?: { major: number; minor: number };
  inode?: bigint;
}

/** The key a probe builds: little-endian { tgid, module id }. */
export function biasKey(hostTgid: number, moduleId: number): Uint8Array {
  const k = new Uint8Array(BIAS_KEY_SIZE);
  const dv = new DataView(k.buffer);
  dv.setUint32(0, hostTgid >>> 0, true);
  dv.setUint32(4, moduleId >>> 0, true);
  return k;
}

/** Linux's st_dev encoding (new_encode_dev) → the MAJOR:MINOR /proc/PID/maps prints. */
function decodeDev(dev: number | bigint): { major: number; minor: number } {
  const d = BigInt(dev);
  return { major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)), minor: Number((d & 0xffn) | ((d >> 12n) & ~0xffn)) };
}

function parseDev(text: string): { major: number; minor: number } {
  const [a, b] = text.split(":");
  return { major: parseInt(a ?? "", 16), minor: parseInt(b ?? "", 16) };
}

function identify(m: BiasModule): Identity {
  try {
    const st = statSync(m.readPath, { bigint: true });
    return { module: m, dev: decodeDev(st.dev), inode: st.ino };
  } catch {
    return { module: m };
  }
}

/**
 * Is the process's module `pm` the file of interest? Same inode on the same
 * device; when the devices differ (overlayfs shows the upper device in maps)
 * the same inode at the same path still counts, and without an identity the
 * path alone decides. A deleted mapping matches only by inode.
 */
function sameFile(id: Identity, pm: Module): boolean {
  if (id.inode !== undefined && pm.inode === id.inode) {
    const d = parseDev(pm.dev);
    if (id.dev && d.major === id.dev.major && d.minor === id.dev.minor) return true;
    if (pm.path === id.module.name || pm.openPath === id.module.readPath) return true;
  }
  if (pm.deleted) return false;
  return id.inode === undefined && (pm.path === id.module.name || pm.openPath === id.module.readPath);
}

export class ModuleBiasTable {
  readonly fd: number;
  private readonly ids: Identity[];
  /** host tgid → module ids with an entry, so forget() and size need no map walk. */
  private readonly live = new Map<number, Set<number>>();

  constructor(modules: BiasModule[]) {
    this.ids = modules.map(identify);
    this.fd = createMap({ type: "hash", name: "wraith_bias", keySize: BIAS_KEY_SIZE, valueSize: BIAS_VALUE_SIZE, maxEntries: BIAS_MAX_ENTRIES });
  }

  /** The modules of interest, for messages and for the follow logic. */
  get modules(): readonly BiasModule[] {
    return this.ids.map((i) => i.module);
  }

  /**
   * Read /proc/<procPid>/maps and write an entry for each module of interest
   * that process maps; entries for modules it no longer maps are removed (an
   * exec). `hostTgid` is the key BPF sees (bpf_get_current_pid_tgid() >> 32).
   * Returns entries written; 0 when the process is gone.
   */
  refresh(procPid: number, hostTgid: number): number {
    let mods: Module[];
    try {
      mods = processModules(procPid);
    } catch (e) {
      if (e instanceof TargetError && (e.code === "no-process" || e.code === "exited")) {
        this.forget(hostTgid);
        return 0;
      }
      throw e;
    }
    const now = new Set<number>();
    for (const id of this.ids) {
      const pm = mods.find((m) => m.bias !== null && sameFile(id, m));
      if (!pm) continue;
      const value = new Uint8Array(BIAS_VALUE_SIZE);
      new DataView(value.buffer).setBigUint64(0, BigInt.asUintN(64, pm.bias!), true);
      mapUpdate(this.fd, biasKey(hostTgid, id.module.id), value);
      now.add(id.module.id);
    }
    for (const old of this.live.get(hostTgid) ?? []) if (!now.has(old)) mapDelete(this.fd, biasKey(hostTgid, old));
    if (now.size > 0) this.live.set(hostTgid, now);
    else this.live.delete(hostTgid);
    return now.size;
  }

  /** Remove every entry of that process (it exited or exec'd). */
  forget(hostTgid: number): void {
    for (const id of this.live.get(hostTgid) ?? []) mapDelete(this.fd, biasKey(hostTgid, id));
    this.live.delete(hostTgid);
  }

  /** Could a mapping of this inode or path be a module of interest? (a pre-filter for scans) */
  mayMap(inode: bigint, path: string): boolean {
    return this.ids.some((i) => i.inode === inode || i.module.name === path);
  }

  /** Live entries, for the end-of-run status line and for tests. */
  get size(): number {
    let n = 0;
    for (const s of this.live.values()) n += s.size;
    return n;
  }

  close(): void {
    closeFd(this.fd);
    this.live.clear();
  }
}

/** Which processes fillBiasTable fills: one (-p, launched), or every one that maps a file (-t: the target's). */
export type BiasFill = { proc: number; host: number | null } | { mapping: string };

/**
 * Fill the table at start: for one process (-p, a launched command after
 * exec), or for every running process in our /proc view that maps the -t
 * file — the only processes its probes fire in, even when the module of
 * interest (libc, say) is mapped by every process on the machine — skipping
 * processes that vanish or that we may not read. Without `only`: every
 * process that maps a module of interest. Returns entries written.
 */
export function fillBiasTable(table: ModuleBiasTable, only?: BiasFill): number {
  // host null: wraith inside a PID namespace does not know the host tgid the table is keyed by.
  if (only && "proc" in only) return only.host === null ? 0 : table.refresh(only.proc, only.host);
  const anchor = only ? identify({ id: -1, name: only.mapping, readPath: only.mapping }) : undefined;
  let n = 0;
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    try {
      // Cheap test on the raw maps first: computing modules reads every mapped file's ELF headers.
      const maps = readMaps(pid);
      const wanted = anchor
        ? maps.some((e) => e.kind === "file" && (anchor.inode !== undefined ? e.inode === anchor.inode : e.path === only!.mapping))
        : maps.some((e) => e.kind === "file" && table.mayMap(e.inode, e.path));
      if (!wanted) continue;
      const host = pidViews(pid).hostPid;
      if (host === null) continue;
      n += table.refresh(pid, host);
    } catch (e) {
      if (e instanceof TargetError) continue; // gone, a kernel thread, or not ours to read
      throw e;
    }
  }
  return n;
}
