// Following processes that start after wraith (sysmon), end to end with the
// real binary, real processes and real uprobes:
//   - -t ./app, then app started twice: each announced, events from both with
//     their own $pid, and at the end (--verbose) both seen exiting;
//   - -t libsmplugin.so with --enable-sysmon-shared-lib: a process linked
//     against it and one that dlopen()s it are announced; without the flag
//     they are traced (inode-wide uprobes) but not followed;
//   - -p PID / -- cmd with --pending: a trace point in a library the process
//     dlopen()s later waits, and is attached when the library is mapped;
//     without --pending it is the "not found" error at once, saying how a
//     library loaded later can be traced (a mistyped name fails fast);
//   - -p PID -t LIB.so / -t LIB.so -- cmd, the library not loaded yet: probed
//     from its file, every call after the dlopen is seen (the kernel puts the
//     uprobes into the new mapping), values equal to gdb's;
//   - the follow logic with a real load-bias table: entries appear for a
//     process that starts later and are removed when it exits.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture, compileSharedLibrary, type SharedLibrary } from "../helpers/fixtures.ts";
import { runWraith, spawnWraith } from "../helpers/wraith.ts";
import { gdbBatch } from "../helpers/gdb.ts";
import { Sysmon } from "../../src/target/sysmon.ts";
import { Follower, fileIdentity } from "../../src/runtime/follow.ts";
import { ModuleBiasTable } from "../../src/runtime/bias.ts";

let plugin: SharedLibrary;
let app: string;
let loader: string;
const cleanup: (() => void)[] = [];

beforeAll(() => {
  plugin = compileSharedLibrary("sysmon_plugin", "smplugin");
  app = compileFixture("sysmon_app", { flags: plugin.linkFlags });
  loader = compileFixture("sysmon_dlopen", { flags: ["-ldl"] });
});
afterAll(() => {
  for (const c of cleanup) c();
});

/** Wait until `text()` matches (fails after 20 s: the line never came). */
async function until(text: () => string, re: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = text().match(re);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got:\n${text()}`);
    await Bun.sleep(10);
  }
}

function spawnPiped(argv: string[]) {
  const p = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  cleanup.push(() => p.kill("SIGKILL"));
  let out = "";
  (async () => {
    for await (const c of p.stdout) out += new TextDecoder().decode(c);
  })().catch(() => {});
  return { proc: p, pid: p.pid, get stdout() { return out; }, go() { p.stdin.write("go\n"); p.stdin.flush(); } };
}

function startWraith(args: string[]) {
  const w = spawnWraith(args);
  cleanup.push(() => w.proc.kill("SIGKILL"));
  return w;
}

/** JSON events: pid and the formatted values (a launched command's own output shares stdout: skipped). */
function events(stdout: string): { pid: number; values: string[] }[] {
  return stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => {
    const e = JSON.parse(l);
    return { pid: e.pid, values: e.items.map((i: { formatted_value: string }) => i.formatted_value) };
  });
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("follow processes that start later", () => {
  test("-t ./app: app started twice after wraith — both announced, their events with their own $pid, both seen exiting", async () => {
    const w = startWraith(["--json", "--verbose", "-t", app, "-s", "trace app_tick { print $pid; print i; }"]);
    await w.ready;
    const pids: number[] = [];
    for (let run = 0; run < 2; run++) {
      const a = spawnPiped([app, "3"]);
      pids.push(a.pid);
      await until(() => w.stderr, new RegExp(`wraith: pid ${a.pid} \\(sysmon_app[^)]*\\) started; probes active`));
      a.go();
      expect(await a.proc.exited).toBe(0);
      await until(() => w.stderr, new RegExp(`wraith: pid ${a.pid} \\(sysmon_app[^)]*\\) exited`));
    }
    const r = await w.stop("SIGINT");
    expect(r.code).toBe(0);
    const byPid = (pid: number) => events(r.stdout).filter((e) => e.pid === pid).map((e) => e.values);
    for (const pid of pids) expect(byPid(pid)).toEqual([[String(pid), "0"], [String(pid), "1"], [String(pid), "2"]]);
    expect(events(r.stdout)).toHaveLength(6);
    expect(r.stderr).toContain("wraith: sysmon: 2 processes started later followed, 2 exited; 0 load-bias entries left; 0 sysmon events lost");
  });

  test("--enable-sysmon-shared-lib -t libsmplugin.so: a process linked against it and one that dlopen()s it are announced and traced", async () => {
    const w = startWraith(["--json", "--verbose", "--enable-sysmon-shared-lib", "-t", plugin.path, "-s", "trace plugin_step { print $pid; print x; }"]);
    await w.ready;
    const linked = spawnPiped([app, "2"]);
    await until(() => w.stderr, new RegExp(`wraith: pid ${linked.pid} \\(sysmon_app[^)]*\\) mapped libsmplugin\\.so; probes active`));
    linked.go();
    expect(await linked.proc.exited).toBe(0);
    const opener = spawnPiped([loader, plugin.path, "1", "2"]);
    await until(() => opener.stdout, /ready/);
    opener.go();
    expect(await opener.proc.exited).toBe(0);
    await until(() => w.stderr, new RegExp(`wraith: pid ${opener.pid} \\(sysmon_dlopen[^)]*\\) mapped libsmplugin\\.so; probes active`));
    await until(() => w.stderr, new RegExp(`wraith: pid ${opener.pid} \\(sysmon_dlopen[^)]*\\) exited`));
    await until(() => w.stderr, new RegExp(`wraith: pid ${linked.pid} \\(sysmon_app[^)]*\\) exited`));
    const r = await w.stop("SIGINT");
    const got = events(r.stdout).map((e) => e.values);
    expect(got).toEqual([[String(linked.pid), "0"], [String(linked.pid), "1"], [String(opener.pid), "0"], [String(opener.pid), "1"]]);
    expect(r.stderr).toContain("wraith: sysmon: 2 processes started later followed, 2 exited;");
  });

  test("-t libsmplugin.so without the flag: later processes are traced (the uprobe is on the file) but not followed", async () => {
    const w = startWraith(["--json", "--verbose", "-t", plugin.path, "-s", "trace plugin_step { print $pid; print x; }"]);
    await w.ready;
    const linked = spawnPiped([app, "2"]);
    await until(() => linked.stdout, /ready/);
    linked.go();
    expect(await linked.proc.exited).toBe(0);
    await until(() => w.stdout, /"formatted_value":"1"/);
    const r = await w.stop("SIGINT");
    expect(events(r.stdout).map((e) => e.values)).toEqual([[String(linked.pid), "0"], [String(linked.pid), "1"]]);
    expect(r.stderr).not.toContain("probes active");
    expect(r.stderr).not.toContain("wraith: sysmon:");
  });

  test("-p PID --pending: a function of a library the process dlopen()s later waits, then is attached when the library is mapped", async () => {
    const p = spawnPiped([loader, plugin.path, "20", "1000000"]);
    await until(() => p.stdout, /ready/);
    const w = startWraith(["--json", "--count", "3", "--pending", "-p", String(p.pid), "-s", "trace plugin_step { print $pid; print x; }"]);
    await until(() => w.stderr, /wraith: trace plugin_step: in no module loaded now \(function plugin_step not found in .*\); waiting for a library that has it \(dlopen\)/);
    await w.ready;
    p.go();
    await until(() => w.stderr, new RegExp(`wraith: trace plugin_step: 1 probe attached in ${esc(plugin.path)} \\(mapped by pid ${p.pid}\\)`));
    expect(await w.proc.exited).toBe(0); // --count 3 reached
    const got = events(w.stdout);
    expect(got).toHaveLength(3);
    // Every event is that process's, and the calls are consecutive (whichever call came first after the attach).
    expect(got.map((e) => e.pid)).toEqual([p.pid, p.pid, p.pid]);
    const xs = got.map((e) => Number(e.values[1]));
    expect(xs).toEqual([xs[0]!, xs[0]! + 1, xs[0]! + 2]);
    p.proc.kill("SIGKILL");
  });

  test("-- cmd --pending: the launched command's dlopen'ed library gets the waiting trace point attached", async () => {
    const r = await runWraith(["--json", "--count", "2", "--pending", "-s", "trace plugin_step { print $pid; print x; }", "--", loader, plugin.path, "20", "1000000", "now"], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`wraith: trace plugin_step: 1 probe attached in ${esc(plugin.path)} \\(mapped by pid \\d+\\)`));
    const got = events(r.stdout);
    expect(got).toHaveLength(2);
    expect(got[0]!.pid).toBe(got[1]!.pid);
    expect(Number(got[1]!.values[1])).toBe(Number(got[0]!.values[1]) + 1);
  });

  test("--dry-run -p: a function in no loaded module is still the 'not found' error, --pending or not (nothing waits in a dry run)", async () => {
    const p = spawnPiped([loader, plugin.path, "20", "1000000"]);
    await until(() => p.stdout, /ready/);
    const r = await runWraith(["--dry-run", "-p", String(p.pid), "-s", "trace plugin_step { print x; }"], { timeoutMs: 30_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^wraith: error: function plugin_step not found in .*; if a library loaded later \(dlopen\) defines it, add --pending or name the library with -t$/m);
    const pending = await runWraith(["--dry-run", "--pending", "-p", String(p.pid), "-s", "trace plugin_step { print x; }"], { timeoutMs: 30_000 });
    expect(pending.code).toBe(3);
    expect(pending.stderr.trim().split("\n")).toHaveLength(1);
    expect(pending.stderr).toMatch(/^wraith: error: function plugin_step not found in .*; trace points do not wait for libraries in a dry run \(--pending\): name the library with -t to check them$/m);
    p.proc.kill("SIGKILL");
  });

  test("-p PID without --pending: a mistyped name fails at once, one line with the suggestion and how a dlopen'ed library could be traced", async () => {
    const p = spawnPiped([loader, plugin.path, "20", "1000000"]);
    await until(() => p.stdout, /ready/);
    for (const args of [["-s", "trace mian { print 1; }"], ["trace", "--func", "mian"]]) {
      const [first, ...rest] = args;
      const argv = first === "trace" ? [first, ...rest, "--pid", String(p.pid)] : ["-p", String(p.pid), ...args];
      const r = await runWraith(argv, { timeoutMs: 30_000 });
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split("\n")).toEqual([
        `wraith: error: function mian not found in ${loader} or its ${r.stderr.match(/or its (\d+) libraries/)?.[1]} libraries; did you mean main?; if a library loaded later (dlopen) defines it, add --pending or name the library with -t`,
      ]);
    }
    // The process was never waited for: it is still before its dlopen.
    expect(p.stdout).toBe("ready\n");
    // --pending has nothing to wait for with -t (the file is probed whether loaded or not).
    const withT = await runWraith(["--pending", "-p", String(p.pid), "-t", plugin.path, "-s", "trace plugin_step { print x; }"], { timeoutMs: 30_000 });
    expect(withT.code).toBe(2);
    expect(withT.stderr).toContain("--pending lets trace points wait for a library the process loads later; with -t they are looked up in that file only");
    p.proc.kill("SIGKILL");
  });

  /** x and plugin_total at each plugin_step call, as gdb prints them (a pending dprintf, set before the dlopen). */
  function gdbSteps(calls: number): string[][] {
    const out = gdbBatch(loader, ["set breakpoint pending on", 'dprintf plugin_step,"v %d %d\\n",x,plugin_total', `run ${plugin.path} 0 ${calls} now`]);
    const steps = [...out.matchAll(/^v (-?\d+) (-?\d+)$/gm)].map((m) => [m[1]!, m[2]!]);
    expect(steps).toHaveLength(calls);
    return steps;
  }

  test("-p PID -t LIB.so not loaded yet: probed from the file, every call after the dlopen seen, x and the plugin's global as gdb prints them", async () => {
    const calls = 200;
    const want = gdbSteps(calls);
    // No pause between calls: the first ones come right after dlopen returns.
    const p = spawnPiped([loader, plugin.path, "0", String(calls)]);
    await until(() => p.stdout, /ready/);
    const w = startWraith(["--json", "-p", String(p.pid), "-t", plugin.path, "-s", "trace plugin_step { print $pid; print x; print plugin_total; }"]);
    await w.ready;
    expect(w.stderr).toContain(`wraith: ${plugin.path.split("/").pop()} is not loaded in pid ${p.pid} yet; its probes take effect when it is`);
    expect(w.stderr).not.toContain("waiting for a library");
    p.go();
    expect(await p.proc.exited).toBe(0);
    expect(p.stdout).toContain(`calls ${calls}`);
    // wraith ends when the process does, after the events still queued.
    expect(await w.proc.exited).toBe(0);
    const got = events(w.stdout);
    expect(got).toHaveLength(calls);
    expect(got.map((e) => e.values)).toEqual(want.map((v) => [String(p.pid), ...v]));
  });

  test("-p PID -t PATH that only the process sees (its own mount namespace): the file is probed through /proc/PID/root", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-follow-ns-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const lib = join(dir, "libprivate.so");
    // A tmpfs over `dir` in a private mount namespace: in ours, `dir` stays empty.
    const inner = `mount -t tmpfs none ${dir} && cp ${plugin.path} ${lib} && exec ${loader} ${lib} 0 30`;
    const p = spawnPiped(["unshare", "--mount", "--propagation", "private", "sh", "-c", inner]);
    await until(() => p.stdout, /ready/);
    expect(existsSync(lib)).toBe(false);
    const w = startWraith(["--json", "-p", String(p.pid), "-t", lib, "-s", "trace plugin_step { print x; print plugin_total; }"]);
    await w.ready;
    expect(w.stderr).toContain(`wraith: libprivate.so is not loaded in pid ${p.pid} yet; its probes take effect when it is`);
    p.go();
    expect(await p.proc.exited).toBe(0);
    expect(await w.proc.exited).toBe(0);
    expect(events(w.stdout).map((e) => e.values)).toEqual(gdbSteps(30));
  });

  test("-t LIB.so -- cmd: the launched command's dlopen'ed library probed from its file, every call seen", async () => {
    const calls = 200;
    const want = gdbSteps(calls);
    const r = await runWraith(["--json", "-t", plugin.path, "-s", "trace plugin_step { print x; print plugin_total; }", "--", loader, plugin.path, "0", String(calls), "now"], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`calls ${calls}`);
    expect(r.stderr).toMatch(new RegExp(`wraith: ${esc(plugin.path.split("/").pop()!)} is not loaded in pid \\d+ yet; its probes take effect when it is`));
    expect(events(r.stdout).map((e) => e.values)).toEqual(want);
  });

  test("-- cmd: a function of a library the command links is found before ld.so maps it, and every call is seen", async () => {
    // puts: the loader's printf("ready\n") and printf("loaded\n") (gcc makes them puts); dlopen: once.
    const r = await runWraith(["--script-output", "plain", "-s", 'trace puts { print "puts"; } trace dlopen { print "dlopen"; }', "--", loader, plugin.path, "0", "3", "now"], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l === "puts" || l === "dlopen")).toEqual(["puts", "dlopen", "puts"]);
  });
});

describe("follow logic with a real load-bias table", () => {
  test("a process started later gets entries when it maps the module, and loses them when it exits", async () => {
    const sysmon = Sysmon.start({ mappings: true });
    const table = new ModuleBiasTable([{ id: 0, name: plugin.path, readPath: plugin.path }]);
    cleanup.push(() => sysmon.close(), () => table.close());
    const said: string[] = [];
    const follower = new Follower({ sysmon, target: fileIdentity(app, "executable"), biasTable: () => table, say: (l) => said.push(l) });
    const pump = async (done: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out; said: ${said.join(" | ")}; entries ${table.size}`);
        follower.pump();
        await Bun.sleep(10);
      }
    };
    const a = spawnPiped([app, "1"]);
    await until(() => a.stdout, /ready/); // past ld.so: libsmplugin.so is mapped
    expect(table.size).toBe(1); // written by sysmon's BPF inside ld.so's mmap, before any event is handled here
    await pump(() => said.length > 0);
    expect(said[0]).toMatch(new RegExp(`^wraith: pid ${a.pid} \\(sysmon_app[^)]*\\) started; probes active$`));
    a.go();
    expect(await a.proc.exited).toBe(0);
    await pump(() => said.some((l) => l.includes(`pid ${a.pid}`) && l.endsWith("exited")));
    expect(table.size).toBe(0);
    expect(follower.summary()).toEqual({ started: 1, exited: 1, biasEntries: 0, lost: 0 });
  });
});
