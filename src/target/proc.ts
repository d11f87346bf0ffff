// Processes as /proc shows them: existence, identity, owner, PID namespace
// views, listing, the path a uprobe should use, and waiting for a process we
// did not spawn to exit.
//
// Every PID here is a PID in *our* /proc view (GhostScope's "proc_pid"); see
// pidViews() for the other views of the same process.
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { checkPid, errnoOf, exited, noProcess, procError, TargetError } from "./errors.ts";

/** The inode of the initial PID namespace (PROC_PID_INIT_INO in the kernel). */
export const INIT_PID_NS_INODE = 0xeffffffc;

const PF_KTHREAD = 0x00200000;

export interface ProcStat {
  pid: number;
  comm: string;
  /** R running, S sleeping, D disk sleep, Z zombie, T stopped, t tracing stop, X dead, I idle, … */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  flags: number;
  /** start time in clock ticks after boot: with pid, identifies a process across PID reuse */
  startTime: bigint;
}

/** Parse the text of /proc/PID/stat. comm may contain spaces and ")". */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new TargetError("io", `unexpected /proc/PID/stat contents: ${JSON.stringify(text.slice(0, 80))}`);
  const f = text.slice(close + 2).trim().split(" ");
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: f[0]!,
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    session: Number(f[3]),
    flags: Number(f[6]),
    startTime: BigInt(f[19]!),
  };
}

/** Raw stat of `pid`, or null when there is no such process. Other errors throw TargetError. */
export function readStat(pid: number): ProcStat | null {
  const path = `/proc/${pid}/stat`;
  try {
    return parseStat(readFileSync(path, "utf8"));
  } catch (e) {
    const c = errnoOf(e);
    if (c === "ENOENT" || c === "ESRCH") return null;
    throw procError(pid, path, e, false);
  }
}

/** Parse /proc/PID/status into key → value (value trimmed). */
export function parseStatus(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1).trim());
  }
  return m;
}

function ints(s: string | undefined): number[] {
  if (!s) return [];
  return s.split(/\s+/).filter((x) => x !== "").map(Number);
}

/**
 * True when `pid` is a live process (thread-group leader, not a zombie) in
 * our /proc view. A thread ID answers false: /proc/TID exists but is not a
 * process.
 */
export function processExists(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  let status: Map<string, string>;
  try {
    status = parseStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
  if (Number(status.get("Tgid")) !== pid) return false;
  const state = status.get("State") ?? "";
  return !state.startsWith("Z") && !state.startsWith("X");
}

export interface ProcessInfo {
  pid: number;
  /** the kernel's 15-character task name */
  comm: string;
  /** argv as the process currently shows it (it may rewrite it); [] for kernel threads */
  cmdline: string[];
  /** readlink /proc/PID/exe, without " (deleted)"; null when unreadable (permissions, kernel thread, exited) */
  exe: string | null;
  exeDeleted: boolean;
  /** real UID */
  uid: number;
  /** effective UID (what ps shows as "uid") */
  euid: number;
  /** name of the real UID in *our* /etc/passwd (a container's names may differ); the number as text if unknown */
  user: string;
  /** one-letter state from /proc/PID/stat */
  state: string;
  ppid: number;
  threads: number;
  /**
   * NSpid from /proc/PID/status: the PID in each PID namespace from the one
   * our /proc belongs to ([0], always === pid) down to the process's own
   * ([length-1], the "container PID"). Length 1 = same namespace as our /proc.
   */
  nspid: number[];
  /** inode of the process's PID namespace (readlink /proc/PID/ns/pid); null when not permitted */
  pidNsInode: number | null;
  startTime: bigint;
  kernelThread: boolean;
}

interface PasswdCache {
  mtimeMs: number;
  names: Map<number, string>;
}
let passwd: PasswdCache | undefined;

/** User name for `uid` from /etc/passwd (ours), or the number as a string. */
export function userName(uid: number): string {
  try {
    const st = statSync("/etc/passwd");
    if (!passwd || passwd.mtimeMs !== st.mtimeMs) {
      const names = new Map<number, string>();
      for (const line of readFileSync("/etc/passwd", "utf8").split("\n")) {
        const f = line.split(":");
        if (f.length >= 3 && f[0] && !names.has(Number(f[2]))) names.set(Number(f[2]), f[0]);
      }
      passwd = { mtimeMs: st.mtimeMs, names };
    }
  } catch {
    return String(uid);
  }
  return passwd.names.get(uid) ?? String(uid);
}

/** Parse "pid:[4026531836]" (readlink of /proc/PID/ns/*) → 4026531836. */
export function nsInode(link: string): number | null {
  const m = /\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : null;
}

function readlinkOrNull(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/**
 * Everything wraith shows or needs about one process. Throws TargetError
 * "no-process" (also for a thread ID or a zombie: tell the user which
 * process it belongs to), "exited" if it vanished mid-read.
 */
export function processInfo(pid: number): ProcessInfo {
  checkPid(pid);
  const statusPath = `/proc/${pid}/status`;
  let status: Map<string, string>;
  try {
    status = parseStatus(readFileSync(statusPath, "utf8"));
  } catch (e) {
    throw procError(pid, statusPath, e, false);
  }
  const tgid = Number(status.get("Tgid"));
  if (tgid !== pid) {
    throw new TargetError(
      "no-process",
      `PID ${pid} is a thread of process ${tgid}, not a process: use -p ${tgid}`,
      pid,
    );
  }
  const statPath = `/proc/${pid}/stat`;
  let stat: ProcStat;
  let cmdlineRaw: string;
  try {
    stat = parseStat(readFileSync(statPath, "utf8"));
    cmdlineRaw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch (e) {
    throw procError(pid, statPath, e, true);
  }
  if (stat.state === "Z" || stat.state === "X") {
    throw new TargetError(
      "exited",
      `process ${pid} (${stat.comm}) has exited and is a zombie waiting for its parent ${stat.ppid}: start the program again`,
      pid,
    );
  }
  const cmdline = cmdlineRaw === "" ? [] : cmdlineRaw.replace(/\0$/, "").split("\0");
  let exe = readlinkOrNull(`/proc/${pid}/exe`);
  let exeDeleted = false;
  if (exe !== null && exe.endsWith(" (deleted)")) {
    exe = exe.slice(0, -" (deleted)".length);
    exeDeleted = true;
  }
  const uids = ints(status.get("Uid"));
  const nsLink = readlinkOrNull(`/proc/${pid}/ns/pid`);
  const nspid = ints(status.get("NSpid"));
  return {
    pid,
    comm: stat.comm,
    cmdline,
    exe,
    exeDeleted,
    uid: uids[0] ?? -1,
    euid: uids[1] ?? -1,
    user: userName(uids[0] ?? -1),
    state: stat.state,
    ppid: stat.ppid,
    threads: Number(status.get("Threads") ?? "1"),
    nspid: nspid.length > 0 ? nspid : [pid],
    pidNsInode: nsLink === null ? null : nsInode(nsLink),
    startTime: stat.startTime,
    kernelThread: (stat.flags & PF_KTHREAD) !== 0,
  };
}

/**
 * All user-space processes in our /proc view, in PID order. Kernel threads
 * and zombies are skipped, and so are processes that vanish while being read.
 */
export function listProcesses(): ProcessInfo[] {
  const pids = readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
  const out: ProcessInfo[] = [];
  for (const pid of pids) {
    try {
      const info = processInfo(pid);
      if (!info.kernelThread) out.push(info);
    } catch (e) {
      if (e instanceof TargetError && (e.code === "no-process" || e.code === "exited")) continue;
      throw e;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Namespaces and paths

function sameNs(pid: number, ns: string): boolean {
  const theirs = `/proc/${pid}/ns/${ns}`;
  let a: string;
  try {
    a = readlinkSync(theirs);
  } catch (e) {
    throw procError(pid, theirs, e, false);
  }
  return a === readlinkSync(`/proc/self/ns/${ns}`);
}

/**
 * "" when `pid` sees the file system as we do (same mount namespace and same
 * root), else "/proc/PID/root": prefixed to an absolute path, it names the
 * file the target sees at that path, from our side.
 */
export function procRootPrefix(pid: number): string {
  checkPid(pid);
  const rootPath = `/proc/${pid}/root`;
  let same: boolean;
  try {
    const theirs = statSync(rootPath);
    const ours = statSync("/");
    same = theirs.dev === ours.dev && theirs.ino === ours.ino && sameNs(pid, "mnt");
  } catch (e) {
    throw procError(pid, rootPath, e, false);
  }
  return same ? "" : rootPath;
}

/**
 * The path a uprobe for `modulePath` (as the target sees it, e.g. from its
 * maps) should be attached with so that it resolves to the same inode from
 * our mount namespace: `/proc/PID/root` + path when the target's root or
 * mount namespace differs from ours (containers, chroot), else the path.
 */
export function tracePathFor(pid: number, modulePath: string): string {
  if (!modulePath.startsWith("/")) {
    throw new TargetError("bad-argument", `module path must be absolute, got ${JSON.stringify(modulePath)}`, pid);
  }
  return procRootPrefix(pid) + modulePath;
}

/**
 * Whether our /proc numbers processes as the initial PID namespace does, so
 * that NSpid[0] of any process is its host PID (what bpf_get_current_pid_tgid
 * reports). A /proc shows the namespace of whoever mounted it (the kernel
 * takes the mounter's active namespace), NSpid lines start at that
 * namespace, and its PID 1 is that namespace's init: so /proc/1/ns/pid names
 * it. The initial namespace has the fixed inode PROC_PID_INIT_INO. (Whether
 * wraith itself is in the initial namespace is a different question: after
 * `unshare --pid --fork` without --mount-proc, wraith is not, but the host's
 * /proc still is.)
 */
export function procShowsInitialPidNs(): boolean {
  const init = readlinkOrNull("/proc/1/ns/pid");
  if (init !== null) return nsInode(init) === INIT_PID_NS_INODE;
  // Not allowed to look at PID 1: we are in the initial namespace and our
  // /proc numbers it exactly when NSpid of /proc/self has one entry (an
  // entry per level from the /proc's namespace down to ours).
  const self = readlinkOrNull("/proc/self/ns/pid");
  const nspid = ints(parseStatus(readFileSync("/proc/self/status", "utf8")).get("NSpid"));
  return self !== null && nsInode(self) === INIT_PID_NS_INODE && nspid.length === 1;
}

export interface PidViews {
  /** PID in our /proc view (what -p takes, what /proc/PID/maps is keyed by) */
  procPid: number;
  /** PID in the process's own (innermost) PID namespace */
  innermostPid: number;
  /** PID in the initial namespace, which bpf_get_current_pid_tgid() reports; null if our /proc does not show that namespace */
  hostPid: number | null;
  /** NSpid, outermost (ours) first */
  nspid: number[];
  pidNsInode: number | null;
  /** the process is in the same PID namespace as wraith */
  sameNsAsUs: boolean;
}

/** The PID views of one process that tracing needs (see seeds/003 for the vocabulary). */
export function pidViews(pid: number): PidViews {
  const info = processInfo(pid);
  const ours = nsInode(readlinkSync("/proc/self/ns/pid"));
  return {
    procPid: pid,
    innermostPid: info.nspid[info.nspid.length - 1]!,
    hostPid: procShowsInitialPidNs() ? info.nspid[0]! : null,
    nspid: info.nspid,
    pidNsInode: info.pidNsInode,
    sameNsAsUs: info.pidNsInode !== null ? info.pidNsInode === ours : info.nspid.length === 1,
  };
}

// ---------------------------------------------------------------------------
// Waiting for a process we did not spawn

export interface WaitOptions {
  /** poll interval, default 50 ms */
  intervalMs?: number;
  /** stop waiting: the promise rejects with signal.reason */
  signal?: AbortSignal;
}

/**
 * Resolves when `pid` exits: /proc/PID disappears, it becomes a zombie, or
 * the PID is reused by another process (different start time). Resolves at
 * once if it does not exist now. Polls; we cannot wait() on a non-child and
 * pidfd_open would need ffi.
 */
export function waitForExit(pid: number, opts: WaitOptions = {}): Promise<void> {
  checkPid(pid);
  const interval = opts.intervalMs ?? 50;
  const first = readStat(pid);
  return new Promise<void>((resolve, reject) => {
    if (!first || first.state === "Z" || first.state === "X") return resolve();
    const signal = opts.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      reject(signal!.reason);
    };
    if (signal) {
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
    }
    const tick = () => {
      let st: ProcStat | null;
      try {
        st = readStat(pid);
      } catch {
        st = null; // unreadable now: treat as gone
      }
      if (!st || st.state === "Z" || st.state === "X" || st.startTime !== first.startTime) {
        signal?.removeEventListener("abort", onAbort);
        resolve();
        return;
      }
      timer = setTimeout(tick, interval);
    };
    timer = setTimeout(tick, interval);
  });
}

/** Throw the right TargetError if `pid` is not a live process now. */
export function assertProcess(pid: number): void {
  checkPid(pid);
  if (!processExists(pid)) {
    const st = readStat(pid);
    if (!st) throw noProcess(pid);
    processInfo(pid); // throws the specific error (thread, zombie)
    throw exited(pid, `/proc/${pid}`);
  }
}
