// Places: FILE:LINE (suffix match, ambiguous suffixes listed, every address of
// a line split or inlined by the optimizer, the variables visible at that
// PC), inlined functions, 0xADDR; in the executable and, with -p, in a loaded
// library. Site counts are compared with gdb's `break` locations, values
// with gdb's at the same line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { compileFixture, compileSharedLibrary, FIXTURES } from "../helpers/fixtures.ts";
import { startProcess, type Running } from "../helpers/processes.ts";
import { runWraith } from "../helpers/wraith.ts";
import { gdbBreakpoint } from "../helpers/gdb.ts";
import { gdbRun } from "../oracle/gdb.ts";

const WITH = ["places/one/util.c", "places/two/util.c"];
const children: Running[] = [];
afterAll(() => {
  for (const c of children) c.kill();
});

/** The line of test/fixtures/places_main.c holding a marker comment. */
function lineOf(marker: string): number {
  return readFileSync(`${FIXTURES}/places_main.c`, "utf8").split("\n").findIndex((l) => l.includes(marker)) + 1;
}

/** Probe programs wraith would attach for a pattern (--dry-run). */
async function siteCount(bin: string, pattern: string, print = '"x"'): Promise<number> {
  const r = await runWraith(["--dry-run", "-t", bin, "-s", `trace ${pattern} { print ${print}; }`], { timeoutMs: 30_000 });
  const m = /dry run: (\d+) probe program/.exec(r.stderr);
  if (!m) throw new Error(`no dry-run count for ${pattern}: ${r.stderr}`);
  return Number(m[1]);
}

describe("places", () => {
  let o0: string, o2: string;
  beforeAll(() => {
    o0 = compileFixture("places_main", { with: WITH });
    o2 = compileFixture("places_main", { opt: "-O2", with: WITH });
  });

  test("a line inlined in several places and an inlined function attach where gdb's break does (gcc -O0 and -O2)", async () => {
    const line = `places_main.c:${lineOf("PLACES_INLINE_LINE")}`;
    for (const bin of [o0, o2]) {
      for (const spec of [line, "square_plus", `places_main.c:${lineOf("PLACES_BLOCK_LINE")}`]) {
        const gdb = gdbBreakpoint(bin, spec)!;
        expect(gdb).toBeDefined();
        expect(await siteCount(bin, spec)).toBe(gdb.locations);
      }
    }
    expect(gdbBreakpoint(o2, line)!.locations).toBeGreaterThan(1);
  }, 60_000);

  test("values at a line probe, inlined copies included, equal gdb's", async () => {
    const points = [
      { spec: `places_main.c:${lineOf("PLACES_INLINE_LINE")}`, exprs: ["v"], hits: 12 },
      { spec: `places_main.c:${lineOf("PLACES_BLOCK_LINE")}`, exprs: ["i", "total", "n"], hits: 10 },
    ];
    for (const bin of [o0, o2]) {
      const gdb = gdbRun(bin, points, ["6", "1"]);
      const script = points.map((p) => `trace ${p.spec} { ${p.exprs.map((e) => `print ${e};`).join(" ")} }`).join("\n");
      const r = await runWraith(["--json", "-s", script, "-t", bin, "--args", "setarch", "-R", bin, "6", "1"], { timeoutMs: 60_000 });
      expect(r.code).toBe(0);
      const lines = r.stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
      for (const p of points) {
        const want = (gdb.hits.get(p.spec) ?? []).map((h) => h.values);
        const got = lines.filter((e) => e.trace.target === p.spec).map((e) => e.items.map((i: { formatted_value: string }) => i.formatted_value));
        expect(want.length).toBeGreaterThan(0);
        // -O2: what gdb cannot show (<optimized out>), wraith says the same words, never a value.
        expect(got).toEqual(want);
      }
    }
  }, 120_000);

  test("a block-scoped local is readable at its line and a diagnostic with a caret after its block", async () => {
    const inBlock = await runWraith(["--dry-run", "-t", o0, "-s", `trace places_main.c:${lineOf("PLACES_BLOCK_LINE")} { print step; }`]);
    expect(inBlock.code).toBe(0);
    const after = await runWraith(["--dry-run", "-t", o0, "-s", `trace places_main.c:${lineOf("PLACES_AFTER_LINE")} { print step; }`]);
    expect(after.code).not.toBe(0);
    const [head, src, caret] = after.stderr.trim().split("\n");
    expect(head).toMatch(/^wraith: error: <script>:1:\d+: no variable step is visible here/);
    expect(src).toContain("print step;");
    expect(caret!.trim()).toBe("^~~~");
    expect(caret!.indexOf("^")).toBe(src!.indexOf("step"));
  });

  test("an ambiguous file suffix lists the candidates; more of the path settles it", async () => {
    const r = await runWraith(["--dry-run", "-t", o0, "-s", 'trace util.c:4 { print "x"; }']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`util.c is ambiguous in ${o0}: ${FIXTURES}/places/one/util.c, ${FIXTURES}/places/two/util.c; give more of the path`);
    expect(await siteCount(o0, "one/util.c:4")).toBe(1);
    expect(await siteCount(o0, "two/util.c:4")).toBe(1);
  });

  test("0xADDR: a module-relative address in the executable, with -t and with -p", async () => {
    const bp = gdbBreakpoint(o0, "util_one")!;
    const addr = `0x${bp.address.toString(16)}`;
    expect(await siteCount(o0, addr)).toBe(1);
    const p = await startProcess([o0, "-1", "5"]);
    children.push(p);
    const r = await runWraith(["--json", "--count", "2", "-p", String(p.pid), "-s", `trace ${addr} { print v; }`], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    const vs = r.stdout.trim().split("\n").map((l) => Number(JSON.parse(l).items[0].formatted_value));
    expect(vs[1]).toBe(vs[0]! + 1);
  }, 60_000);

  test("-p PID: FILE:LINE in a loaded library, not only in the executable", async () => {
    const lib = compileSharedLibrary("shlib_foo", "shfoo");
    const app = compileFixture("shlib_app", { flags: lib.linkFlags });
    const line = `shlib_foo.c:${readFileSync(`${FIXTURES}/shlib_foo.c`, "utf8").split("\n").findIndex((l) => l.includes("foo_calls++")) + 1}`;
    const p = await startProcess([app, "1000000", "20"]);
    children.push(p);
    const r = await runWraith(["--json", "--count", "2", "-p", String(p.pid), "-s", `trace ${line} { print x; print y; }`], { timeoutMs: 30_000 });
    expect(r.stderr).not.toContain("error");
    const got = r.stdout.trim().split("\n").map((l) => JSON.parse(l).items.map((i: { formatted_value: string }) => Number(i.formatted_value)));
    expect(got).toHaveLength(2);
    for (const [x, y] of got) expect(y).toBe(x * 2);
  }, 60_000);
});
