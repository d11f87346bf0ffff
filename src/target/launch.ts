// Launching a command under trace (--args cmd …).
//
// The child must exist, with its final PID, before the command executes a
// single instruction, so that probes filtered by that PID are in place first.
// Without ptrace or ffi we get that from the shell: the child is
//
//     /bin/sh -c 'kill -STOP $$ && exec "$0" "$@"' /abs/path/to/cmd args…
//
// The shell stops itself (SIGSTOP cannot be caught or ignored), we wait until
// /proc/PID/stat says "T", the caller attaches, resume() sends SIGCONT, and
// the shell exec()s the command in the same process: same PID, and the
// command's first instruction runs only after resume(). The command sees
// argv[0] = the resolved absolute path (as under gdb's `run`).
//
// Signals: while the child is stopped it would stay stopped forever if wraith
// died, so until resume() we SIGKILL it on process exit and on
// SIGINT/SIGTERM/SIGHUP (then re-raise the signal if nobody else handles
// it). The child stays in our process group, so after resume a terminal
// Ctrl-C reaches it exactly as it would reach a command run from the shell.
import { accessSync, constants, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { TargetError } from "./errors.ts";
import { readStat } from "./proc.ts";

export interface ResolveOptions {
  /** PATH to search; default process.env.PATH (or /usr/local/bin:/usr/bin:/bin) */
  path?: string;
  /** directory relative names are resolved against; default process.cwd() */
  cwd?: string;
}

function checkExecutable(cmd: string, candidate: string): "ok" | "missing" | TargetError {
  let st;
  try {
    st = statSync(candidate);
  } catch {
    return "missing";
  }
  if (st.isDirectory()) {
    return new TargetError("is-directory", `${cmd}: ${candidate} is a directory, not a program: give the path of an executable`);
  }
  if (!st.isFile()) {
    return new TargetError("not-executable", `${cmd}: ${candidate} is not a regular file: give the path of an executable`);
  }
  try {
    accessSync(candidate, constants.X_OK);
  } catch {
    return new TargetError(
      "not-executable",
      `${cmd}: ${candidate} is not executable: chmod +x ${candidate} (and check the file system is not mounted noexec)`,
    );
  }
  return "ok";
}

/**
 * Resolve a command name the way a shell does: a name containing "/" is a
 * path (relative to cwd); otherwise the first executable regular file in
 * PATH (an empty PATH entry means cwd). Returns an absolute path or throws
 * TargetError command-not-found / not-executable / is-directory.
 */
export function resolveCommand(cmd: string, opts: ResolveOptions = {}): string {
  const cwd = opts.cwd ?? process.cwd();
  if (cmd === "") throw new TargetError("bad-argument", "empty command name: give the program to launch after --args");
  if (cmd.includes("/")) {
    const p = isAbsolute(cmd) ? cmd : resolve(cwd, cmd);
    const r = checkExecutable(cmd, p);
    if (r === "ok") return p;
    if (r === "missing") throw new TargetError("command-not-found", `${cmd}: no such file: check the path (ls -l ${cmd})`);
    throw r;
  }
  const PATH = opts.path ?? process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin";
  let firstProblem: TargetError | undefined;
  for (const dir of PATH.split(delimiter)) {
    const p = resolve(cwd, join(dir === "" ? "." : dir, cmd));
    const r = checkExecutable(cmd, p);
    if (r === "ok") return p;
    if (r !== "missing") firstProblem ??= r;
  }
  if (firstProblem) throw firstProblem;
  throw new TargetError(
    "command-not-found",
    `${cmd}: command not found in PATH: check the spelling, or give a path such as ./${cmd}`,
  );
}

export type Stdio = "inherit" | "pipe" | "ignore";

export interface LaunchOptions {
  stdin?: Stdio;
  stdout?: Stdio;
  stderr?: Stdio;
  /** environment of the command; default process.env */
  env?: Record<string, string | undefined>;
  /** working directory; default process.cwd() (also used to resolve argv[0]) */
  cwd?: string;
  /** how long to wait for the child to stop, default 5000 ms */
  timeoutMs?: number;
}

export interface ExitStatus {
  /** exit code when it exited normally, else null */
  code: number | null;
  /** signal name ("SIGSEGV") when a signal killed it, else null */
  signal: string | null;
}

export interface Launched {
  /** PID of the child; the same before and after exec */
  pid: number;
  /** absolute path of the program that will be exec'd (argv[0] resolved) */
  path: string;
  /** let the command run (SIGCONT); idempotent, harmless after exit */
  resume(): void;
  /** settles when the child has exited and been reaped */
  exited: Promise<ExitStatus>;
  /** send `signal` (default SIGKILL); also continues a stopped child so the signal is delivered */
  kill(signal?: NodeJS.Signals): void;
  /** piped streams when requested in LaunchOptions, else undefined */
  stdin?: import("bun").FileSink;
  stdout?: ReadableStream<Uint8Array>;
  stderr?: ReadableStream<Uint8Array>;
}

/** Shell-like rendering of an exit status: "exit code 3", "killed by SIGSEGV". */
export function describeExit(s: ExitStatus): string {
  if (s.signal) return `killed by ${s.signal}`;
  return `exit code ${s.code ?? "?"}`;
}

/** Shell-style numeric status: the code, or 128 + signal number. */
export function shellStatus(s: ExitStatus): number {
  if (s.code !== null) return s.code;
  const n = s.signal ? (osConstants.signals as Record<string, number>)[s.signal] : undefined;
  return 128 + (n ?? 0);
}

const STOP_SCRIPT = 'kill -STOP $$ && exec "$0" "$@"';
const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Create the command's process, stopped before the command's first
 * instruction. Returns once /proc/PID/stat shows it stopped ("T").
 * Throws TargetError (command-not-found, not-executable, is-directory,
 * launch-failed) — nothing is left running on failure.
 */
export async function launchStopped(argv: string[], opts: LaunchOptions = {}): Promise<Launched> {
  if (argv.length === 0) throw new TargetError("bad-argument", "nothing to launch: give a command after --args");
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const path = resolveCommand(argv[0]!, { cwd, path: env.PATH });

  const proc = Bun.spawn(["/bin/sh", "-c", STOP_SCRIPT, path, ...argv.slice(1)], {
    cwd,
    env,
    stdin: opts.stdin ?? "inherit",
    stdout: opts.stdout ?? "inherit",
    stderr: opts.stderr ?? "inherit",
  });
  const pid = proc.pid;
  let resumed = false;
  let reaped = false;
  let armed = true;

  const exitedP: Promise<ExitStatus> = proc.exited.then(() => {
    reaped = true;
    disarm();
    const sig = proc.signalCode;
    return { code: sig ? null : proc.exitCode, signal: sig ? String(sig) : null };
  });

  // --- keep a stopped child from outliving us
  const onExit = () => {
    if (!resumed && !reaped) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  const onSignal = (sig: NodeJS.Signals) => {
    onExit();
    disarm();
    // If we were the only listener, behave as if we had not been there:
    // the default action (terminate) applies again.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
  const handlers = FORWARDED.map((sig) => [sig, () => onSignal(sig)] as const);
  function disarm() {
    if (!armed) return;
    armed = false;
    process.off("exit", onExit);
    for (const [sig, h] of handlers) process.off(sig, h);
  }
  process.on("exit", onExit);
  for (const [sig, h] of handlers) process.on(sig, h);

  const kill = (signal: NodeJS.Signals = "SIGKILL") => {
    if (reaped) return;
    try {
      process.kill(pid, signal);
      if (signal !== "SIGKILL" && signal !== "SIGCONT") process.kill(pid, "SIGCONT");
    } catch {
      // exited meanwhile
    }
  };

  // --- wait for the stop
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  for (;;) {
    if (reaped || proc.exitCode !== null || proc.signalCode !== null) {
      const s = await exitedP;
      throw new TargetError(
        "launch-failed",
        `could not start ${argv[0]}: the launcher shell ended (${describeExit(s)}) before stopping: check /bin/sh works`,
        pid,
      );
    }
    const st = readStat(pid);
    if (st && st.state === "T") break;
    if (st && st.state === "Z") {
      await exitedP;
      continue;
    }
    if (Date.now() > deadline) {
      kill("SIGKILL");
      await exitedP;
      throw new TargetError(
        "launch-failed",
        `could not start ${argv[0]}: the child did not stop within ${opts.timeoutMs ?? 5000} ms: retry, or raise the timeout on a loaded machine`,
        pid,
      );
    }
    await Bun.sleep(2);
  }

  const launched: Launched = {
    pid,
    path,
    resume() {
      if (resumed) return;
      resumed = true;
      disarm();
      if (!reaped) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {
          // exited meanwhile
        }
      }
    },
    exited: exitedP,
    kill,
  };
  if (opts.stdin === "pipe") launched.stdin = proc.stdin as import("bun").FileSink;
  if (opts.stdout === "pipe") launched.stdout = proc.stdout as ReadableStream<Uint8Array>;
  if (opts.stderr === "pipe") launched.stderr = proc.stderr as ReadableStream<Uint8Array>;
  return launched;
}
