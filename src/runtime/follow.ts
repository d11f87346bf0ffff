// Following processes that start after wraith did, from sysmon's events
// (src/target/sysmon.ts):
//   - target mode (-t): a new process that runs the target executable (or,
//     with --enable-sysmon-shared-lib, maps the target library) is announced
//     on stderr; the inode-wide uprobes already fire in it;
//   - the load-bias table (src/runtime/bias.ts) is handed to sysmon, whose
//     BPF handlers write a followed process's entries inside its own mmap,
//     exec and fork, before the process runs on, and delete them at exit;
//     here, at those events, whatever the kernel side could not know is
//     filled from /proc (fillMissing), and exits are forgotten once more.
//     Processes already running at start were filled from /proc and are
//     adopted so their exits are seen;
//   - -p / launched process: each new executable mapping (ld.so, dlopen) is
//     handed to `onModule`, where trace points still waiting for a library
//     are resolved and attached.
//
// Every PID in sysmon's events is host-view; reading /proc/PID needs our
// view. They agree exactly when our /proc shows the initial PID namespace,
// which the caller checks before following (canFollow).
import { basename } from "node:path";
import { existsSync, statSync } from "node:fs";
import { modules as processModules, moduleAt, TargetError, type Module } from "../target/index.ts";
import { splitStatDev } from "../target/devno.ts";
import { procShowsInitialPidNs } from "../target/proc.ts";
import type { FileId, Sysmon, SysmonEvent } from "../target/sysmon.ts";
import type { ModuleBiasTable } from "./bias.ts";

/** The file -t names, as sysmon sees files. */
export interface FollowedFile {
  /** The path the user gave (absolute). */
  path: string;
  inode: bigint;
  major: number;
  minor: number;
  /** An executable is announced when exec'd, a library when mapped. */
  kind: "executable" | "library";
}

export interface FollowOptions {
  sysmon: Sysmon;
  /** -t: announce new processes of this file and follow them. */
  target?: FollowedFile;
  /** -p / launch: the traced process, host view (the same number as ours: see canFollow). */
  traced?: number;
  /** The session's bias table, when it has one (read at each event: it is created by Session.load). */
  biasTable?: () => ModuleBiasTable | undefined;
  /** A status line for stderr. */
  say: (line: string) => void;
  /** A new executable file mapping in the traced process. */
  onModule?: (module: Module, pid: number) => void;
}

/** Why following cannot work here, or undefined when it can. */
export function cannotFollow(): string | undefined {
  try {
    if (!procShowsInitialPidNs()) return "this /proc does not show the host's PID namespace, so sysmon's host PIDs cannot be read in it";
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return undefined;
}

/** stat() identity of a file in the kernel's terms (major, minor of st_dev; inode). */
export function fileIdentity(path: string, kind: FollowedFile["kind"]): FollowedFile {
  const st = statSync(path, { bigint: true });
  return { path, inode: st.ino, ...splitStatDev(st.dev), kind };
}

interface Followed {
  comm: string;
  /** Runs (or maps) the -t target, and was announced. */
  announced: boolean;
  /** Files (inode) already seen mapped executable: one mapping per module is enough. */
  mapped: Set<bigint>;
}

export interface FollowSummary {
  /** New processes of the target announced while wraith ran. */
  started: number;
  /** Of those, how many exited. */
  exited: number;
  /** Load-bias entries still in the table. */
  biasEntries: number;
  /** Events the kernel could not queue. */
  lost: number;
}

export class Follower {
  private readonly procs = new Map<number, Followed>();
  private started = 0;
  private exited = 0;
  /** The table sysmon was given (keepBiases), once there is one. */
  private kept: ModuleBiasTable | undefined;

  constructor(private readonly o: FollowOptions) {
    if (o.target) o.sysmon.watchFile(o.target.inode);
    if (o.traced !== undefined) {
      o.sysmon.watchProcess(o.traced);
      this.procs.set(o.traced, { comm: "", announced: false, mapped: new Set() });
    }
    this.table();
  }

  /**
   * Watch the processes already running that the bias table was filled for
   * (`filled`: host tgids, from fillBiasTable), so their entries go when they
   * exit. Call once the session's table is filled.
   */
  adoptRunning(filled: number[]): void {
    const table = this.table();
    if (!table) return;
    for (const pid of filled) {
      if (this.procs.has(pid) || pid === process.pid) continue;
      this.o.sysmon.watchProcess(pid);
      // Exited before it was watched: no exit event will come for it.
      if (!existsSync(`/proc/${pid}`)) {
        this.o.sysmon.unwatchProcess(pid);
        table.forget(pid);
        continue;
      }
      this.procs.set(pid, { comm: "", announced: false, mapped: new Set() });
    }
  }

  /** Handle everything sysmon reported since the last call (never waits). */
  pump(): void {
    for (const e of this.o.sysmon.poll(0)) this.handle(e);
  }

  summary(): FollowSummary {
    return { started: this.started, exited: this.exited, biasEntries: this.table()?.size ?? 0, lost: this.o.sysmon.lost() };
  }

  /**
   * The session's bias table; the first time there is one, sysmon is given
   * it to keep exact from inside the kernel (keepBiases). When sysmon cannot
   * (too many modules), the events below refresh it from /proc instead.
   */
  private table(): ModuleBiasTable | undefined {
    const table = this.o.biasTable?.();
    if (table && !this.kept) {
      this.kept = table;
      this.o.sysmon.keepBiases(table.fd, table.modules.length, table.rules());
    }
    return table;
  }

  private handle(e: SysmonEvent): void {
    switch (e.kind) {
      case "exec": {
        const p = this.state(e.tgid, e.comm);
        p.mapped.clear(); // a new image: nothing of the old one is mapped any more
        if (this.isTarget(e.file, "executable", basename(e.path)) && !p.announced) this.announce(e.tgid, p, "started");
        this.updateBias(e.tgid);
        return;
      }
      case "fork": {
        const parent = this.procs.get(e.parent);
        const p = this.state(e.tgid, e.comm);
        if (parent) for (const i of parent.mapped) p.mapped.add(i);
        if (parent?.announced) this.announce(e.tgid, p, `started (forked from pid ${e.parent})`);
        this.updateBias(e.tgid);
        return;
      }
      case "mmap": {
        const p = this.state(e.tgid, e.comm);
        if (p.mapped.has(e.file.inode)) return;
        p.mapped.add(e.file.inode);
        const announced = this.isTarget(e.file, "library", e.name) && !p.announced;
        if (announced) this.announce(e.tgid, p, `mapped ${e.name}`);
        // Followed from this mapping on: modules of interest it mapped before were nobody's business until now.
        if (announced || this.table()?.mayMap(e.file.inode, "")) this.updateBias(e.tgid);
        if (e.tgid === this.o.traced && this.o.onModule) {
          const m = this.moduleAt(e.tgid, e.addr);
          if (m) this.o.onModule(m, e.tgid);
        }
        return;
      }
      case "exit": {
        const p = this.procs.get(e.tgid);
        this.procs.delete(e.tgid);
        this.table()?.forget(e.tgid); // sysmon's exit handler did already, unless a /proc fill raced it
        if (p?.announced) {
          this.exited++;
          this.o.say(`wraith: pid ${e.tgid} (${p.comm || e.comm}) exited`);
        }
        return;
      }
    }
  }

  private state(tgid: number, comm: string): Followed {
    let p = this.procs.get(tgid);
    if (!p) this.procs.set(tgid, (p = { comm, announced: false, mapped: new Set() }));
    if (comm) p.comm = comm;
    return p;
  }

  /**
   * Is this the -t file? The kernel filtered by inode; the device must agree
   * too, except where userspace and the kernel name devices differently
   * (overlayfs): then the file name must match.
   */
  private isTarget(f: FileId, kind: FollowedFile["kind"], name: string): boolean {
    const t = this.o.target;
    if (!t || t.kind !== kind || f.inode !== t.inode) return false;
    return (f.major === t.major && f.minor === t.minor) || name === basename(t.path);
  }

  private announce(tgid: number, p: Followed, what: string): void {
    p.announced = true;
    this.started++;
    this.o.say(`wraith: pid ${tgid} (${p.comm}) ${what}; probes active`);
  }

  /**
   * After an exec, fork or mapping: when sysmon keeps the table, only what it
   * could not see is added (an entry it wrote is exact and stays); otherwise
   * the process's entries are rewritten from /proc (an exec drops the old ones).
   */
  private updateBias(tgid: number): void {
    const table = this.table();
    if (!table) return;
    try {
      if (this.o.sysmon.keepsBiases) table.fillMissing(tgid, tgid);
      else table.refresh(tgid, tgid);
    } catch (e) {
      if (e instanceof TargetError) return; // not ours to read: its values stay "load bias unknown"
      throw e;
    }
  }

  /** The module mapped at `addr` in that process, from its maps now (undefined when it is gone). */
  private moduleAt(pid: number, addr: bigint): Module | undefined {
    try {
      return moduleAt(processModules(pid), addr);
    } catch (e) {
      if (e instanceof TargetError) return undefined;
      throw e;
    }
  }
}
