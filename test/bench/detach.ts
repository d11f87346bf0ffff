// How long detaching takes: wraith attached to a live process with 1, 41 and
// 277 probe sites (main; the 41 inlined copies of detach_inlined.c's note();
// the 277 inlined copies of SQLite's sqlite3DbFree in a looping driver), once
// with uprobe_multi links and once with per-site perf events
// (WRAITH_NO_UPROBE_MULTI=1). Measured from SIGINT to wraith's exit, which is
// detaching plus a few ms of shutdown. Prints figures; not a test.
//   WRAITH_BIN=/tmp/wraith-x bun test/bench/detach.ts
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileFixture, ROOT } from "../helpers/fixtures.ts";
import { startProcess } from "../helpers/processes.ts";
import { spawnWraith } from "../helpers/wraith.ts";
import { sqliteDriver } from "./sqlite-driver.ts";

const DIR = join(ROOT, ".cache/bench");

/** SQLite in a loop (sqlite3DbFree fires on every statement), built like sqlite-driver.ts's driver. */
function sqliteLoop(): string {
  const out = join(DIR, "sqlite-loop-gcc");
  if (existsSync(out)) return out;
  sqliteDriver(); // fetches the amalgamation
  mkdirSync(DIR, { recursive: true });
  const src = join(DIR, "loop.c");
  writeFileSync(src, `#include "sqlite3.h"
#include <stdio.h>
#include <unistd.h>
int main(void) {
  printf("ready\\n");
  fflush(stdout);
  for (;;) {
    sqlite3 *db;
    sqlite3_open(":memory:", &db);
    sqlite3_exec(db, "create table t(x); insert into t values (1); select x from t", 0, 0, 0);
    sqlite3_close(db);
    usleep(20000);
  }
}
`);
  const sq = join(DIR, "package/deps/sqlite3");
  const r = Bun.spawnSync(["gcc", "-g", "-O2", "-I", sq, "-o", `${out}.tmp`, src, join(sq, "sqlite3.c"), "-lpthread", "-lm", "-ldl"], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`building ${out}: ${r.stderr.toString()}`);
  Bun.spawnSync(["mv", `${out}.tmp`, out]);
  return out;
}

async function detachSeconds(bin: string, script: string, env: Record<string, string>): Promise<{ probes: number; s: number }> {
  const target = await startProcess([bin]);
  try {
    const w = spawnWraith(["-p", String(target.pid), "--script-output", "plain", "-s", script], { env });
    await w.ready;
    await Bun.sleep(300);
    const t0 = performance.now();
    const r = await w.stop("SIGINT");
    const s = (performance.now() - t0) / 1000;
    const probes = Number(/(\d+) probes? attached/.exec(r.stderr)?.[1] ?? NaN);
    return { probes, s };
  } finally {
    target.kill();
  }
}

const inlined = compileFixture("detach_inlined", { opt: "-O2" });
const cases = [
  { what: "main", bin: inlined, script: 'trace main { print "m"; }' },
  { what: "note (inlined)", bin: inlined, script: 'trace note { print "{}", k; }' },
  { what: "sqlite3DbFree (inlined)", bin: sqliteLoop(), script: 'trace sqlite3DbFree { print "{}", p; }' },
];
console.log("sites  trace                     uprobe_multi  perf events  (seconds from SIGINT to exit)");
for (const c of cases) {
  const multi = await detachSeconds(c.bin, c.script, {});
  const perf = await detachSeconds(c.bin, c.script, { WRAITH_NO_UPROBE_MULTI: "1" });
  console.log(`${String(multi.probes).padStart(5)}  ${c.what.padEnd(24)}  ${multi.s.toFixed(2).padStart(12)}  ${perf.s.toFixed(2).padStart(11)}`);
}
