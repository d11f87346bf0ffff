import { describe, expect, test } from "bun:test";
import { formatDiagnostic, type Diagnostic } from "../../src/script/index.ts";
import { parseErr } from "./helpers.ts";

const lines = (...l: string[]) => l.join("\n");

describe("syntax error diagnostics (exact text)", () => {
  test("missing ';' at end of line points just after the last token", () => {
    expect(parseErr('trace main {\n    print "x={}", x\n    print "y";\n}')).toBe(
      lines(
        "t.gs:2:20: error: expected ';' after print statement, found 'print'",
        '    print "x={}", x',
        "                   ^",
      ),
    );
  });

  test("misspelled keyword gets a suggestion", () => {
    expect(parseErr('trace main {\n    prnt "hello";\n}')).toBe(
      lines("t.gs:2:5: error: unknown keyword 'prnt'; did you mean 'print'?", '    prnt "hello";', "    ^~~~"),
    );
  });

  test("assignment is refused with GhostScope's wording", () => {
    expect(parseErr("trace main {\n    x = 5;\n}")).toBe(
      lines(
        "t.gs:2:5: error: Assignment is not supported: variables are immutable. Use 'let x = ...' to bind once.",
        "    x = 5;",
        "    ^~~",
      ),
    );
  });

  test("missing operand", () => {
    expect(parseErr('trace main {\n    if x > { print "a"; }\n}')).toBe(
      lines("t.gs:2:12: error: expected an expression, found '{'", '    if x > { print "a"; }', "           ^"),
    );
  });

  test("unterminated string", () => {
    expect(parseErr('trace main {\n    print "unterminated;\n}')).toBe(
      lines(
        "t.gs:2:11: error: unterminated string literal (missing closing '\"')",
        '    print "unterminated;',
        "          ^",
      ),
    );
  });

  test("unclosed block points at its '{'", () => {
    expect(parseErr('trace main {\n    print "a";\n')).toBe(
      lines("t.gs:1:12: error: unclosed '{': expected '}' before the end of the script", "trace main {", "           ^"),
    );
  });

  test("'->' explains auto-deref", () => {
    expect(parseErr("trace main {\n    print p->next;\n}")).toBe(
      lines(
        "t.gs:2:12: error: '->' is not supported: use '.' (pointers are dereferenced automatically)",
        "    print p->next;",
        "           ^~",
      ),
    );
  });

  test("bt depth is a command-line option", () => {
    expect(parseErr("trace main {\n    bt depth=3;\n}")).toBe(
      lines(
        "t.gs:2:8: error: the backtrace depth is not a script option; set it with --backtrace-depth <N>",
        "    bt depth=3;",
        "       ^~~~~",
      ),
    );
  });

  test("unknown function", () => {
    expect(parseErr("trace main {\n    print foo(1);\n}")).toBe(
      lines(
        "t.gs:2:11: error: unknown function 'foo' (available: memcmp, strncmp, starts_with, hex, cast)",
        "    print foo(1);",
        "          ^~~",
      ),
    );
  });

  test("tabs are kept in the caret line", () => {
    expect(parseErr("trace main {\n\tprint a[1;\n}")).toBe(
      lines("t.gs:2:11: error: expected ']' to close the index, found ';'", "\tprint a[1;", "\t         ^"),
    );
  });

  test("bad hex digit is pointed at exactly", () => {
    expect(parseErr('trace main {\n    if memcmp(buf, hex("5G"), 1) { }\n}')).toBe(
      lines(
        "t.gs:2:26: error: hex(...) accepts only hex digits and spaces; found 'G'",
        '    if memcmp(buf, hex("5G"), 1) { }',
        "                         ^",
      ),
    );
  });

  test("builtin arity", () => {
    expect(parseErr('trace main {\n    strncmp(a, "b");\n}')).toBe(
      lines(
        "t.gs:2:5: error: strncmp expects 3 arguments: strncmp(a, b, n); got 2",
        '    strncmp(a, "b");',
        "    ^~~~~~~~~~~~~~~",
      ),
    );
  });

  test("stray closing brace and else", () => {
    expect(parseErr("}")).toBe(lines("t.gs:1:1: error: unexpected '}': no block is open here", "}", "^"));
    expect(parseErr("trace main {\n    else { }\n}")).toBe(
      lines("t.gs:2:5: error: 'else' without a matching 'if'", "    else { }", "    ^~~~"),
    );
  });
});

describe("formatDiagnostic", () => {
  const d = (offset: number, length: number, line: number, col: number, severity: "error" | "warning" = "error"): Diagnostic => ({
    severity,
    message: "m",
    span: { offset, length, line, col },
    file: "f.gs",
  });
  test("multi-line spans are underlined to the end of their first line", () => {
    expect(formatDiagnostic(d(2, 10, 1, 3), "abcdef\nghij")).toBe(lines("f.gs:1:3: error: m", "abcdef", "  ^~~~"));
  });
  test("zero-length span at end of input", () => {
    expect(formatDiagnostic(d(3, 0, 1, 4), "abc")).toBe(lines("f.gs:1:4: error: m", "abc", "   ^"));
  });
  test("warnings and CRLF sources", () => {
    expect(formatDiagnostic(d(5, 2, 2, 1, "warning"), "abc\r\nde\r\n")).toBe(lines("f.gs:2:1: warning: m", "de", "^~"));
  });
  test("a span beyond the text prints the header only", () => {
    expect(formatDiagnostic(d(0, 1, 9, 1), "abc")).toBe("f.gs:9:1: error: m");
  });
});
