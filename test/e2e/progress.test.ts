// The spinner for slow setup steps, seen through a real pseudo-terminal.
// script(1) records every byte written to the pty, so the transient frames
// (drawn with \r and erased with ESC[2K) are there to check, where a screen
// capture would only show the final state. The slow step: compiling SQLite's
// sqlite3DbFree, inlined at a few hundred places, with two of its arguments
// printed at each (seconds of work here, far above the 300 ms delay).
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteDriver } from "../bench/sqlite-driver.ts";
import { requireBinary, runWraith, WRAITH } from "../helpers/wraith.ts";

let sqlite: string;
const SCRIPT = 'trace sqlite3DbFree { print "{} {}", db, p; }';

beforeAll(() => {
  requireBinary();
  sqlite = sqliteDriver();
});

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run a shell command line on a fresh pseudo-terminal; every byte the pty received, and the exit code. */
async function inPty(cmd: string): Promise<{ code: number | null; out: string }> {
  const p = Bun.spawn(["script", "-qfec", cmd, "/dev/null"], { stdout: "pipe", stderr: "pipe", stdin: "ignore", env: { ...process.env, NO_COLOR: "1", TERM: "xterm" } });
  const timer = setTimeout(() => p.kill("SIGKILL"), 60_000);
  const out = await new Response(p.stdout).text();
  await p.exited;
  clearTimeout(timer);
  return { code: p.exitCode, out };
}

const dryRun = () => `${q(WRAITH)} --dry-run -s ${q(SCRIPT)} -t ${q(sqlite)}`;
const FRAME = /\r\x1b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] compiling (\d+) probe sites for trace sqlite3DbFree \((\d+)\/(\d+)\)/g;

describe("progress spinner", () => {
  test("on a terminal: a slow step shows what it is doing, then the line is erased before the next status line", async () => {
    const r = await inPty(dryRun());
    expect(r.code).toBe(0);
    const frames = [...r.out.matchAll(FRAME)];
    expect(frames.length).toBeGreaterThan(1);
    const sites = Number(frames[0]![1]);
    expect(sites).toBeGreaterThan(100);
    for (const f of frames) {
      expect(Number(f[3])).toBe(sites);
      expect(Number(f[2])).toBeLessThan(sites);
    }
    // Frames advance through the sites in order.
    const done = frames.map((f) => Number(f[2]));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // The final status line starts on an erased line: no spinner text left in front of it.
    const end = r.out.indexOf("wraith: dry run:");
    expect(end).toBeGreaterThan(0);
    expect(r.out.slice(0, end).endsWith("\r\x1b[2K")).toBe(true);
    expect(r.out).toMatch(new RegExp(`wraith: dry run: ${sites} probe programs passed the verifier`));
  });

  test("stderr not a terminal (stdout is): no spinner bytes at all", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-progress-"));
    try {
      const err = join(dir, "stderr");
      const r = await inPty(`${dryRun()} 2>${q(err)}`);
      expect(r.code).toBe(0);
      const stderr = readFileSync(err, "utf8");
      expect(stderr).toMatch(/^wraith: dry run: \d+ probe programs passed the verifier in \d+ ms; nothing attached\n$/);
      expect(stderr).not.toMatch(/[\r\x1b]/);
      expect(r.out).not.toMatch(/[\x1b]|compiling/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("--no-status on a terminal: no spinner; the dry-run line still prints", async () => {
    const r = await inPty(`${q(WRAITH)} --no-status --dry-run -s ${q(SCRIPT)} -t ${q(sqlite)}`);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/\x1b|compiling/);
    expect(r.out).toMatch(/^wraith: dry run: \d+ probe programs passed the verifier/);
  });

  test("pipes (the usual test setting): no spinner bytes", async () => {
    const r = await runWraith(["--dry-run", "-s", SCRIPT, "-t", sqlite], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/[\r\x1b]/);
  });
});
