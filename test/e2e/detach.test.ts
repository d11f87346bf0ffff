// Detaching many probe sites: one function inlined at 41 places, traced with
// uprobe_multi links (the default where the kernel has them) and with one
// perf-event uprobe per site (WRAITH_NO_UPROBE_MULTI=1). Each run checks every
// event (which inlined copy fired, and the global it read, whose value there
// is known — so the load bias derived from the probed address is right) and
// that once wraith has exited every probed instruction in the target holds
// its original byte again (a uprobe is an int3, 0xcc, in the process's copy
// of the page; /proc/PID/mem shows it).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { compileFixture } from "../helpers/fixtures.ts";
import { byteInProcess, startProcess, type Running } from "../helpers/processes.ts";
import { requireBinary, runWraith, spawnWraith } from "../helpers/wraith.ts";

const COPIES = 41;
/** sink grows by 1 + 2 + … + 41 per round of the loop. */
const ROUND = (COPIES * (COPIES + 1)) / 2;
const SCRIPT = 'trace note { print "{} {}", k, sink; }';

const live: Running[] = [];
const sessions: ReturnType<typeof spawnWraith>[] = [];
afterAll(async () => {
  await Promise.all(sessions.filter((w) => w.proc.exitCode === null).map((w) => w.stop("SIGTERM")));
  live.forEach((p) => p.kill());
});

let bin: string;
let offsets: number[];

beforeAll(async () => {
  requireBinary();
  bin = compileFixture("detach_inlined", { opt: "-O2" });
  const r = await runWraith(["--dry-run", "--details", "-s", SCRIPT, "-t", bin]);
  offsets = [...r.stderr.matchAll(/\(file offset (0x[0-9a-f]+)\)/g)].map((m) => Number(m[1]));
});

/** link_type of every BPF link fd a process holds (from /proc/PID/fdinfo). */
function linkTypes(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    try {
      const m = /^link_type:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8"));
      if (m) out.push(m[1]!);
    } catch {}
  }
  return out;
}

/**
 * Every event line "k sink": k names the inlined copy (1…41); copies fire in
 * order, and sink there is a whole number of rounds plus 1 + … + (k-1).
 */
function checkEvents(stdout: string): number {
  const lines = stdout.trim().split("\n").filter((l) => l.length > 0);
  let prev: number | undefined;
  for (const line of lines) {
    const m = /^(\d+) (\d+)$/.exec(line);
    expect(m, `event line '${line}'`).not.toBeNull();
    const k = Number(m![1]);
    const sink = Number(m![2]);
    expect(k).toBeGreaterThanOrEqual(1);
    expect(k).toBeLessThanOrEqual(COPIES);
    expect((sink - (k * (k - 1)) / 2) % ROUND).toBe(0);
    if (prev !== undefined) expect(k).toBe((prev % COPIES) + 1);
    prev = k;
  }
  return lines.length;
}

for (const mode of ["uprobe_multi", "perf events"] as const) {
  const env: Record<string, string> = mode === "perf events" ? { WRAITH_NO_UPROBE_MULTI: "1" } : {};

  describe(`detach with ${mode}`, () => {
    test("the fixture has 41 probe sites", () => {
      expect(offsets.length).toBe(COPIES);
    });

    for (const stop of [["--count", "3"], ["--duration", "1s"]]) {
      test(`${stop.join(" ")}: every event right, every probed byte restored`, async () => {
        const target = await startProcess([bin]);
        live.push(target);
        const original = readFileSync(bin);
        const w = spawnWraith(["-p", String(target.pid), "--script-output", "plain", "-s", SCRIPT, ...stop], { env });
        sessions.push(w);
        await w.ready;
        // While attached: the links this mode promises (the --count run may already be gone).
        if (w.proc.exitCode === null && stop[0] === "--duration") {
          const types = linkTypes(w.proc.pid);
          const count = (name: string) => types.filter((t) => t === name).length;
          expect([count("uprobe_multi"), count("perf")]).toEqual(mode === "uprobe_multi" ? [1, 0] : [0, COPIES]);
        }
        const t = setTimeout(() => w.proc.kill("SIGKILL"), 60_000);
        await w.proc.exited;
        clearTimeout(t);
        const r = await w.stop();
        expect(r.code).toBe(0);
        const n = checkEvents(r.stdout);
        if (stop[0] === "--count") expect(n).toBe(3);
        else expect(n).toBeGreaterThan(0);
        expect(r.stderr).toContain(`${COPIES} probes attached`);
        expect(r.stderr).toContain(`${n} events, 0 lost`);
        for (const off of offsets) expect(byteInProcess(target.pid, bin, off)).toBe(original[off]!);
        expect(() => process.kill(target.pid, 0)).not.toThrow(); // the target lives on, untouched
        target.kill();
      }, 90_000);
    }
  });
}
