// `wraith demo`: the embedded demo program under the sample script. Its three
// kinds of output — strings and struct fields through pointers (with a whole
// struct), a global, and lines only where the condition holds — must carry
// the values gdb shows at the same breakpoints of the same program.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEMO_ROUNDS, DEMO_SCRIPT } from "../../src/cli/demo.ts";
import { ROOT } from "../helpers/fixtures.ts";
import { runWraith } from "../helpers/wraith.ts";

/** Addresses differ between runs (ASLR, gdb turns it off): compare everything else. */
const mask = (s: string) => s.replace(/0x[0-9a-f]+/g, "0xADDR");

interface GdbRequest {
  id: string;
  name: string;
  path: string;
  struct: string;
  kind: string;
  ownerId: string;
}
interface GdbSlow {
  id: string;
  micros: string;
  total: string;
}

/** The demo compiled as build.ts compiles it, run under gdb with a breakpoint on each traced function. */
function gdbDemo(): { requests: GdbRequest[]; slow: GdbSlow[] } {
  const dir = mkdtempSync(join(tmpdir(), "wraith-demo-gdb-"));
  try {
    const bin = join(dir, "wraith-demo");
    const cc = Bun.spawnSync(["gcc", "-g", "-O0", "-fno-omit-frame-pointer", "-o", bin, join(ROOT, "src/demo/demo.c")], { stderr: "pipe" });
    expect(cc.exitCode).toBe(0);
    const script = join(dir, "demo.gdb");
    writeFileSync(
      script,
      [
        "set width 0",
        "set height 0",
        "break handle_request",
        "commands",
        "silent",
        'printf "@@request\\n"',
        "print req->id",
        "print req->owner->name",
        "print req->path",
        "print *req",
        "print req->kind",
        "print req->owner->id",
        "continue",
        "end",
        "break log_slow",
        "commands",
        "silent",
        'printf "@@slow\\n"',
        "print id",
        "print micros",
        "print handled_total",
        "continue",
        "end",
        `run ${DEMO_ROUNDS}`,
      ].join("\n") + "\n",
    );
    const r = Bun.spawnSync(["gdb", "-batch", "-nx", "-x", script, bin], { stdout: "pipe", stderr: "pipe", env: { ...process.env, LC_ALL: "C" }, timeout: 60_000 });
    const out = r.stdout.toString();
    const values = (block: string) => [...block.matchAll(/^\$\d+ = (.*)$/gm)].map((m) => m[1]!);
    const requests: GdbRequest[] = [];
    const slow: GdbSlow[] = [];
    for (const block of out.split(/^@@/m).slice(1)) {
      const v = values(block);
      if (block.startsWith("request")) requests.push({ id: v[0]!, name: v[1]!, path: v[2]!, struct: v[3]!, kind: v[4]!, ownerId: v[5]! });
      else slow.push({ id: v[0]!, micros: v[1]!, total: v[2]! });
    }
    return { requests, slow };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("wraith demo", () => {
  test("the sample script shows structs, strings, a condition and a global", () => {
    expect(DEMO_SCRIPT).toMatch(/print \*req;/);
    expect(DEMO_SCRIPT).toMatch(/\bif .+ \{/);
    expect(DEMO_SCRIPT).toMatch(/handled_total/);
  });

  test("every line equals gdb at the same breakpoint; the condition picks exactly the requests it names", async () => {
    const gdb = gdbDemo();
    expect(gdb.requests).toHaveLength(DEMO_ROUNDS);
    expect(gdb.slow).toHaveLength(DEMO_ROUNDS);

    const r = await runWraith(["demo", "--script-output", "plain"], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(DEMO_SCRIPT);
    expect(r.stderr).toMatch(new RegExp(`${DEMO_ROUNDS * 2} events, 0 lost`));

    // What wraith should print, event by event, from gdb's values.
    const expected: string[] = [];
    for (let i = 0; i < DEMO_ROUNDS; i++) {
      const q = gdb.requests[i]!;
      expected.push(`request ${q.id} from ${q.name} for ${q.path}`);
      expected.push(`*req = ${q.struct}`);
      const text = /"(.*)"$/.exec(q.path)![1]!;
      if (q.kind !== "KIND_GET" && text.startsWith("/orders")) expected.push(`order change: ${q.kind} of ${text} by user ${q.ownerId}`);
      const s = gdb.slow[i]!;
      expected.push(`log_slow id=${s.id} micros=${s.micros} (total so far ${s.total})`);
    }
    const got = r.stdout.split("\n").filter((l) => l !== "");
    expect(got.map(mask)).toEqual(expected.map(mask));

    // The three kinds are all there: strings through pointers, whole structs, condition hits, the global.
    expect(got.filter((l) => l.startsWith("request "))).toHaveLength(DEMO_ROUNDS);
    expect(got.filter((l) => l.startsWith("*req = {id = "))).toHaveLength(DEMO_ROUNDS);
    const changes = got.filter((l) => l.startsWith("order change: "));
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.length).toBeLessThan(DEMO_ROUNDS);
    expect(got).toContain(`log_slow id=${gdb.slow[1]!.id} micros=${gdb.slow[1]!.micros} (total so far 2)`);
  });
});
