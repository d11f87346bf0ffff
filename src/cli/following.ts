// Where the pipeline uses sysmon (src/target/sysmon.ts, src/runtime/follow.ts):
//   - -t PATH (no -p): processes that start running the target later are
//     announced and get load-bias entries. Executables always (GhostScope's
//     standalone -t starts sysmon by default); libraries only with
//     --enable-sysmon-shared-lib, since following a library means reacting to
//     every process that maps it.
//   - -p PID / launched command with --pending: trace points that resolve in
//     no module loaded now wait for a library that defines them (dlopen), and
//     are attached when it is mapped — after the mapping, so the first calls
//     can be missed. Only when some trace point waits: otherwise sysmon has
//     nothing to do. Without --pending such a trace point is an error, as a
//     pending breakpoint is in gdb's batch mode: a mistyped name under -p
//     would otherwise wait forever. (-p PID -t LIB.so needs no sysmon: the
//     uprobes are on the file and the kernel installs them in any later
//     mapping, from the first call.)
// If sysmon cannot load here, -t runs on without following (one warning) and
// a waiting trace point is the "not found" error it was before.
import { elfOf, resolvePattern, ResolveError, type ModuleRef } from "../resolve/index.ts";
import { Session, type ProbeToAttach } from "../runtime/index.ts";
import { cannotFollow, fileIdentity, Follower } from "../runtime/follow.ts";
import { Sysmon, SysmonUnavailable } from "../target/sysmon.ts";
import type { Module } from "../target/index.ts";
import type { TracePattern } from "../script/index.ts";
import type { RunOptions } from "./args.ts";
import type { Target } from "./target.ts";
import type { Status } from "./status.ts";

/** A trace point that resolved nowhere yet, with the error it would be without following. */
export interface PendingTrace {
  traceId: number;
  /** As printed (printPattern). */
  name: string;
  pattern: TracePattern;
  error: ResolveError;
}

/**
 * Could a library loaded later hold this trace point? Only when the lookup
 * found nothing at all: a function or source file no module has.
 * Ambiguities and unsupported forms stay errors.
 */
export function waitsForLibrary(pattern: TracePattern, e: unknown): e is ResolveError {
  if (!(e instanceof ResolveError)) return false;
  switch (pattern.kind) {
    case "FunctionPattern":
      return /^function .* not found in /.test(e.message);
    case "SourceLinePattern":
      return /^no source file matching /.test(e.message);
    // MODULE:0xADDR naming no loaded module stays an error: a module name is more
    // often mistyped than dlopen'ed, and the error lists the modules there are.
    default:
      return false;
  }
}

/** Would this run let a trace point that resolves nowhere wait for a library? (-p / launch, --pending, no -t, no dry run) */
export function letsTracesWait(opts: RunOptions, target: Target): boolean {
  return !!opts.pending && target.pid !== undefined && opts.target === undefined && !opts.dryRun;
}

/**
 * The error for a trace point found in no module of a process when it does
 * not wait: the lookup's own message, saying how a library loaded later
 * could still be traced. Other errors are returned as they are.
 */
export function notFoundNow(pattern: TracePattern, e: unknown, opts: RunOptions, target: Target): unknown {
  if (target.pid === undefined || opts.target !== undefined || !waitsForLibrary(pattern, e)) return e;
  const how = opts.pending
    ? "; trace points do not wait for libraries in a dry run (--pending): name the library with -t to check them"
    : "; if a library loaded later (dlopen) defines it, add --pending or name the library with -t";
  return new ResolveError(`${e.message}${how}`);
}

/** Compiles trace points `only` at the sites resolvePattern found in `module`. */
export type CompileIn = (only: Set<number>, module: ModuleRef) => ProbeToAttach[];

export class Following {
  private follower?: Follower;
  private pending: PendingTrace[];

  private constructor(
    private readonly sysmon: Sysmon,
    private readonly role: "target" | "process",
    pending: PendingTrace[],
  ) {
    this.pending = [...pending];
  }

  /**
   * Start sysmon when this run needs it. Throws the first pending trace
   * point's error when some wait and sysmon cannot run; returns undefined
   * when nothing needs following (or, for -t, when it cannot: with a warning).
   */
  static start(opts: RunOptions, target: Target, pending: PendingTrace[], status: Status, biasModules: number): Following | undefined {
    const role = target.pid ? (pending.length > 0 ? "process" : undefined) : targetRole(opts, target);
    if (!role) return undefined;
    // New mappings matter for waiting trace points, a -t library, and load biases of other modules;
    // an executable's new processes are seen at exec. (Mapping events cost every syscall a little.)
    const mappings = role === "process" || isLibrary(target.modules[0]!) || biasModules > 0;
    let why = cannotFollow();
    let sysmon: Sysmon | undefined;
    if (!why) {
      try {
        sysmon = Sysmon.start({ mappings });
      } catch (e) {
        if (!(e instanceof SysmonUnavailable)) throw e;
        why = e.message;
      }
    }
    if (!sysmon) {
      if (role === "process") throw new ResolveError(`${pending[0]!.error.message}; --pending cannot wait for a library here (sysmon: ${why})`);
      status.always(`wraith: warning: not following processes that start later (sysmon: ${why})`);
      return undefined;
    }
    // The lookup's own message stays visible: a mistyped name waits too, and its "did you mean" says so.
    for (const p of pending) status.always(`wraith: trace ${p.name}: in no module loaded now (${p.error.message}); waiting for a library that has it (dlopen)`);
    return new Following(sysmon, role, pending);
  }

  /**
   * Begin handling events once the session is loaded (its bias table exists)
   * and attached. `compile` resolves and compiles waiting trace points in a new module.
   */
  begin(session: Session, target: Target, opts: RunOptions, status: Status, compile: CompileIn): void {
    const traced = this.role === "process" ? target.pid?.proc : undefined;
    this.follower = new Follower({
      sysmon: this.sysmon,
      target: this.role === "target" ? fileIdentity(target.modules[0]!.readPath, isLibrary(target.modules[0]!) ? "library" : "executable") : undefined,
      traced,
      biasTable: () => session.biasTable,
      say: (l) => status.say(l),
      onModule: traced !== undefined ? (m, pid) => this.attachPending(m, pid, session, status, compile) : undefined,
    });
    if (this.role === "target") this.follower.adoptRunning(session.biasFilled);
  }

  /** Handle what sysmon reported (call between event batches). */
  pump(): void {
    this.follower?.pump();
  }

  /** The --verbose line at the end of a run. */
  summaryLine(): string | undefined {
    if (!this.follower) return undefined;
    this.follower.pump(); // exits that arrived since the last batch
    const s = this.follower.summary();
    const waiting = this.pending.length > 0 ? `; ${this.pending.length} trace point${this.pending.length === 1 ? "" : "s"} still waiting for a library` : "";
    return `wraith: sysmon: ${s.started} process${s.started === 1 ? "" : "es"} started later followed, ${s.exited} exited; ${s.biasEntries} load-bias entr${s.biasEntries === 1 ? "y" : "ies"} left; ${s.lost} sysmon events lost${waiting}`;
  }

  close(): void {
    this.sysmon.close();
  }

  /** A module newly mapped in the traced process: attach the trace points that wait for it. */
  private attachPending(m: Module, pid: number, session: Session, status: Status, compile: CompileIn): void {
    if (this.pending.length === 0 || m.elfType === undefined) return;
    const ref: ModuleRef = { name: m.path, readPath: m.openPath, attachPath: m.openPath };
    const found = this.pending.filter((p) => {
      try {
        return resolvePattern(p.pattern, [ref]).length > 0;
      } catch (e) {
        if (e instanceof ResolveError) return false; // not in this module: keep waiting
        throw e;
      }
    });
    if (found.length === 0) return;
    this.pending = this.pending.filter((p) => !found.includes(p));
    for (const p of found) {
      try {
        const n = session.addProbes(compile(new Set([p.traceId]), ref));
        status.say(`wraith: trace ${p.name}: ${n} probe${n === 1 ? "" : "s"} attached in ${m.path} (mapped by pid ${pid})`);
      } catch (e) {
        // One line, and the session goes on: the other trace points still work.
        status.always(`wraith: trace ${p.name}: cannot attach in ${m.path}: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
      }
    }
  }
}

function isLibrary(m: ModuleRef): boolean {
  return elfOf(m).kind() === "shared-library";
}

/** -t alone: follow an executable's new processes always, a library's only when asked. */
function targetRole(opts: RunOptions, target: Target): "target" | undefined {
  const m = target.modules[0];
  if (!m) return undefined;
  return !isLibrary(m) || opts.sysmonSharedLib ? "target" : undefined;
}
