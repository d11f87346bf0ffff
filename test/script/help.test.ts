// The script language reference (--script-help, the man page's SCRIPT
// LANGUAGE): complete against the language, and marking exactly what the
// compiler refuses today (CURRENT_SUPPORT).
import { describe, expect, test } from "bun:test";
import { CURRENT_SUPPORT, FULL_SUPPORT, SCRIPT_HELP, SPECIAL_VARIABLES, checkScript, parseScript, scriptHelp, type FeatureRef } from "../../src/script/index.ts";
import { NOT_SUPPORTED_YET, isSupported } from "../../src/script/help.ts";
import { parseOk } from "./helpers.ts";

describe("scriptHelp", () => {
  const help = scriptHelp();
  test("names every special variable, builtin and statement", () => {
    for (const v of SPECIAL_VARIABLES) expect(help).toContain(`$${v}`);
    for (const w of ["memcmp(", "strncmp(", "starts_with(", "hex(", "cast(", "print", "let", "if", "bt", "backtrace", "trace"]) {
      expect(help).toContain(w);
    }
    for (const p of ["{:x}", "{:X}", "{:p}", "{:s}", "{:x.16}", "{:s.*}", "{:x.n$}"]) expect(help).toContain(p);
  });
  test("its example parses and passes the language rules", () => {
    const example = help.slice(help.indexOf("EXAMPLE") + "EXAMPLE".length);
    const script = parseOk(example);
    expect(checkScript(script, FULL_SUPPORT)).toEqual([]);
  });
  test("its trace pattern lines parse", () => {
    const lines = help.split("\n").filter((l) => l.trimStart().startsWith("trace ") && l.includes("{ … }"));
    expect(lines.length).toBe(SCRIPT_HELP.flatMap((s) => s.rows ?? []).filter((r) => r.needs && "pattern" in r.needs).length);
    for (const l of lines) parseOk(l.trim().split("{ … }")[0] + "{ }");
  });
});

describe("scriptHelp follows the compiler", () => {
  const rows = SCRIPT_HELP.flatMap((s) => s.rows ?? []);
  const refs = rows.flatMap((r) => (r.needs ? [r.needs] : []));
  const has = (f: FeatureRef) => refs.some((r) => JSON.stringify(r) === JSON.stringify(f));

  test("every feature the language has but the compiler refuses is listed, marked as not supported", () => {
    const missing: FeatureRef[] = [
      ...[...FULL_SUPPORT.tracePatterns].filter((p) => !CURRENT_SUPPORT.tracePatterns.has(p)).map((pattern) => ({ pattern })),
      ...[...FULL_SUPPORT.statements].filter((s) => !CURRENT_SUPPORT.statements.has(s)).map((statement) => ({ statement })),
      ...[...FULL_SUPPORT.expressions].filter((e) => !CURRENT_SUPPORT.expressions.has(e)).map((expression) => ({ expression })),
      ...[...FULL_SUPPORT.formatLengths].filter((l) => !CURRENT_SUPPORT.formatLengths.has(l)).map((formatLength) => ({ formatLength })),
    ];
    expect(missing.length).toBeGreaterThan(0);
    for (const f of missing) expect(has(f)).toBe(true);
    const text = scriptHelp();
    for (const r of rows.filter((r) => r.needs && !isSupported(r.needs))) expect(text.replace(/\s+/g, " ")).toContain(`${r.text} — ${NOT_SUPPORTED_YET}`);
    // …and what is supported is not marked.
    for (const r of rows.filter((r) => !r.needs || isSupported(r.needs))) expect(text.replace(/\s+/g, " ")).not.toContain(`${r.text} — ${NOT_SUPPORTED_YET}`);
    expect(text).toMatch(/bt; +backtrace; +a stack backtrace — not supported yet/);
  });

  test("every trace pattern kind, special variable, builtin and conversion is described", () => {
    for (const p of FULL_SUPPORT.tracePatterns) expect(has({ pattern: p })).toBe(true);
    const text = scriptHelp();
    for (const v of SPECIAL_VARIABLES) expect(text).toContain(`$${v}`);
    for (const e of FULL_SUPPORT.expressions) if (e.startsWith("call:")) expect(text).toContain(`${e.slice(5)}(`);
    for (const c of FULL_SUPPORT.formatConversions) expect(text).toContain(c === "default" ? "{}" : `{:${c}}`);
    for (const kw of ["let", "if", "else", "print", "cast(", "hex(", "FILE:LINE", "0x401234", "libc.so.6:0x1234", "resize(int, int)", "PID namespace"]) expect(text).toContain(kw);
  });

  test("each trace pattern row parses as the kind it documents", () => {
    for (const r of rows) {
      const m = /^trace (.+) \{ … \}$/.exec(r.syntax);
      if (!m || !r.needs || !("pattern" in r.needs)) continue;
      const parsed = parseScript(`trace ${m[1]} { print "x"; }`);
      expect(parsed.diagnostics).toEqual([]);
      expect((parsed.script!.body[0] as { pattern: { kind: string } }).pattern.kind).toBe(r.needs.pattern);
    }
  });

  test("the example script parses and uses only supported features", () => {
    const code = SCRIPT_HELP.find((s) => s.code)!.code!.join("\n");
    const parsed = parseScript(code);
    expect(parsed.diagnostics).toEqual([]);
    expect(checkScript(parsed.script!, CURRENT_SUPPORT)).toEqual([]);
  });

  test("80 columns", () => {
    for (const line of scriptHelp().split("\n")) if (!line.startsWith("  if C {") && !line.startsWith("  || &&") && !line.startsWith("  42 -7")) expect(line.length).toBeLessThanOrEqual(80);
  });
});
