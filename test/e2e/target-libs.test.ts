// -t EXECUTABLE reads the globals of the libraries it links (found as ld.so
// finds them: src/target/ldso.ts) through each process's own load bias, kept
// in the bias table: filled at start for processes already running the
// target, written by sysmon's BPF inside the mmap(2) that maps the library in
// processes that start later (before any of its code runs, so from their
// first event), removed when they exit. MODULE:0xADDR can name one of those libraries.
// Values are compared with gdb's at the same function for the same argument:
// the fixture is deterministic, so the state at app_step(i) depends on i alone.
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
const stops: (() => void)[] = [];

beforeAll(() => {
  lib = compileSharedLibrary("shlib_foo", "shfoo");
  app = compileFixture("shlib_app", { flags: lib.linkFlags }); // DT_RUNPATH names lib.dir
});
afterAll(() => {
  for (const c of children) c.kill();
  for (const s of stops) s();
});

async function start(args: string[]): Promise<Running> {
  const p = await startProcess([app, ...args]);
  children.push(p);
  return p;
}

function startWraith(args: string[]) {
  const w = spawnWraith(args);
  stops.push(() => w.proc.kill("SIGKILL"));
  return w;
}

async function until(text: () => string, re: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!re.test(text())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got:\n${text()}`);
    await Bun.sleep(10);
  }
}

/** Where the process mapped libshfoo.so (its first mapping's start). */
function libBase(pid: number): string | undefined {
  return readFileSync(`/proc/${pid}/maps`, "utf8").split("\n").find((l) => l.endsWith(lib.path))?.split("-")[0];
}

// The library's own globals (foo_private: only the library uses it; foo_static: a file static;
// foo_config, foo_calls), and the executable's own for contrast.
const EXPRS = ["i", "foo_private", "foo_static", "foo_config.level", "foo_calls", "app_global", "foo_shared"];
const script = (fn: string, exprs: string[]) => `trace ${fn} { ${exprs.map((e) => `print ${e};`).join(" ")} }`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("-t EXECUTABLE and the libraries it links", () => {
  test("a library's globals from app_step: a process running before wraith and two started after (ASLR on); entries removed at exit", async () => {
    const want = gdbByArg("app_step", EXPRS, 400);
    const early = await start(["1000000", "50"]);
    const w = startWraith(["--json", "--verbose", "-t", app, "-s", script("app_step", EXPRS)]);
    await w.ready;
    const later: { pid: number; base?: string }[] = [];
    for (let run = 0; run < 2; run++) {
      const p = await start(["6", "150"]);
      later.push({ pid: p.pid, base: libBase(p.pid) });
      expect(await p.exited).toBe(0);
      await until(() => w.stderr, new RegExp(`wraith: pid ${p.pid} \\([^)]*\\) exited`));
    }
    const earlyBase = libBase(early.pid);
    early.kill();
    await early.exited;
    await Bun.sleep(300); // the exit event reaches wraith's next batch
    const r = await w.stop("SIGINT");
    expect(r.code).toBe(0);

    // ASLR: three different load addresses of the library.
    expect(new Set([earlyBase, ...later.map((l) => l.base)]).size).toBe(3);

    // Already running: its entry was written at start, so every event has the library's values.
    const first = events(r.stdout).filter((e) => e.pid === early.pid);
    expect(first.length).toBeGreaterThan(3);
    for (const e of first) expect(e.values).toEqual(want.get(e.values[0]!)!);

    // Started later: sysmon's BPF wrote the entry in the mmap(2) that mapped the library, before
    // main ran, so every event, the first included, has the library's values.
    for (const { pid } of later) {
      const mine = events(r.stdout).filter((e) => e.pid === pid);
      expect(mine.map((e) => e.values[0])).toEqual(["0", "1", "2", "3", "4", "5"]);
      for (const e of mine) expect(e.values).toEqual(want.get(e.values[0]!)!);
    }
    expect(r.stderr).toContain("wraith: sysmon: 2 processes started later followed, 2 exited; 0 load-bias entries left; 0 sysmon events lost");
  }, 180_000);

  test("libshfoo.so:0xADDR with plain -t: found among the libraries the executable links; the executable's global from there, from the first call", async () => {
    const bp = gdbBreakpoint(lib.path, "foo_work")!;
    const addr = `0x${bp.address.toString(16)}`;
    // app_global is the executable's: read through its load bias, which sysmon writes at exec.
    const exprs = ["x", "foo_private", "foo_static", "foo_calls", "app_global"];
    const want = gdbByArg("foo_work", exprs, 4);
    for (const module of ["libshfoo.so", "libshfoo"]) {
      const w = startWraith(["--json", "-t", app, "-s", `trace ${module}:${addr} { ${exprs.map((e) => `print ${e};`).join(" ")} }`]);
      await w.ready;
      expect(w.stderr).toContain(`wraith: trace ${module}:${addr} is in ${lib.path}: its probe fires in every process that maps it, not only in those running ${app}`);
      const p = await start(["4", "20"]);
      expect(await p.exited).toBe(0);
      const deadline = Date.now() + 20_000;
      while (events(w.stdout).filter((e) => e.pid === p.pid).length < 4 && Date.now() < deadline) await Bun.sleep(10);
      const r = await w.stop("SIGINT");
      expect(events(r.stdout).filter((e) => e.pid === p.pid).map((e) => e.values)).toEqual([...want.values()]);
    }
  }, 120_000);

  test("a module the executable does not link is refused, listing the ones it does; a name there is none of stays refused", async () => {
    const bad = await runWraith(["--dry-run", "-t", app, "-s", `trace libnope.so:0x1139 { print x; }`], { timeoutMs: 30_000 });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(new RegExp(`no module matching libnope\\.so in the target ${esc(app)} and the \\d+ libraries it links; its modules are: ${esc(app)}, ${esc(lib.path)}, `));
    expect(bad.stderr).toContain("libc.so.6");
    // Functions stay in the -t file: foo_work is libshfoo's, traced with -t libshfoo.so.
    const fn = await runWraith(["--dry-run", "-t", app, "-s", `trace foo_work { print x; }`], { timeoutMs: 30_000 });
    expect(fn.code).not.toBe(0);
    expect(fn.stderr).toContain(`function foo_work not found in ${app}`);
  }, 60_000);

  test("a library ld.so would not find (no RUNPATH, not in LD_LIBRARY_PATH): a --verbose note, and its globals are not found", async () => {
    const bare = compileFixture("shlib_app", { flags: [`-L${lib.dir}`, "-lshfoo"] });
    const env = { LD_LIBRARY_PATH: "" };
    const ok = await runWraith(["--dry-run", "-v", "-t", bare, "-s", script("app_step", ["app_global"])], { timeoutMs: 30_000, env });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`wraith: libshfoo.so (needed by ${bare}) not found where ld.so would look; its globals cannot be read`);
    const quiet = await runWraith(["--dry-run", "-t", bare, "-s", script("app_step", ["app_global"])], { timeoutMs: 30_000, env });
    expect(quiet.stderr).not.toContain("libshfoo.so");
    const lost = await runWraith(["--dry-run", "-t", bare, "-s", script("app_step", ["foo_private"])], { timeoutMs: 30_000, env });
    expect(lost.code).not.toBe(0);
    expect(lost.stderr).toContain("no variable foo_private is visible here");
    // With LD_LIBRARY_PATH (wraith's own environment) it is found, as ld.so would.
    const found = await runWraith(["--dry-run", "-v", "-t", bare, "-s", script("app_step", ["foo_private"])], { timeoutMs: 30_000, env: { LD_LIBRARY_PATH: lib.dir } });
    expect(found.code).toBe(0);
  }, 60_000);
});
