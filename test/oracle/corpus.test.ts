// The value corpus under the gdb oracle, across gcc/clang × -O0/-O2 × DWARF
// 4/5: every point is hit as designed, -O0 shows every value, the values
// change from hit to hit (so a tracer cannot agree with gdb by accident), and
// recursion shows every depth. Prints a table of counts per build.
import { afterAll, describe, expect, test } from "bun:test";
import { realpathSync } from "node:fs";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { CORPUS, CORPUS_MAIN, CORPUS_WITH, markerSpec, REQUIRED } from "./corpus.ts";
import { gdbBreakAddresses, gdbRun, gdbValues, isGdbError, isOptimizedOut, type OracleRun } from "./gdb.ts";

const BUILDS: CompileOptions[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const) for (const dwarf of [4, 5] as const) BUILDS.push({ cc, opt, dwarf, with: CORPUS_WITH });

const label = (o: CompileOptions) => `${o.cc} ${o.opt} DWARF ${o.dwarf}`;
const EXPRS = CORPUS.reduce((n, p) => n + p.exprs.length, 0);

const isError = isGdbError;

interface Row {
  build: string;
  points: string;
  values: number;
  optimizedOut: number;
  readErrors: number;
  noSymbol: number;
  ms: number;
}
const rows: Row[] = [];

afterAll(() => {
  if (rows.length === 0) return;
  const head = ["build", "points hit/all", "values", "<optimized out>", "read errors", "no symbol/other errors", "gdb ms"];
  const body = rows.map((r) => [r.build, r.points, String(r.values), String(r.optimizedOut), String(r.readErrors), String(r.noSymbol), String(r.ms)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i]!)).join("  ");
  console.log(`\nvalue corpus: ${CORPUS.length} points, ${EXPRS} expressions\n${line(head)}\n${body.map(line).join("\n")}`);
});

describe("corpus definition", () => {
  test("covers every category the issue names", () => {
    const covered = new Set(CORPUS.flatMap((p) => p.covers));
    expect(REQUIRED.filter((c) => !covered.has(c))).toEqual([]);
  });

  test("expressions are GhostScope syntax: no '->', no char or float literals", () => {
    for (const p of CORPUS)
      for (const e of p.exprs) {
        expect(e).not.toContain("->");
        expect(e).not.toMatch(/'|\d\.\d/);
      }
  });

  test("specs are unique, markers appear exactly once, address/error lists name real expressions", () => {
    expect(new Set(CORPUS.map((p) => p.spec)).size).toBe(CORPUS.length);
    for (const p of CORPUS) {
      if (p.spec.includes(":")) expect(markerSpec(p.spec.split(":")[0]!, p.marker)).toBe(p.spec);
      for (const e of [...p.addresses, ...p.errors]) expect(p.exprs).toContain(e);
    }
  });

  test("the program prints nothing and ends quickly", () => {
    for (const cc of ["gcc", "clang"] as const) {
      const bin = compileFixture(CORPUS_MAIN, { cc, opt: "-O2", with: CORPUS_WITH });
      const t0 = performance.now();
      const r = Bun.spawnSync([bin], { stdout: "pipe", stderr: "pipe" });
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(r.exitCode).toBe(0);
      expect(r.stdout.toString()).toBe("");
      expect(r.stderr.toString()).toBe("");
    }
  });
});

for (const o of BUILDS) {
  describe(`gdb oracle on the corpus (${label(o)})`, () => {
    let bin = "";
    let run: OracleRun;

    test("compiles and runs under gdb to a normal exit, every breakpoint set", () => {
      bin = compileFixture(CORPUS_MAIN, o);
      const t0 = performance.now();
      run = gdbRun(bin, CORPUS);
      const ms = Math.round(performance.now() - t0);
      expect(run.errors).toEqual(new Map());
      expect(run.abnormal).toBeUndefined();
      expect(run.exitCode).toBe(0);
      let values = 0,
        optimizedOut = 0,
        readErrors = 0,
        noSymbol = 0,
        hit = 0;
      for (const p of CORPUS) {
        const hits = run.hits.get(p.spec)!;
        if (hits.length > 0) hit++;
        for (const h of hits)
          for (const v of h.values) {
            values++;
            if (isOptimizedOut(v)) optimizedOut++;
            else if (v.startsWith("Cannot access memory")) readErrors++;
            else if (isError(v)) noSymbol++;
          }
      }
      rows.push({ build: label(o), points: `${hit}/${CORPUS.length}`, values, optimizedOut, readErrors, noSymbol, ms });
    });

    test(o.opt === "-O0" ? "every point is hit exactly `hits` times" : "every point is hit (counts reported)", () => {
      for (const p of CORPUS) {
        const n = run.counts.get(p.spec)!;
        if (o.opt === "-O0") expect({ spec: p.spec, n }).toEqual({ spec: p.spec, n: p.hits });
        else expect({ spec: p.spec, hit: n > 0 }).toEqual({ spec: p.spec, hit: true });
        for (const h of run.hits.get(p.spec)!) expect(h.values.length).toBe(p.exprs.length);
      }
    });

    if (o.opt === "-O0") {
      test("-O0: no value is <optimized out>; errors only where the corpus expects them", () => {
        for (const p of CORPUS)
          for (const h of run.hits.get(p.spec)!)
            p.exprs.forEach((e, i) => {
              const v = h.values[i]!;
              expect({ spec: p.spec, e, optimizedOut: isOptimizedOut(v) }).toEqual({ spec: p.spec, e, optimizedOut: false });
              if (!p.errors.includes(e)) expect({ spec: p.spec, e, v, error: isError(v) }).toEqual({ spec: p.spec, e, v, error: false });
            });
      });

      test("-O0: every expected error happens at some hit, and not at every hit", () => {
        for (const p of CORPUS)
          p.errors.forEach((e) => {
            const i = p.exprs.indexOf(e);
            const errs = run.hits.get(p.spec)!.map((h) => isError(h.values[i]!));
            expect({ spec: p.spec, e, some: errs.some((x) => x), all: errs.every((x) => x) }).toEqual({ spec: p.spec, e, some: true, all: false });
          });
      });

      test("-O0: every expression's value changes across hits", () => {
        for (const p of CORPUS) {
          const hits = run.hits.get(p.spec)!;
          p.exprs.forEach((e, i) => {
            const distinct = new Set(hits.map((h) => h.values[i]));
            expect({ spec: p.spec, e, changes: distinct.size > 1 }).toEqual({ spec: p.spec, e, changes: true });
          });
        }
      });

      test("-O0: gdbValues gives the same values hit by hit (deterministic program)", () => {
        const again = gdbValues(bin, CORPUS);
        for (const p of CORPUS) expect(again.get(p.spec)).toEqual(run.hits.get(p.spec)!.map((h) => h.values));
      });
    }

    test("recursion: every depth, in order, with its own node", () => {
      const walk = CORPUS.find((p) => p.spec === "walk")!;
      const hits = run.hits.get("walk")!;
      const depth = walk.exprs.indexOf("depth");
      const val = walk.exprs.indexOf("n.val");
      expect(hits.map((h) => h.values[depth])).toEqual(["0", "1", "2", "3", "4"]);
      if (o.opt === "-O0") expect(hits.map((h) => h.values[val])).toEqual(["100", "-101", "102", "-103", "104"]);
      else for (const h of hits) expect(["100", "-101", "102", "-103", "104", "<optimized out>"]).toContain(h.values[val]!);
    });

    test("every hit stops where gdbBreakAddresses says the breakpoint lands, in the function gdb names", () => {
      const addrs = gdbBreakAddresses(bin, CORPUS.map((p) => p.spec));
      for (const p of CORPUS) {
        const at = addrs.get(p.spec);
        expect({ spec: p.spec, resolved: at !== undefined && at.length > 0 }).toEqual({ spec: p.spec, resolved: true });
        for (const h of run.hits.get(p.spec)!) {
          expect(at).toContain(h.pc);
          if (!p.spec.includes(":")) expect(h.func).toBe(p.spec);
        }
      }
    });
  });
}

test("second unit: a probe there reads that unit's file static, not main's namesake", () => {
  const bin = realpathSync(compileFixture(CORPUS_MAIN, { cc: "gcc", opt: "-O0", with: CORPUS_WITH }));
  const v = gdbValues(bin, [
    { spec: "other_probe", exprs: ["s_hidden"], hits: 5 },
    { spec: "probe_globals", exprs: ["s_hidden"], hits: 5 },
  ]);
  expect(v.get("other_probe")!.map((h) => Number(h[0]))).toEqual([-77, -77, -78, -80, -83]);
  expect(v.get("probe_globals")!.every((h) => Number(h[0]) > 1000)).toBe(true);
});
