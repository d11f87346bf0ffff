// The foundation's acceptance tests: the real dist/wraith, real fixtures,
// real uprobes. Nothing here is mocked; a skipped kernel feature is a failure.
import { describe, expect, test, afterAll } from "bun:test";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";
import { runWraith, spawnWraith } from "../helpers/wraith.ts";
import { startProcess, type Running } from "../helpers/processes.ts";
import { gdbBreakpoint } from "../helpers/gdb.ts";

const live: Running[] = [];
afterAll(() => live.forEach((p) => p.kill()));

function start(path: string, args: string[] = [], env?: Record<string, string>): Promise<Running> {
  return startProcess([path, ...args], env).then((p) => (live.push(p), p));
}

describe("--args launches a command under trace", () => {
  for (const pie of [true, false]) {
    test(`tick() 25 times → exactly 25 lines with the fixture's pid (${pie ? "PIE" : "non-PIE"})`, async () => {
      const bin = compileFixture("tick", { pie });
      const r = await runWraith(["--script-output", "plain", "-s", 'trace tick { print "tick {}", $pid; }', "--args", bin]);
      expect(r.stderr).not.toContain("error");
      expect(r.code).toBe(0);
      const pid = Number(/pid (\d+)/.exec(r.stderr)?.[1]);
      expect(pid).toBeGreaterThan(0);
      const ticks = r.stdout.split("\n").filter((l) => l.startsWith("tick"));
      expect(ticks).toEqual(Array(25).fill(`tick ${pid}`));
      expect(r.stdout).toContain("done 300"); // the command ran to its end, its own output intact
      expect(r.stderr).toMatch(/25 events, 0 lost/);
      expect(r.stderr).toMatch(/exited with status 0/);
    });
  }

  test("pretty output has time, pid/tid and the trace point; $tid and $timestamp are real", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["-s", 'trace tick { print "t={} ts={}", $tid, $timestamp; }', "--args", bin]);
    expect(r.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(r.stderr)?.[1]);
    const headers = r.stdout.split("\n").filter((l) => l.includes("tick") && l.includes(`${pid}`));
    expect(headers.length).toBe(25);
    // The local time in the header is the wall clock of the event: within seconds of now.
    const [hh, mm, ss] = headers[0]!.split(" ")[0]!.split(":").map(Number);
    const now = new Date();
    const secs = (h: number, m: number, s: number) => h * 3600 + m * 60 + s;
    const delta = Math.abs(secs(now.getHours(), now.getMinutes(), now.getSeconds()) - secs(hh!, mm!, Math.floor(ss!)));
    expect(Math.min(delta, 86400 - delta)).toBeLessThan(10);
    const stamps = [...r.stdout.matchAll(/t=(\d+) ts=(\d+)/g)];
    expect(stamps.length).toBe(25);
    for (const m of stamps) expect(Number(m[1])).toBe(pid); // single-threaded: tid == pid
    const ts = stamps.map((m) => BigInt(m[2]!));
    for (let i = 1; i < ts.length; i++) expect(ts[i]! > ts[i - 1]!).toBe(true);
  });
});

describe("-t and -p on running processes", () => {
  test("-t sees both processes of one binary; -p sees only the chosen one", async () => {
    const bin = compileFixture("e2e_spin");
    const a = await start(bin);
    const b = await start(bin);
    const t = await runWraith(["--script-output", "plain", "--duration", "1500ms", "-s", 'trace work { print "{}", $pid; }', "-t", bin]);
    expect(t.code).toBe(0);
    const seenT = new Set(t.stdout.trim().split("\n"));
    expect(seenT).toEqual(new Set([`${a.pid}`, `${b.pid}`]));

    const p = await runWraith(["--script-output", "plain", "--count", "10", "-s", 'trace work { print "{} {}", $pid, $input_pid; }', "-p", `${b.pid}`]);
    expect(p.code).toBe(0);
    expect(p.stdout.trim().split("\n")).toEqual(Array(10).fill(`${b.pid} ${b.pid}`));

    const tp = await runWraith(["--script-output", "plain", "--count", "5", "-s", 'trace work { print "{}", $pid; }', "-t", bin, "-p", `${a.pid}`]);
    expect(tp.code).toBe(0);
    expect(tp.stdout.trim().split("\n")).toEqual(Array(5).fill(`${a.pid}`));
  });

  test("-t follows a process started after wraith", async () => {
    const bin = compileFixture("e2e_spin");
    const w = spawnWraith(["--script-output", "plain", "-s", 'trace work { print "{}", $pid; }', "-t", bin]);
    await w.ready;
    const late = await start(bin);
    await Bun.sleep(600);
    const r = await w.stop("SIGINT");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${late.pid}\n`);
    expect(r.stderr).toMatch(/\d+ events, 0 lost/);
  });

  test("a function in a shared library, traced with -t lib.so", async () => {
    const lib = compileFixture("e2e_libcounter", { shared: true });
    const libDir = mkdtempSync(join(tmpdir(), "wraith-lib-"));
    copyFileSync(lib, join(libDir, "libe2ecounter.so"));
    const exe = compileFixture("e2e_uselib", { flags: [`-L${libDir}`, "-le2ecounter", `-Wl,-rpath,${libDir}`] });
    const w = spawnWraith(["--script-output", "plain", "-s", 'trace counter_bump { print "bump {} by={} bumps={}", $pid, by, bumps; }', "-t", join(libDir, "libe2ecounter.so")]);
    await w.ready;
    const p = await start(exe, ["7"]);
    await p.exited;
    await Bun.sleep(200);
    const r = await w.stop();
    // The library's static is read through this process's load bias of the library.
    const want = Array.from({ length: 7 }, (_, i) => `bump ${p.pid} by=${i} bumps=${(i * (i - 1)) / 2}`);
    expect(r.stdout.trim().split("\n")).toEqual(want);
  });
});

describe("stopping", () => {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    test(`${sig}: detaches, prints a one-line summary, exits 0`, async () => {
      const bin = compileFixture("e2e_spin");
      const a = await start(bin);
      const w = spawnWraith(["--script-output", "plain", "-s", 'trace work { print "{}", $pid; }', "-p", `${a.pid}`]);
      await w.ready;
      await Bun.sleep(300);
      expect(await hasBreakpoint(a.pid, bin, "work")).toBe(true);
      const r = await w.stop(sig);
      expect(r.code).toBe(0);
      const summary = r.stderr.trim().split("\n").at(-1)!;
      expect(summary).toMatch(/^wraith: \d+ events, 0 lost/);
      expect(await hasBreakpoint(a.pid, bin, "work")).toBe(false);
    });
  }

  test("SIGKILL: the kernel drops every probe with wraith's fds", async () => {
    const bin = compileFixture("e2e_spin");
    const a = await start(bin);
    const w = spawnWraith(["--script-output", "plain", "-s", 'trace work { print "{}", $pid; }', "-p", `${a.pid}`]);
    await w.ready;
    expect(await hasBreakpoint(a.pid, bin, "work")).toBe(true);
    await w.stop("SIGKILL");
    await Bun.sleep(200);
    expect(await hasBreakpoint(a.pid, bin, "work")).toBe(false);
  });
});

describe("bad input: one line, non-zero exit", () => {
  const script = 'trace tick { print "x"; }';
  test("a PID that does not exist", async () => {
    const r = await runWraith(["-s", script, "-p", "3999999"]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("3999999");
  });
  test("a file that is not ELF", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-bad-"));
    writeFileSync(join(dir, "notelf"), "#!/bin/sh\necho hi\n");
    const r = await runWraith(["-s", script, "-t", join(dir, "notelf")]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/not an ELF file/);
  });
  test("a function that does not exist, with close matches", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["-s", 'trace tik { print "x"; }', "-t", bin]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/tik.*not found.*did you mean.*tick/);
  });
  test("a script syntax error, with file:line:col and a caret", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["-s", 'trace tick { print "x" }', "-t", bin]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^wraith: error: <script>:1:\d+: /);
    expect(lines.at(-1)).toMatch(/^\s*\^/);
    expect(r.stderr).not.toMatch(/    at /); // no stack trace
  });
  test("without privileges", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["-s", script, "-t", bin], {
      prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"],
    });
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/CAP_BPF/);
  });
});

describe("the binary carries its own libbpf", () => {
  test("with the system's libbpf, libelf and zlib hidden, wraith still traces", async () => {
    const bin = compileFixture("tick");
    const hide = ["libbpf.so.1", "libelf.so.1", "libz.so.1"].map((l) => `mount --bind /dev/null $(readlink -f /lib/x86_64-linux-gnu/${l})`).join(" && ");
    const wraith = join(dirname(import.meta.dir), "..", "dist", "wraith");
    const inner = `${hide} && ${wraith} doctor && ${wraith} --script-output plain -s 'trace tick { print "tick"; }' --args ${bin}`;
    const r = await runWraith([], { prefix: ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner, "--"] });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/libbpf.*embedded/);
    expect(r.stdout.split("\n").filter((l) => l === "tick")).toHaveLength(25);
  });
});

/** Is there an int3 (a uprobe's breakpoint) where wraith probes the function (gdb's `break FUNC` address) in the live process? */
async function hasBreakpoint(pid: number, bin: string, func: string): Promise<boolean> {
  const { readFileSync, openSync, readSync, closeSync } = await import("node:fs");
  const vaddr = BigInt(gdbBreakpoint(bin, func)!.address);
  const maps = readFileSync(`/proc/${pid}/maps`, "utf8").split("\n").filter((l) => l.endsWith(bin));
  const first = maps[0]!.split(/\s+/);
  const base = BigInt("0x" + first[0]!.split("-")[0]) - BigInt("0x" + first[2]); // file offset 0 mapping
  const isPie = Bun.spawnSync(["readelf", "-h", bin]).stdout.toString().includes("DYN");
  const addr = isPie ? base + vaddr : vaddr;
  const fd = openSync(`/proc/${pid}/mem`, "r");
  const buf = Buffer.alloc(1);
  readSync(fd, buf, 0, 1, Number(addr));
  closeSync(fd);
  return buf[0] === 0xcc;
}
