// The processes and files a run traces: a launched command, a -p PID (and
// its libraries), or a -t path; and the PIDs its probes filter on.
import { isAbsolute, resolve as resolvePath } from "node:path";
import { existsSync } from "node:fs";
import { elfOf, matchModule, ResolveError, type ModuleRef, type ModuleSearch } from "../resolve/index.ts";
import { ElfError } from "../elf/index.ts";
import { linkedLibraries } from "../target/ldso.ts";
import {
  launchStopped, modules as processModules, tracePathFor, waitForExit,
  type Launched,
} from "../target/index.ts";
import { requireOwnProc, resolveProcess, resolveTargetMode, type PidPlan } from "../target/pidns.ts";
import { nsPidHelperAvailable } from "../../ffi/index.ts";
import type { RunOptions } from "./args.ts";
import { ExitCode, WraithError } from "./errors.ts";
import type { Status } from "./status.ts";

export interface Target {
  /** Where trace points are looked up. */
  modules: ModuleRef[];
  /** Every module whose globals a probe may read (the executable first): with -p the process's modules, else `modules`. */
  linked?: ModuleRef[];
  /** Where MODULE:0xADDR looks, when wider than `modules` (-t EXECUTABLE: it and the libraries it links). */
  moduleSearch?: ModuleSearch;
  /** Probe only this process: `proc` in our /proc view, `host` in the initial namespace (null: wraith inside a namespace cannot know it). */
  pid?: { proc: number; host: number | null };
  inputPid?: number;
  /** Which events the probes record and the PID view of $pid/$tid (src/target/pidns.ts). */
  pids: PidPlan;
  /** Resolves with a description when the traced process exits. */
  exited?: Promise<string>;
  describe: string;
}

export async function chooseTarget(opts: RunOptions, status: Status, setLaunched: (l: Launched) => void): Promise<Target> {
  const targetPath = opts.target !== undefined ? absolute(opts.target) : undefined;
  if (opts.launch) {
    requireOwnProc(`the command wraith launches`);
    const l = await launchStopped(opts.launch);
    setLaunched(l);
    status.say(`wraith: launched ${opts.launch.join(" ")} as pid ${l.pid} (stopped until probes are attached)`);
    const path = targetPath ?? l.path;
    const pids = pidPlan(opts, status, l.pid);
    return {
      modules: [{ name: path, readPath: path, attachPath: path }],
      pid: { proc: l.pid, host: pids.process!.host },
      pids,
      exited: l.exited.then((s) => `${opts.launch![0]} (pid ${l.pid}) exited with status ${s.signal ?? s.code}${s.signal ? "" : ""}`),
      describe: opts.launch[0]!,
    };
  }
  if (opts.pid !== undefined) {
    const pid = opts.pid;
    const pids = pidPlan(opts, status, pid);
    const exited = waitForExit(pid).then(() => `process ${pid} exited`);
    const pidInfo = { proc: pid, host: pids.process!.host };
    const refs = processRefs(pid);
    if (opts.target !== undefined) {
      // -p with -t: a module of that process, by path or by suffix (libfoo.so); a path it does not map yet is probed as given.
      const chosen = existsSync(targetPath!) && !refs.some((r) => r.name === targetPath) ? undefined : pickModule(refs, opts.target, pid);
      const attach = chosen?.attachPath ?? tracePathFor(pid, targetPath!);
      const name = chosen?.name ?? targetPath!;
      return { modules: [{ name, readPath: attach, attachPath: attach }], linked: refs, pid: pidInfo, inputPid: pid, pids, exited, describe: `pid ${pid}` };
    }
    return { modules: refs, linked: refs, pid: pidInfo, inputPid: pid, pids, exited, describe: `pid ${pid}` };
  }
  const exe: ModuleRef = { name: targetPath!, readPath: targetPath!, attachPath: targetPath! };
  const linked = linkedModules(exe, opts, status);
  const moduleSearch = linked ? { modules: linked, what: `the target ${exe.name} and the ${linked.length - 1} libraries it links` } : undefined;
  return { modules: [exe], linked, moduleSearch, pids: pidPlan(opts, status), describe: targetPath! };
}

/**
 * -t EXECUTABLE: the executable and the libraries ld.so would load for it
 * (src/target/ldso.ts), where a script's globals and MODULE:0xADDR are
 * looked up. Trace points by name, line or bare address stay in the -t file
 * (functions in a library are traced with -t LIB.so). A -t library, or a
 * file that is no ELF (reported later, where it is opened), has only itself.
 */
function linkedModules(exe: ModuleRef, opts: RunOptions, status: Status): ModuleRef[] | undefined {
  try {
    if (elfOf(exe).kind() === "shared-library") return undefined;
  } catch (e) {
    if (e instanceof ElfError) return undefined;
    throw e;
  }
  const note = opts.verbose ? (l: string) => status.always(l) : undefined;
  // The real path, as /proc/PID/maps shows it: what -p would call the module, and what suffixes match.
  const libs = linkedLibraries(exe.readPath, { note }).map((l) => ({ name: l.realPath, readPath: l.realPath, attachPath: l.realPath }));
  return [exe, ...libs];
}

/** The process's ELF modules, the executable first, then its libraries: a name is looked up in all of them. */
function processRefs(pid: number): ModuleRef[] {
  const mods = processModules(pid).filter((m) => m.elfType !== undefined && !m.deleted);
  const seen = new Set<string>();
  const refs: ModuleRef[] = [];
  for (const m of mods) {
    if (seen.has(m.openPath)) continue;
    seen.add(m.openPath);
    refs.push({ name: m.path, readPath: m.openPath, attachPath: m.openPath });
  }
  return refs;
}

/** The module -t names among a process's modules (path or suffix); a one-line error listing candidates or modules. */
function pickModule(refs: ModuleRef[], text: string, pid: number): ModuleRef {
  try {
    return matchModule(refs, text, `process ${pid}`);
  } catch (e) {
    if (e instanceof ResolveError) throw new WraithError(e.message, ExitCode.TARGET);
    throw e;
  }
}

function absolute(p: string): string {
  return isAbsolute(p) ? p : resolvePath(process.cwd(), p);
}

/**
 * The PID views of the traced process (or, for -t, of wraith) and the filter
 * its probes use; --dry-run --details and --verbose show the decision.
 * Fails (exit TARGET) when the process is not visible here or its events
 * cannot be recognised safely.
 */
function pidPlan(opts: RunOptions, status: Status, pid?: number): PidPlan {
  const helper = nsPidHelperAvailable;
  const plan = pid === undefined ? resolveTargetMode({ helper }) : resolveProcess(pid, { input: opts.pid, helper });
  if (opts.dryRunDetails || opts.verbose) status.always(`wraith: ${plan.describe}`);
  return plan;
}
