// What sysmon (bpf/sysmon.bpf.o) costs the rest of the machine while wraith
// follows processes: every process pays it, traced or not.
//
//   sudo node_modules/.bin/bun test/bench/sysmon-overhead.ts [rounds=7] [calls=2000000] [spawns=200]
//
// Configurations, interleaved in rotating order each round:
//   none        sysmon not loaded
//   lifecycle   sysmon attached to exec, fork and exit (tp_btf) — what `-t EXE` uses
//   mappings    also its sys_exit program, which picks out executable mmaps —
//               what waiting trace points, `-t LIB.so` and other modules' globals use
// Figures (medians over the rounds):
//   syscall     ns per getppid() in a tight loop (test/fixtures/bench_syscalls.c):
//               a tracepoint on sys_exit puts every syscall on the tracing path
//   spawn       µs per fork+exec+exit of /bin/true from a shell loop: the
//               lifecycle programs run once per process
// No peer: no other tool watches process lifecycles to follow a target.
// The VM's noise is a few percent between rounds; compare the ratios.
import { spawnSync } from "node:child_process";
import { compileFixture } from "../helpers/fixtures.ts";
import { Sysmon } from "../../src/target/sysmon.ts";

const [rounds, calls, spawns] = [Number(process.argv[2] ?? 7), Number(process.argv[3] ?? 2_000_000), Number(process.argv[4] ?? 200)];
const loop = compileFixture("bench_syscalls", { opt: "-O2" });

type Config = "none" | "lifecycle" | "mappings";
const CONFIGS: Config[] = ["none", "lifecycle", "mappings"];

function syscallNs(): number {
  const r = spawnSync(loop, [String(calls)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench_syscalls failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

function spawnUs(): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("sh", ["-c", `i=0; while [ $i -lt ${spawns} ]; do /bin/true; i=$((i+1)); done`]);
  if (r.status !== 0) throw new Error("spawn loop failed");
  return Number(process.hrtime.bigint() - t0) / 1000 / spawns;
}

function measure(c: Config): { syscall: number; spawn: number } {
  const s = c === "none" ? undefined : Sysmon.start({ mappings: c === "mappings" });
  try {
    // Nothing is watched: this is the cost every other process on the machine pays (the programs run and filter).
    return { syscall: syscallNs(), spawn: spawnUs() };
  } finally {
    s?.poll(0);
    s?.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = new Map<Config, { syscall: number[]; spawn: number[] }>(CONFIGS.map((c) => [c, { syscall: [], spawn: [] }]));
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < CONFIGS.length; k++) {
    const c = CONFIGS[(r + k) % CONFIGS.length]!;
    const m = measure(c);
    results.get(c)!.syscall.push(m.syscall);
    results.get(c)!.spawn.push(m.spawn);
  }
}

const base = results.get("none")!;
console.log(`sysmon overhead: ${rounds} rounds, ${calls} getppid() calls, ${spawns} spawns of /bin/true per measurement (medians)`);
console.log("config      syscall ns   ratio   spawn µs   ratio");
for (const c of CONFIGS) {
  const m = results.get(c)!;
  const sc = median(m.syscall), sp = median(m.spawn);
  console.log(
    `${c.padEnd(10)}  ${sc.toFixed(1).padStart(10)}  ${(sc / median(base.syscall)).toFixed(2).padStart(6)}  ${sp.toFixed(0).padStart(9)}  ${(sp / median(base.spawn)).toFixed(2).padStart(6)}`,
  );
}
