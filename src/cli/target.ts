// The processes and files a run traces: a launched command, a -p PID (and
// its libraries), or a -t path; and the PIDs its probes filter on.
import { basename, isAbsolute, resolve as resolvePath } from "node:path";
import { realpathSync, statSync } from "node:fs";
import { elfOf, matchModule, moduleCandidates, ResolveError, type ModuleRef, type ModuleSearch } from "../resolve/index.ts";
import { ElfError, type ElfFile } from "../elf/index.ts";
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
    const exe: ModuleRef = { name: path, readPath: path, attachPath: path };
    if (targetPath && isLibrary(exe)) status.say(`wraith: ${basename(path)} is not loaded in pid ${l.pid} yet; its probes take effect when it is`);
    return {
      // Uprobes on a file reach every later mapping of it: the command's libraries are probed before ld.so maps them.
      modules: targetPath ? [exe] : [exe, ...launchLibraries(exe)],
      // Globals as before: other modules' load biases are not known in a process that has not exec'd yet.
      linked: [exe],
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
      const module = processTarget(refs, opts.target, pid, status);
      return { modules: [module], linked: refs, pid: pidInfo, inputPid: pid, pids, exited, describe: `pid ${pid}` };
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
  const libs = linkedLibraries(exe.readPath, { note, open: openCached }).map((l) => ({ name: l.realPath, readPath: l.realPath, attachPath: l.realPath }));
  return [exe, ...libs];
}

/**
 * Open through resolve's module cache, keyed by the real path the module
 * refs carry (what linkedLibraries returns), so a library ld.so's search
 * read is not read again when names are looked up in it.
 */
function openCached(path: string): ElfFile {
  const real = realpathSync(path);
  return elfOf({ name: real, readPath: real, attachPath: real });
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

/**
 * -p PID -t TEXT: a module the process maps (by path, by suffix, or the same
 * file under another path) is probed where the process has it. An existing
 * file it does not map yet (a library it will dlopen) is probed from the
 * file: the kernel installs a file's uprobes into every later mapping of it
 * (uprobe_mmap) before the mapping returns, so no call after the dlopen is
 * missed. Anything else is an error listing the process's modules.
 */
function processTarget(refs: ModuleRef[], text: string, pid: number, status: Status): ModuleRef {
  // A bare name is a module of the process first: a file of that name in our working directory may be another build.
  if (!text.includes("/") && moduleCandidates(refs, text).length > 0) return pickModule(refs, text, pid);
  const file = existingFile(text, pid);
  if (!file) return pickModule(refs, text, pid);
  const mapped = refs.find((r) => sameFile(r.readPath, file.id));
  if (mapped) return mapped;
  status.say(`wraith: ${basename(file.name)} is not loaded in pid ${pid} yet; its probes take effect when it is`);
  return { name: file.name, readPath: file.path, attachPath: file.path };
}

/**
 * The regular file -t names: the path as we see it, else (an absolute path)
 * as the process sees it, through /proc/PID/root when its root or mount
 * namespace differs from ours (tracePathFor). `name` is the path as given, made absolute.
 */
function existingFile(text: string, pid: number): { name: string; path: string; id: FileId } | undefined {
  const ours = absolute(text);
  const candidates = [ours];
  if (isAbsolute(text)) candidates.push(tracePathFor(pid, text));
  for (const path of candidates) {
    const id = regularFileId(path);
    if (id) return { name: ours, path, id };
  }
  return undefined;
}

type FileId = { dev: bigint; ino: bigint };

function regularFileId(path: string): FileId | undefined {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  return st?.isFile() ? { dev: st.dev, ino: st.ino } : undefined;
}

function sameFile(path: string, id: FileId): boolean {
  const other = regularFileId(path);
  return other !== undefined && other.dev === id.dev && other.ino === id.ino;
}

/**
 * A launched command without -t: its own file and the libraries ld.so will
 * load for it (src/target/ldso.ts), where trace points by name are looked up,
 * the command first. A command that is no ELF file (a script) has only itself.
 */
function launchLibraries(exe: ModuleRef): ModuleRef[] {
  try {
    if (elfOf(exe).kind() === "shared-library") return [];
    return linkedLibraries(exe.readPath, { open: openCached }).map((l) => ({ name: l.realPath, readPath: l.realPath, attachPath: l.realPath }));
  } catch (e) {
    if (e instanceof ElfError) return [];
    throw e;
  }
}

function isLibrary(m: ModuleRef): boolean {
  try {
    return elfOf(m).kind() === "shared-library";
  } catch (e) {
    if (e instanceof ElfError) return false; // reported where the file is read for its trace points
    throw e;
  }
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
