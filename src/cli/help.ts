// Help texts, one per command, each with examples. The man page (later) is
// generated from the same source.
import pc from "picocolors";

const MAIN = `wraith — printf debugging for live Linux processes

Usage:
  wraith [options] -s SCRIPT (-p PID | -t PATH | --args CMD ARGS…)
  wraith [options] --script-file FILE (-p PID | -t PATH | CMD ARGS…)
  wraith trace --func NAME [--print EXPR…] (--pid PID | --target PATH | -- CMD ARGS…)
  wraith info functions|line|scope|type|cfa … -t BIN
  wraith demo | doctor | help [COMMAND]

Targets:
  -p, --pid PID            only this running process
  -t, --target PATH        every process that runs this binary or library, now and later
                           (with -p: resolve functions in PATH, report only PID; a library
                           PID has not loaded yet is probed from its file, from its first call)
  --pending                with -p or a command: a trace point found in no module loaded now
                           waits for a library that defines it (dlopen) instead of failing
  --enable-sysmon-shared-lib  with -t LIB.so: also follow processes that map it later
                           (load biases, status lines; sysmon watches exec/fork/exit/mmap)
  --args CMD ARGS…         launch CMD under trace; probes are in place before its first
                           instruction; wraith exits when it exits (also: CMD after the options)

Script:
  -s, --script TEXT        GhostScope script text
  --script-file FILE       GhostScope script file
  --script-help            the script language reference

Output (events on stdout, status on stderr):
  --script-output MODE     pretty (default), plain (payload only), jsonl (one JSON object per event)
  --json                   same as --script-output jsonl
  --script-timestamp T     pretty timestamps: local (default), boot, none
  --no-status              no progress lines on stderr
  --count N                stop after N events
  --duration TIME          stop after TIME (10s, 500ms, 2m)

Other:
  --dry-run                compile, resolve and load into the verifier; attach nothing
  --verbose                stack traces and internals on errors (or WRAITH_DEBUG=1)
  -V, --version            version
  -h, --help               this help

Examples:
  sudo wraith -p 4242 -s 'trace handle_request { print "pid {} called", $pid; }'
  sudo wraith -t /usr/sbin/nginx --script-file body.gs
  sudo wraith -p 4242 -t /opt/app/plugins/libfoo.so -s 'trace foo_init { print flags; }'
  sudo wraith --script-output plain -s 'trace tick { print "tick {}", $pid; }' --args ./prog a b
  sudo wraith trace --func main --print argc -- ./prog a b
  wraith info scope handle_request -t ./server
  sudo wraith demo

Exit codes: 0 ok, 1 failure, 2 usage or script error, 3 target not usable,
            4 kernel refused (verifier, attach), 5 not enough privileges.`;

const TRACE = `wraith trace — one-shot tracing without a script file

Usage:
  wraith trace --func NAME [--func NAME…] [--print EXPR…] [--if COND]
               (--pid PID | --target PATH | -- CMD ARGS…) [--pending] [output options]

Each hit of NAME prints one line with the values of the --print expressions.
It is the same compiler as scripts: the flags become
  trace NAME { print "NAME {} {}", EXPR1, EXPR2; }

With --pid or a command, a NAME found in no module loaded now is an error;
--pending makes it wait for a library that defines it (dlopen).

Examples:
  sudo wraith trace --func tick --print '$pid' -- ./prog
  sudo wraith trace --func handle_request --pid 4242 --count 10 --json
  sudo wraith trace --func plugin_init --pending --pid 4242`;

const INFO = `wraith info — what the debug info says, without attaching anything

Usage:
  wraith info functions [REGEX] -t BIN     functions with file:line and signature (like gdb's info functions)
  wraith info line FILE:N -t BIN           the addresses of a source line, inlined copies included
  wraith info scope FUNC|FILE:N|0xADDR -t BIN
                                           every visible parameter, local and global at the PC where
                                           trace would attach, with its type and location there
  wraith info type NAME -t BIN             a type's layout with offsets and sizes (like gdb's ptype /o)
  wraith info cfa FUNC|FILE:N|0xADDR -t BIN  the call frame rule (CFA, saved registers) at that PC

Options: -p PID (its executable instead of -t), --debug-file FILE, --limit N

Examples:
  wraith info functions '^handle_' -t ./server
  wraith info scope handle_request -t ./server
  wraith info type 'struct request' -t ./server`;

const DEMO = `wraith demo — trace the demo program built into wraith

Runs a small order-desk program (embedded in the binary, built with debug info)
and traces it with a sample script, so you can see wraith work end to end.

Usage:
  sudo wraith demo [--script-output plain|pretty|jsonl]`;

const DOCTOR = `wraith doctor — check that this machine can run wraith

Prints the kernel version, BTF, the uprobe PMU, privileges, ring buffer
support and which libbpf wraith uses; each failed line has a fix.

Usage:
  sudo wraith doctor`;

const TOPICS: Record<string, string> = { trace: TRACE, info: INFO, demo: DEMO, doctor: DOCTOR };

export function helpText(topic?: string): string {
  const text = topic ? TOPICS[topic] : MAIN;
  if (!text) return `wraith: no help for '${topic}'; commands: ${Object.keys(TOPICS).join(", ")}\n\n${MAIN}`;
  return text.replace(/^(Usage|Targets|Script|Output.*|Other|Examples|Exit codes):/gm, (m) => pc.bold(m));
}
