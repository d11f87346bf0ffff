// Typed errors for everything target/ reports to the user. Every message is
// one line that says what went wrong and what to do about it; `code` lets
// callers (cli exit codes, the wizard) branch without parsing text.

export type TargetErrorCode =
  | "no-process" // no /proc/PID at all
  | "exited" // the process existed when we started looking and went away
  | "permission" // EACCES/EPERM on something under /proc
  | "command-not-found" // launch: argv[0] not found on PATH / path missing
  | "not-executable" // launch: found, but no execute permission or not a regular file
  | "is-directory" // launch: argv[0] names a directory
  | "launch-failed" // launch: the stopped child never reached the stop, or died
  | "bad-argument" // caller passed something malformed (empty argv, PID 0…)
  | "pid-namespace" // the process is visible, but its PID views cannot be mapped safely (src/target/pidns.ts)
  | "io"; // any other I/O failure, message carries the errno

export class TargetError extends Error {
  override readonly name = "TargetError";
  constructor(
    readonly code: TargetErrorCode,
    message: string,
    /** The PID concerned, when there is one. */
    readonly pid?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function noProcess(pid: number): TargetError {
  return new TargetError(
    "no-process",
    `no process with PID ${pid}: check the PID (ps -p ${pid}) or start the program first`,
    pid,
  );
}

export function exited(pid: number, what: string): TargetError {
  return new TargetError(
    "exited",
    `process ${pid} exited while reading ${what}: start it again and retry, or use --args to launch it under trace`,
    pid,
  );
}

export function permission(pid: number, path: string): TargetError {
  return new TargetError(
    "permission",
    `permission denied reading ${path}: run wraith as root (sudo) or as the process owner with CAP_SYS_PTRACE`,
    pid,
  );
}

/** errno code of a node:fs error, if any. */
export function errnoOf(e: unknown): string | undefined {
  if (e && typeof e === "object" && "code" in e && typeof (e as { code: unknown }).code === "string") {
    return (e as { code: string }).code;
  }
  return undefined;
}

/**
 * Translate an fs error raised while reading `path` (something under
 * /proc/PID) into a TargetError. ENOENT/ESRCH mean the process is gone: if it
 * was known to exist (`existed`), that is "exited while inspecting",
 * otherwise "no such process".
 */
export function procError(pid: number, path: string, e: unknown, existed: boolean): TargetError {
  if (e instanceof TargetError) return e;
  const code = errnoOf(e);
  if (code === "ENOENT" || code === "ESRCH") return existed ? exited(pid, path) : noProcess(pid);
  if (code === "EACCES" || code === "EPERM") return permission(pid, path);
  const msg = e instanceof Error ? e.message : String(e);
  return new TargetError("io", `cannot read ${path}: ${msg}`, pid, { cause: e });
}

export function checkPid(pid: number): void {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new TargetError("bad-argument", `invalid PID ${String(pid)}: a PID is a positive integer (see ps -e)`);
  }
}
