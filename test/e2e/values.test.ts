// Truth: for the value corpus (test/oracle/corpus.ts), wraith prints at every
// hit of every probe point what gdb prints at the same breakpoint — gcc and
// clang, -O0 and -O2, DWARF 4 and 5. At -O0 every value must be equal; at -O2
// a value is equal, or unavailable in wraith where gdb also cannot show it.
// Both run the program with ASLR off (gdb's default; setarch -R for wraith),
// so pointer values and their <symbol> annotations compare exactly.
import { describe, expect, test } from "bun:test";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { runWraith } from "../helpers/wraith.ts";
import { CORPUS, CORPUS_MAIN, CORPUS_WITH } from "../oracle/corpus.ts";
import { gdbRun } from "../oracle/gdb.ts";

const MATRIX: CompileOptions[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const) for (const dwarf of [4, 5] as const) MATRIX.push({ cc, opt, dwarf, with: CORPUS_WITH });
// A non-PIE executable: globals at fixed addresses (load bias 0).
MATRIX.push({ cc: "gcc", opt: "-O0", dwarf: 5, pie: false, with: CORPUS_WITH });

/** gdb's words for a value it cannot show, and wraith's. */
const gdbUnavailable = (t: string) => t === "<optimized out>" || t.startsWith("No symbol ");
const readError = (t: string) => /^Cannot access memory at address (0x[0-9a-f]+)$/.exec(t)?.[1];

describe("values agree with gdb", () => {
  for (const o of MATRIX) {
    test(`${o.cc} ${o.opt} DWARF ${o.dwarf}${o.pie === false ? " non-PIE" : ""}`, async () => {
      const bin = compileFixture(CORPUS_MAIN, o);
      const gdb = gdbRun(bin, CORPUS);
      // At -O2 a name gdb does not know at a point (No symbol …) is left out of wraith's script.
      const exprsAt = new Map(CORPUS.map((p) => {
        const hits = gdb.hits.get(p.spec) ?? [];
        return [p.spec, p.exprs.filter((_, i) => !hits.some((h) => h.values[i]!.startsWith("No symbol ")))];
      }));
      const script = CORPUS.map((p) => `trace ${p.spec} {\n${exprsAt.get(p.spec)!.map((e) => `  print ${e};`).join("\n")}\n}`).join("\n");
      const r = await runWraith(["--json", "--mem-dump-cap", "256", "-s", script, "-t", bin, "--args", "setarch", "-R", bin], { timeoutMs: 60_000 });
      expect(r.stderr).not.toContain("error:");
      expect(r.code).toBe(0);
      const events = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
      const bySpec = new Map<string, { name: string; formatted_value: string }[][]>();
      for (const e of events) {
        const list = bySpec.get(e.trace.target) ?? [];
        list.push(e.items);
        bySpec.set(e.trace.target, list);
      }
      const problems: string[] = [];
      let equal = 0, unavailable = 0, unreadable = 0;
      for (const p of CORPUS) {
        const gHits = gdb.hits.get(p.spec) ?? [];
        const wHits = bySpec.get(p.spec) ?? [];
        if (o.opt === "-O0" && wHits.length !== p.hits) problems.push(`${p.spec}: ${wHits.length} hits, expected ${p.hits}`);
        if (gHits.length !== wHits.length) {
          problems.push(`${p.spec}: gdb ${gHits.length} hits, wraith ${wHits.length}`);
          continue;
        }
        const exprs = exprsAt.get(p.spec)!;
        gHits.forEach((h, hit) => {
          exprs.forEach((expr, k) => {
            const want = h.values[p.exprs.indexOf(expr)]!;
            const got = wHits[hit]![k]?.formatted_value;
            if (got === want) return void equal++;
            const addr = readError(want);
            if (addr && (got === `<read error at ${addr}>` || (BigInt(addr) < 4096n && got === "<null>"))) return void equal++;
            if (gdbUnavailable(want) && got === "<optimized out>") return void unavailable++;
            // A value a uprobe cannot reach (an xmm register): named as such, never a guessed value.
            if (o.opt === "-O2" && got?.startsWith("<unavailable: ")) return void unreadable++;
            problems.push(`${p.spec} hit ${hit} ${expr}: gdb ${JSON.stringify(want)}, wraith ${JSON.stringify(got)}`);
          });
        });
      }
      console.log(`${o.cc} ${o.opt} DWARF ${o.dwarf}: ${equal} equal, ${unavailable} unavailable in both, ${unreadable} unreadable by a uprobe, ${problems.length} different`);
      if (o.opt === "-O0") expect(unreadable + unavailable).toBe(0);
      expect(problems).toEqual([]);
    });
  }
});
