// The oracle itself: errors are values, odd text parses, refused breakpoints
// and runaway programs are reported, results are keyed and ordered as promised.
import { describe, expect, test } from "bun:test";
import { compileFixture } from "../helpers/fixtures.ts";
import { CORPUS_MAIN, CORPUS_WITH } from "./corpus.ts";
import { gdbBreakAddresses, gdbHasPython, gdbRun, gdbValues, GDB_SETTINGS } from "./gdb.ts";

const bin = () => compileFixture(CORPUS_MAIN, { cc: "gcc", opt: "-O0", with: CORPUS_WITH });

describe("gdb oracle", () => {
  test("this gdb has Python", () => {
    expect(gdbHasPython()).toBe(true);
  });

  test("settings: pretty off, unlimited width, 200 elements", () => {
    expect(GDB_SETTINGS).toContain("set print pretty off");
    expect(GDB_SETTINGS).toContain("set width 0");
    expect(GDB_SETTINGS).toContain("set print elements 200");
  });

  test("errors are kept as text and do not stop the run; history numbers are stripped", () => {
    const v = gdbValues(bin(), [
      { spec: "probe_ints", exprs: ["*(int *)0", "i", "no_such_var", "i +", "sizeof(long)", "i"], hits: 5 },
    ]);
    const hits = v.get("probe_ints")!;
    expect(hits.length).toBe(5);
    for (const h of hits) {
      expect(h[0]).toBe("Cannot access memory at address 0x0");
      expect(h[2]).toBe('No symbol "no_such_var" in current context.');
      expect(h[3]).toBe("A syntax error in expression, near `'.");
      expect(h[4]).toBe("8");
      expect(h[1]).toBe(h[5]!);
      expect(h[1]).not.toMatch(/^\$/);
    }
    expect(hits.map((h) => h[1])).toEqual(["-2147483648", "2147483647", "0", "-1", "123456"]);
  });

  test("values with quotes, braces, escapes and newlines-as-escapes come back verbatim", () => {
    const v = gdbValues(bin(), [{ spec: "probe_scalars", exprs: ["c", '"a;b}\\n"', "{1, 2}"], hits: 5 }]);
    const hits = v.get("probe_scalars")!;
    expect(hits.map((h) => h[0])).toEqual(["65 'A'", "122 'z'", "10 '\\n'", "-56 '\\310'", "0 '\\000'"]);
    expect(hits[0]![1]).toBe('"a;b}\\n"');
  });

  test("two points at one address both get their values (non-PIE: `*ADDR` is a link-time address)", () => {
    const nopie = compileFixture(CORPUS_MAIN, { cc: "gcc", opt: "-O0", with: CORPUS_WITH, pie: false });
    const [addr] = gdbBreakAddresses(nopie, ["probe_typed"]).get("probe_typed")!;
    const star = `*0x${addr!.toString(16)}`;
    const run = gdbRun(nopie, [
      { spec: "probe_typed", exprs: ["rid"], hits: 5 },
      { spec: star, exprs: ["id"], hits: 5 },
    ]);
    expect(run.hits.get("probe_typed")!.map((h) => h.values[0])).toEqual(["40", "41", "42", "43", "44"]);
    expect(run.hits.get(star)!.map((h) => h.values[0])).toEqual(["0", "4294967295", "1", "2147483648", "3000000000"]);
    expect(run.bias).toBe(0);
  });

  test("a breakpoint gdb refuses is reported by gdbRun and thrown by gdbValues; the rest still run", () => {
    const run = gdbRun(bin(), [
      { spec: "no_such_function", exprs: ["x"], hits: 1 },
      { spec: "walk", exprs: ["depth"], hits: 5 },
    ]);
    expect(run.errors.get("no_such_function")).toContain('Function "no_such_function" not defined');
    expect(run.hits.get("walk")!.map((h) => h.values[0])).toEqual(["0", "1", "2", "3", "4"]);
    expect(() => gdbValues(bin(), [{ spec: "no_such_function", exprs: ["x"], hits: 1 }])).toThrow(/no_such_function/);
    expect(gdbBreakAddresses(bin(), ["no_such_function", "walk"]).has("no_such_function")).toBe(false);
  });

  test("hits past hits × capFactor are counted, not evaluated", () => {
    const run = gdbRun(bin(), [{ spec: "walk", exprs: ["depth"], hits: 1 }], [], { capFactor: 2 });
    expect(run.counts.get("walk")).toBe(5);
    expect(run.hits.get("walk")!.length).toBe(2);
  });

  test("a program that never ends is killed at the timeout, and so is its process", async () => {
    const spin = compileFixture("e2e_spin", {});
    const t0 = performance.now();
    const run = gdbRun(spin, [{ spec: "work", exprs: ["i"], hits: 2 }], [], { timeoutMs: 2000, capFactor: 1 });
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(run.abnormal).toContain("timed out");
    expect(run.hits.get("work")!.map((h) => h.values[0])).toEqual(["0", "1"]);
    expect(() => gdbValues(spin, [{ spec: "work", exprs: ["i"], hits: 1 }], [], { timeoutMs: 1000 })).toThrow(/timed out/);
    await Bun.sleep(200);
    const left = Bun.spawnSync(["pgrep", "-f", spin]).stdout.toString().trim();
    expect(left).toBe("");
  });

  test("program arguments reach the program", () => {
    // main(void) has no argv: the last argument sits just before envp's first entry.
    const run = gdbRun(bin(), [{ spec: "main", exprs: ["(*(char ***)&environ)[-2]", "(*(char ***)&environ)[-3]"], hits: 1 }], ["x", "yz"]);
    expect(run.exitCode).toBe(0);
    expect(run.hits.get("main")![0]!.values.map((v) => v.replace(/^0x[0-9a-f]+ /, ""))).toEqual(['"yz"', '"x"']);
    expect(() => gdbRun(bin(), [], ["a b"])).toThrow(/whitespace/);
  });
});
