// Help is rendered from the data the parser uses: every flag in the table is
// documented, every command's options are the ones it accepts, every example
// parses, every exit code and environment variable wraith reads is listed.
// (The script reference: test/script/help.test.ts.)
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { COMMAND_FLAG_GROUPS, FLAGS, LAUNCH_FLAG, flagsFor, parseArgs } from "../../src/cli/args.ts";
import { ExitCode } from "../../src/cli/errors.ts";
import { COMMANDS, ENVIRONMENT, allFlagNames, exampleLine, flagSyntax, helpText, type CommandName } from "../../src/cli/help.ts";
import { ROOT } from "../helpers/fixtures.ts";

const NAMES = Object.keys(COMMAND_FLAG_GROUPS) as CommandName[];
const plain = (topic?: string) => helpText(topic, false);
const allHelp = NAMES.map((n) => plain(n === "run" ? undefined : n)).join("\n");

/** The words after `wraith` in a help text's example lines, as bash splits them. */
function shellWords(line: string): string[] {
  const r = Bun.spawnSync(["bash", "-c", `set -- ${line.replace(/^sudo /, "")}; printf '%s\\0' "$@"`], { stdout: "pipe" });
  return r.stdout.toString().split("\0").slice(1, -1);
}

describe("help: one source with the parser", () => {
  test("there is help for every command the parser knows, and no other", () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...NAMES].sort());
  });

  test("every flag in the table appears in some help text", () => {
    for (const name of allFlagNames()) expect(allHelp).toContain(name);
  });

  test("each command's help shows exactly the flags it accepts", () => {
    for (const kind of NAMES) {
      const text = plain(kind === "run" ? undefined : kind);
      for (const f of flagsFor(kind)) {
        if (f.group === "meta" && kind !== "run") continue; // listed once, in the main help
        expect(text).toContain(`  ${flagSyntax(f)}`);
      }
      // A flag it does not accept is not offered (its syntax may still appear inside prose).
      const shown = new Set(flagsFor(kind).map(flagSyntax));
      for (const f of FLAGS.filter((x) => !shown.has(flagSyntax(x)))) expect(text).not.toContain(`\n  ${flagSyntax(f)} `);
      if (LAUNCH_FLAG.only.includes(kind)) expect(text).toContain(flagSyntax(LAUNCH_FLAG));
    }
  });

  test("a flag name means one thing per command", () => {
    for (const kind of NAMES) {
      const names = flagsFor(kind).flatMap((f) => f.names);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  test("every flag has a description", () => {
    for (const f of FLAGS) expect(f.help.length).toBeGreaterThan(10);
  });

  test("each command has 2–4 examples; each parses to that command", () => {
    for (const c of COMMANDS) {
      expect(c.examples.length).toBeGreaterThanOrEqual(2);
      expect(c.examples.length).toBeLessThanOrEqual(4);
      for (const e of c.examples) {
        const cmd = parseArgs(e.argv);
        expect(cmd.kind).toBe(c.name);
      }
    }
  });

  test("examples as printed are what the shell gives back", () => {
    for (const c of COMMANDS) {
      for (const e of c.examples) {
        const line = exampleLine(e).replace(/ +# .*$/, "");
        expect(shellWords(line)).toEqual(e.argv);
        expect(plain(c.name === "run" ? undefined : c.name)).toContain(exampleLine(e));
      }
    }
  });

  test("the main help lists every exit code from the enum, 130 (wizard cancelled) included, and the wizard", () => {
    const text = plain();
    const section = text.slice(text.indexOf("Exit codes:"));
    for (const code of Object.values(ExitCode)) expect(section).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
    expect(section).toMatch(/^  130 +the wizard was cancelled/m);
    expect(text).toContain("wizard");
    expect(text).toMatch(/With no\s+arguments on a terminal, wraith starts the wizard/);
  });

  test("every environment variable the sources read is documented", () => {
    const read = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) {
          const text = readFileSync(p, "utf8");
          for (const m of text.matchAll(/process\.env\.([A-Z_][A-Z0-9_]*)/g)) read.add(m[1]!);
          for (const m of text.matchAll(/"(WRAITH_[A-Z0-9_]+)"/g)) read.add(m[1]!);
        }
      }
    };
    walk(join(ROOT, "src"));
    walk(join(ROOT, "ffi"));
    // WRAITH_DEBUG is compared, not only read; the scan sees it through process.env.
    const documented = ENVIRONMENT.map(([n]) => n);
    for (const v of read) expect(documented).toContain(v);
    for (const v of documented) expect(plain()).toContain(v);
  });

  test("no colour unless asked", () => {
    expect(helpText(undefined, false)).not.toContain("\x1b[");
    expect(helpText(undefined, true)).toContain("\x1b[1mUsage:");
  });

  test("lines fit 80 columns except usage and example lines", () => {
    for (const kind of NAMES) {
      for (const line of plain(kind === "run" ? undefined : kind).split("\n")) {
        if (/^  (sudo )?wraith/.test(line) || line.startsWith("             (")) continue;
        expect(line.length).toBeLessThanOrEqual(80);
      }
    }
  });
});

describe("help: the parser side", () => {
  test("help topics", () => {
    expect(parseArgs(["help"])).toEqual({ kind: "help" });
    expect(parseArgs(["help", "trace"])).toEqual({ kind: "help", topic: "trace" });
    expect(parseArgs(["help", "wizard"])).toEqual({ kind: "help", topic: "wizard" });
    expect(parseArgs(["wizard", "--help"])).toEqual({ kind: "help", topic: "wizard" });
    expect(parseArgs(["help", "script"])).toEqual({ kind: "script-help" });
    expect(parseArgs(["help", "--man"])).toEqual({ kind: "man" });
    expect(parseArgs(["--man"])).toEqual({ kind: "man" });
    expect(() => parseArgs(["help", "wizrd"])).toThrow(/no help for 'wizrd'; did you mean wizard\?/);
    expect(() => parseArgs(["help", "trace", "info"])).toThrow(/one topic/);
  });

  test("the wizard takes no options: they are refused, not dropped", () => {
    for (const flag of ["--no-status", "-v", "--debug-file=x", "-p"]) {
      expect(() => parseArgs(["wizard", flag, "1"])).toThrow(/'wraith wizard' does not take|unknown option/);
    }
    expect(() => parseArgs(["wizard", "--no-status"])).toThrow("'wraith wizard' does not take --no-status (the wizard asks for everything");
    expect(parseArgs(["wizard"])).toEqual({ kind: "wizard" });
  });

  test("a command refuses another command's flags by name", () => {
    expect(() => parseArgs(["doctor", "--count", "3"])).toThrow("'wraith doctor' does not take --count");
    expect(() => parseArgs(["info", "functions", "-t", "x", "--count", "3"])).toThrow("'wraith info' does not take --count");
    expect(() => parseArgs(["info", "functions", "-t", "x", "--", "ls"])).toThrow(/launches no command/);
    expect(parseArgs(["info", "functions", "-t", "x", "--limit", "3"])).toMatchObject({ kind: "info", opts: { count: 3 } });
  });
});
