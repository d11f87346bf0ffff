// The benchmark target for DWARF questions: the SQLite amalgamation (from the
// npm package better-sqlite3, deps/sqlite3/sqlite3.c) built with -g -O2 into
// a small driver program — about 4 MB of DWARF. Cached under .cache/bench.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers/fixtures.ts";

const DIR = join(ROOT, ".cache/bench");

function run(argv: string[], cwd = DIR): void {
  const r = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
}

/** Path of the -g -O2 driver, built on first use. */
export function sqliteDriver(cc: "gcc" | "clang" = "gcc"): string {
  const out = join(DIR, `sqlite-driver-${cc}`);
  if (existsSync(out)) return out;
  mkdirSync(DIR, { recursive: true });
  const src = join(DIR, "package/deps/sqlite3/sqlite3.c");
  if (!existsSync(src)) {
    if (!readdirSync(DIR).some((f) => f.startsWith("better-sqlite3-") && f.endsWith(".tgz"))) run(["npm", "pack", "better-sqlite3", "--silent"]);
    const tgz = readdirSync(DIR).find((f) => f.startsWith("better-sqlite3-") && f.endsWith(".tgz"))!;
    run(["tar", "xzf", tgz, "package/deps/sqlite3/sqlite3.c", "package/deps/sqlite3/sqlite3.h"]);
  }
  const driver = join(DIR, "driver.c");
  writeFileSync(
    driver,
    `#include "sqlite3.h"
#include <stdio.h>
int main(void) {
  sqlite3 *db;
  sqlite3_open(":memory:", &db);
  sqlite3_exec(db, "create table t(x); insert into t values (1); select x from t", 0, 0, 0);
  printf("%s\\n", sqlite3_libversion());
  return sqlite3_close(db);
}
`,
  );
  run([cc, "-g", "-O2", "-I", join(DIR, "package/deps/sqlite3"), "-o", `${out}.tmp`, driver, src, "-lpthread", "-lm", "-ldl"]);
  run(["mv", `${out}.tmp`, out]);
  return out;
}

if (import.meta.main) console.log(sqliteDriver((process.argv[2] as "gcc" | "clang") ?? "gcc"));
