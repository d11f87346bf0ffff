// Every user-facing failure ends as one line on stderr and a documented exit
// code. Folders throw their own error classes; this file maps them to codes.

export const ExitCode = {
  OK: 0,
  /** A failure not covered below (also: an internal bug, with --verbose for the stack). */
  FAILURE: 1,
  /** Bad flags, bad script (syntax or check). */
  USAGE: 2,
  /** The target: PID, binary, function, command to launch. */
  TARGET: 3,
  /** The kernel refused: map/program creation, verifier, attach. */
  KERNEL: 4,
  /** Not enough privileges for BPF and perf events. */
  PERMISSION: 5,
  /** The wizard was cancelled (Ctrl-C or Esc in a prompt), as a shell reports Ctrl-C. */
  CANCELLED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * What each exit code means, for --help and the man page's EXIT STATUS. Typed
 * over ExitCode's keys, so a new code without a description does not compile.
 */
export const EXIT_CODE_HELP: Record<keyof typeof ExitCode, string> = {
  OK: "success: the session ended by --count, --duration, Ctrl-C/SIGTERM, the end of the traced command, or | head closing the pipe",
  FAILURE: "a failure not covered below (an internal error says so; --verbose shows its stack)",
  USAGE: "usage: unknown or bad option, or a script error (file:line:col with a caret)",
  TARGET: "the target is not usable: no such process or file, not ELF, no debug info, no such function or line",
  KERNEL: "the kernel refused: map or program creation, the verifier (its log follows), attaching a probe",
  PERMISSION: "not enough privileges: run as root, or with CAP_BPF and CAP_PERFMON",
  CANCELLED: "the wizard was cancelled (Ctrl-C or Esc at a prompt); nothing was traced",
};

/** An error whose message is already the one line the user should read. */
export class WraithError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.FAILURE,
    /** Extra lines printed after the message (a diagnostic's source line and caret, verifier lines). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "WraithError";
  }
}

/** Exit codes for the error classes other folders throw, by class name, so cli depends on none of them. */
const CODE_BY_CLASS: Record<string, ExitCodeValue> = {
  ElfError: ExitCode.TARGET,
  DwarfError: ExitCode.TARGET,
  TargetError: ExitCode.TARGET,
  ResolveError: ExitCode.TARGET,
  VerifierError: ExitCode.KERNEL,
  BpfError: ExitCode.KERNEL,
  FfiError: ExitCode.KERNEL,
  PerfError: ExitCode.KERNEL,
  LibraryError: ExitCode.KERNEL,
  CodegenError: ExitCode.USAGE,
  AsmError: ExitCode.FAILURE,
};

export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof WraithError) return err.exitCode;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (code === "EPERM" || code === "EACCES") return ExitCode.PERMISSION;
    return CODE_BY_CLASS[err.constructor.name] ?? ExitCode.FAILURE;
  }
  return ExitCode.FAILURE;
}

/** --verbose or -v among wraith's own arguments (not a launched command's, after -- or --args), or WRAITH_DEBUG=1. */
export function isDebug(argv: string[] = process.argv): boolean {
  const end = argv.findIndex((a) => a === "--" || a === "--args");
  const own = end < 0 ? argv : argv.slice(0, end);
  return own.includes("--verbose") || own.includes("-v") || process.env.WRAITH_DEBUG === "1";
}

/** Format any thrown value for stderr: one line (plus the error's own detail lines), a stack only in debug mode. */
export function formatError(err: unknown, debug: boolean): string {
  const lines: string[] = [];
  if (err instanceof Error) {
    const known = err instanceof WraithError || err.constructor.name in CODE_BY_CLASS;
    const first = (err.message.split("\n")[0] ?? "").trim();
    lines.push(`wraith: error: ${known ? first : `internal error: ${first} (run with --verbose and report this)`}`);
    const details = (err as { details?: unknown }).details;
    if (Array.isArray(details)) for (const d of details) lines.push(String(d));
    else if (known && err.message.includes("\n")) lines.push(...err.message.split("\n").slice(1));
    if (debug && err.stack) lines.push(err.stack);
  } else {
    lines.push(`wraith: error: ${String(err)}`);
  }
  return lines.join("\n");
}
