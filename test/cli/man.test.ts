// wraith(1): well-formed roff from the help data — every section, every flag,
// every exit code; minus signs and backslashes escaped; and groff renders it
// without a warning (groff-base is in .ci/setup).
import { describe, expect, test } from "bun:test";
import { ExitCode } from "../../src/cli/errors.ts";
import { ENVIRONMENT, allFlagNames } from "../../src/cli/help.ts";
import { manPage, roffEscape } from "../../src/cli/man.ts";
import { SCRIPT_HELP, SPECIAL_VARIABLES } from "../../src/script/index.ts";

const page = manPage("9.9.9");
const lines = page.split("\n");
const SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "SCRIPT LANGUAGE", "EXIT STATUS", "JSON OUTPUT", "ENVIRONMENT", "EXAMPLES", "SEE ALSO"];
/** The requests the page may use. */
const REQUESTS = new Set([".TH", ".SH", ".SS", ".TP", ".PP", ".nf", ".fi", ".RS", ".RE", ".nh", ".ad"]);
/** The escapes the page may use: fonts, \- \e \& \(xx and \[uXXXX]. */
const ESCAPES = /\\f[BIR]|\\-|\\e|\\&|\\\([a-z]{2}|\\\[u[0-9A-F]{4}\]/g;

/** What a reader sees, roughly: escapes undone, requests dropped. */
function text(roff: string): string {
  return roff
    .split("\n")
    .filter((l) => !/^\.(TH|nf|fi|RS|RE|TP|PP|nh|ad)\b/.test(l))
    .map((l) => l.replace(/^\.S[HS] /, ""))
    .join("\n")
    .replace(/\\f[BIR]/g, "")
    .replace(/\\-/g, "-")
    .replace(/\\e/g, "\\")
    .replace(/\\&/g, "")
    .replace(/\\\(aq/g, "'")
    .replace(/\\\(dq/g, '"')
    .replace(/\\\(em/g, "—");
}

describe("man page", () => {
  test("title line and every section, in order", () => {
    expect(lines[0]).toBe('.TH WRAITH 1 "" "wraith 9.9.9" "User Commands"');
    const shown = lines.filter((l) => l.startsWith(".SH ")).map((l) => l.slice(4));
    expect(shown).toEqual(SECTIONS);
    expect(page).toContain("wraith \\- printf debugging for live Linux processes");
  });

  test("only known requests; no text line starts with . or '", () => {
    for (const l of lines) {
      if (l.startsWith(".")) expect(REQUESTS.has(l.split(" ")[0]!)).toBe(true);
      expect(l.startsWith("'")).toBe(false);
    }
  });

  test("every '-' is \\- and every backslash starts a known escape; the input is ASCII", () => {
    for (const l of lines) {
      const bare = l.replace(ESCAPES, "");
      expect(bare).not.toContain("\\");
      expect(bare).not.toContain("-");
      expect(/^[\x20-\x7e]*$/.test(l)).toBe(true);
    }
  });

  test("escaping: a backslash, minus signs, a leading dot, quotes, non-ASCII", () => {
    expect(roffEscape("a\\xNN")).toBe("a\\exNN");
    expect(roffEscape("--pid")).toBe("\\-\\-pid");
    expect(roffEscape(".hidden")).toBe("\\&.hidden");
    expect(roffEscape(`'x' "y"`)).toBe("\\(aqx\\(aq \\(dqy\\(dq");
    expect(roffEscape("a — b …")).toBe("a \\(em b \\&...");
    expect(roffEscape("→")).toBe("\\[u2192]");
  });

  test("every flag, exit code, environment variable, special variable and script section is in it", () => {
    const t = text(page);
    for (const name of allFlagNames()) expect(t).toContain(name);
    for (const code of Object.values(ExitCode)) expect(page).toContain(`.TP\n\\fB${code}\\fR\n`);
    for (const [name] of ENVIRONMENT) expect(t).toContain(name);
    for (const v of SPECIAL_VARIABLES) expect(t).toContain(`$${v}`);
    for (const s of SCRIPT_HELP) expect(lines).toContain(`.SS ${s.title}`);
    expect(t).toContain("trace handle_request {");
    expect(t).toContain("{:s.*}");
    expect(t).toContain("a stack backtrace — not supported yet");
  });

  test("groff -man renders it without warnings (-ww)", () => {
    const r = Bun.spawnSync(["groff", "-man", "-Tutf8", "-ww", "-z"], { stdin: new TextEncoder().encode(page), stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
    const out = Bun.spawnSync(["groff", "-man", "-Tascii", "-P", "-cbou"], { stdin: new TextEncoder().encode(page), stdout: "pipe" }).stdout.toString();
    for (const s of SECTIONS) expect(out).toContain(`\n${s}\n`);
    for (const name of allFlagNames()) expect(out).toContain(name);
    expect(out).toContain("--enable-sysmon-shared-lib");
  });
});
