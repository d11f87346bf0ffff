// formatValue against gdb 13's `print`, for every variable of the
// render_values fixture (globals, file and function statics, parameters and
// locals of stop_here), built with gcc and clang at -O0, DWARF 4 and 5.
// The bytes, pointee strings and symbols come from gdb in the same stopped
// process; the types come from our DWARF engine. Every text must be equal.
import { describe, expect, test } from "bun:test";
import { formatValue } from "../../src/render/value.ts";
import { compileCxxFixture } from "../dwarf/cxx_fixture.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { type OracleRun, runOracle } from "./value_oracle.ts";

/** Our documented wording for gdb's memory errors. */
export function ourWording(gdb: string): string {
  return gdb.replace(/<error: Cannot access memory at address (0x[0-9a-f]+)>/g, "<read error at $1>");
}

const MATRIX = (["gcc", "clang"] as const).flatMap((cc) => ([4, 5] as const).map((dwarf) => ({ cc, dwarf })));

describe.each(MATRIX)("render_values $cc -gdwarf-$dwarf", ({ cc, dwarf }) => {
  let run: OracleRun | undefined;
  const get = () => (run ??= runOracle(compileFixture("render_values", { cc, dwarf, opt: "-O0" })));

  test("every variable prints as gdb prints it", () => {
    const { vars, symbols } = get();
    expect(vars.length).toBeGreaterThan(200);
    const symbolize = (a: bigint) => symbols.get(a);
    const diffs: string[] = [];
    for (const v of vars) {
      const ours = formatValue(v.value, { symbolize, maxDepth: 20, language: v.language });
      if (ours !== ourWording(v.gdb)) diffs.push(`${v.name}\n  gdb:  ${v.gdb}\n  ours: ${ours}`);
    }
    console.log(`render_values ${cc} dwarf${dwarf}: ${vars.length - diffs.length}/${vars.length} values equal to gdb`);
    expect(diffs).toEqual([]);
  });

  test("max-depth as gdb's `set print max-depth`", () => {
    const { vars, symbols } = get();
    const symbolize = (a: bigint) => symbols.get(a);
    let n = 0;
    const diffs: string[] = [];
    for (const v of vars) {
      for (const [depth, text] of v.depths) {
        n++;
        const ours = formatValue(v.value, { symbolize, maxDepth: depth, language: v.language });
        if (ours !== ourWording(text)) diffs.push(`${v.name} depth ${depth}\n  gdb:  ${text}\n  ours: ${ours}`);
      }
    }
    expect(n).toBeGreaterThan(10);
    expect(diffs).toEqual([]);
  });
});

const CXX = (["g++", "clang++"] as const).flatMap((cxx) => ([4, 5] as const).map((dwarf) => ({ cxx, dwarf })));

describe.each(CXX)("render_values_cpp $cxx -gdwarf-$dwarf", ({ cxx, dwarf }) => {
  test("every C++ variable prints as gdb prints it", () => {
    const { vars, symbols } = runOracle(compileCxxFixture("render_values_cpp", { cxx, dwarf }), "render_values_cpp.cpp");
    expect(vars.length).toBeGreaterThan(15);
    const symbolize = (a: bigint) => symbols.get(a);
    const diffs: string[] = [];
    for (const v of vars) {
      expect(v.language).toBe("c++");
      const ours = formatValue(v.value, { symbolize, maxDepth: 20, language: v.language });
      if (ours !== ourWording(v.gdb)) diffs.push(`${v.name}\n  gdb:  ${v.gdb}\n  ours: ${ours}`);
    }
    console.log(`render_values_cpp ${cxx} dwarf${dwarf}: ${vars.length - diffs.length}/${vars.length} values equal to gdb`);
    expect(diffs).toEqual([]);
  });
});

// At -O2 globals live in memory as at -O0 and must print the same; locals in
// registers (and partly optimized-out values, which need per-piece statuses)
// are the tracer's business, not this oracle's.
describe.each(MATRIX)("render_values -O2 globals $cc -gdwarf-$dwarf", ({ cc, dwarf }) => {
  test("every global prints as gdb prints it", () => {
    const { vars, symbols } = runOracle(compileFixture("render_values", { cc, dwarf, opt: "-O2" }));
    const globals = vars.filter((v) => v.name.startsWith("g_"));
    expect(globals.length).toBeGreaterThan(200);
    const symbolize = (a: bigint) => symbols.get(a);
    const diffs: string[] = [];
    for (const v of globals) {
      const ours = formatValue(v.value, { symbolize, maxDepth: 20 });
      if (ours !== ourWording(v.gdb)) diffs.push(`${v.name}\n  gdb:  ${v.gdb}\n  ours: ${ours}`);
    }
    console.log(`render_values -O2 ${cc} dwarf${dwarf}: ${globals.length - diffs.length}/${globals.length} globals equal to gdb`);
    expect(diffs).toEqual([]);
  });
});
