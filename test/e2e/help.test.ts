// Help from the real binary: --help for each command on stdout with exit 0,
// `wraith help X` the same text, --script-help, the man page (equal to the
// dist/wraith.1 build.ts wrote, rendered by groff without warnings), help
// errors as one line with exit 2, and the script reference's example
// compiled against the demo program.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/fixtures.ts";
import { runWraith, WRAITH } from "../helpers/wraith.ts";

const COMMANDS = ["trace", "info", "demo", "doctor", "wizard"];
const dir = mkdtempSync(join(tmpdir(), "wraith-help-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("help from the binary", () => {
  test("wraith --help, -h, help, and no arguments without a terminal: the main help on stdout, exit 0", async () => {
    const main = await runWraith(["--help"]);
    expect(main.code).toBe(0);
    expect(main.stderr).toBe("");
    for (const s of ["Usage:", "Commands:", "Targets:", "Examples:", "Exit codes:", "Environment:", "wizard"]) expect(main.stdout).toContain(s);
    expect(main.stdout).toMatch(/^ {2}130 +the wizard was cancelled/m);
    expect(main.stdout).not.toContain("\x1b[");
    for (const argv of [["-h"], ["help"], []]) {
      const r = await runWraith(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(main.stdout);
    }
  });

  for (const cmd of COMMANDS) {
    test(`wraith ${cmd} --help = wraith help ${cmd}: usage, description, examples`, async () => {
      const a = await runWraith([cmd, "--help"]);
      expect(a.code).toBe(0);
      expect(a.stderr).toBe("");
      expect(a.stdout.split("\n")[0]).toStartWith(`wraith ${cmd} — `);
      expect(a.stdout).toContain("Usage:");
      expect(a.stdout).toContain("Examples:");
      expect(a.stdout).toContain(`wraith ${cmd}`);
      const b = await runWraith(["help", cmd]);
      expect(b.code).toBe(0);
      expect(b.stdout).toBe(a.stdout);
    });
  }

  test("wraith help with a bad topic, and options the wizard does not take: one line, exit 2", async () => {
    const bad = await runWraith(["help", "wizrd"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/^wraith: error: no help for 'wizrd'; did you mean wizard\?; topics: .*\n$/);
    const w = await runWraith(["wizard", "--no-status"]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/^wraith: error: 'wraith wizard' does not take --no-status .*\n$/);
  });

  test("--script-help (= wraith help script): the language reference", async () => {
    const r = await runWraith(["--script-help"]);
    expect(r.code).toBe(0);
    for (const s of ["TRACE PATTERNS", "STATEMENTS", "FORMAT", "EXPRESSIONS", "BUILTINS", "SPECIAL VARIABLES", "$input_pid", "{:x.16}", "starts_with(a, b)"]) expect(r.stdout).toContain(s);
    expect(r.stdout).toMatch(/bt; +backtrace; +a stack backtrace — not supported yet/);
    const h = await runWraith(["help", "script"]);
    expect(h.stdout).toBe(r.stdout);
  });

  test("the script reference's example compiles and passes the verifier on the demo program", async () => {
    const text = (await runWraith(["--script-help"])).stdout;
    const example = text.slice(text.indexOf("\nEXAMPLE\n") + "\nEXAMPLE\n".length).replace(/^ {2}/gm, "");
    expect(example).toStartWith("trace handle_request {");
    const bin = join(dir, "wraith-demo");
    expect(Bun.spawnSync(["gcc", "-g", "-O0", "-fno-omit-frame-pointer", "-o", bin, join(ROOT, "src/demo/demo.c")]).exitCode).toBe(0);
    const r = await runWraith(["--dry-run", "-s", example, "-t", bin]);
    expect(r.stderr).toMatch(/1 probe program passed the verifier/);
    expect(r.code).toBe(0);
  });

  test("--man (= help --man) is roff that groff renders without warnings; build.ts wrote the same beside the binary", async () => {
    const r = await runWraith(["--man"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith(".TH WRAITH 1 ");
    expect((await runWraith(["help", "--man"])).stdout).toBe(r.stdout);
    const g = Bun.spawnSync(["groff", "-man", "-Tutf8", "-ww", "-z"], { stdin: new TextEncoder().encode(r.stdout), stderr: "pipe" });
    expect(g.stderr.toString()).toBe("");
    expect(g.exitCode).toBe(0);
    const page = `${WRAITH}.1`;
    expect(existsSync(page)).toBe(true);
    expect(readFileSync(page, "utf8")).toBe(r.stdout);
  });
});
