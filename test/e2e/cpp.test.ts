// C++ end to end (test/fixtures/cpp_widgets.cpp, g++ and clang++): trace
// patterns by qualified, suffix, operator, template and overloaded names land
// where gdb's `break` stops; overloads are listed; and class objects, `this`,
// base-class members and references print what gdb prints at the same
// breakpoints, in real processes with real uprobes — static data members
// included (gdb's default `set print static-members on`): each is read at the
// probe as the global it is.
import { describe, expect, test } from "bun:test";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { gdbBatch, gdbBreakpoints } from "../helpers/gdb.ts";
import { runWraith } from "../helpers/wraith.ts";
import { gdbRun, type OraclePoint } from "../oracle/gdb.ts";

const FIXTURE = "cpp_widgets";
const COMPILERS = ["g++", "clang++"] as const;

/** Patterns as users write them, each already in wraith's one spelling (what events show as their target). */
const NAME_SPECS = [
  "ns::Widget::resize",
  "Widget::resize",
  "resize",
  "ns::Widget::resize(int, int)",
  "free_function",
  "bump",
  "ns::Widget::Widget",
  "ns::Widget::~Widget",
  "~Widget",
  "ns::box<int>::get",
  "box::get",
  "ns::Widget::operator==",
  "operator==",
];

/** Where wraith would attach each pattern: module-relative addresses from --dry-run --details. */
async function wraithSites(bin: string, specs: string[]): Promise<{ sites: Map<string, number[]>; stderr: string }> {
  const script = specs.map((s) => `trace ${s} { print "x"; }`).join("\n");
  const r = await runWraith(["--dry-run", "--details", "-t", bin, "-s", script], { timeoutMs: 60_000 });
  expect(r.stderr).not.toContain("error:");
  const sites = new Map<string, number[]>();
  for (const m of r.stderr.matchAll(/^ {2}(.+) #\d+: \S+ 0x([0-9a-f]+) \(file offset/gm)) {
    const list = sites.get(m[1]!) ?? [];
    list.push(parseInt(m[2]!, 16));
    sites.set(m[1]!, list);
  }
  return { sites, stderr: r.stderr };
}

describe("C++ trace patterns attach where gdb's break stops", () => {
  for (const cc of COMPILERS)
    for (const opt of ["-O0", "-O2"] as const) {
      test(`${cc} ${opt}`, async () => {
        const bin = compileFixture(FIXTURE, { cc, opt });
        // At -O2 the constructors and destructors are inlined: their copies are compared too.
        const specs = NAME_SPECS;
        const gdb = gdbBreakpoints(bin, specs);
        const { sites } = await wraithSites(bin, specs);
        const problems: string[] = [];
        for (const spec of specs) {
          const want = [...(gdb.get(spec) ?? [])].sort((a, b) => a - b);
          const got = [...(sites.get(spec) ?? [])].sort((a, b) => a - b);
          if (want.length === 0) problems.push(`gdb cannot break ${spec}`);
          if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${spec}: gdb ${want.map((a) => a.toString(16))}, wraith ${got.map((a) => a.toString(16))}`);
        }
        expect(problems).toEqual([]);
      });
    }
});

describe("overloads", () => {
  const bin = () => compileFixture(FIXTURE, { cc: "g++" });

  test("a name matching several overloads traces them all and lists them in one status line", async () => {
    const r = await runWraith(["-s", "trace ns::Widget::resize { print this.size; }", "--args", bin()], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l.includes("overloads"));
    expect(lines).toEqual(["wraith: ns::Widget::resize matches 2 overloads: ns::Widget::resize(int), ns::Widget::resize(int, int)"]);
    // Both overloads fire: resize(int) enters with 3 and leaves 5, then resize(int, int) enters with 5.
    expect(r.stdout.match(/this\.size = \d+/g)).toEqual(["this.size = 3", "this.size = 5"]);
  });

  test("a parameter list picks one overload, in any spacing", async () => {
    const r = await runWraith(["-s", "trace resize( int,int ) { print w; print h; }", "--args", bin()], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("overloads");
    expect(r.stdout).toContain("resize(int, int)");
    expect(r.stdout).toContain("w = 4");
    expect(r.stdout).toContain("h = 5");
  });

  test("a parameter list matching no overload is one line listing those that exist", async () => {
    const r = await runWraith(["-s", "trace ns::Widget::resize(double) { print 1; }", "-t", bin()], { timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    const errs = r.stderr.trim().split("\n").filter((l) => l.includes("error"));
    expect(errs).toEqual(["wraith: error: ns::Widget::resize(double) matches no function; there are 2: ns::Widget::resize(int), ns::Widget::resize(int, int)"]);
  });

  test("an unknown C++ name suggests demangled names", async () => {
    const r = await runWraith(["-s", "trace ns::Widget::resise { print 1; }", "-t", bin()], { timeoutMs: 30_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("function ns::Widget::resise not found");
    expect(r.stderr).toContain("did you mean ns::Widget::resize");
  });

  test("without DWARF, demangled ELF symbols stand in (probed at the first instruction)", async () => {
    const stripped = compileFixture(FIXTURE, { cc: "g++", flags: ["-g0"] });
    const r = await runWraith(["-s", 'trace ns::Widget::resize { print "hit"; } trace free_function { print "free"; }', "--args", stripped], { timeoutMs: 30_000 });
    expect(r.stderr).not.toContain("error:");
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^ {2}hit$/gm)?.length).toBe(2);
    expect(r.stdout.match(/^ {2}free$/gm)?.length).toBe(1);
  });
});

describe("info functions", () => {
  for (const cc of COMPILERS)
    test(`${cc}: the fixture's functions with demangled signatures, as gdb lists them`, async () => {
      const bin = compileFixture(FIXTURE, { cc });
      const r = await runWraith(["info", "functions", "-t", bin], { timeoutMs: 30_000 });
      expect(r.code).toBe(0);
      const ours = r.stdout.split("\n").filter((l) => l.includes("cpp_widgets.cpp:")).map((l) => l.split("\t")[1]!).sort();
      const out = gdbBatch(bin, ["info functions"]);
      // gdb's rows for the fixture: "File …cpp_widgets.cpp:" then "LINE:\tDECLARATION" up to the next blank line.
      const section = out.split(/\n\n/).find((b) => /^File .*cpp_widgets\.cpp:/.test(b)) ?? "";
      const theirs = section.split("\n").slice(1).map((l) => l.split("\t")[1]!).filter(Boolean).sort();
      expect(theirs.length).toBeGreaterThan(10);
      expect(ours).toEqual(theirs);
    });
});

/** Values at each point, compared with gdb's `print` at the same breakpoint. */
const POINTS: OraclePoint[] = [
  { spec: "ns::Widget::resize(int)", exprs: ["this", "*this", "this.size", "size", "id", "label", "by", "this.instances", "this.registry", "kind"], hits: 1 },
  { spec: "ns::Widget::resize(int, int)", exprs: ["w", "h", "this.scale", "scale"], hits: 1 },
  { spec: "bump", exprs: ["r", "w", "p", "w.size", "w.id", "w.label", "p.x", "r + 1"], hits: 1 },
  { spec: "measure", exprs: ["w", "w.size", "w.id"], hits: 1 },
  { spec: "ns::box<int>::get", exprs: ["this", "*this", "value"], hits: 1 },
  { spec: "ns::box<double>::get() const", exprs: ["value"], hits: 1 },
  { spec: "free_function", exprs: ["a", "b"], hits: 1 },
  { spec: "ns::Widget::operator==", exprs: ["o", "o.size", "o.id", "size"], hits: 1 },
  { spec: "ns::Widget::Widget(int, int)", exprs: ["i", "s"], hits: 2 },
  { spec: "~Widget", exprs: ["this.size"], hits: 3 },
];

describe("class objects print as gdb prints them", () => {
  for (const cc of COMPILERS) {
    const o: CompileOptions = { cc, opt: "-O0" };
    test(`${cc} -O0`, async () => {
      const bin = compileFixture(FIXTURE, o);
      // Stack addresses depend on the environment's size: both run the program with an empty one (gdb: unset environment; wraith: env -i).
      const gdb = gdbRun(bin, POINTS, [], { settings: ["unset environment"] });
      expect([...gdb.errors]).toEqual([]);
      const script = POINTS.map((p) => `trace ${p.spec} {\n${p.exprs.map((e) => `  print ${e};`).join("\n")}\n}`).join("\n");
      const r = await runWraith(["--json", "-s", script, "-t", bin, "--args", "env", "-i", "setarch", "-R", bin], { timeoutMs: 60_000 });
      expect(r.stderr).not.toContain("error:");
      expect(r.code).toBe(0);
      const bySpec = new Map<string, { formatted_value: string }[][]>();
      for (const line of r.stdout.trim().split("\n").filter(Boolean)) {
        const e = JSON.parse(line);
        if (e.event !== "trace") continue;
        const list = bySpec.get(e.trace.target) ?? [];
        list.push(e.items);
        bySpec.set(e.trace.target, list);
      }
      const problems: string[] = [];
      let equal = 0;
      for (const p of POINTS) {
        const g = gdb.hits.get(p.spec) ?? [];
        const w = bySpec.get(p.spec) ?? [];
        if (g.length !== w.length || g.length === 0) {
          problems.push(`${p.spec}: gdb ${g.length} hits, wraith ${w.length}`);
          continue;
        }
        g.forEach((hit, h) =>
          p.exprs.forEach((expr, k) => {
            const got = w[h]![k]?.formatted_value;
            if (got === hit.values[k]) equal++;
            else problems.push(`${p.spec} hit ${h} ${expr}: gdb ${JSON.stringify(hit.values[k])}, wraith ${JSON.stringify(got)}`);
          }),
        );
      }
      console.log(`${cc} -O0: ${equal} values equal to gdb's, ${problems.length} different`);
      expect(problems).toEqual([]);
    });
  }
});
