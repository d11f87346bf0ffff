// gdb as the oracle for end-to-end value tests: run a program under gdb once,
// stop at every probe point, `print` every expression at every hit, and hand
// back gdb's text. Expectations always come from gdb at test time.
//
// The run is driven by a generated gdb Python script: breakpoints set with
// the CLI's `break` (so `set breakpoint pending off` holds), then a loop that
// runs the program, and at each breakpoint stop prints every expression of
// every point at that address and continues. (Printing from inside
// Breakpoint.stop() does not work: in gdb 13 a `print` that errors there, e.g.
// "Cannot access memory at address 0x0" — a value we want — leaves gdb
// believing the thread still runs.) Results go to a JSON-lines file of their
// own, so nothing the program or gdb writes to the terminal can be confused
// with a value: no markers to parse.
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface OraclePoint {
  /** A gdb/wraith location: a function name or FILE:LINE. */
  spec: string;
  /** Expressions, each printed with gdb's `print` at every hit. */
  exprs: string[];
  /** Expected hits; also the cap (times `capFactor`) after which hits are no longer evaluated. */
  hits: number;
}

export interface OracleHit {
  /** gdb's `print` text per expression (without `$N = `), or gdb's error message. */
  values: string[];
  /** Module-relative pc of the stop (runtime pc minus the load bias). */
  pc: number;
  /** The function gdb says the frame is in. */
  func: string;
}

export interface OracleRun {
  /** spec → every evaluated hit, in hit order. */
  hits: Map<string, OracleHit[]>;
  /** spec → total number of hits, including those past the cap. */
  counts: Map<string, number>;
  /** spec → why gdb could not set the breakpoint. */
  errors: Map<string, string>;
  /** The program's exit code (null when it did not exit by itself). */
  exitCode: number | null;
  /** Set when the program stopped for something other than our breakpoints (signal), or gdb timed out. */
  abnormal?: string;
  /** Load bias gdb saw (runtime address minus link-time address). */
  bias: number;
  /** gdb's own stdout and stderr (the program's output is mixed into stdout). */
  output: string;
}

export interface OracleOptions {
  /** Kill gdb after this long (default 60 s). */
  timeoutMs?: number;
  /** Evaluate at most hits × capFactor hits per point (default 4); later hits are only counted. */
  capFactor?: number;
  /** Extra gdb settings, run before anything else (e.g. "set print elements 50"). */
  settings?: string[];
}

/** Settings every oracle run uses: gdb's defaults except these. */
export const GDB_SETTINGS = [
  "set width 0",
  "set height 0",
  "set pagination off",
  "set confirm off",
  "set print pretty off",
  "set print elements 200",
  "set breakpoint pending off",
  "set debuginfod enabled off",
  "set startup-with-shell off",
  // gdb exports the terminal size to the inferior; a normal run has neither.
  "unset environment LINES",
  "unset environment COLUMNS",
];

let pythonChecked: boolean | undefined;

/** Whether this gdb embeds Python (the oracle needs it). */
export function gdbHasPython(): boolean {
  if (pythonChecked === undefined) {
    const r = Bun.spawnSync(["gdb", "-batch", "-nx", "-ex", "python print(6*7)"], { stdout: "pipe", stderr: "pipe" });
    pythonChecked = r.exitCode === 0 && r.stdout.toString().trim() === "42";
  }
  return pythonChecked;
}

const PY_COMMON = String.raw`
import gdb, json, re

OUT = open(CFG["out"], "w")

def emit(rec):
    OUT.write(json.dumps(rec) + "\n")
    OUT.flush()

def addr_of_main():
    try:
        return int(gdb.parse_and_eval("(unsigned long)&main"))
    except Exception:
        return None

def set_break(spec):
    """gdb's CLI "break", which honours "set breakpoint pending off" (gdb.Breakpoint() does not)."""
    before = set(b.number for b in gdb.breakpoints())
    gdb.execute("break " + spec, False, True)
    made = [b for b in gdb.breakpoints() if b.number not in before]
    if not made:
        raise gdb.error("no breakpoint made for " + spec)
    return made[0]

def locations(bp):
    try:
        return [int(l.address) for l in bp.locations if l.address is not None]
    except AttributeError:  # gdb < 13: read them from "info breakpoints N"
        text = gdb.execute("info breakpoints %d" % bp.number, False, True)
        return [int(a, 16) for a in re.findall(r"\s(0x[0-9a-f]+)\s", text)]
`;

const PY_RUN = String.raw`
STATIC_MAIN = addr_of_main()
BIAS = [None]
HISTORY = re.compile(r"^\$\d+ = ")

def bias():
    if BIAS[0] is None:
        now = addr_of_main()
        BIAS[0] = (now - STATIC_MAIN) if (now is not None and STATIC_MAIN is not None) else 0
    return BIAS[0]

def show(expr):
    try:
        text = gdb.execute("print " + expr, False, True)
    except gdb.error as e:
        return str(e)
    except Exception as e:
        return "<oracle: %s: %s>" % (type(e).__name__, e)
    if text.endswith("\n"):
        text = text[:-1]
    return HISTORY.sub("", text, count=1)

POINTS = {}  # breakpoint number -> [index, point, count]
for i, pt in enumerate(CFG["points"]):
    try:
        bp = set_break(pt["spec"])
        POINTS[bp.number] = [i, pt, 0]
    except gdb.error as e:
        emit({"p": i, "error": str(e)})

# Errors raised while printing inside Breakpoint.stop() leave gdb 13 believing
# the thread still runs, so the breakpoints really stop and this loop prints
# and continues.
LAST = [None]
def on_stop(ev):
    note_pid()
    if isinstance(ev, gdb.BreakpointEvent):
        LAST[0] = ("bp", [b.number for b in ev.breakpoints])
    elif isinstance(ev, gdb.SignalEvent):
        LAST[0] = ("signal", ev.stop_signal)
    else:
        LAST[0] = ("other", type(ev).__name__)
gdb.events.stop.connect(on_stop)

# The inferior's pid, as soon as there is one, so a timed-out run can be cleaned up.
PID = [0]
def note_pid(ev=None):
    pid = gdb.selected_inferior().pid
    if pid and not PID[0]:
        PID[0] = pid
        emit({"pid": pid})
gdb.events.new_objfile.connect(note_pid)

def on_exit(ev):
    emit({"exit": ev.exit_code if hasattr(ev, "exit_code") else None})
gdb.events.exited.connect(on_exit)

def alive():
    return gdb.selected_inferior().pid != 0

def hit(numbers):
    frame = gdb.selected_frame()
    pc = int(frame.pc()) - bias()
    func = frame.name() or ""
    for n in numbers:
        if n not in POINTS:
            continue
        entry = POINTS[n]
        entry[2] += 1
        if entry[2] > max(1, entry[1]["hits"]) * CFG["capFactor"]:
            emit({"p": entry[0], "extra": 1})
            continue
        emit({"p": entry[0], "pc": pc, "func": func, "v": [show(e) for e in entry[1]["exprs"]]})

def drive(args):
    try:
        gdb.execute(("run " + args).strip(), False, True)
        while alive():
            kind, what = LAST[0] if LAST[0] else ("other", "unknown stop")
            LAST[0] = None
            if kind != "bp":
                emit({"abnormal": "program stopped: %s %s" % (kind, what)})
                gdb.execute("kill", False, True)
                break
            hit(what)
            gdb.execute("continue", False, True)
    except gdb.error as e:
        emit({"abnormal": "gdb: " + str(e)})
        if alive():
            gdb.execute("kill", False, True)
    emit({"bias": bias()})

drive(CFG["args"])
`;

const PY_ADDRS = String.raw`
for i, spec in enumerate(CFG["specs"]):
    try:
        bp = set_break(spec)
        emit({"s": i, "a": locations(bp)})
    except gdb.error as e:
        emit({"s": i, "error": str(e)})
`;

function runPython(binary: string, body: string, cfg: Record<string, unknown>, opts: OracleOptions, after: string[] = []) {
  if (!gdbHasPython()) throw new Error("the gdb oracle needs a gdb built with Python (gdb -batch -ex 'python print(1)' fails)");
  const dir = mkdtempSync(join(tmpdir(), "wraith-oracle-"));
  try {
    const out = join(dir, "out.jsonl");
    const script = join(dir, "oracle.py");
    writeFileSync(script, `CFG = ${JSON.stringify({ ...cfg, out })}\n${PY_COMMON}\n${body}`);
    const argv = ["gdb", "-batch", "-nx"];
    for (const s of [...GDB_SETTINGS, ...(opts.settings ?? [])]) argv.push("-iex", s);
    argv.push("-x", script);
    for (const c of after) argv.push("-ex", c);
    argv.push(binary);
    const r = Bun.spawnSync(argv, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, LC_ALL: "C" },
      timeout: opts.timeoutMs ?? 60_000,
      killSignal: "SIGKILL",
    });
    let text = "";
    try {
      text = readFileSync(out, "utf8");
    } catch {}
    const records = text
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, any>);
    const output = r.stdout.toString() + r.stderr.toString();
    const timedOut = (r as { exitedDueToTimeout?: boolean }).exitedDueToTimeout === true || r.signalCode === "SIGKILL";
    return { records, output, timedOut };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** gdb was killed: its inferior survives it, so end that process (checked by its executable). */
function killOrphan(pid: number, binary: string): void {
  try {
    if (realpathSync(`/proc/${pid}/exe`) !== realpathSync(binary)) return;
    process.kill(pid, "SIGKILL");
  } catch {}
}

/**
 * Run `binary args…` under gdb once, with a breakpoint at every point; at each
 * hit `print` every expression. Lenient: reports breakpoints gdb refused and
 * abnormal ends instead of throwing.
 */
export function gdbRun(binary: string, points: OraclePoint[], args: string[] = [], opts: OracleOptions = {}): OracleRun {
  const seen = new Set<string>();
  for (const p of points) {
    if (seen.has(p.spec)) throw new Error(`gdb oracle: spec ${p.spec} given twice`);
    seen.add(p.spec);
  }
  if (args.some((a) => /\s/.test(a))) throw new Error("gdb oracle: program arguments cannot contain whitespace");
  const { records, output, timedOut } = runPython(
    binary,
    PY_RUN,
    { points: points.map((p) => ({ spec: p.spec, exprs: p.exprs, hits: p.hits })), args: args.join(" "), capFactor: opts.capFactor ?? 4 },
    opts,
  );
  let pid = 0;
  const run: OracleRun = { hits: new Map(), counts: new Map(), errors: new Map(), exitCode: null, bias: 0, output };
  for (const p of points) {
    run.hits.set(p.spec, []);
    run.counts.set(p.spec, 0);
  }
  for (const rec of records) {
    if ("exit" in rec) run.exitCode = rec.exit ?? null;
    else if ("abnormal" in rec) run.abnormal = run.abnormal ? `${run.abnormal}; ${rec.abnormal}` : rec.abnormal;
    else if ("bias" in rec) run.bias = rec.bias;
    else if ("pid" in rec) pid = rec.pid;
    else {
      const spec = points[rec.p]!.spec;
      if ("error" in rec) run.errors.set(spec, rec.error);
      else {
        run.counts.set(spec, run.counts.get(spec)! + 1);
        if (!("extra" in rec)) run.hits.get(spec)!.push({ values: rec.v, pc: rec.pc, func: rec.func });
      }
    }
  }
  if (timedOut && pid > 0) killOrphan(pid, binary);
  if (timedOut) run.abnormal = `gdb timed out after ${opts.timeoutMs ?? 60_000} ms${run.abnormal ? `; ${run.abnormal}` : ""}`;
  return run;
}

/**
 * spec → per hit (in hit order) → per expression: gdb's `print` text. Throws
 * when gdb cannot set a breakpoint, times out, or the program does not exit.
 */
export function gdbValues(
  binary: string,
  points: OraclePoint[],
  args: string[] = [],
  opts: OracleOptions = {},
): Map<string, string[][]> {
  const run = gdbRun(binary, points, args, opts);
  const problems = [...run.errors].map(([s, e]) => `break ${s}: ${e}`);
  if (run.abnormal) problems.push(run.abnormal);
  if (problems.length > 0) throw new Error(`gdb oracle on ${binary}:\n${problems.join("\n")}\n--- gdb output ---\n${run.output}`);
  return new Map([...run.hits].map(([spec, hits]) => [spec, hits.map((h) => h.values)]));
}

/**
 * Where gdb's `break SPEC` lands, without running: spec → every location's
 * link-time address (module-relative for a PIE); absent when gdb refuses it.
 */
export function gdbBreakAddresses(binary: string, specs: string[], opts: OracleOptions = {}): Map<string, number[]> {
  const { records, output, timedOut } = runPython(binary, PY_ADDRS, { specs }, opts);
  if (timedOut) throw new Error(`gdb oracle: timed out reading breakpoints of ${binary}\n${output}`);
  const result = new Map<string, number[]>();
  for (const rec of records) if ("a" in rec) result.set(specs[rec.s]!, rec.a);
  return result;
}

/**
 * True when gdb answered with an error instead of a value: a failed read
 * ("Cannot access memory at address 0x0"), a name not in scope at that pc
 * ("No symbol \"k\" in current context." — seen at -O2 for block locals), etc.
 */
export function isGdbError(text: string): boolean {
  return /^(Cannot access memory|No symbol|There is no member|Attempt to|value has been optimized out|A syntax error)/.test(text);
}

/** True when gdb's text is its "optimized out" marker (whole value or any part of it). */
export function isOptimizedOut(text: string): boolean {
  return text.includes("<optimized out>");
}
