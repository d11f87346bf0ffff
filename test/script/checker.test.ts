import { describe, expect, test } from "bun:test";
import {
  CURRENT_SUPPORT,
  FULL_SUPPORT,
  checkScript,
  compileScript,
  formatDiagnostic,
  widenSupport,
  type SupportedFeatures,
} from "../../src/script/index.ts";
import { parseOk } from "./helpers.ts";

function check(src: string, support: SupportedFeatures = CURRENT_SUPPORT): string[] {
  return checkScript(parseOk(src), support).map((d) => `${d.span.line}:${d.span.col} ${d.severity}: ${d.message}`);
}

describe("checker: today's support", () => {
  test("what the code generator supports today is accepted", () => {
    expect(
      check(`trace main {
    print "Program start";
    print "PID:{} TID:{} TS:{} HOST:{} IN:{}", $pid, $tid, $timestamp, $host_pid, $input_pid;
}
trace ns::Class::method { print "x"; }`),
    ).toEqual([]);
  });

  test("other trace patterns are refused at the pattern", () => {
    expect(
      check(`trace foo.c:42 { print "a"; }
trace 0x401234 { print "a"; }
trace libc.so.6:0x1234 { print "a"; }
trace printf* { print "a"; }`),
    ).toEqual([
      "4:7 error: not supported yet: wildcard trace patterns (name*)",
    ]);
  });

  test("statements other than print, let and if are refused at their keyword", () => {
    expect(
      check(`trace f {
    let x = 1;
    if $pid == 1 { print "a"; let y = q; }
    bt;
    print x;
    memcmp(a, hex("01"));
}`),
    ).toEqual([
      "4:5 error: not supported yet: backtrace (bt)",
      "6:5 error: not supported yet: expression statements",
    ]);
  });

  test("computed print arguments are accepted; tuple fields are refused at the argument", () => {
    expect(check('trace f { print "{} {} {} {} {}", x, a.b[2], *p, $pid + 1, !(u >> 3 & 7) || s == "x"; }')).toEqual([]);
    expect(check('trace f { print "{} {}", starts_with(s, "ab"), memcmp(p, hex("01 02")); print cast(q, "struct T *").x; }')).toEqual([]);
    expect(check('trace f { print "{} {}", x, t.0; }')).toEqual(["1:29 error: not supported yet: tuple field access ('.N')"]);
  });

  test("format specifiers are accepted; '.name$' lengths wait for let and are refused at the placeholder", () => {
    expect(check('trace f { print "{:x} {:X} {:p} {:s} {:x.16} {:s.*}", $pid, $tid, x, p, p, n, p; }')).toEqual([]);
    expect(check('trace f { print "{:x.n$}", p; }')).toEqual([
      "1:18 error: not supported yet: format captured lengths ('.name$') in '{:x.n$}'",
      "1:22 error: capture length variable 'n' not found: '.name$' needs a 'let' variable in scope",
    ]);
  });

  test("exact text of a refusal", () => {
    const src = "trace f {\n    print \"{}\", req.t.0 ^ 1;\n}";
    const r = compileScript(src, "t.gs");
    expect(r.script).toBeUndefined();
    expect(r.diagnostics.map((d) => formatDiagnostic(d, src))).toEqual([
      ["t.gs:2:17: error: not supported yet: tuple field access ('.N')", '    print "{}", req.t.0 ^ 1;', "                ^~~~~~~"].join("\n"),
    ]);
  });

  test("support widens without touching the parser", () => {
    const wider = widenSupport(CURRENT_SUPPORT, { statements: ["backtrace"] });
    expect(check("trace f { bt; }", wider)).toEqual([]);
    expect(CURRENT_SUPPORT.statements.has("backtrace")).toBe(false);
    const only = widenSupport(CURRENT_SUPPORT, { tracePatterns: ["SourceLinePattern"] });
    expect(check('trace a.c:1 { print "{}", $pid; }', only)).toEqual([]);
  });
});

describe("checker: language rules", () => {
  const full = (src: string) => check(src, FULL_SUPPORT);

  test("unknown special variable", () => {
    expect(full('trace f { print "{}", $pc; }')).toEqual([
      "1:23 error: unknown special variable '$pc' (known: $pid, $tid, $timestamp, $host_pid, $input_pid)",
    ]);
    expect(check("trace f { print \"{}\", $retval; }")[0]).toContain("unknown special variable '$retval'");
  });

  test("top-level statements outside trace", () => {
    expect(full('print "x";\nlet a = 1;\ntrace f { }')).toEqual([
      "1:1 error: top-level print statement is not allowed; put statements inside a trace block: trace <target> { ... }",
      "2:1 error: top-level let statement is not allowed; put statements inside a trace block: trace <target> { ... }",
    ]);
  });

  test("let: redeclaration, shadowing, scope", () => {
    expect(
      full(`trace f {
    let x = 1;
    let x = 2;
    if x { let x = 3; let y = 4; print y; }
    print y;
    if a { let z = 1; } else { let z = 2; print z; }
}
trace g { let x = 1; print x; }`),
    ).toEqual([
      "3:9 error: Redeclaration in the same scope is not allowed: 'x'",
      "4:16 error: Shadowing is not allowed for immutable variables: 'x'",
      "5:11 error: Use of variable 'y' outside of its scope",
    ]);
  });

  test("unknown names are left for DWARF", () => {
    expect(full("trace f { print some_global; let v = local + param.field; }")).toEqual([]);
  });

  test("capture length needs a let variable in scope", () => {
    expect(full('trace f { print "{:s.n$}", p; }')).toEqual([
      "1:22 error: capture length variable 'n' not found: '.name$' needs a 'let' variable in scope",
    ]);
    expect(full('trace f { let n = 4; print "{:s.n$}", p; }')).toEqual([]);
  });

  test("memory-dump placeholders need an address source", () => {
    expect(full('trace f { print "bad={:x.4}", 10; print "ok={:x.4}", cast(10, "u8 *"); }')).toEqual([
      "1:31 error: '{:x.4}' reads memory from an address, but this argument is an integer literal (use cast(value, \"T *\") to read from a fixed address)",
    ]);
  });

  test("memcmp, strncmp and starts_with rules", () => {
    expect(
      full(`trace f {
    print "{}", memcmp(buf, "abc", 3);
    print "{}", memcmp(buf, true, 3);
    print "{}", memcmp(a, b);
    print "{}", memcmp(hex("0102"), hex("01"));
    print "{}", memcmp(buf, hex("0102"), 3);
    print "{}", memcmp(buf, hex("0102"), -1);
    print "{}", memcmp(buf, hex("0102"));
    print "{}", strncmp(a, b, 3);
    print "{}", strncmp(a, "x", n);
    print "{}", starts_with(a, hex("01"));
    let s = "AB";
    print "{}", starts_with(p, s);
}`),
    ).toEqual([
      "2:29 error: memcmp does not accept string literals; use strncmp for strings",
      "3:29 error: memcmp pointer arguments cannot be boolean; use an address or hex(...)",
      "4:17 error: memcmp without a length needs at least one hex(...) operand",
      "5:17 error: memcmp hex operands have different sizes; give an explicit length",
      "6:42 error: memcmp length (3) exceeds the hex pattern size on the right side (2 bytes)",
      "7:42 error: memcmp length must be non-negative",
      "9:17 error: strncmp needs a string literal (or a 'let' string variable) as one of its operands",
      "10:33 error: strncmp length must be a non-negative integer literal",
      "11:17 error: starts_with needs a string literal (or a 'let' string variable) as one of its operands",
      "11:32 error: starts_with does not take hex(...); use memcmp for raw bytes",
    ]);
  });

  test("strings only compare with == and !=", () => {
    expect(full('trace f { print "{}", name < "abc"; print "{}", name == "abc"; }')).toEqual([
      "1:28 error: operator '<' cannot be applied to a string (strings only support == and !=)",
    ]);
  });

  test("address-of and deref of literals", () => {
    expect(full("trace f { print &5; print *1; }")).toEqual([
      "1:17 error: cannot take the address of a literal",
      "1:27 error: cannot dereference a literal",
    ]);
  });

  test("a plain string with placeholders warns that it prints verbatim", () => {
    expect(full('trace f { print "x={}"; print "{{ok}}"; }')).toEqual([
      "1:17 warning: this string is printed verbatim: placeholders like '{}' are only filled in when arguments follow the string",
    ]);
    // warnings do not stop compilation
    expect(compileScript('trace f { print "x={}"; }').script).toBeDefined();
  });

  test("nested trace in a hand-built AST", () => {
    const s = parseOk("trace f { } trace g { }");
    const [f, g] = s.body;
    if (f?.kind !== "Trace" || g === undefined) throw new Error("shape");
    f.body.body.push(g);
    expect(checkScript(s, FULL_SUPPORT).map((d) => d.message)).toEqual([
      "'trace' cannot be nested; it is only allowed at the top level",
    ]);
  });
});
