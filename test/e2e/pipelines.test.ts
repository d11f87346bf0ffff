// wraith in pipelines and scripts, with the real binary on real fixtures:
//   - --json: every stdout line is one JSON object with the documented fields;
//   - --count N exits 0 after exactly N events and detaches, the target runs on;
//   - --duration ends with 0 and the summary;
//   - events only on stdout, status and summary only on stderr;
//   - colour only when stdout is a terminal and NO_COLOR is not set;
//   - stdout is flushed per event: a reader sees an event while wraith runs;
//   - `wraith … | head -3` exits 0 quietly and detaches;
//   - the documented exit codes: 2 usage, 3 target, 4 kernel, 5 privileges.
//
// "Detached" is checked in the target's memory: a uprobe is an int3 (0xcc)
// the kernel writes over the probed instruction in the process's copy of the
// page, and removes again when the probe goes. /proc/PID/mem shows that byte.
//
// Terminals are real pseudo-terminals made by script(1), which records every
// byte written to the pty (the colour escapes themselves, not a rendering).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { compileFixture } from "../helpers/fixtures.ts";
import { JSON_FIELDS } from "../../src/cli/help.ts";
import { byteInProcess, startProcess, type Running } from "../helpers/processes.ts";
import { requireBinary, runWraith, spawnWraith, WRAITH } from "../helpers/wraith.ts";

const live: Running[] = [];
/** wraith sessions still running when a test failed: SIGTERM lets them kill what they launched. */
const sessions: ReturnType<typeof spawnWraith>[] = [];
afterAll(async () => {
  await Promise.all(sessions.filter((w) => w.proc.exitCode === null).map((w) => w.stop("SIGTERM")));
  live.forEach((p) => p.kill());
});

function session(args: string[]): ReturnType<typeof spawnWraith> {
  const w = spawnWraith(args);
  sessions.push(w);
  return w;
}

let spin: string;
let tick: string;
/** File offset of the uprobe on e2e_spin's work(), from --dry-run --details. */
let workOffset: number;

beforeAll(async () => {
  requireBinary();
  spin = compileFixture("e2e_spin");
  tick = compileFixture("tick");
  const r = await runWraith(["--dry-run", "--details", "-s", 'trace work { print "w"; }', "-t", spin]);
  workOffset = Number(/\(file offset (0x[0-9a-f]+)\)/.exec(r.stderr)![1]);
});

/** A running e2e_spin (calls work(i) every 20 ms until killed). */
async function spinning(): Promise<Running> {
  const p = await startProcess([spin]);
  live.push(p);
  return p;
}

const byteInFile = (file: string, off: number) => readFileSync(file)[off]!;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Quote for sh. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run a shell command line and collect its output (20 s deadline). */
async function shell(cmd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = Bun.spawn(["bash", "-c", cmd], { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, NO_COLOR: "1" } });
  const timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  await p.exited;
  clearTimeout(timer);
  return { code: p.exitCode, stdout, stderr };
}

/** Run a shell command line on a fresh pseudo-terminal (script(1)); returns every byte the pty received and the command's exit code. */
function inPty(cmd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return shell(`script -qfec ${q(cmd)} /dev/null`);
}

/** SGR escapes (colour, bold, dim): what colour output is made of. */
const SGR = /\x1b\[[0-9;]*m/;

describe("wraith in pipelines", () => {
  test("--json: each stdout line is one JSON object with the documented fields", async () => {
    // The fields --help and the man page document, in that order.
    const DOCUMENTED_FIELDS = JSON_FIELDS.flatMap(([names]) => names.split(", "));
    // -t: the traced program runs on its own, so wraith's stdout holds nothing but events.
    const w = session(["--json", "--count", "25", "-s", 'trace tick { print "i={}", i; print counter; }', "-t", tick]);
    await w.ready;
    const prog = Bun.spawnSync([tick], { stdout: "pipe" });
    expect(prog.stdout.toString()).toBe("done 300\n");
    const pid = prog.pid;
    const r = await w.stop("SIGTERM"); // --count 25 ends it; the signal only if it did not
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(25);
    let lastTs = 0;
    lines.forEach((line, i) => {
      const e = JSON.parse(line);
      expect(Object.keys(e)).toEqual(DOCUMENTED_FIELDS);
      expect(e.schema_version).toBe(1);
      expect(e.event).toBe("trace");
      expect(e.trace_id).toBe(0);
      expect(e.pid).toBe(pid);
      expect(e.tid).toBe(pid);
      expect(e.trace).toEqual({ target: "tick", binary_path: tick });
      expect(e.timestamp_ns).toBeGreaterThan(lastTs);
      lastTs = e.timestamp_ns;
      // tick(i) for i = 0..24; counter is the sum of the earlier i.
      const counter = (i * (i - 1)) / 2 + 0; // + 0: not -0 for i = 0
      expect(e.items).toEqual([
        { kind: "formatted_text", content: `i=${i}`, values: [i] },
        { kind: "variable", name: "counter", formatted_value: String(counter), value: counter },
      ]);
    });
    expect(r.stderr).toMatch(/^wraith: 25 events, 0 lost/m);
  });

  test("--count N: exactly N events, exit 0, probes detached, the target runs on", async () => {
    const p = await spinning();
    const original = byteInFile(spin, workOffset);
    // While a session runs, the probe is an int3 in the target's memory: the check below can see a probe.
    const w = session(["--script-output", "plain", "-s", 'trace work { print "w"; }', "-p", `${p.pid}`]);
    await w.ready;
    expect(byteInProcess(p.pid, spin, workOffset)).toBe(0xcc);
    expect((await w.stop()).code).toBe(0);
    expect(byteInProcess(p.pid, spin, workOffset)).toBe(original);

    const r = await runWraith(["--count", "3", "--script-output", "plain", "-s", 'trace work { print "w {}", i; }', "-p", `${p.pid}`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(3);
    // Three consecutive calls: work(i) is called with i, i+1, i+2.
    const first = Number(/^w (\d+)$/.exec(lines[0]!)![1]);
    expect(lines).toEqual([0, 1, 2].map((k) => `w ${first + k}`));
    expect(r.stderr).toMatch(/^wraith: 3 events, 0 lost$/m);
    expect(byteInProcess(p.pid, spin, workOffset)).toBe(original);
    expect(alive(p.pid)).toBe(true);
  });

  test("--count counts events shown: hits whose `if` failed are neither printed nor counted", async () => {
    const p = await spinning();
    for (const output of ["plain", "pretty", "jsonl"]) {
      const r = await runWraith(["trace", "--func", "work", "--print", "i", "--if", "i % 7 == 3", "--count", "2", "--script-output", output, "-p", `${p.pid}`]);
      expect(r.code).toBe(0);
      const shown = [...r.stdout.matchAll(/work i=(\d+)/g)].map((m) => Number(m[1]));
      expect(shown).toHaveLength(2);
      expect(shown[1]! - shown[0]!).toBe(7);
      for (const i of shown) expect(i % 7).toBe(3);
      // Nothing else on stdout: no headers or empty JSON objects for the hits in between.
      const lines = r.stdout.split("\n").filter((l) => l !== "");
      expect(lines).toHaveLength(output === "pretty" ? 4 : 2);
      expect(r.stderr).toMatch(/^wraith: 2 events, 0 lost$/m);
    }
  });

  test("--duration 1s: exit 0 with the summary; events on stdout only, status on stderr only", async () => {
    const p = await spinning();
    const r = await runWraith(["--duration", "1s", "--script-output", "plain", "-s", 'trace work { print "w {}", i; }', "-p", `${p.pid}`]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l !== "");
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^w \d+$/);
    const err = r.stderr.split("\n").filter((l) => l !== "");
    expect(err[0]).toBe(`wraith: tracing pid ${p.pid}: 1 probe attached; Ctrl-C to stop`);
    expect(err.at(-1)).toBe(`wraith: ${lines.length} events, 0 lost`);
    expect(err).toHaveLength(2);
    expect(byteInProcess(p.pid, spin, workOffset)).toBe(byteInFile(spin, workOffset));
    expect(alive(p.pid)).toBe(true);
  });

  test("colour only on a terminal without NO_COLOR", async () => {
    const p = await spinning();
    const cmd = `${q(WRAITH)} --count 2 -s 'trace work { print "w {}", i; }' -p ${p.pid}`;
    // A terminal: the pretty header is coloured (NO_COLOR unset)…
    const tty = await inPty(`unset NO_COLOR; ${cmd}`);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(SGR);
    expect(tty.stdout).toMatch(/work/);
    // …not with NO_COLOR=1 on the same terminal…
    const noColor = await inPty(`NO_COLOR=1 ${cmd}`);
    expect(noColor.code).toBe(0);
    expect(noColor.stdout).toMatch(/ {2}w \d+\r\n/);
    expect(noColor.stdout).not.toMatch(SGR);
    // …and not into a pipe, even with stderr on a terminal.
    const piped = await inPty(`unset NO_COLOR; ${cmd} | cat`);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/ {2}w \d+\r\n/);
    expect(piped.stdout).not.toMatch(SGR);
  });

  test("stdout is flushed per event: a reader sees the only event while wraith still runs", async () => {
    // Launched stopped until attached, so the one call with i == 3 is always seen; no later event could push a buffer out.
    const w = session(["--script-output", "plain", "-s", 'trace work { if i == 3 { print "w {}", i; } }', "--", spin]);
    await w.ready;
    const deadline = Date.now() + 20_000;
    // The launched program's own stdout ("ready PID") is wraith's stdout too.
    while (!/^w /m.test(w.stdout) && Date.now() < deadline) await Bun.sleep(20);
    expect(w.stdout.split("\n").filter((l) => l.startsWith("w "))).toEqual(["w 3"]);
    expect(w.proc.exitCode).toBeNull(); // still tracing
    const r = await w.stop("SIGINT");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^wraith: 1 events, 0 lost/m);
  });

  test("| head -3: head gets 3 lines, wraith exits 0 without an error, the probe is gone, the target runs on", async () => {
    const p = await spinning();
    const r = await shell(`${q(WRAITH)} --script-output plain -s 'trace work { print "w {}", $pid; }' -p ${p.pid} | head -3; echo "wraith exit \${PIPESTATUS[0]}" >&2`);
    expect(r.stdout).toBe(`w ${p.pid}\n`.repeat(3));
    expect(r.stderr).toMatch(/^wraith exit 0$/m);
    expect(r.stderr).toMatch(/^wraith: \d+ events, 0 lost; stdout closed by its reader$/m);
    expect(r.stderr).not.toMatch(/error|EPIPE|^\s+at /im);
    expect(byteInProcess(p.pid, spin, workOffset)).toBe(byteInFile(spin, workOffset));
    expect(alive(p.pid)).toBe(true);
  });
});

describe("exit codes", () => {
  const script = 'trace tick { print "x"; }';

  test("2: usage — a bad option, a bad value, a script error", async () => {
    for (const args of [["--scirpt", script, "-t", tick], ["--count", "x", "-s", script, "-t", tick], ["-s", "trace tick { print ", "-t", tick]]) {
      const r = await runWraith(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^wraith: error: /);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  test("3: target — no such process, no such file, no such function", async () => {
    const cases: [string[], RegExp][] = [
      [["-p", "4000000"], /no process with PID 4000000/],
      [["-t", "/nonexistent/prog"], /\/nonexistent\/prog/],
      [["--", "/nonexistent/prog"], /\/nonexistent\/prog/],
    ];
    for (const [target, msg] of cases) {
      const r = await runWraith(["-s", script, ...target]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    const r = await runWraith(["-s", 'trace no_such_function { print "x"; }', "-t", tick]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/function no_such_function not found/);
  });

  test("4: the kernel refuses — no file descriptor left for a BPF program (ulimit -n)", async () => {
    // 200 trace points make 200 programs; a limit of 40 open files runs out while loading them.
    const many = Array(200).fill(script).join("\n");
    const r = await runWraith(["--dry-run", "-s", many, "-t", tick], { prefix: ["prlimit", "--nofile=40"] });
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(/^wraith: error: .*loading BPF program 'wraith_t\d+_s0': too many open files: raise the limit \(ulimit -n\) \[EMFILE\]$/);
    expect(r.stderr).not.toMatch(/verifier/);
  });

  test("5: privileges — an unprivileged user", async () => {
    const r = await runWraith(["-s", script, "-t", tick], { prefix: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^wraith: error: wraith needs root, or CAP_BPF and CAP_PERFMON.*sudo$/m);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
