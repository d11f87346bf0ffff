// Per-process load biases of the modules a script reads globals from, for
// BPF. A probe reading a global of its *own* module computes the bias from
// the probed instruction (ip − site vaddr) and needs nothing here; a global
// of *another* module (a library's variable printed from the executable, or
// the other way round) has no such anchor, so the probe looks up
// { host tgid, module id } in this hash map. A missing entry is a per-value
// "load bias unknown" status, never a guessed address.
//
// Filled at start from /proc for processes already running (fillBiasTable).
// For processes that start, exec, fork or exit later, sysmon's BPF handlers
// keep it exact inside those syscalls (rules() tells them which mapping is
// which module: src/target/sysmon.ts keepBiases); the follow logic fills from
// /proc what they could not see (fillMissing) and forgets exited processes.
import { readdirSync, statSync } from "node:fs";
import { BpfError, BPF_NOEXIST, closeFd, createMap, mapDelete, mapLookup, mapNextKey, mapUpdate } from "../../ffi/index.ts";
import { modules as processModules, pidViews, readMaps, TargetError, type MapEntry, type Module } from "../target/index.ts";
import { packKernelDev, splitStatDev } from "../target/devno.ts";
import { readPtLoads } from "../target/phdrs.ts";
import { BIAS_RULE_LAYOUT, type BiasRule } from "../target/sysmon.ts";

/**
 * Key { u32 host tgid; u32 module id }, value u64 bias: the layout the probes'
 * lookups use, defined by bpf/module_bias.h (struct module_bias_key); the
 * layout test checks these numbers against it.
 */
export const BIAS_KEY_LAYOUT = { tgid: 0, module: 4, size: 8 } as const;
export const BIAS_KEY_SIZE = BIAS_KEY_LAYOUT.size;
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
  dv.setUint32(BIAS_KEY_LAYOUT.tgid, hostTgid >>> 0, true);
  dv.setUint32(BIAS_KEY_LAYOUT.module, moduleId >>> 0, true);
  return k;
}

function biasValue(bias: bigint): Uint8Array {
  const value = new Uint8Array(BIAS_VALUE_SIZE);
  new DataView(value.buffer).setBigUint64(0, BigInt.asUintN(64, bias), true);
  return value;
}

const EEXIST = 17;

function parseDev(text: string): { major: number; minor: number } {
  const [a, b] = text.split(":");
  return { major: parseInt(a ?? "", 16), minor: parseInt(b ?? "", 16) };
}

function identify(m: BiasModule): Identity {
  try {
    const st = statSync(m.readPath, { bigint: true });
    return { module: m, dev: splitStatDev(st.dev), inode: st.ino };
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

  constructor(modules: BiasModule[]) {
    this.ids = modules.map(identify);
    this.fd = createMap({ type: "hash", name: "wraith_bias", keySize: BIAS_KEY_SIZE, valueSize: BIAS_VALUE_SIZE, maxEntries: BIAS_MAX_ENTRIES });
  }

  /** The modules of interest, for messages and for the follow logic. */
  get modules(): readonly BiasModule[] {
    return this.ids.map((i) => i.module);
  }

  /**
   * What sysmon's BPF needs to write entries itself: for each module of
   * interest and each of its PT_LOAD segments, the file page a loader maps
   * first (⌊p_offset / page⌋) and the link-time address of that page's first
   * byte, p_vaddr − (p_offset − pgoff·page), i.e. p_vaddr rounded down to the
   * page (p_vaddr ≡ p_offset mod page): a mapping of that page at runtime
   * address A means bias = A − vaddr (derivation in bpf/sysmon.bpf.c,
   * note_mapping). Two segments starting in one page (old layouts without
   * -z separate-code: text and data share page 0) cannot both be told apart
   * by (file, page); sysmon sees executable mappings only, so the executable
   * segment's rule wins. Modules that cannot be stat'ed or read have none
   * (their entries come from /proc).
   */
  rules(): BiasRule[] {
    const page = 1n << BigInt(BIAS_RULE_LAYOUT.pageShift);
    const out: BiasRule[] = [];
    for (const id of this.ids) {
      if (id.inode === undefined || !id.dev) continue;
      let segs: ReturnType<typeof readPtLoads>;
      try {
        segs = readPtLoads(id.module.readPath);
      } catch {
        continue;
      }
      if (!segs) continue;
      const dev = packKernelDev(id.dev);
      const byPage = new Map<bigint, { rule: BiasRule; exec: boolean }>();
      for (const s of segs.pLoads) {
        const offset = BigInt(s.offset);
        const pgoff = offset / page;
        const exec = ((s.flags ?? 0) & 1) !== 0; // PF_X
        const had = byPage.get(pgoff);
        if (had && (had.exec || !exec)) continue;
        byPage.set(pgoff, { exec, rule: { dev, inode: id.inode, pgoff, vaddr: BigInt(s.vaddr) - (offset - pgoff * page), module: id.module.id } });
      }
      for (const { rule } of byPage.values()) out.push(rule);
    }
    return out;
  }

  /**
   * Read /proc/<procPid>/maps and write an entry for each module of interest
   * that process maps; entries for modules it does not map are removed (an
   * exec). `hostTgid` is the key BPF sees (bpf_get_current_pid_tgid() >> 32).
   * Returns entries written; 0 when the process is gone. `maps`: that
   * process's maps when the caller has just read them.
   */
  refresh(procPid: number, hostTgid: number, maps?: MapEntry[]): number {
    const mods = this.modulesOf(procPid, hostTgid, maps);
    if (!mods) return 0;
    let n = 0;
    for (const id of this.ids) {
      const pm = mods.find((m) => m.bias !== null && sameFile(id, m));
      if (pm) {
        mapUpdate(this.fd, biasKey(hostTgid, id.module.id), biasValue(pm.bias!));
        n++;
      } else mapDelete(this.fd, biasKey(hostTgid, id.module.id));
    }
    return n;
  }

  /**
   * Entries sysmon's BPF could not write (the module was mapped before the
   * process was followed, or before wraith plugged the table into sysmon;
   * or its file shows userspace another device than the kernel's, as on
   * overlayfs): read from /proc when some module of interest has none, and
   * added only where there still is none, so an entry the kernel side wrote
   * meanwhile wins. (Only this fallback has a window: an exec between our
   * read of /proc and the write could leave the old image's bias until the
   * new image maps that module. The kernel-side entries have none.)
   * Returns entries added.
   */
  fillMissing(procPid: number, hostTgid: number): number {
    const missing = this.ids.filter((id) => mapLookup(this.fd, biasKey(hostTgid, id.module.id)) === undefined);
    if (missing.length === 0) return 0;
    const mods = this.modulesOf(procPid, hostTgid);
    if (!mods) return 0;
    let n = 0;
    for (const id of missing) {
      const pm = mods.find((m) => m.bias !== null && sameFile(id, m));
      if (!pm) continue;
      try {
        mapUpdate(this.fd, biasKey(hostTgid, id.module.id), biasValue(pm.bias!), BPF_NOEXIST);
        n++;
      } catch (e) {
        if (!(e instanceof BpfError && e.errno === EEXIST)) throw e;
      }
    }
    return n;
  }

  /** Remove every entry of that process (it exited or exec'd). */
  forget(hostTgid: number): void {
    for (const id of this.ids) mapDelete(this.fd, biasKey(hostTgid, id.module.id));
  }

  /** Could a mapping of this inode or path be a module of interest? (a pre-filter for scans) */
  mayMap(inode: bigint, path: string): boolean {
    return this.ids.some((i) => i.inode === inode || i.module.name === path);
  }

  /** Live entries (sysmon's and ours: a walk of the map), for the end-of-run status line and for tests. */
  get size(): number {
    let n = 0;
    for (let k = mapNextKey(this.fd, null, BIAS_KEY_SIZE); k; k = mapNextKey(this.fd, k, BIAS_KEY_SIZE)) n++;
    return n;
  }

  close(): void {
    closeFd(this.fd);
  }

  /** The process's modules now; undefined (and its entries forgotten) when it is gone. */
  private modulesOf(procPid: number, hostTgid: number, maps?: MapEntry[]): Module[] | undefined {
    try {
      return processModules(procPid, { maps });
    } catch (e) {
      if (e instanceof TargetError && (e.code === "no-process" || e.code === "exited")) {
        this.forget(hostTgid);
        return undefined;
      }
      throw e;
    }
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
 * process that maps a module of interest. Returns the host tgids filled
 * (sysmon's follower watches them, so their entries go when they exit).
 */
export function fillBiasTable(table: ModuleBiasTable, only?: BiasFill): number[] {
  // host null: wraith inside a PID namespace does not know the host tgid the table is keyed by.
  if (only && "proc" in only) {
    if (only.host === null) return [];
    table.refresh(only.proc, only.host);
    return [only.host];
  }
  const anchor = only ? identify({ id: -1, name: only.mapping, readPath: only.mapping }) : undefined;
  const filled: number[] = [];
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
      table.refresh(pid, host, maps);
      filled.push(host);
    } catch (e) {
      if (e instanceof TargetError) continue; // gone, a kernel thread, or not ours to read
      throw e;
    }
  }
  return filled;
}
