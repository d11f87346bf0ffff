// Shared libraries: functions in a .so traced with -p PID (the process has it
// loaded), -p PID -t SUFFIX, -t /path/lib.so (every process, started later,
// ASLR on) and MODULE:0xADDR; globals of the library, of the PIE, and of the
// other module, read through each process's own load bias. Values are
// compared with gdb's at the same function for the same argument: the
// fixture is deterministic, so the state at foo_work(x) depends on x alone.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { compileFixture, compileSharedLibrary, type SharedLibrary } from "../helpers/fixtures.ts";
import { startProcess, type Running } from "../helpers/processes.ts";
import { runWraith, spawnWraith } from "../helpers/wraith.ts";
import { gdbBreakpoint } from "../helpers/gdb.ts";
import { events, gdbByArg as gdbByArgIn } from "../helpers/shlib.ts";

let lib: SharedLibrary;
let app: string;
const gdbByArg = (spec: string, exprs: string[], hits: number) => gdbByArgIn(app, spec, exprs, hits);
const children: Running[] = [];

async function start(args: string[]): Promise<Running> {
  const p = await startProcess([app, ...args]);
  children.push(p);
  return p;
}

beforeAll(() => {
  lib = compileSharedLibrary("shlib_foo", "shfoo");
  app = compileFixture("shlib_app", { flags: lib.linkFlags });
});
afterAll(() => {
  for (const c of children) c.kill();
});

const IN_LIB = ["x", "foo_private", "foo_static", "foo_shared", "foo_config.level", "foo_calls"];
const IN_APP = ["i", "app_global", "app_static", "foo_shared", "foo_private", "foo_calls"];
const script = (fn: string, exprs: string[]) => `trace ${fn} { ${exprs.map((e) => `print ${e};`).join(" ")} }`;

describe("shared libraries", () => {
  test("-p PID: a library function; its globals, the PIE's copy of foo_shared and the PIE's global through its bias", async () => {
    const exprs = [...IN_LIB, "app_global"];
    const want = gdbByArg("foo_work", exprs, 400);
    const p = await start(["1000000", "20"]);
    const r = await runWraith(["--json", "--count", "5", "-p", String(p.pid), "-s", script("foo_work", exprs)], { timeoutMs: 30_000 });
    expect(r.stderr).not.toContain("error");
    const got = events(r.stdout);
    expect(got.length).toBe(5);
    for (const e of got) expect(e.values).toEqual(want.get(e.values[0]!)!);
  }, 120_000);

  test("-p PID: a PIE function printing the library's globals (found in the library's DWARF, read through its bias)", async () => {
    const want = gdbByArg("app_step", IN_APP, 400);
    const p = await start(["1000000", "20"]);
    const r = await runWraith(["--json", "--count", "5", "-p", String(p.pid), "-s", script("app_step", IN_APP)], { timeoutMs: 30_000 });
    expect(r.stderr).not.toContain("error");
    const got = events(r.stdout);
    expect(got.length).toBe(5);
    for (const e of got) expect(e.values).toEqual(want.get(e.values[0]!)!);
  }, 120_000);

  test("-p PID -t libshfoo.so picks the process's module by suffix; an unknown one lists the modules", async () => {
    const p = await start(["1000000", "20"]);
    const r = await runWraith(["--json", "--count", "2", "-p", String(p.pid), "-t", "libshfoo.so", "-s", script("foo_work", ["x"])], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(events(r.stdout).length).toBe(2);
    const bad = await runWraith(["-p", String(p.pid), "-t", "libnope.so", "-s", script("foo_work", ["x"])], { timeoutMs: 30_000 });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain(`no module matching libnope.so in process ${p.pid}; its modules are: ${app}, `);
    expect(bad.stderr).toContain(lib.path);
  }, 60_000);

  test("-t lib.so: every process, started later, each with its own load address (ASLR on)", async () => {
    const want = gdbByArg("foo_work", IN_LIB, 8);
    const w = spawnWraith(["--json", "-t", lib.path, "-s", script("foo_work", IN_LIB)]);
    await w.ready;
    const a = await start(["8", "20"]);
    const b = await start(["8", "20"]);
    const base = (pid: number) => readFileSync(`/proc/${pid}/maps`, "utf8").split("\n").find((l) => l.endsWith(lib.path))?.split("-")[0];
    const bases = [base(a.pid), base(b.pid)];
    await Promise.all([a.exited, b.exited]);
    await Bun.sleep(200);
    const r = await w.stop();
    expect(bases[0]).toBeDefined();
    expect(bases[0]).not.toBe(bases[1]);
    for (const pid of [a.pid, b.pid]) {
      const mine = events(r.stdout).filter((e) => e.pid === pid);
      expect(mine.map((e) => e.values)).toEqual([...want.values()]);
    }
  }, 120_000);

  test("MODULE:0xADDR takes the library's link-time address (as gdb and nm show it)", async () => {
    const bp = gdbBreakpoint(lib.path, "foo_work")!;
    const addr = `0x${bp.address.toString(16)}`;
    const p = await start(["1000000", "20"]);
    for (const module of ["libshfoo.so", "libshfoo", lib.path]) {
      const r = await runWraith(["--json", "--count", "1", "-p", String(p.pid), "-s", `trace ${module}:${addr} { print "{}", x; }`], { timeoutMs: 30_000 });
      expect(r.code).toBe(0);
      expect(events(r.stdout)).toHaveLength(1);
    }
    const bad = await runWraith(["-p", String(p.pid), "-s", `trace libnope.so:${addr} { print "{}", x; }`], { timeoutMs: 30_000 });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("no module matching libnope.so in the process; its modules are: ");
    // -t names one file: other modules are not searchable, and the message says so.
    const t = await runWraith(["--dry-run", "-t", lib.path, "-s", `trace libc.so.6:${addr} { print "{}", x; }`], { timeoutMs: 30_000 });
    expect(t.code).not.toBe(0);
    expect(t.stderr).toContain("-t names one file; use -p PID to search a process's libraries");
  }, 60_000);
});
