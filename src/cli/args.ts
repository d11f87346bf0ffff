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
  | { kind: "man" }
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

/**
 * Which options a command takes, by group: the parser accepts a flag for a
 * command only when its group is listed here, and the help and the man page
 * show the same groups, so what parses and what is documented cannot drift.
 */
export type FlagGroup = "target" | "script" | "output" | "session" | "debuginfo" | "diagnostics" | "oneshot" | "info" | "meta";

export const COMMAND_FLAG_GROUPS: Record<Exclude<Command["kind"], "help" | "version" | "script-help" | "man">, FlagGroup[]> = {
  run: ["target", "script", "output", "session", "debuginfo", "diagnostics", "meta"],
  trace: ["oneshot", "target", "output", "session", "debuginfo", "diagnostics", "meta"],
  info: ["info", "debuginfo", "diagnostics", "meta"],
  demo: ["output", "diagnostics", "meta"],
  doctor: ["diagnostics", "meta"],
  // The wizard asks for everything; its session is built from its answers.
  wizard: ["meta"],
};

export interface FlagSpec {
  names: string[];
  /** Takes a value (the next argument, or after '='); its name in help, e.g. PID. */
  value?: string;
  group: FlagGroup;
  /** One line (or two) for --help and the man page: what it does, not how it is parsed. */
  help: string;
  apply: (o: RunOptions, v: string, extra: Extra) => void;
  /** Only for these commands within its group (e.g. -t/-p for info, which takes no launch). */
  only?: Command["kind"][];
}

/**
 * `--args CMD ARGS…` and `-- CMD ARGS…`: everything after it is the command
 * to launch. Not a FlagSpec (it ends option parsing), but documented from here too.
 */
export const LAUNCH_FLAG = {
  names: ["--args", "--"],
  value: "CMD ARGS…",
  group: "target" as FlagGroup,
  help: "launch CMD under trace; probes are in place before its first instruction and wraith exits when it exits (also: CMD after the options)",
  only: ["run", "trace"] as Command["kind"][],
};

export interface Extra {
  funcs: string[];
  prints: string[];
  cond?: string;
  help: boolean;
  version: boolean;
  scriptHelp: boolean;
  man: boolean;
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

export const FLAGS: FlagSpec[] = [
  // target
  { names: ["-p", "--pid"], value: "PID", group: "target", help: "only this running process (with -t: resolve names in PATH, report only PID)", apply: (o, v) => (o.pid = int("--pid", v, 1, 4_194_304)) },
  {
    names: ["-t", "--target"],
    value: "PATH",
    group: "target",
    help: "every process that runs this binary or library, now and later; a library not loaded yet is probed from its file",
    apply: (o, v) => (o.target = v),
  },
  {
    names: ["--pending"],
    group: "target",
    help: "with -p or a command: a trace point found in no module loaded now waits for a library that defines it (dlopen) instead of failing",
    apply: (o) => (o.pending = true),
    only: ["run", "trace"],
  },
  {
    names: ["--enable-sysmon-shared-lib"],
    group: "target",
    help: "with -t LIB.so: also follow processes that map it later (sysmon watches exec, fork, exit and mmap)",
    apply: (o) => (o.sysmonSharedLib = true),
    only: ["run", "trace"],
  },
  // script
  { names: ["-s", "--script"], value: "TEXT", group: "script", help: "the script, inline (wraith --script-help for the language)", apply: (o, v) => (o.scriptText = v) },
  { names: ["--script-file"], value: "FILE", group: "script", help: "the script, from a file", apply: (o, v) => (o.scriptFile = v) },
  // output
  {
    names: ["--script-output"],
    value: "MODE",
    group: "output",
    help: "pretty (default: header and values, colour on a terminal), plain (payload only), jsonl (one JSON object per event; json is the same)",
    apply: (o, v) => (o.output = v === "json" ? "jsonl" : oneOf("--script-output", v, ["pretty", "plain", "jsonl"] as const)),
  },
  { names: ["--json"], group: "output", help: "same as --script-output jsonl", apply: (o) => (o.output = "jsonl") },
  {
    names: ["--script-timestamp"],
    value: "WHEN",
    group: "output",
    help: "timestamps in pretty output: local (default, wall clock), boot (since boot), none",
    apply: (o, v) => (o.timestamp = oneOf("--script-timestamp", v, ["local", "boot", "none"] as const)),
  },
  { names: ["--status"], group: "output", help: "progress and status lines on stderr (the default)", apply: (o) => (o.status = true) },
  { names: ["--no-status"], group: "output", help: "no progress or status lines on stderr (warnings and the summary still print)", apply: (o) => (o.status = false) },
  { names: ["--count", "-c"], value: "N", group: "output", help: "stop after N events", apply: (o, v) => (o.count = int("--count", v, 1)) },
  { names: ["--duration"], value: "TIME", group: "output", help: "stop after TIME: 10s, 500ms, 2m, 1h (a bare number is seconds)", apply: (o, v) => (o.durationMs = parseDuration(v)) },
  // session
  { names: ["--dry-run"], group: "session", help: "compile, resolve and load every probe into the verifier; attach nothing", apply: (o) => (o.dryRun = true) },
  {
    names: ["--dry-run-details", "--details"],
    group: "session",
    help: "a dry run that also shows each probe site and each value's type and location there",
    apply: (o) => ((o.dryRun = true), (o.dryRunDetails = true)),
  },
  { names: ["--mem-dump-cap"], value: "BYTES", group: "session", help: "bound on each memory read of a value or {:x.N} dump (default 256, at most 65536)", apply: (o, v) => (o.memDumpCap = int("--mem-dump-cap", v, 1, 65536)) },
  // debuginfo
  { names: ["-d", "--debug-file"], value: "FILE", group: "debuginfo", help: "separate debug info for the target (objcopy --only-keep-debug), when no build-id or debuglink finds it", apply: (o, v) => (o.debugFile = v) },
  // diagnostics
  { names: ["--verbose", "-v"], group: "diagnostics", help: "more status lines; stack traces and internals on errors (also WRAITH_DEBUG=1)", apply: (o) => (o.verbose = true) },
  // oneshot
  { names: ["--func", "-f"], value: "NAME", group: "oneshot", help: "trace this function (or FILE:LINE, 0xADDR); repeat for more", apply: (_o, v, x) => x.funcs.push(v) },
  { names: ["--print"], value: "EXPR", group: "oneshot", help: "print this expression at each hit as EXPR=value; repeat for more", apply: (_o, v, x) => x.prints.push(v) },
  { names: ["--if"], value: "COND", group: "oneshot", help: "print only the hits where COND is true (script syntax)", apply: (_o, v, x) => (x.cond = v) },
  // info
  { names: ["--limit"], value: "N", group: "info", help: "list at most N functions (info functions)", apply: (o, v) => (o.count = int("--limit", v, 1)) },
  { names: ["-t", "--target"], value: "PATH", group: "info", help: "the binary or library to read", apply: (o, v) => (o.target = v) },
  { names: ["-p", "--pid"], value: "PID", group: "info", help: "read the executable of this running process instead of -t", apply: (o, v) => (o.pid = int("--pid", v, 1, 4_194_304)) },
  // meta
  { names: ["-h", "--help"], group: "meta", help: "this help (wraith help COMMAND for a command's)", apply: (_o, _v, x) => (x.help = true) },
  { names: ["-V", "--version"], group: "meta", help: "print the version", apply: (_o, _v, x) => (x.version = true) },
  { names: ["--script-help"], group: "meta", help: "the script language reference", apply: (_o, _v, x) => (x.scriptHelp = true) },
  { names: ["--man"], group: "meta", help: "the manual page wraith(1), as roff (wraith --man | man -l -)", apply: (_o, _v, x) => (x.man = true) },
];

/** The flags a command takes, in table order (what the parser accepts for it, and what its help shows). */
export function flagsFor(kind: keyof typeof COMMAND_FLAG_GROUPS): FlagSpec[] {
  const groups = COMMAND_FLAG_GROUPS[kind];
  return FLAGS.filter((f) => groups.includes(f.group) && (!f.only || f.only.includes(kind)));
}

/**
 * `wraith help [TOPIC]`, `wraith help --man`: TOPIC is a command or
 * HELP_TOPICS' "script"; anything else is a usage error, not the main help.
 */
function parseHelp(args: string[]): Command {
  const [topic, ...rest] = args;
  if (topic === "--man" && rest.length === 0) return { kind: "man" };
  if (topic === undefined || ((topic === "-h" || topic === "--help") && rest.length === 0)) return { kind: "help" };
  if (rest.length > 0) throw usage(`wraith help takes one topic, not '${args.join(" ")}'`);
  if (topic === "script") return { kind: "script-help" };
  if (topic === "help" || (SUBCOMMANDS as readonly string[]).includes(topic)) return { kind: "help", topic: topic === "help" ? undefined : topic };
  const topics = [...SUBCOMMANDS.filter((c) => c !== "help"), "script"];
  const near = closeMatches(topic, topics, 2);
  throw usage(`no help for '${topic}'${near.length ? `; did you mean ${near.join(" or ")}?` : ""}; topics: ${topics.join(", ")}, or --man`);
}

export function defaultOptions(): RunOptions {
  return { output: "pretty", timestamp: "local", status: true, dryRun: false, dryRunDetails: false, verbose: false, memDumpCap: 256 };
}

export function parseArgs(argv: string[]): Command {
  let args = argv;
  let kind: Command["kind"] = "run";
  const first = args[0];
  if (first !== undefined && (SUBCOMMANDS as readonly string[]).includes(first)) {
    if (first === "help") return parseHelp(args.slice(1));
    kind = first as Command["kind"];
    args = args.slice(1);
  }
  const flagKind = kind as keyof typeof COMMAND_FLAG_GROUPS;
  const accepted = flagsFor(flagKind);
  const opts = defaultOptions();
  const extra: Extra = { funcs: [], prints: [], help: false, version: false, scriptHelp: false, man: false };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (LAUNCH_FLAG.names.includes(a)) {
      if (!LAUNCH_FLAG.only.includes(kind)) throw usage(`'wraith ${kind}' launches no command; ${a} is for wraith -s SCRIPT and wraith trace`);
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
    const spec = accepted.find((f) => f.names.includes(name));
    if (!spec) {
      if (kind !== "run" && FLAGS.some((f) => f.names.includes(name)))
        throw usage(`'wraith ${kind}' does not take ${name}${kind === "wizard" ? " (the wizard asks for everything; for options use wraith -s SCRIPT or wraith trace)" : ""}`);
      const near = closeMatches(name, accepted.flatMap((f) => f.names), 2);
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
  if (extra.man) return { kind: "man" };
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
