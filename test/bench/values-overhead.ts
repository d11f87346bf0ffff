// Per-hit cost of a traced hot function: wraith printing two ints and one
// struct member, beside bpftrace's empty action (the uprobe trap alone, our
// floor) and bpftrace printing the same fields, all in one run.
//
//   sudo node_modules/.bin/bun test/bench/values-overhead.ts [calls=80000] [rounds=9] [O2|O0]
//
// Needs root, dist/wraith (bun run build.ts) and bpftrace (bash .ci/setup --bench).
//
// Target: test/fixtures/bench_hot.c, which calls hot(int a, int b, struct item *it)
// `calls` times in a tight loop and prints the loop's ns per call
// (clock_gettime around the loop). Built with gcc -O2 -g by default: there the
// arguments are in registers at entry and gdb's breakpoint (wraith's probe
// site) is the function's first instruction, so both tools trap on the same
// instruction. At -O0 wraith probes after the prologue; the bench then also
// runs bpftrace at wraith's address (uprobe:BIN:0xADDR).
//
// Configurations, interleaved in rotating order each round:
//   none       no probe
//   bt-empty   bpftrace 'uprobe:BIN:hot {}'
//   bt-printf  bpftrace 'uprobe:BIN:hot { printf("%d %d %d\n", arg0, arg1, *(int32 *)(arg2 + OFF)); }'
//              (OFF = offsetof(struct item, count), from wraith info type)
//   wraith     wraith --script-output plain -t BIN -s 'trace hot { print "{} {} {}", a, b, it.count; }'
// Each tracer attaches by path (every process running BIN), stdout to
// /dev/null. It counts as attached once a short ping run of the fixture is
// slowed by traps (the same test for every tracer: bpftrace's BEGIN fires
// before its probes are attached). Then the timed run; then SIGINT.
//
// Figures: per-hit cost = ns/call − ns/call with no probe (medians over the
// rounds); the ratios wraith/bt-empty (goal ≤ 1.10) and wraith/bt-printf
// (goal < 1); the tracer's own CPU per event = its utime+stime (all threads,
// /proc/PID/stat) across the timed run and the drain after it, over the calls.
// Losses: wraith's `N events, M lost` summary (stderr) in every round. bpftrace
// writes its `Lost N events` to stdout, so one extra checked round sends both
// printing tracers' stdout to a file on /dev/shm and verifies the line count,
// the loss count and every printed value against what the fixture computes.
// The checked round also turns on kernel.bpf_stats_enabled (restored after) and
// reads each tracer's programs from /proc/PID/fdinfo: time inside the BPF
// program per run and its verified instruction count — the part of a hit that
// is the tool's own code, apart from the trap.
// The uprobe trap dominates (≈ 10 µs in a VM, varying ±20% run to run):
// compare ratios, not absolute times; the per-round ratios (each round runs
// every configuration back to back) are steadier than ratios of medians.
import { copyFileSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";
import { WRAITH, requireBinary } from "../helpers/wraith.ts";

const CALLS = Number(process.argv[2] ?? 80_000);
const ROUNDS = Number(process.argv[3] ?? 9);
const OPT = (process.argv[4] ?? "O2").toUpperCase() === "O0" ? "-O0" : "-O2";
const PING_CALLS = 50;
const CLK_TCK = 100;

requireBinary();
const BPFTRACE = Bun.which("bpftrace");
if (!BPFTRACE) throw new Error("bpftrace is missing: bash .ci/setup --bench installs it");
if (process.getuid?.() !== 0) throw new Error("run as root (uprobes)");

// A private copy: tracers attach to every process running this path, so no
// other run of the shared cached fixture can add hits.
const dir = mkdtempSync(join(tmpdir(), "wraith-bench-"));
const BIN = join(dir, "bench_hot");
copyFileSync(compileFixture("bench_hot", { cc: "gcc", opt: OPT, dwarf: 5 }), BIN);
const shm = mkdtempSync("/dev/shm/wraith-bench-");
process.on("exit", () => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(shm, { recursive: true, force: true });
});

function run(argv: string[]): string {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

// Where each tool probes: bpftrace's uprobe:BIN:hot is the symbol's address;
// wraith's site is where gdb's break stops (info scope prints its address).
const entry = BigInt("0x" + /^([0-9a-f]+) T hot$/m.exec(run(["nm", BIN]))![1]!);
const site = BigInt(/Scope at (0x[0-9a-f]+) in hot/.exec(run([WRAITH, "info", "scope", "hot", "-t", BIN]))![1]!);
const countOff = Number(/^\/\*\s+(\d+)\s+\|\s+\d+ \*\/\s+int count;/m.exec(run([WRAITH, "info", "type", "struct item", "-t", BIN]))![1]);

const SCRIPT = 'trace hot { print "{} {} {}", a, b, it.count; }';
const btPrintf = (at: string) => `uprobe:${BIN}:${at} { printf("%d %d %d\\n", arg0, arg1, *(int32 *)(arg2 + ${countOff})); }`;

interface Config {
  name: string;
  argv?: string[];
  /** Prints one line per hit (a candidate for the checked round). */
  prints?: boolean;
  wraith?: boolean;
}
const CONFIGS: Config[] = [
  { name: "none" },
  { name: "bt-empty", argv: [BPFTRACE, "-e", `uprobe:${BIN}:hot {}`] },
  ...(site !== entry ? [{ name: "bt-empty@site", argv: [BPFTRACE, "-e", `uprobe:${BIN}:0x${site.toString(16)} {}`] }] : []),
  { name: "bt-printf", argv: [BPFTRACE, "-e", btPrintf("hot")], prints: true },
  ...(site !== entry ? [{ name: "bt-printf@site", argv: [BPFTRACE, "-e", btPrintf(`0x${site.toString(16)}`)], prints: true }] : []),
  { name: "wraith", argv: [WRAITH, "--script-output", "plain", "-t", BIN, "-s", SCRIPT], prints: true, wraith: true },
];

async function fixture(calls: number): Promise<number> {
  const p = Bun.spawn([BIN, String(calls)], { stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  const out = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) throw new Error(`bench_hot exited ${p.exitCode}`);
  const m = /ns\/call ([\d.]+) calls (\d+)/.exec(out);
  if (!m || Number(m[2]) !== calls) throw new Error(`bench_hot printed: ${out}`);
  return Number(m[1]);
}

/** utime + stime of every thread of `pid`, in ns (clock-tick resolution). */
function cpuNs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1e9) / CLK_TCK;
}

/** Wait until the tracer's CPU time stops moving (it has drained its events). */
async function settle(pid: number): Promise<number> {
  let last = cpuNs(pid);
  for (let i = 0; i < 40; i++) {
    await Bun.sleep(100);
    const now = cpuNs(pid);
    if (now === last) return now;
    last = now;
  }
  return last;
}

interface Sample {
  nsPerCall: number;
  /** Tracer CPU ns per event over the timed run (+ drain). */
  cpuPerEvent?: number;
  /** wraith's summary: events and losses. */
  events?: number;
  lost?: number;
  /** Ping runs of PING_CALLS calls before the timed run (the last one was traced: its calls are events). */
  pings?: number;
  stdout?: string;
  /** BPF program stats (bpf_stats_enabled): ns per run, runs, verified insns. */
  prog?: { nsPerRun: number; runs: number; insns: number };
}

/** Sum the tracer's BPF programs' run statistics (from /proc/PID/fdinfo). */
function progStats(pid: number): Sample["prog"] {
  let ns = 0, runs = 0, insns = 0;
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info: string;
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
    } catch {
      continue;
    }
    if (!info.includes("prog_type:")) continue;
    const n = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(info)?.[1] ?? 0);
    // bpftrace's BEGIN/END programs run once or never: count the probe's program(s).
    if (n("run_cnt") < 2) continue;
    ns += n("run_time_ns");
    runs += n("run_cnt");
    insns += n("verified_insns");
  }
  return { nsPerRun: runs ? ns / runs : 0, runs, insns };
}

async function measure(c: Config, stdoutFile?: string, stats = false): Promise<Sample> {
  if (!c.argv) return { nsPerCall: await fixture(CALLS) };
  const out = openSync(stdoutFile ?? "/dev/null", "w");
  const tracer = Bun.spawn(c.argv, { stdout: out, stderr: "pipe", stdin: "ignore", env: { ...process.env, NO_COLOR: "1" } });
  closeSync(out);
  const stderr = new Response(tracer.stderr).text();
  let pings = 0;
  try {
    // Attached once a ping run is slowed by traps (≥ 0.5 µs per call; a plain call is ≈ 2 ns).
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (tracer.exitCode !== null) throw new Error(`${c.name} exited early: ${await stderr}`);
      pings++;
      if ((await fixture(PING_CALLS)) > 500) break;
      if (Date.now() > deadline) throw new Error(`${c.name}: not attached after 30 s`);
      await Bun.sleep(50);
    }
    const c0 = await settle(tracer.pid);
    const nsPerCall = await fixture(CALLS);
    const c1 = await settle(tracer.pid);
    const prog = stats ? progStats(tracer.pid) : undefined;
    tracer.kill("SIGINT");
    const killer = setTimeout(() => tracer.kill("SIGKILL"), 20_000);
    await tracer.exited;
    clearTimeout(killer);
    const err = await stderr;
    const s: Sample = { nsPerCall, cpuPerEvent: (c1 - c0) / CALLS, pings, prog };
    if (c.wraith) {
      const m = /(\d+) events?, (\d+) lost/.exec(err);
      if (!m) throw new Error(`wraith printed no summary: ${err}`);
      // Traced ping calls are events too (the last ping, at least, was traced).
      s.events = Number(m[1]);
      s.lost = Number(m[2]);
    }
    if (stdoutFile) s.stdout = readFileSync(stdoutFile, "utf8");
    return s;
  } finally {
    if (tracer.exitCode === null) tracer.kill("SIGKILL");
  }
}

/** The fixture's i-th call: a, b and it->count on entry. */
function* expected(calls: number): Generator<string> {
  let count = 0;
  for (let i = 0; i < calls; i++) {
    const a = i | 0;
    const b = (i >> 3) | 0;
    yield `${a} ${b} ${count}`;
    count = (count + (a - b)) | 0;
  }
}

/** Check a printing tracer's captured stdout: the timed run's lines are the last CALLS ones. */
function check(name: string, text: string, wraith: boolean): { lines: number; lost: number; ok: boolean; note: string } {
  let lost = 0;
  const lines: string[] = [];
  for (const l of text.split("\n")) {
    const m = /^Lost (\d+) events/.exec(l);
    if (m) lost += Number(m[1]);
    else if (/^-?\d+ -?\d+ -?\d+$/.test(l)) lines.push(l);
  }
  const run = lines.slice(-CALLS);
  let bad = -1;
  let i = 0;
  for (const e of expected(Math.min(CALLS, run.length))) {
    if (run[i] !== e) {
      bad = i;
      break;
    }
    i++;
  }
  const ok = run.length === CALLS && bad < 0;
  const note = ok ? "all values as computed" : bad >= 0 ? `line ${bad}: ${JSON.stringify(run[bad])}` : `${run.length} lines`;
  void name;
  void wraith;
  return { lines: run.length, lost, ok, note };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

console.log(`values overhead: hot(a, b, it) × ${CALLS} calls, ${ROUNDS} rounds interleaved, medians`);
console.log(`fixture: gcc ${OPT} -g (${BIN}); hot at 0x${entry.toString(16)}, wraith's site 0x${site.toString(16)}${site === entry ? " (same instruction)" : " (after the prologue)"}; it.count at +${countOff}`);
console.log(`bpftrace ${run([BPFTRACE, "--version"]).trim().replace(/^bpftrace /, "")}; wraith ${run([WRAITH, "--version"]).trim()}`);

const samples = new Map<string, Sample[]>(CONFIGS.map((c) => [c.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const k = round % CONFIGS.length;
  const order = [...CONFIGS.slice(k), ...CONFIGS.slice(0, k)];
  for (const c of order) {
    const s = await measure(c);
    samples.get(c.name)!.push(s);
    process.stderr.write(`  round ${round + 1} ${c.name}: ${s.nsPerCall} ns/call${s.lost !== undefined ? `, ${s.events} events, ${s.lost} lost` : ""}\n`);
  }
}

const base = median(samples.get("none")!.map((s) => s.nsPerCall));
const cost = (name: string) => median(samples.get(name)!.map((s) => s.nsPerCall)) - base;
const pad = (s: string, n: number) => s.padStart(n);
console.log("");
console.log(`${"config".padEnd(16)}${pad("ns/call", 10)}${pad("per hit", 10)}${pad("min–max", 15)}${pad("tracer CPU", 12)}${pad("events", 10)}${pad("lost", 9)}`);
console.log(`${"".padEnd(16)}${pad("", 10)}${pad("ns", 10)}${pad("ns/call", 15)}${pad("ns/event", 12)}${pad("seen", 10)}${pad("", 9)}`);
for (const c of CONFIGS) {
  const xs = samples.get(c.name)!;
  const ns = median(xs.map((s) => s.nsPerCall));
  const cpu = c.argv ? median(xs.map((s) => s.cpuPerEvent!)).toFixed(0) : "";
  // wraith's summary counts the ping calls too: show the timed run's share.
  const events = c.wraith ? String(Math.min(...xs.map((s) => s.events! - PING_CALLS))) : "";
  const lost = c.wraith ? String(Math.max(...xs.map((s) => s.lost!))) : c.prints ? "checked↓" : "";
  const all = xs.map((s) => s.nsPerCall);
  const range = c.argv ? `${Math.min(...all).toFixed(0)}–${Math.max(...all).toFixed(0)}` : "";
  console.log(`${c.name.padEnd(16)}${pad(ns.toFixed(1), 10)}${pad(c.argv ? (ns - base).toFixed(0) : "", 10)}${pad(range, 15)}${pad(cpu, 12)}${pad(events, 10)}${pad(lost, 9)}`);
}
console.log(`(events seen: wraith's exit summary minus the traced ping's calls, lowest round; lost: highest round)`);
console.log("");
const w = cost("wraith");
const floor = cost("bt-empty");
const printf = cost("bt-printf");
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
// Per round: each configuration's cost against the same round's baseline.
const perRound = (a: string, b: string) =>
  median(samples.get(a)!.map((s, i) => (s.nsPerCall - samples.get("none")![i]!.nsPerCall) / (samples.get(b)![i]!.nsPerCall - samples.get("none")![i]!.nsPerCall)));
const rEmpty = perRound("wraith", "bt-empty");
const rPrintf = perRound("wraith", "bt-printf");
console.log(`wraith / bt-empty  = ${(w / floor).toFixed(3)} (ratio of medians), ${rEmpty.toFixed(3)} (median of per-round ratios)   goal ≤ 1.10: ${verdict(w / floor <= 1.1 && rEmpty <= 1.1)}`);
console.log(`wraith / bt-printf = ${(w / printf).toFixed(3)} (ratio of medians), ${rPrintf.toFixed(3)} (median of per-round ratios)   goal < 1: ${verdict(w / printf < 1 && rPrintf < 1)}`);
console.log(`bt-printf / bt-empty = ${(printf / floor).toFixed(3)}; wraith − bt-empty = ${(w - floor).toFixed(0)} ns per hit`);
if (site !== entry) {
  const fs = cost("bt-empty@site");
  console.log(`at wraith's site: wraith / bt-empty@site = ${(w / fs).toFixed(3)}, wraith / bt-printf@site = ${(w / cost("bt-printf@site")).toFixed(3)}`);
}

// The checked round: printing tracers' stdout to /dev/shm, every line
// verified; BPF program statistics on for every tracer.
const STATS = "/proc/sys/kernel/bpf_stats_enabled";
const statsWas = readFileSync(STATS, "utf8").trim();
writeFileSync(STATS, "1");
process.on("exit", () => writeFileSync(STATS, statsWas));
console.log("");
console.log("checked round (stdout to /dev/shm, every value verified against the fixture's arithmetic; kernel.bpf_stats_enabled=1):");
for (const c of CONFIGS.filter((c) => c.argv)) {
  const file = c.prints ? join(shm, `${c.name}.out`) : undefined;
  const s = await measure(c, file, true);
  const p = s.prog!;
  let text = `  ${c.name.padEnd(14)} ${pad((s.nsPerCall - base).toFixed(0), 6)} ns/hit; BPF program ${pad(p.nsPerRun.toFixed(0), 4)} ns/run over ${p.runs} runs, ${p.insns} insns verified`;
  if (file) {
    const r = check(c.name, s.stdout!, !!c.wraith);
    const lost = c.wraith ? s.lost! : r.lost;
    text += `; ${r.lines}/${CALLS} lines of the timed run, ${lost} lost${c.wraith ? ` (summary: ${s.events} events, ${PING_CALLS} from the traced ping)` : ""}; ${r.note}`;
    if (existsSync(file)) rmSync(file);
  }
  console.log(text);
}
writeFileSync(STATS, statsWas);
