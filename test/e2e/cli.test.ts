// The command line around the engine: dry runs, one-shot trace, JSON lines,
// pipelines, a target that exits, help and version.
import { afterAll, describe, expect, test } from "bun:test";
import { compileFixture } from "../helpers/fixtures.ts";
import { startProcess, type Running } from "../helpers/processes.ts";
import { runWraith, WRAITH } from "../helpers/wraith.ts";

const live: Running[] = [];
afterAll(() => live.forEach((p) => p.kill()));

describe("wraith CLI", () => {
  test("--dry-run loads into the verifier and attaches nothing", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["--dry-run", "-s", 'trace tick { print "{}", $pid; } trace main { print "m"; }', "-t", bin]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/2 probe programs passed the verifier/);
    expect(r.stdout).toBe("");
  });

  test("--dry-run --details shows each site and each value's type and location", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["--dry-run", "--details", "-s", 'trace tick { print "{} {}", i, counter; }', "-t", bin]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/tick #0: .*tick.* 0x[0-9a-f]+ \(file offset 0x[0-9a-f]+\) in tick/);
    expect(r.stderr).toMatch(/^ {4}i: int, in memory at rbp-4$/m);
    expect(r.stderr).toMatch(/^ {4}counter: int, static storage at 0x[0-9a-f]+$/m);
  });

  test("wraith trace --func … -- cmd is the same engine", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["trace", "--func", "tick", "--print", "$pid", "--script-output", "plain", "--", bin]);
    expect(r.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(r.stderr)?.[1]);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("tick"))).toEqual(Array(25).fill(`tick $pid=${pid}`));
  });

  test("wraith trace --print EXPR --if COND: program values and a condition, one line per hit", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["trace", "--func", "tick", "--print", "i", "--print", "counter", "--if", "i > 20", "--script-output", "plain", "--", bin]);
    expect(r.code).toBe(0);
    // counter before tick(i) adds i: the sum of 0..i-1.
    expect(r.stdout.split("\n").filter((l) => l.startsWith("tick"))).toEqual([21, 22, 23, 24].map((i) => `tick i=${i} counter=${(i * (i - 1)) / 2}`));
  });

  test("--json: one object per event with pid, tid, timestamp and typed values", async () => {
    const bin = compileFixture("tick");
    const r = await runWraith(["--json", "--count", "3", "-s", 'trace tick { print "p={} ts={}", $pid, $timestamp; }', "--args", bin]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("{"));
    expect(lines).toHaveLength(3);
    for (const l of lines) {
      const e = JSON.parse(l);
      expect(e.trace.target).toBe("tick");
      expect(e.items[0].values[0]).toBe(e.pid);
      expect(typeof e.timestamp_ns).toBe("number");
      expect(e.items[0].content).toBe(`p=${e.pid} ts=${e.items[0].values[1]}`);
    }
  });

  test("a -p target that exits ends the session with a summary", async () => {
    const bin = compileFixture("e2e_spin");
    const p = await startProcess([bin]);
    live.push(p);
    const run = runWraith(["--script-output", "plain", "-s", 'trace work { print "w"; }', "-p", `${p.pid}`]);
    await Bun.sleep(700);
    p.kill();
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`process ${p.pid} exited`));
    expect(r.stdout).toContain("w\n");
  });

  test("| head -3 exits cleanly and detaches", async () => {
    const bin = compileFixture("e2e_spin");
    const p = await startProcess([bin]);
    live.push(p);
    const sh = Bun.spawn(["sh", "-c", `${WRAITH} --script-output plain -s 'trace work { print "w {}", $pid; }' -p ${p.pid} | head -3; echo "status=\${PIPESTATUS:-?}"`], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => sh.kill("SIGKILL"), 20_000);
    const out = await new Response(sh.stdout).text();
    const err = await new Response(sh.stderr).text();
    await sh.exited;
    clearTimeout(timer);
    expect(out.split("\n").slice(0, 3)).toEqual(Array(3).fill(`w ${p.pid}`));
    expect(err).not.toMatch(/error/);
  });

  test("--help has examples; --version; unknown flags suggest", async () => {
    const h = await runWraith(["--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Examples:");
    const v = await runWraith(["--version"]);
    expect(v.stdout).toMatch(/^wraith \d+\.\d+\.\d+/);
    const u = await runWraith(["--scirpt-file", "x"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unknown option '--scirpt-file'; did you mean --script-file/);
    for (const topic of ["trace", "info", "demo", "doctor"]) {
      const t = await runWraith(["help", topic]);
      expect(t.stdout).toContain("Usage:");
    }
    const i = await runWraith(["info", "--help"]);
    expect(i.stdout).toContain("wraith info scope");
  });

  test("a script file's syntax error names the file, line and column", async () => {
    const bin = compileFixture("tick");
    const dir = (await import("node:fs")).mkdtempSync("/tmp/wraith-gs-");
    const file = `${dir}/bad.gs`;
    await Bun.write(file, 'trace tick {\n    print "a" + ;\n}\n');
    const r = await runWraith(["--script-file", file, "-t", bin]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(new RegExp(`^wraith: error: ${file}:2:\\d+: `));
    expect(r.stderr).toContain('    print "a" + ;');
  });
});
