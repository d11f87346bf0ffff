// PID namespaces (seeds/003 "Container Environments"): what the PID a user
// typed means, that process's PID in each view tracing needs, and how the
// probes pick its events — by host tgid, or by tgid inside the process's own
// PID namespace through bpf_get_ns_current_pid_tgid.
//
// Vocabulary (seeds/003): input_pid is what -p was given, the PID as seen
// where wraith runs; proc_pid the PID in our /proc (the same number: that is
// the contract of -p); host_pid the PID in the initial namespace, which
// bpf_get_current_pid_tgid() reports; container_pid the PID in the process's
// own, innermost namespace (the tail of NSpid).
//
// What the kernel offers (kernel/bpf/helpers.c): bpf_get_ns_current_pid_tgid
// (dev, ino, &nsdata, 8) answers only when (dev, ino) is the *current task's
// own* PID namespace (task_active_pid_ns), and then gives its pid and tgid as
// that namespace numbers them; for a task of any other namespace, an ancestor
// included, it fails with -EINVAL. So a namespace-aware filter "tgid T in
// namespace N" matches exactly the process that namespace N calls T.
import { readFileSync, statSync } from "node:fs";
import { kernelDev } from "./devno.ts";
import { TargetError } from "./errors.ts";
import { assertProcess, INIT_PID_NS_INODE, parseStatus, procShowsInitialPidNs, processInfo } from "./proc.ts";

/** A namespace file's identity: stat(/proc/PID/ns/pid) st_dev (as stat encodes it) and st_ino. */
export interface NsId {
  dev: bigint;
  ino: bigint;
}

/**
 * Which events a probe records, and in which PID view its $pid/$tid (and
 * the record header) are numbered.
 */
export type PidFilter =
  /** Only this tgid as the initial namespace numbers it; $pid/$tid in the host view. */
  | { kind: "host"; tgid: number }
  /**
   * Only tasks whose own PID namespace is (dev, ino), and with `tgid` only
   * the process that namespace numbers so; $pid/$tid as that namespace
   * numbers them. `dev` is in the kernel's dev_t encoding (kernelDev).
   */
  | { kind: "namespace"; dev: bigint; ino: bigint; tgid?: number };

/** wraith's own place among PID namespaces. */
export interface WraithNs {
  own: NsId;
  /** wraith runs in the initial PID namespace. */
  initial: boolean;
  /**
   * Our /proc numbers processes as wraith's own namespace does (NSpid of
   * /proc/self has one entry: one per level from the /proc's namespace down
   * to ours). Not so after `unshare --pid --fork` without --mount-proc.
   */
  procIsOwn: boolean;
  /** Our /proc numbers processes as the initial namespace does: NSpid[0] is a host PID. */
  procIsInitial: boolean;
}

/** The PID views of one traced process. */
export interface ProcessPids {
  /** What -p was given (absent for a launched command). */
  input?: number;
  /** In our /proc (and, as procIsOwn holds, in wraith's namespace: what perf_event_open takes). */
  proc: number;
  /** In the initial namespace; null when our /proc does not show it (wraith inside a namespace). */
  host: number | null;
  /** In the process's own, innermost namespace. */
  container: number;
  /** NSpid: from our /proc's namespace down to the process's own. */
  nspid: number[];
  /** The process's own PID namespace; null when /proc/PID/ns/pid may not be read. */
  ns: NsId | null;
}

/** What the run's probes filter on, with the line --dry-run --details shows. */
export interface PidPlan {
  process?: ProcessPids;
  filter?: PidFilter;
  describe: string;
}

/** The identity of a namespace file, or null when it may not be read. */
export function nsId(path: string): NsId | null {
  try {
    const st = statSync(path, { bigint: true });
    return { dev: st.dev, ino: st.ino };
  } catch {
    return null;
  }
}

export function wraithNs(): WraithNs {
  const own = nsId("/proc/self/ns/pid");
  if (own === null) throw new TargetError("io", "cannot stat /proc/self/ns/pid: wraith needs /proc mounted to know its PID namespace");
  const nspid = (parseStatus(readFileSync("/proc/self/status", "utf8")).get("NSpid") ?? "").split(/\s+/).filter(Boolean);
  return {
    own,
    initial: own.ino === BigInt(INIT_PID_NS_INODE),
    procIsOwn: nspid.length === 1,
    procIsInitial: procShowsInitialPidNs(),
  };
}

function nsText(ns: NsId | null): string {
  if (ns === null) return "pidns unreadable";
  return `pidns ${ns.ino}${ns.ino === BigInt(INIT_PID_NS_INODE) ? ", initial" : ""}`;
}

/**
 * Resolve the process a run traces (the PID -p was given, or a command we
 * launched) and choose its filter. `helper` says whether the kernel has
 * bpf_get_ns_current_pid_tgid (ffi nsPidHelperAvailable); it is asked only
 * when the choice depends on it.
 *
 * The choice (seeds/003 "-p decision flow"):
 * - a process of the initial namespace: host tgid. Its host PID is exact
 *   and $pid/$tid in the host view are its own namespace's view; no helper.
 * - any other process, with the helper: namespace-aware, tgid =
 *   container_pid in its own namespace. $pid/$tid then show that
 *   namespace's view, and it needs no host PID, which wraith inside a
 *   namespace does not know.
 * - without the helper, when our /proc shows host PIDs (NSpid[0] is then an
 *   explicit mapping): host tgid, and $pid/$tid show host PIDs (said so).
 * - otherwise there is no trustworthy way to recognise its events: fail.
 */
export function resolveProcess(pid: number, opts: { input?: number; helper: () => boolean }): PidPlan {
  const me = requireOwnProc(`PID ${pid}`);
  visible(pid, me);
  const info = processInfo(pid);
  const ns = nsId(`/proc/${pid}/ns/pid`);
  const host = me.procIsInitial ? info.nspid[0]! : null;
  const container = info.nspid[info.nspid.length - 1]!;
  const process: ProcessPids = { input: opts.input, proc: pid, host, container, nspid: info.nspid, ns };
  const views = `pid views: ${opts.input !== undefined ? `input ${opts.input}` : "launched"} proc ${pid} host ${host ?? "unknown"} ns ${container} (${nsText(ns)})`;

  const inInitial = ns !== null ? ns.ino === BigInt(INIT_PID_NS_INODE) : me.procIsInitial && info.nspid.length === 1;
  if (inInitial && host !== null) {
    return { process, filter: { kind: "host", tgid: host }, describe: `${views}; filter: host tgid ${host}` };
  }
  if (ns !== null && opts.helper()) {
    return {
      process,
      filter: { kind: "namespace", dev: kernelDev(ns.dev), ino: ns.ino, tgid: container },
      describe: `${views}; filter: namespace-aware (tgid ${container} in pidns ${ns.ino})`,
    };
  }
  const why = ns === null ? `/proc/${pid}/ns/pid cannot be read` : "this kernel lacks bpf_get_ns_current_pid_tgid (Linux 5.7+)";
  if (host !== null) {
    return { process, filter: { kind: "host", tgid: host }, describe: `${views}; filter: host tgid ${host} ($pid/$tid show host PIDs: ${why})` };
  }
  throw new TargetError(
    "pid-namespace",
    `process ${pid} is in a PID namespace wraith cannot map: ${why}, and wraith's /proc does not show host PIDs to filter on instead: run wraith on the host`,
    pid,
  );
}

/**
 * The filter for -t: every process that runs the target. On the host,
 * none, and $pid/$tid in the host view. Inside a PID namespace, uprobes
 * still fire in every process on the machine that runs the file, and only
 * this namespace's processes have PIDs here: namespace-aware on wraith's
 * own namespace (processes of nested namespaces are not matched either —
 * the helper answers only for a task's own namespace).
 */
export function resolveTargetMode(opts: { helper: () => boolean }): PidPlan {
  const me = wraithNs();
  if (me.initial) return { describe: `pid views: wraith in ${nsText(me.own)}; filter: none ($pid/$tid in the host view)` };
  if (!opts.helper()) {
    throw new TargetError(
      "pid-namespace",
      `-t inside a PID namespace (${me.own.ino}) needs bpf_get_ns_current_pid_tgid (Linux 5.7+) to tell this namespace's processes from the rest of the machine's: run wraith on the host`,
    );
  }
  return {
    filter: { kind: "namespace", dev: kernelDev(me.own.dev), ino: me.own.ino },
    describe: `pid views: wraith in ${nsText(me.own)}; filter: namespace-aware (processes of pidns ${me.own.ino} only)`,
  };
}

/**
 * wraith's namespace, when our /proc numbers processes as it does. PIDs
 * from our /proc go to perf_event_open and a launched child's PID comes
 * from fork, both in wraith's own namespace: when /proc shows another
 * namespace (a PID namespace entered without mounting its /proc), the same
 * number can name different processes on the two sides, so refuse.
 */
export function requireOwnProc(what: string): WraithNs {
  const me = wraithNs();
  if (me.procIsOwn) return me;
  throw new TargetError(
    "pid-namespace",
    `wraith runs in PID namespace ${me.own.ino} but its /proc shows another namespace's PIDs (entered without mounting its /proc?), so ${what} cannot be mapped safely: mount a /proc for this namespace (unshare --pid --fork --mount-proc) or run wraith on the host`,
  );
}

/** -p must name a process of our /proc; inside a namespace, say what that means. */
function visible(pid: number, me: WraithNs): void {
  try {
    assertProcess(pid);
  } catch (e) {
    if (!(e instanceof TargetError) || e.code !== "no-process" || me.initial) throw e;
    if (!/^no process with PID/.test(e.message)) throw e; // a thread or a zombie: that message is the right one
    throw new TargetError(
      "no-process",
      `no process with PID ${pid} in wraith's PID namespace (${me.own.ino}): -p takes the PID as seen where wraith runs, and processes outside this namespace cannot be traced from inside it: run wraith on the host to trace them`,
      pid,
    );
  }
}
