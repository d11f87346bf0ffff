// Where the time of `wraith info scope FUNC -t DRIVER` goes, step by step,
// in one process (no compile step): open, DWARF, function lookup, break
// address (line program + prologue), scope, type names; heap and RSS after.
// Usage: bun test/bench/dwarf-scope-steps.ts [FUNC=sqlite3VdbeExec] [gcc|clang]
import { sqliteDriver } from "./sqlite-driver.ts";
import { DebugInfo } from "../../src/resolve/debuginfo.ts";
import { scopeAt } from "../../src/resolve/scope.ts";
import { typeNameOf } from "../../src/resolve/types.ts";

// As dist/wraith starts (build.ts --compile-jit-policy); JIT_POLICY=1 for the default.
Bun.unsafe.setJITPolicy(Number(process.env.JIT_POLICY ?? 30));
const startRss = process.resourceUsage().maxRSS / 1024;
const FUNC = process.argv[2] ?? "sqlite3VdbeExec";
const driver = sqliteDriver((process.argv[3] as "gcc" | "clang") ?? "gcc");
const steps: [string, number, number][] = [];
const maxRss = () => process.resourceUsage().maxRSS / 1024;
let t = performance.now();
const step = <T>(name: string, f: () => T): T => {
  const v = f();
  const now = performance.now();
  steps.push([name, now - t, maxRss()]);
  t = now;
  return v;
};

const info = step("DebugInfo.open", () => DebugInfo.open(driver));
const dwarf = step("dwarf", () => info.dwarf);
const fns = step("functionsNamed", () => info.functionsNamed(FUNC));
const fn = fns[0]!;
const lp = step("lineProgram header", () => info.lineProgram(fn.unit));
const pc = step("breakpointAddress (line run)", () => info.breakpointAddress(fn));
const scope = step("scopeAt", () => scopeAt(dwarf, info.cfi, pc));
const types = step("typeNameOf ×" + scope.variables.length, () => scope.variables.map((v) => typeNameOf(info, v.decl)));
void lp, types;
console.log(`start                                  maxRSS ${startRss.toFixed(1)} MB`);
for (const [name, ms, rss] of steps) console.log(`${name.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms   maxRSS ${rss.toFixed(1)} MB`);
const m = process.memoryUsage();
console.log(`pc 0x${pc.toString(16)}; heapUsed ${(m.heapUsed / 2 ** 20).toFixed(1)} MB, rss ${(m.rss / 2 ** 20).toFixed(1)} MB, maxRSS ${(process.resourceUsage().maxRSS / 2 ** 10).toFixed(1)} MB`);
