// Command-line parsing. GhostScope's flags are our compatibility contract
// (-p, -t, -s, --script-file, --script-output, --args, positional launch), so
// the main form parses exactly those; subcommands add their own flags.
import { ExitCode, WraithError } from "./errors.ts";
import { closeMatches } from "../elf/index.ts";

export type OutputMode = "pretty" | "plain" | "jsonl";

export interface RunOptions {
  scriptText?: string;
  scriptFile?: string;
  pid?: number;
  target?: string;
  /** argv of a command to launch under trace (--args, `--`, or positional). */
  launch?: string[];
  output: OutputMode;
  timestamp: "local" | "boot" | "none";
  status: boolean;
  count?: number;
  durationMs?: number;
  dryRun: boolean;
  dryRunDetails: boolean;
  debugFile?: string;
  verbose: boolean;
  memDumpCap: number;
  /** -t LIB: also follow processes that map the library after wraith started (sysmon; GhostScope's flag of that name). */
  sysmonSharedLib?: boolean;
  /**
   * -p / launched command: a trace point found in no module loaded now waits for
   * a library that defines it (dlopen) instead of failing (gdb's `set breakpoint pending on`).
   */
  pending?: boolean;
}

export type Command =
  | { kind: "help"; topic?: string }
  | { kind: "version" }
  | { kind: "script-help" }
  | { kind: "run"; opts: RunOptions }
  | { kind: "trace"; opts: RunOptions; funcs: string[]; prints: string[]; cond?: string }
  | { kind: "demo"; opts: RunOptions }
  | { kind: "doctor"; opts: RunOptions }
  | { kind: "wizard" }
  | { kind: "info"; opts: RunOptions; what: InfoWhat; arg?: string };

/** `wraith info WHAT [ARG] -t BIN`: questions answered from debug info alone. */
export const INFO_TOPICS = ["functions", "line", "scope", "type", "cfa"] as const;
export type InfoWhat = (typeof INFO_TOPICS)[number];

export const SUBCOMMANDS = ["trace", "info", "demo", "doctor", "wizard", "help"] as const;

interface FlagSpec {
  names: string[];
  /** Takes a value (the next argument, or after '='). */
  value: boolean;
  apply: (o: RunOptions, v: string, extra: Extra) => void;
  /** Only for these subcommands (undefined: the main form and all subcommands). */
  only?: Command["kind"][];
}
interface Extra {
  funcs: string[];
  prints: string[];
  cond?: string;
  help: boolean;
  version: boolean;
  scriptHelp: boolean;
}

function usage(msg: string): WraithError {
  return new WraithError(`${msg} (see wraith --help)`, ExitCode.USAGE);
}

function int(name: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const s = v.replace(/_/g, "");
  if (!/^[0-9]+$/.test(s)) throw usage(`${name} takes a whole number, not '${v}'`);
  const n = Number(s);
  if (n < min || n > max) throw usage(`${name} must be between ${min} and ${max}, not ${v}`);
  return n;
}

/** "10s", "500ms", "2m", "1h", or a bare number of seconds. */
export function parseDuration(v: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw usage(`--duration takes a time such as 10s, 500ms or 2m, not '${v}'`);
  const n = Number(m[1]);
  const unit = m[2] ?? "s";
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

function oneOf<T extends string>(name: string, v: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw usage(`${name} takes one of ${allowed.join(", ")}, not '${v}'`);
}

const FLAGS: FlagSpec[] = [
  { names: ["-p", "--pid"], value: true, apply: (o, v) => (o.pid = int("--pid", v, 1, 4_194_304)) },
  { names: ["-t", "--target"], value: true, apply: (o, v) => (o.target = v) },
  { names: ["-s", "--script"], value: true, apply: (o, v) => (o.scriptText = v) },
  { names: ["--script-file"], value: true, apply: (o, v) => (o.scriptFile = v) },
  {
    names: ["--script-output"],
    value: true,
    apply: (o, v) => (o.output = v === "json" ? "jsonl" : oneOf("--script-output", v, ["pretty", "plain", "jsonl"] as const)),
  },
  { names: ["--json"], value: false, apply: (o) => (o.output = "jsonl") },
  { names: ["--script-timestamp"], value: true, apply: (o, v) => (o.timestamp = oneOf("--script-timestamp", v, ["local", "boot", "none"] as const)) },
  { names: ["--status"], value: false, apply: (o) => (o.status = true) },
  { names: ["--no-status"], value: false, apply: (o) => (o.status = false) },
  { names: ["--count", "-c"], value: true, apply: (o, v) => (o.count = int("--count", v, 1)) },
  { names: ["--duration"], value: true, apply: (o, v) => (o.durationMs = parseDuration(v)) },
  { names: ["--dry-run"], value: false, apply: (o) => (o.dryRun = true) },
  { names: ["--dry-run-details", "--details"], value: false, apply: (o) => ((o.dryRun = true), (o.dryRunDetails = true)) },
  { names: ["-d", "--debug-file"], value: true, apply: (o, v) => (o.debugFile = v) },
  { names: ["--limit"], value: true, apply: (o, v) => (o.count = int("--limit", v, 1)), only: ["info"] },
  { names: ["--mem-dump-cap"], value: true, apply: (o, v) => (o.memDumpCap = int("--mem-dump-cap", v, 1, 65536)) },
  { names: ["--enable-sysmon-shared-lib"], value: false, apply: (o) => (o.sysmonSharedLib = true) },
  { names: ["--pending"], value: false, apply: (o) => (o.pending = true), only: ["run", "trace"] },
  { names: ["--verbose", "-v"], value: false, apply: (o) => (o.verbose = true) },
  { names: ["--func", "-f"], value: true, apply: (_o, v, x) => x.funcs.push(v), only: ["trace"] },
  { names: ["--print"], value: true, apply: (_o, v, x) => x.prints.push(v), only: ["trace"] },
  { names: ["--if"], value: true, apply: (_o, v, x) => (x.cond = v), only: ["trace"] },
  { names: ["-h", "--help"], value: false, apply: (_o, _v, x) => (x.help = true) },
  { names: ["-V", "--version"], value: false, apply: (_o, _v, x) => (x.version = true) },
  { names: ["--script-help"], value: false, apply: (_o, _v, x) => (x.scriptHelp = true) },
];

export function defaultOptions(): RunOptions {
  return { output: "pretty", timestamp: "local", status: true, dryRun: false, dryRunDetails: false, verbose: false, memDumpCap: 256 };
}

export function parseArgs(argv: string[]): Command {
  let args = argv;
  let kind: Command["kind"] = "run";
  const first = args[0];
  if (first !== undefined && (SUBCOMMANDS as readonly string[]).includes(first)) {
    if (first === "help") return { kind: "help", topic: args[1] };
    kind = first as Command["kind"];
    args = args.slice(1);
  }
  const opts = defaultOptions();
  const extra: Extra = { funcs: [], prints: [], help: false, version: false, scriptHelp: false };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--args" || a === "--") {
      const rest = args.slice(i + 1);
      if (rest.length === 0) throw usage(`${a} must be followed by the command to run`);
      opts.launch = rest;
      break;
    }
    if (kind === "info" && !a.startsWith("-") && positional.length < 2) {
      positional.push(a);
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      // GhostScope form: `wraith [options] /path/to/program args…` launches it;
      // everything from the program on belongs to the program.
      if (kind === "run") {
        opts.launch = args.slice(i);
        break;
      }
      throw usage(`unexpected argument '${a}' for 'wraith ${kind}'`);
    }
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const name = eq > 0 ? a.slice(0, eq) : a;
    const spec = FLAGS.find((f) => f.names.includes(name));
    if (!spec || (spec.only && !spec.only.includes(kind))) {
      const known = FLAGS.filter((f) => !f.only || f.only.includes(kind)).flatMap((f) => f.names);
      const near = closeMatches(name, known, 2);
      throw usage(`unknown option '${name}'${near.length ? `; did you mean ${near.join(" or ")}?` : ""}`);
    }
    let value = "";
    if (spec.value) {
      if (eq > 0) value = a.slice(eq + 1);
      else {
        const next = args[++i];
        if (next === undefined) throw usage(`${name} needs a value`);
        value = next;
      }
    } else if (eq > 0) throw usage(`${name} takes no value`);
    spec.apply(opts, value, extra);
  }
  if (extra.help) return { kind: "help", topic: kind === "run" ? undefined : kind };
  if (extra.version) return { kind: "version" };
  if (extra.scriptHelp) return { kind: "script-help" };
  if (opts.scriptText !== undefined && opts.scriptFile !== undefined) throw usage("give either -s/--script or --script-file, not both");
  if (opts.launch && opts.pid !== undefined) throw usage("-p/--pid attaches to a running process; it cannot be combined with a command to launch");
  // With -t the trace points are looked up in that file, which is probed whether or not it is loaded yet: nothing could wait.
  if (opts.pending && opts.target !== undefined)
    throw usage("--pending lets trace points wait for a library the process loads later; with -t they are looked up in that file only (drop --pending, or give the library itself with -t)");
  switch (kind) {
    case "trace":
      if (extra.funcs.length === 0) throw usage("wraith trace needs --func NAME");
      if (opts.scriptText !== undefined || opts.scriptFile !== undefined) throw usage("wraith trace builds its own script; use -s/--script-file without 'trace'");
      if (opts.pid === undefined && opts.target === undefined && !opts.launch) throw usage("wraith trace needs a target: --pid PID, --target PATH, or -- command args");
      return { kind, opts, funcs: extra.funcs, prints: extra.prints, cond: extra.cond };
    case "demo":
    case "doctor":
      return { kind, opts };
    case "wizard":
      return { kind };
    case "info": {
      const [what, arg] = positional;
      if (what === undefined) throw usage(`wraith info needs a question: ${INFO_TOPICS.join(", ")}`);
      if (!(INFO_TOPICS as readonly string[]).includes(what)) {
        const near = closeMatches(what, INFO_TOPICS, 1);
        throw usage(`unknown info question '${what}'${near.length ? `; did you mean ${near[0]}?` : ""}; one of ${INFO_TOPICS.join(", ")}`);
      }
      if (arg === undefined && what !== "functions") throw usage(`wraith info ${what} needs an argument (see wraith help info)`);
      if (opts.target === undefined && opts.pid === undefined) throw usage(`wraith info needs the binary: -t PATH (or -p PID for its executable)`);
      return { kind, opts, what: what as InfoWhat, arg };
    }
    default:
      break;
  }
  if (opts.scriptText === undefined && opts.scriptFile === undefined) {
    if (argv.length === 0) return { kind: "help" };
    throw usage("no script: give one with -s 'trace main { print \"hi\"; }' or --script-file FILE");
  }
  if (opts.pid === undefined && opts.target === undefined && !opts.launch)
    throw usage("no target: give -p PID, -t PATH, or a command to launch (--args ./prog args)");
  return { kind: "run", opts };
}
