// errno → typed errors with one-line messages that say what failed and what
// to do about it. No bun:ffi here: these classes are plain data and safe to
// import anywhere (render, cli) without loading a native library.

/** Linux x86-64 errno numbers we name. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM", 2: "ENOENT", 3: "ESRCH", 4: "EINTR", 5: "EIO", 6: "ENXIO", 7: "E2BIG", 8: "ENOEXEC",
  9: "EBADF", 10: "ECHILD", 11: "EAGAIN", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 16: "EBUSY",
  17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 23: "ENFILE",
  24: "EMFILE", 25: "ENOTTY", 26: "ETXTBSY", 27: "EFBIG", 28: "ENOSPC", 30: "EROFS", 34: "ERANGE",
  36: "ENAMETOOLONG", 38: "ENOSYS", 40: "ELOOP", 61: "ENODATA", 75: "EOVERFLOW", 95: "EOPNOTSUPP",
  110: "ETIMEDOUT", 524: "ENOTSUPP",
};

const NAME_TO_ERRNO: Record<string, number> = Object.fromEntries(
  Object.entries(ERRNO_NAMES).map(([n, name]) => [name, Number(n)]),
);

/** The symbolic name of an errno ("EPERM"), or "E<n>" for ones we do not name. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

/** The errno number of a symbolic name ("ENOENT" → 2). */
export function errnoOf(code: string): number | undefined {
  return NAME_TO_ERRNO[code];
}

const PLAIN: Readonly<Record<string, string>> = {
  EPERM: "permission denied", ENOENT: "no such file or directory", ESRCH: "no such process",
  EINTR: "interrupted", EIO: "I/O error", E2BIG: "argument too big", EBADF: "bad file descriptor",
  EAGAIN: "resource temporarily unavailable", ENOMEM: "out of memory", EACCES: "permission denied",
  EFAULT: "bad address", EBUSY: "device or resource busy", EEXIST: "already exists", ENODEV: "no such device",
  EINVAL: "invalid argument", ENFILE: "too many open files in system", EMFILE: "too many open files",
  ENOSPC: "no space left", ENOSYS: "function not implemented", EOPNOTSUPP: "operation not supported",
  ENOTSUPP: "operation not supported", ENOTDIR: "not a directory", ELOOP: "too many symbolic links",
  ENAMETOOLONG: "file name too long", ERANGE: "result out of range",
};

/** A short human phrase for an errno ("permission denied"). */
export function errnoText(errno: number): string {
  return PLAIN[errnoName(errno)] ?? `error ${errno}`;
}

/** What kind of kernel interface failed; picks the advice in messages. */
export type ErrorDomain = "bpf" | "perf" | "libc" | "library";

/** Advice by (domain, code); "*" matches any domain. */
const ADVICE: Readonly<Record<string, string>> = {
  "bpf:EPERM": "run as root or grant CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN on kernels before 5.8)",
  "bpf:EACCES": "run as root or grant CAP_BPF and CAP_PERFMON; check kernel.unprivileged_bpf_disabled",
  "bpf:ENOSYS": "this kernel has no bpf() syscall: it needs CONFIG_BPF_SYSCALL=y",
  "bpf:E2BIG": "the request is larger than this kernel accepts: use smaller sizes",
  "bpf:ENOMEM": "the kernel could not allocate it: use a smaller size or raise RLIMIT_MEMLOCK (ulimit -l, kernels before 5.11)",
  "bpf:EINVAL": "the kernel rejected the arguments: check sizes, flags and that this kernel supports the type",
  "bpf:EBADF": "the file descriptor is not an open BPF object",
  "bpf:EMFILE": "too many open files: raise the limit (ulimit -n)",
  "perf:EPERM": "run as root or grant CAP_PERFMON (CAP_SYS_ADMIN before 5.8); check kernel.perf_event_paranoid",
  "perf:EACCES": "run as root or grant CAP_PERFMON (CAP_SYS_ADMIN before 5.8); check kernel.perf_event_paranoid",
  "perf:ENOENT": "the file does not exist (or the uprobe PMU is missing: the kernel needs CONFIG_UPROBE_EVENTS=y)",
  "perf:ESRCH": "the process is gone: check the pid",
  "perf:EINVAL": "the kernel rejected the probe: check that the offset is inside an executable segment and on an instruction boundary",
  "perf:ENOTSUPP": "this kernel cannot probe at that offset (not a probe-able instruction?)",
  "perf:EOPNOTSUPP": "this kernel does not support it",
  "perf:EMFILE": "too many open files: raise the limit (ulimit -n)",
  "perf:EEXIST": "a conflicting probe already exists at that place",
  "perf:EBUSY": "a conflicting probe already exists at that place",
  "*:ENOMEM": "out of memory",
  "*:EMFILE": "too many open files: raise the limit (ulimit -n)",
  "*:EPERM": "run as root",
  "*:EACCES": "run as root",
};

export function adviceFor(domain: ErrorDomain, code: string): string | undefined {
  return ADVICE[`${domain}:${code}`] ?? ADVICE[`*:${code}`];
}

/** An error from a native call: carries errno and its symbolic code. */
export class FfiError extends Error {
  override name = "FfiError";
  readonly errno: number;
  readonly code: string;
  /** What was being done, e.g. "creating BPF map 'events'". */
  readonly operation: string;
  readonly domain: ErrorDomain;

  constructor(
    operation: string,
    errno: number,
    opts: { domain?: ErrorDomain; advice?: string; detail?: string; message?: string } = {},
  ) {
    const code = errnoName(errno);
    const domain = opts.domain ?? "libc";
    const advice = opts.advice ?? adviceFor(domain, code);
    const what = `${errnoText(errno)} ${operation}`;
    super(`${opts.message ?? `${what}${opts.detail ? ` (${opts.detail})` : ""}${advice ? `: ${advice}` : ""}`} [${code}]`);
    this.errno = errno;
    this.code = code;
    this.operation = operation;
    this.domain = domain;
  }
}

/** A bpf() syscall (map, program, link) failed. */
export class BpfError extends FfiError {
  override name = "BpfError";
  constructor(operation: string, errno: number, opts: { advice?: string; detail?: string; message?: string } = {}) {
    super(operation, errno, { ...opts, domain: "bpf" });
  }
}

/** perf_event_open or a perf ioctl failed (uprobe attach). */
export class PerfError extends FfiError {
  override name = "PerfError";
  constructor(operation: string, errno: number, opts: { advice?: string; detail?: string } = {}) {
    super(operation, errno, { ...opts, domain: "perf" });
  }
}

/** Neither the system libbpf nor the embedded copy could be loaded. */
export class LibraryError extends Error {
  override name = "LibraryError";
  readonly code = "ELIBBPF";
  readonly errno = 0;
  constructor(message: string) {
    super(message);
  }
}

/** The verifier rejected a program. `log` is the full level-1 verifier log. */
export class VerifierError extends BpfError {
  override name = "VerifierError";
  readonly log: string;
  readonly program: string;

  constructor(program: string, errno: number, log: string) {
    const lines = summarizeVerifierLog(log);
    const insn = lines.filter((l) => INSN_LINE.test(l)).pop();
    const error = lines.filter((l) => !INSN_LINE.test(l)).join("; ") || "see the verifier log";
    super(`loading BPF program '${program}'`, errno, {
      message: `the BPF verifier rejected program '${program}': ${error}${insn ? ` (last instruction ${insn})` : ""}`,
    });
    this.log = log;
    this.program = program;
  }

  /** The lines that matter: the last instruction(s) processed and the error line(s). */
  summary(): string[] {
    return summarizeVerifierLog(this.log);
  }
}

// A verifier instruction line: "12: (79) r1 = *(u64 *)(r10 -8)" (optionally
// followed by register state after "; "). State-only lines: "12: R1=ctx() R10=fp0".
const INSN_LINE = /^\d+: \([0-9a-f]{2}\)/;
const STATE_LINE = /^\d+: (R\d|frame\d)/;
const NOISE = [
  /^processed \d+ insns/,
  /^verification time/,
  /^stack depth/,
  /^func#\d+ @\d+/,
  /^from \d+ to \d+:/,
  /^last_idx /,
  /^regs=/,
  /^parent /,
  /^mark_precise/,
  /^Validating /,
];

/**
 * Pick the lines of a verifier log that explain a rejection: up to two last
 * instructions processed, then the error line(s) that follow them. Logs
 * without instruction lines (CFG errors such as "unreachable insn 1" or
 * "back-edge") yield just their message lines.
 */
export function summarizeVerifierLog(log: string): string[] {
  const lines = log.split("\n").map((l) => l.trimEnd()).filter((l) => l.length > 0);
  // Drop trailing statistics.
  while (lines.length && NOISE.some((re) => re.test(lines[lines.length - 1]!))) lines.pop();
  // Walk back over the error lines (anything not an instruction or state).
  const errors: string[] = [];
  let i = lines.length - 1;
  for (; i >= 0; i--) {
    const l = lines[i]!;
    if (INSN_LINE.test(l)) break;
    if (STATE_LINE.test(l) || l.startsWith("; ") || NOISE.some((re) => re.test(l))) continue;
    errors.unshift(l);
    if (errors.length >= 6) break;
  }
  // The instruction(s) just before the error.
  const insns: string[] = [];
  for (; i >= 0 && insns.length < 2; i--) {
    const l = lines[i]!;
    if (INSN_LINE.test(l)) insns.unshift(stripState(l));
    else if (insns.length) break; // only the contiguous tail of instructions
  }
  return [...insns, ...errors];
}

function stripState(line: string): string {
  // "7: (85) call bpf_map_lookup_elem#1      ; R0_w=map_value_or_null(...)" → the instruction
  const k = line.indexOf("\t; ");
  const j = k >= 0 ? k : line.search(/\s{2,}; /);
  return (j > 0 ? line.slice(0, j) : line).trimEnd();
}
