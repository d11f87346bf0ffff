import { describe, expect, test } from "bun:test";
import { lex } from "../../src/script/index.ts";
import { sexpr, expr, parseErr } from "./helpers.ts";

function kinds(src: string): string[] {
  return lex(src).tokens.map((t) => `${t.kind}:${t.text}`);
}

describe("lexer", () => {
  test("tokens carry offset, line and column", () => {
    const src = "trace main {\n  print $pid;\n}";
    const toks = lex(src).tokens;
    const pr = toks.find((t) => t.text === "print");
    expect(pr?.span).toEqual({ offset: 15, length: 5, line: 2, col: 3 });
    const pid = toks.find((t) => t.kind === "special");
    expect(pid?.span).toEqual({ offset: 21, length: 4, line: 2, col: 9 });
    expect(toks[toks.length - 1]?.kind).toBe("eof");
  });

  test("comments: line and block, including multi-line", () => {
    const src = "// head\ntrace main /* c */ { /* multi\n line */ print \"x\"; // tail\n}";
    expect(kinds(src)).toEqual([
      "ident:trace",
      "pattern:main",
      "punct:{",
      "ident:print",
      'string:"x"',
      "punct:;",
      "punct:}",
      "eof:",
    ]);
  });

  test("a comment right after a trace pattern ends the pattern", () => {
    expect(kinds("trace foo.c:42// c\n{}").slice(0, 3)).toEqual(["ident:trace", "pattern:foo.c:42", "punct:{"]);
  });

  test("number forms", () => {
    const vals = (src: string) =>
      lex(src)
        .tokens.filter((t) => t.kind === "int")
        .map((t) => (t.kind === "int" ? t.value : 0n));
    expect(vals("123 0x1f 0o755 0b1010 1_048_576 0xdead_BEEF 0 007")).toEqual([
      123n,
      31n,
      493n,
      10n,
      1048576n,
      0xdeadbeefn,
      0n,
      7n,
    ]);
    expect(vals("9223372036854775807")).toEqual([9223372036854775807n]);
  });

  test("negative numbers are unary minus", () => {
    expect(sexpr(expr("-42"))).toBe("(- 42)");
    expect(sexpr(expr("-0x10"))).toBe("(- 16)");
    expect(sexpr(expr("-(-1)"))).toBe("(- (- 1))");
    expect(sexpr(expr("a - -1"))).toBe("(- a (- 1))");
  });

  test("bad numbers", () => {
    expect(lex("0x").diagnostics[0]?.message).toBe("hexadecimal literal '0x' has no digits");
    expect(lex("0b102").diagnostics[0]?.message).toBe("invalid digit '2' in binary literal");
    expect(lex("0o8").diagnostics[0]?.message).toBe("invalid digit '8' in octal literal");
    expect(lex("12abc").diagnostics[0]?.message).toBe("invalid suffix 'abc' on integer literal");
    expect(lex("9223372036854775808").diagnostics[0]?.message).toBe(
      "integer literal '9223372036854775808' is too large (the maximum is 9223372036854775807)",
    );
  });

  test("strings with escapes", () => {
    const t = lex(String.raw`"a\tb\n\"q\" \\ \x41 \d"`).tokens[0];
    expect(t?.kind).toBe("string");
    if (t?.kind !== "string") return;
    expect(t.value).toBe('a\tb\n"q" \\ A \\d');
    // offsets map decoded characters back to the source
    expect(t.offsets[0]).toBe(1);
    expect(t.offsets[1]).toBe(2); // \t
    expect(t.offsets[2]).toBe(4);
    expect(t.offsets[t.value.length]).toBe(t.text.length - 1);
  });

  test("special variables", () => {
    expect(kinds("$pid $host_pid $input_pid $tid $timestamp $x1").slice(0, 6)).toEqual([
      "special:$pid",
      "special:$host_pid",
      "special:$input_pid",
      "special:$tid",
      "special:$timestamp",
      "special:$x1",
    ]);
    expect(lex("$ pid").diagnostics[0]?.message).toBe("expected a special variable name after '$' (e.g. $pid)");
  });

  test("operators take the longest match", () => {
    expect(kinds("a<<=b && c || d -> e != f").slice(0, -1)).toEqual([
      "ident:a",
      "punct:<<",
      "punct:=",
      "ident:b",
      "punct:&&",
      "ident:c",
      "punct:||",
      "ident:d",
      "punct:->",
      "ident:e",
      "punct:!=",
      "ident:f",
    ]);
  });

  test("tuple indices after '.' never become floats", () => {
    expect(kinds("x.0.1").slice(0, -1)).toEqual(["ident:x", "punct:.", "int:0", "punct:.", "int:1"]);
    expect(sexpr(expr("pair.0.1"))).toBe("(. (. pair 0) 1)");
  });

  test("trace patterns are lexed raw only at statement start", () => {
    expect(kinds("trace /usr/lib/libc.so.6:0x1234 {")).toEqual([
      "ident:trace",
      "pattern:/usr/lib/libc.so.6:0x1234",
      "punct:{",
      "eof:",
    ]);
    expect(kinds("print trace;")).toEqual(["ident:print", "ident:trace", "punct:;", "eof:"]);
  });

  test("lexical errors", () => {
    expect(lex('"abc').diagnostics[0]?.message).toBe("unterminated string literal (missing closing '\"')");
    expect(lex("/* x").diagnostics[0]?.message).toBe("unterminated block comment (missing '*/')");
    expect(lex("'a'").diagnostics[0]?.message).toBe("character literals are not supported; use a double-quoted string");
    expect(lex("a # b").diagnostics[0]?.message).toBe("unexpected character '#'");
    expect(lex("a \u0001").diagnostics[0]?.message).toBe("unexpected character U+0001");
    expect(lex(String.raw`"\x4"`).diagnostics[0]?.message).toBe("invalid escape: '\\x' needs two hex digits");
  });

  test("float literals are lexed, then refused by the parser", () => {
    expect(parseErr("trace f { let x = 1.5; }")).toBe(
      ["t.gs:1:19: error: float literals are not supported", "trace f { let x = 1.5; }", "                  ^~~"].join("\n"),
    );
  });
});
