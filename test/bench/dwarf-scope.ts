// Time and peak memory from process start to the printed answer of
//   wraith info scope sqlite3VdbeExec -t DRIVER
// beside gdb -batch -nx -ex 'info scope sqlite3VdbeExec' DRIVER, in the same
// run, on the SQLite amalgamation built with -g -O2 (see sqlite-driver.ts).
// Usage: bun test/bench/dwarf-scope.ts [rounds=7] [gcc|clang]
import { sqliteDriver } from "./sqlite-driver.ts";
import { WRAITH, requireBinary } from "../helpers/wraith.ts";

const rounds = Number(process.argv[2] ?? 7);
const cc = (process.argv[3] as "gcc" | "clang") ?? "gcc";
requireBinary();
const driver = sqliteDriver(cc);
const FUNC = "sqlite3VdbeExec";

interface Sample {
  ms: number;
  rssMB: number;
  lines: number;
}

function measure(argv: string[]): Sample {
  const t0 = performance.now();
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  const ms = performance.now() - t0;
  if (r.exitCode !== 0) throw new Error(`${argv[0]} failed (${r.exitCode}): ${r.stderr.toString().slice(0, 500)}`);
  return { ms, rssMB: r.resourceUsage.maxRSS / (1 << 20), lines: r.stdout.toString().trim().split("\n").length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const tools: Record<string, string[]> = {
  wraith: [WRAITH, "info", "scope", FUNC, "-t", driver],
  gdb: ["gdb", "-batch", "-nx", "-ex", `info scope ${FUNC}`, driver],
};
const results: Record<string, Sample[]> = { wraith: [], gdb: [] };
for (let i = 0; i < rounds; i++) for (const [name, argv] of Object.entries(tools)) results[name]!.push(measure(argv)); // interleaved

console.log(`info scope ${FUNC} on ${driver} (${cc} -g -O2), ${rounds} rounds, medians`);
console.log("tool     wall ms   peak RSS MB   output lines");
for (const [name, s] of Object.entries(results)) {
  console.log(`${name.padEnd(8)} ${median(s.map((x) => x.ms)).toFixed(0).padStart(7)}   ${median(s.map((x) => x.rssMB)).toFixed(1).padStart(11)}   ${s[0]!.lines}`);
}
const w = results.wraith!, g = results.gdb!;
console.log(`wraith/gdb: time ${(median(w.map((x) => x.ms)) / median(g.map((x) => x.ms))).toFixed(2)}x, memory ${(median(w.map((x) => x.rssMB)) / median(g.map((x) => x.rssMB))).toFixed(2)}x (goal: time <= 0.5x, memory <= 1x)`);
