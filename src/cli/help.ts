// Help: one description per command, with examples. `--help`, `wraith help
// COMMAND` and the man page (man.ts) all render this data; the options come
// from the flag table the parser uses (args.ts), the exit codes from
// errors.ts, so none of them can be documented in one place and not another.
import pc from "picocolors";
import { COMMAND_FLAG_GROUPS, FLAGS, LAUNCH_FLAG, flagsFor, type FlagGroup, type FlagSpec } from "./args.ts";
import { EXIT_CODE_HELP, ExitCode } from "./errors.ts";
import { shellQuote } from "./wizard/command.ts";
import { wrap } from "../script/help.ts";

export type CommandName = keyof typeof COMMAND_FLAG_GROUPS;

export interface Example {
  /** The arguments after `wraith` (the e2e and unit tests parse each with parseArgs). */
  argv: string[];
  /** Tracing needs root (or CAP_BPF and CAP_PERFMON): shown with sudo. */
  root?: boolean;
  note?: string;
}

export interface CommandHelp {
  name: CommandName;
  /** One line, for the command list and the man page's COMMANDS. */
  summary: string;
  usage: string[];
  description: string;
  /** Extra two-column tables (e.g. info's questions). */
  tables?: { title: string; rows: [string, string][] }[];
  examples: Example[];
}

export const COMMANDS: CommandHelp[] = [
  {
    name: "run",
    summary: "trace with a GhostScope script",
    usage: [
      "wraith [options] -s SCRIPT (-p PID | -t PATH | --args CMD ARGS…)",
      "wraith [options] --script-file FILE (-p PID | -t PATH | CMD ARGS…)",
      "wraith COMMAND [options]",
      "wraith",
    ],
    description:
      "wraith attaches eBPF uprobes to a running process, to every process that runs a binary or library, or to a command it launches, and prints values at the functions and source lines a script names, read through the program's DWARF debug info and shown exactly as gdb shows them. Nothing is stopped or restarted. Events go to stdout, progress and the closing summary to stderr. With no arguments on a terminal, wraith starts the wizard, which guides to a first trace; without a terminal it prints this help.",
    examples: [
      { argv: ["-p", "4242", "-s", 'trace handle_request { print "id={} path={}", req.id, req.path; }'], root: true },
      { argv: ["-t", "/usr/sbin/nginx", "--script-file", "body.gs"], root: true },
      { argv: ["--script-output", "plain", "-s", 'trace tick { print "tick {}", $pid; }', "--args", "./prog", "a", "b"], root: true },
      { argv: ["-p", "4242", "--json", "--count", "10", "-s", "trace handle_request { print *req; }"], root: true },
    ],
  },
  {
    name: "trace",
    summary: "one-shot tracing of functions without a script",
    usage: ["wraith trace --func NAME [--func NAME…] [--print EXPR…] [--if COND]", "             (--pid PID | --target PATH | -- CMD ARGS…) [options]"],
    description:
      "Each hit of NAME prints one line with the values of the --print expressions. It is the same compiler as scripts: the flags become trace NAME { if COND { print \"NAME EXPR={}\", EXPR; } }, so NAME, EXPR and COND take the script language's syntax (wraith --script-help).",
    examples: [
      { argv: ["trace", "--func", "tick", "--print", "$pid", "--", "./prog"], root: true },
      { argv: ["trace", "--func", "handle_request", "--print", "req.id", "--print", "req.path", "--pid", "4242", "--count", "10", "--json"], root: true },
      { argv: ["trace", "--func", "handle_request", "--print", "req.id", "--if", "req.id > 100", "-t", "./server"], root: true },
      { argv: ["trace", "--func", "plugin_init", "--pending", "--pid", "4242"], root: true },
    ],
  },
  {
    name: "info",
    summary: "what the debug info says, without attaching anything",
    usage: ["wraith info QUESTION [ARG] (-t PATH | -p PID) [options]"],
    description:
      "Answers from the binary's ELF and DWARF alone, with the same resolution the tracer uses: where a function or line would be probed, which variables are visible there and where they live. Needs no privileges (reading -p PID's executable may).",
    tables: [
      {
        title: "Questions",
        rows: [
          ["functions [REGEX]", "functions with file:line and signature (like gdb's info functions)"],
          ["line FILE:N", "the addresses of a source line, inlined copies included"],
          ["scope FUNC|FILE:N|0xADDR", "every parameter, local and global visible where trace would attach, with its type and location there"],
          ["type NAME", "a type's layout with offsets and sizes (like gdb's ptype /o)"],
          ["cfa FUNC|FILE:N|0xADDR", "the call frame rule (CFA, saved registers) at that PC"],
        ],
      },
    ],
    examples: [
      { argv: ["info", "functions", "^handle_", "-t", "./server"] },
      { argv: ["info", "scope", "handle_request", "-t", "./server"] },
      { argv: ["info", "type", "struct request", "-t", "./server"] },
      { argv: ["info", "line", "server.c:120", "-p", "4242"] },
    ],
  },
  {
    name: "demo",
    summary: "trace the demo program built into wraith",
    usage: ["wraith demo [options]"],
    description:
      "Runs a small order-desk program (embedded in the binary, built with debug info) and traces it with a sample script that prints structs, strings, a global, and only the requests a condition picks, so you can see wraith work end to end. The script is shown on stderr first.",
    examples: [{ argv: ["demo"], root: true }, { argv: ["demo", "--script-output", "plain"], root: true }, { argv: ["demo", "--json", "--count", "4"], root: true }],
  },
  {
    name: "doctor",
    summary: "check that this machine can run wraith",
    usage: ["wraith doctor"],
    description:
      "Prints the kernel version, BTF, the uprobe PMU, privileges, ring buffer support and which libbpf wraith uses; each failed line has a fix. Exits 0 when every check passes, 1 otherwise.",
    examples: [{ argv: ["doctor"], root: true }, { argv: ["doctor"], note: "as a user: which privileges are missing" }],
  },
  {
    name: "wizard",
    summary: "a guided first trace (also: wraith alone, on a terminal)",
    usage: ["wraith wizard", "wraith"],
    description:
      "Asks step by step: a running process (searchable) or a binary, a function or source line, the variables visible there, an optional condition and the output format. It then prints the equivalent wraith trace command and script, so you learn the command line, and traces until Ctrl-C. Cancelling a prompt (Esc or Ctrl-C) exits with 130 and traces nothing. It needs a terminal and takes no options.",
    examples: [{ argv: ["wizard"], root: true }, { argv: ["wizard"], note: "as a user: shows the command to run with sudo" }],
  },
];

/** Environment variables wraith reads (a unit test checks the sources read no other WRAITH_ variable). */
export const ENVIRONMENT: [string, string][] = [
  ["NO_COLOR", "when set, no colour even on a terminal (colour is only ever used on a terminal)"],
  ["WRAITH_DEBUG", "1: stack traces and internals on errors, as --verbose"],
  ["WRAITH_FORCE_EMBEDDED_LIBBPF", "1: use the libbpf embedded in wraith even when the system has one"],
  ["WRAITH_NO_UPROBE_MULTI", "1: one perf-event uprobe per probe site instead of uprobe_multi links (slower to detach)"],
  ["TERM", "dumb: no progress spinner on stderr"],
  ["PATH", "where a command to launch (--args CMD) is looked up when CMD has no '/'"],
  ["LD_LIBRARY_PATH", "also searched for the libraries a launched command will load, so their trace points are found before they are mapped"],
];

/** The fields of a --json event line (a unit test checks a rendered event has exactly these). */
export const JSON_FIELDS: [string, string][] = [
  ["schema_version", "1; bumped when a field changes meaning"],
  ["event", "\"trace\""],
  ["timestamp_ns", "CLOCK_MONOTONIC nanoseconds at the hit (a string beyond 2^53)"],
  ["trace_id", "the trace block's index in the script, from 0"],
  ["pid, tid", "process and thread id as $pid and $tid show them (the target's PID namespace view)"],
  ["trace", "{ target: the trace pattern, binary_path: the probed module }"],
  ["items", "one per print: {kind: variable, name, formatted_value (as gdb prints it), value (typed JSON)}, {kind: text | formatted_text, content}, {kind: expr_error, expr, content}"],
];

const GROUP_TITLES: Record<FlagGroup, string> = {
  target: "Targets",
  script: "Script",
  output: "Output (events on stdout, status on stderr)",
  session: "Session",
  debuginfo: "Debug info",
  diagnostics: "Diagnostics",
  oneshot: "What to trace",
  info: "Binary",
  meta: "Help",
};

export function groupTitle(g: FlagGroup): string {
  return GROUP_TITLES[g];
}

/** How a flag is written in help: short names first, then the value, e.g. "-c, --count N". */
export function flagSyntax(f: Pick<FlagSpec, "names" | "value">): string {
  const names = [...f.names].sort((a, b) => Number(a.startsWith("--")) - Number(b.startsWith("--")));
  return names.join(", ") + (f.value ? ` ${f.value}` : "");
}

/** The documented rows of a command's options, by group: the flag table plus --args where it applies. */
export function optionRows(kind: CommandName): { group: FlagGroup; rows: [string, string][] }[] {
  const flags = flagsFor(kind);
  return COMMAND_FLAG_GROUPS[kind].map((group) => {
    const rows: [string, string][] = flags.filter((f) => f.group === group).map((f) => [flagSyntax(f), f.help]);
    if (group === LAUNCH_FLAG.group && LAUNCH_FLAG.only.includes(kind)) rows.push([flagSyntax(LAUNCH_FLAG), LAUNCH_FLAG.help]);
    return { group, rows };
  });
}

/** Every flag name the table holds, for tests. */
export function allFlagNames(): string[] {
  return [...FLAGS.flatMap((f) => f.names), ...LAUNCH_FLAG.names];
}

export function exampleLine(e: Example): string {
  return `${e.root ? "sudo " : ""}wraith ${e.argv.map(shellQuote).join(" ")}${e.note ? `    # ${e.note}` : ""}`;
}

/** The exit codes in ascending order, from the enum. */
export function exitCodeRows(): [string, string][] {
  return (Object.keys(ExitCode) as (keyof typeof ExitCode)[]).sort((a, b) => ExitCode[a] - ExitCode[b]).map((k) => [String(ExitCode[k]), EXIT_CODE_HELP[k]]);
}

export function commandHelp(name: CommandName): CommandHelp {
  return COMMANDS.find((c) => c.name === name)!;
}

// ---- text rendering -------------------------------------------------------------------

const WIDTH = 80;

function table(rows: [string, string][], col: number): string[] {
  const out: string[] = [];
  for (const [left, right] of rows) {
    const text = wrap(right, WIDTH - col);
    const l = `  ${left}`;
    if (l.length <= col - 2) out.push(l.padEnd(col) + (text[0] ?? ""));
    else out.push(l, " ".repeat(col) + (text[0] ?? ""));
    for (const t of text.slice(1)) out.push(" ".repeat(col) + t);
  }
  return out;
}

/** `wraith --help` (topic undefined) or `wraith help COMMAND`. */
export function helpText(topic?: string, color = !!process.stdout.isTTY && !process.env.NO_COLOR): string {
  const c = pc.createColors(color);
  const name = (topic ?? "run") as CommandName;
  const cmd = COMMANDS.find((x) => x.name === name);
  if (!cmd) throw new Error(`no help for '${topic}'`); // parseArgs only lets commands through
  const title = (t: string) => c.bold(`${t}:`);
  const out: string[] = [];
  out.push(name === "run" ? "wraith — printf debugging for live Linux processes" : `wraith ${name} — ${cmd.summary}`, "");
  out.push(title("Usage"), ...cmd.usage.map((u) => `  ${u}`), "");
  out.push(...wrap(cmd.description, WIDTH), "");
  if (name === "run") {
    out.push(title("Commands"), ...table(COMMANDS.filter((x) => x.name !== "run").map((x) => [x.name, x.summary]), 12));
    out.push(...table([["help [TOPIC]", "a command's help (TOPIC: a command, or script for --script-help)"]], 12), "");
  }
  for (const t of cmd.tables ?? []) out.push(title(t.title), ...table(t.rows, 30), "");
  for (const { group, rows } of optionRows(name)) {
    // A command's help leaves out -h/-V/--script-help/--man: the main help lists them.
    if (rows.length === 0 || (group === "meta" && name !== "run")) continue;
    out.push(title(groupTitle(group)), ...table(rows, 30), "");
  }
  out.push(title("Examples"), ...cmd.examples.map((e) => `  ${exampleLine(e)}`));
  if (name === "run") {
    out.push("", title("Exit codes"), ...table(exitCodeRows(), 8));
    out.push("", title("Environment"), ...table(ENVIRONMENT, 32));
    out.push("", title("JSON lines (--json): one object per event"), ...table(JSON_FIELDS, 16));
    out.push("", "The script language: wraith --script-help. The manual: wraith --man | man -l -");
  } else {
    out.push("", "See also: wraith --help (all options, exit codes), wraith --man | man -l -");
  }
  return out.join("\n");
}
