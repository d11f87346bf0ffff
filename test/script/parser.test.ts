import { describe, expect, test } from "bun:test";
import { FULL_SUPPORT, checkScript, parseScript, printScript, type Statement } from "../../src/script/index.ts";
import { expr, parseOk, sexpr, textOf, traceBody } from "./helpers.ts";

// Scripts shaped after every example in GhostScope's docs/scripting.md (typed for these tests).
const DOC_EXAMPLES: Record<string, string> = {
  comments: `// single line
/*
   multi-line
*/
trace main { print "Main called"; }`,
  functionNames: `trace main { print "Main called"; }
trace calculate_something { print "Calculating..."; }`,
  sourceLines: `trace sample.c:42 { print "Hit line 42"; }
trace /home/user/project/src/utils.c:100 { print "Utility function"; }`,
  addresses: `trace 0x401234 { print "Hit address"; }
trace libc.so.6:0x1234 { print "Hit libc address"; }`,
  semanticValues: `trace do_stuff {
    print "text={} ascii={:s} bytes={:x}", text, text, text;
    print "items={}", values;
    print "manual={:s.*}", text.length, text.data_ptr;
    print "manual_hex={:x.*}", text.length, text.data_ptr;
}`,
  letForms: `trace f {
    let count = 0;
    let threshold = 100;
    let message = "hello";
    let result = a + b;
}`,
  aliases: `trace f {
    let a = global_var.arr;
    print "ptr={:p}", &a;
    print a[1];
    print a[i + 1];
    let p = &conn.buf[0];
    print "h={:x.16}", p;
}`,
  complexAccess: `trace f {
    print x;
    print person.name;
    print config.settings.timeout;
    print GLOBAL_TUPLE.0;
    print GLOBAL_PAIR.1;
    print arr[0];
    print arr[i + 1];
    print *ptr;
    print *(ptr);
    print &variable;
    print obj.field.subfield;
    print obj.field.items[i + 1];
}`,
  casts: `trace handle_request {
    let req = cast(ctx, "struct request *");
    print req.id;
    print req.headers[0];
}`,
  specials: `trace sample.c:42 {
    if $host_pid == 12345 { print "match"; }
    print "PID:{} HOST:{} INPUT:{} TID:{} TS:{}", $pid, $host_pid, $input_pid, $tid, $timestamp;
}`,
  printForms: `trace f {
    print "Hello, World";
    print count;
    print person.name;
    print arr[0];
    print *ptr;
    print "Value: {}", value;
    print "X: {}, Y: {}", x, y;
    print "Name: {}, Age: {}", person.name, person.age;
    print "A={:x} B={:X}", a, b;
    print "p={:p}", ptr;
    print "s={:s}", cstr;
    print "h={:x.16}", buf;
    print "ascii={:s.32}", name;
    print "buf={:x.*}", len, buf;
    let n = tail_len;
    print "tail={:s.n$}", p;
}`,
  memoryFormats: `trace foo.c:42 {
    print "value-hex={:x}", a;
    print "mem-hex={:x.4}", a;
    print "forced={:x.4}", cast(10, "u8 *");
}`,
  conditionals: `trace f {
    if x > 100 { print "Large"; }
    if result == 0 { print "Success"; } else { print "Failed"; }
    if x > 100 { print "Large"; } else if x > 50 { print "Medium"; } else { print "Small"; }
}`,
  arithmetic: `trace f {
    let sum = a + b;
    let diff = a - b;
    let product = a * b;
    let quotient = a / b;
    let remainder = a % 4;
    let x = 123;
    let h = 0x1f;
    let o = 0o755;
    let b2 = 0b1010;
    let neg = -0x10;
}`,
  bitwise: `trace f {
    let masked = flags & 0x4;
    let combined = flags | 0x10;
    let flipped = flags ^ 0xff;
    let inverse = ~flags;
    let high = value >> 8;
    let scaled = value << 2;
}`,
  logical: `trace main {
    if a > 10 && b == 0 {
        print "AND";
    } else if a < 100 || p == 0 {
        print "OR";
    }
    print "NOT1:{}", !starts_with(activity, "main");
    print "NOT2:{}", !strncmp(record, "HTTP", 4);
}`,
  unaryMinus: `trace foo.c:42 {
    let a = -1;
    let b = -(-1);
    print a;
    print "X:{}", b;
}`,
  crossType: `trace foo.c:42 { print "sum:{}", s.counter + 5; }
trace foo.c:43 { print "active:{}", a.active == 1; }
trace foo.c:60 { let ok = true; print "S:{}", ok + 41; }`,
  pointerArithmetic: `trace calculate_average {
    print numbers;
    print numbers + 1;
}
trace log_activity { print activity + 1; }`,
  comparisons: `trace f {
    if count == size { print "EQ"; }
    let t = 1024;
    if size > t { print ">1K"; }
    if u32_count > -10000000000 { print "script-signed-i64"; }
}
trace foo.c:50 { print "isNull:{}", p == 0; }
trace foo.c:60 { print "greet-ok:{}", gm == "Hello, Global!"; }`,
  builtins: `trace log_activity { print "eq5:{}", strncmp(activity, "main_", 5); }
trace globals_program.c:32 { print "lm_libw:{}", strncmp(lm, "LIB_", 4); }
trace process_record { print "rec_http:{}", strncmp(record, "HTTP", 4); }
trace log_activity { print "is_main:{}", starts_with(activity, "main"); }
trace globals_program.c:32 { print "gm_hello:{}", starts_with(gm, "Hello"); }`,
  memcmp: `trace globals_program.c:32 {
    if memcmp(&lib_pattern[0], &lib_pattern[0], 16) { print "EQ"; } else { print "NE"; }
    if memcmp(&lib_pattern[0], &lib_pattern[1], 16) { print "EQ2"; } else { print "NE2"; }
    if memcmp(&lib_pattern[0], &lib_pattern[1], 0) { print "Z0"; }
    let n = 10;
    if memcmp(&lib_pattern[0], &lib_pattern[0], n) { print "DYN_EQ"; }
}
trace foo {
    if memcmp(buf, hex("50 4F"), 2) { print "HDR"; }
    if memcmp(ptr, hex("DE AD BE EF"), 4) { print "MAGIC"; }
}`,
  backtrace: `trace test_function {
    print "before";
    bt;
    print "after";
    backtrace;
    bt full;
    bt raw noinline;
    bt inline;
}`,
  processInfo: `trace main {
    print "Program start";
    print "PID:{} TID:{} TS:{}", $pid, $tid, $timestamp;
}`,
  conditionalTrace: `trace malloc {
    if size > 1_048_576 {  // 1 MB
        print "Large allocation: {} bytes", size;
    }
}`,
  autoDeref: `trace process_user {
    print "user:{}", user.name;
    print "status:{}", user.status;
    print "friend:{}", user.friend_ref.name;
}`,
  arrays: `trace foo.c:42 {
    print "arr0:{}", arr[0];
    print "name0:{}", person.names[0];
    print "next:{}", person.names[i + 1];
    print "p(&buf[0])={:p}", &buf[0];
    print "p(&buf[i])={:p}", &buf[i];
}`,
  elseIfChain: `trace globals_program.c:32 {
    if memcmp(G_STATE.lib, hex("00"), 1) { print "A"; }
    else if memcmp(gm, hex("48"), 1) { print "B"; }
    else { print "C"; }
}`,
  prettyPrint: `trace complex_types_program.c:25 {
    print s.name;
    print s;
    print *ls;
}`,
  dynamicLength: `trace foo {
    let n = 32;
    print "h={:x.*}", n, buf;
    print "ascii={:s.n$}", name;
}`,
  wildcardsAndUnderscores: `trace printf* { print "W"; }
trace __builtin_* { print "W"; }
trace __UpdateTicketInformation { print "OK"; }
trace _start { let _ticket = __dwarf_value; print _ticket; }
trace /tmp/test-file.c:42 { print "L"; }
trace /lib/x86_64-linux-gnu/libc.so.6:0x1234 { print "M"; }`,
  cpp: `trace ns::Class::method { print "m"; }
trace ns::Class::~Class { print "d"; }
trace std::vector<int>::size { print "no"; }`,
};

describe("GhostScope documentation examples", () => {
  for (const [name, src] of Object.entries(DOC_EXAMPLES)) {
    if (name === "cpp") continue;
    test(name, () => {
      const script = parseOk(src);
      // The language rules accept every documented example.
      expect(checkScript(script, FULL_SUPPORT).filter((d) => d.severity === "error")).toEqual([]);
      // Printing and re-parsing is stable.
      const printed = printScript(script);
      expect(printScript(parseOk(printed))).toBe(printed);
    });
  }

  test("C++ qualified names, destructors and (beyond GhostScope) templates are function patterns", () => {
    const ok = parseOk(DOC_EXAMPLES.cpp ?? "");
    expect(ok.body.map((s) => (s.kind === "Trace" ? s.pattern : undefined))).toMatchObject([
      { kind: "FunctionPattern", name: "ns::Class::method" },
      { kind: "FunctionPattern", name: "ns::Class::~Class" },
      { kind: "FunctionPattern", name: "std::vector<int>::size" },
    ]);
  });
  test("C++ parameter lists, qualifiers and operators, in one spelling", () => {
    const names = (src: string) => parseOk(src).body.map((s) => (s.kind === "Trace" && s.pattern.kind === "FunctionPattern" ? s.pattern.name : undefined));
    expect(names("trace ns::Widget::resize( int,int ) { }")).toEqual(["ns::Widget::resize(int, int)"]);
    expect(names("trace ns::box<int, long>::get() const { }")).toEqual(["ns::box<int, long>::get() const"]);
    expect(names("trace f(const ns::Widget &, char *) { }\ntrace g(void) {}")).toEqual(["f(const ns::Widget&, char*)", "g(void)"]);
    expect(names("trace ns::Widget::operator== { }\ntrace operator<< {}\ntrace X::operator()(int) {}\ntrace operator<(int, int) {}")).toEqual([
      "ns::Widget::operator==",
      "operator<<",
      "X::operator()(int)",
      "operator<(int, int)",
    ]);
    const bad = parseScript("trace ns::Widget::resize(int { }", "t.gs");
    expect(bad.diagnostics[0]?.message).toMatch(/^invalid trace pattern|^expected/);
  });
});

describe("trace patterns", () => {
  const pattern = (p: string) => {
    const s = parseOk(`trace ${p} { }`).body[0];
    if (s?.kind !== "Trace") throw new Error("no trace");
    return s.pattern;
  };
  test("kinds and fields", () => {
    expect(pattern("main")).toMatchObject({ kind: "FunctionPattern", name: "main" });
    expect(pattern("printf*")).toMatchObject({ kind: "WildcardPattern", pattern: "printf*" });
    expect(pattern("sample.c:42")).toMatchObject({ kind: "SourceLinePattern", file: "sample.c", line: 42 });
    expect(pattern("/home/u/src/utils.c:100")).toMatchObject({ kind: "SourceLinePattern", file: "/home/u/src/utils.c", line: 100 });
    expect(pattern("0x401234")).toMatchObject({ kind: "AddressPattern", address: 0x401234n });
    expect(pattern("0xffffffffffffffff")).toMatchObject({ kind: "AddressPattern", address: (1n << 64n) - 1n });
    expect(pattern("libc.so.6:0x1234")).toMatchObject({ kind: "ModuleAddressPattern", module: "libc.so.6", address: 0x1234n });
    expect(pattern("/usr/lib/libstdc++.so.6:0xABC")).toMatchObject({
      kind: "ModuleAddressPattern",
      module: "/usr/lib/libstdc++.so.6",
      address: 0xabcn,
    });
  });
  test("span covers the pattern text", () => {
    const src = "trace   foo.c:7 {}";
    const s = parseOk(src).body[0];
    if (s?.kind !== "Trace") throw new Error("no trace");
    expect(textOf(src, s.pattern.span)).toBe("foo.c:7");
    expect(s.pattern.span.col).toBe(9);
    expect(textOf(src, s.span)).toBe(src);
  });
  test("bad patterns", () => {
    const msg = (src: string) => parseScript(src).diagnostics[0]?.message;
    expect(msg("trace 0x10000000000000000 {}")).toBe("address '0x10000000000000000' is invalid or too large for u64");
    expect(msg("trace libfoo.so:0x10000000000000000 {}")).toBe("address '0x10000000000000000' is invalid or too large for u64");
    expect(msg("trace foo.c: {}")).toBe("expected a line number after ':' in trace pattern 'foo.c:' (e.g. file.c:42)");
    expect(msg("trace foo.c:abc {}")).toBe("expected a line number after ':' in trace pattern 'foo.c:abc' (e.g. file.c:42)");
    expect(msg("trace foo.c:0 {}")).toBe("line number 0 is out of range");
    expect(msg("trace {}")).toBe(
      "expected a trace pattern after 'trace': a function name, file.c:LINE, 0xADDR or module:0xADDR",
    );
    expect(msg("trace main")).toBe("expected '{' after the trace pattern, found end of input");
    expect(msg("trace f { trace g { } }")).toBe("'trace' cannot be nested; it is only allowed at the top level");
  });
});

describe("precedence and associativity", () => {
  const cases: [string, string][] = [
    ["a + b * c << 1 == d && e || f", "(|| (&& (== (<< (+ a (* b c)) 1) d) e) f)"],
    ["a || b && c", "(|| a (&& b c))"],
    ["a | b ^ c & d", "(| a (^ b (& c d)))"],
    ["a & b == c", "(& a (== b c))"],
    ["a == b < c", "(== a (< b c))"],
    ["a < b << c", "(< a (<< b c))"],
    ["a << b + c", "(<< a (+ b c))"],
    ["a + b % c", "(+ a (% b c))"],
    ["a - b - c", "(- (- a b) c)"],
    ["a / b * c", "(* (/ a b) c)"],
    ["a < b < c", "(< (< a b) c)"],
    ["-a * b", "(* (- a) b)"],
    ["!a && b", "(&& (! a) b)"],
    ["~a.b", "(~ (. a b))"],
    ["*p.q", "(* (. p q))"],
    ["&arr[i].f", "(& (. ([] arr i) f))"],
    ["*(p + 1)", "(* (+ p 1))"],
    ["(a + b) * c", "(* (+ a b) c)"],
    ["a * -b", "(* a (- b))"],
    ["a & &b", "(& a (& b))"],
    ["!!x", "(! (! x))"],
    ["a.b.c[i + 1].d", "(. ([] (. (. a b) c) (+ i 1)) d)"],
    ["$pid == 1 || $tid != 2", "(|| (== $pid 1) (!= $tid 2))"],
    ['memcmp(a, hex("0102"), 2) && x', "(&& (memcmp a (hex 0102) 2) x)"],
    ['cast(p, "struct T *").f', '(. (cast p "struct T *") f)'],
    ["true || false", "(|| true false)"],
  ];
  for (const [src, want] of cases) {
    test(src, () => {
      const e = expr(src);
      expect(sexpr(e)).toBe(want);
      // printer re-parses to the same tree
      const printed = printScript(parseOk(`trace f { ${src}; }`));
      const again = parseOk(printed).body[0];
      if (again?.kind !== "Trace") throw new Error("no trace");
      const st = again.body.body[0];
      if (st?.kind !== "ExprStmt") throw new Error("no expr");
      expect(sexpr(st.expr)).toBe(want);
    });
  }
  test("binary spans cover both operands, opSpan the operator", () => {
    const src = "trace f { a  +  b * c; }";
    const st = traceBody(src)[0];
    if (st?.kind !== "ExprStmt" || st.expr.kind !== "Binary") throw new Error("shape");
    expect(textOf(src, st.expr.span)).toBe("a  +  b * c");
    expect(textOf(src, st.expr.opSpan)).toBe("+");
  });
});

describe("statements", () => {
  const body = (src: string): Statement[] => traceBody(`trace f { ${src} }`);
  test("print forms", () => {
    const [a, b, c, d] = body('print "hi {}"; print "x={}", x; print x.y; print "a" == s;');
    expect(a).toMatchObject({ kind: "Print", form: "string", text: { value: "hi {}" } });
    expect(b).toMatchObject({ kind: "Print", form: "format", args: [{ kind: "Ident", name: "x" }] });
    expect(c).toMatchObject({ kind: "Print", form: "expr", expr: { kind: "Member", field: "y" } });
    expect(d).toMatchObject({ kind: "Print", form: "expr", expr: { kind: "Binary", op: "==" } });
  });
  test("let, if/else if/else, bt, expression statements", () => {
    const [l, i, bt1, e, none] = body(
      "let x = 1; if x { } else if y { print \"b\"; } else { bt; } bt raw full noinline; memcmp(a, hex(\"01\"));",
    );
    expect(l).toMatchObject({ kind: "Let", name: "x", value: { kind: "Int", value: 1n } });
    expect(i).toMatchObject({ kind: "If", else: { kind: "If", else: { kind: "Block", body: [{ kind: "Backtrace" }] } } });
    expect(bt1).toMatchObject({ kind: "Backtrace", keyword: "bt", raw: true, full: true, inline: false });
    expect(e).toMatchObject({ kind: "ExprStmt", expr: { kind: "Call", callee: "memcmp" } });
    expect(none).toBeUndefined();
    const all = body('bt; backtrace inline; memcmp(a, hex("01"));');
    expect(all[0]).toMatchObject({ kind: "Backtrace", keyword: "bt", raw: false, full: false, inline: true, flags: [] });
    expect(all[1]).toMatchObject({ kind: "Backtrace", keyword: "backtrace", flags: [{ name: "inline" }] });
    expect(all[2]).toMatchObject({ kind: "ExprStmt", expr: { kind: "Call", callee: "memcmp" } });
  });
  test("top-level statements parse (the checker refuses them)", () => {
    const s = parseOk('print "x"; let a = 1;');
    expect(s.body.map((x) => x.kind)).toEqual(["Print", "Let"]);
  });
  test("a program variable may be called trace, bt or print in expressions", () => {
    expect(body("print trace; print bt; let q = bt + print;")).toMatchObject([
      { form: "expr", expr: { kind: "Ident", name: "trace" } },
      { form: "expr", expr: { kind: "Ident", name: "bt" } },
      { kind: "Let", value: { kind: "Binary" } },
    ]);
  });
  test("hex and cast nodes", () => {
    expect(expr('hex("DE AD be ef")')).toMatchObject({ kind: "Hex", bytes: new Uint8Array([0xde, 0xad, 0xbe, 0xef]) });
    expect(expr('hex("")')).toMatchObject({ kind: "Hex", bytes: new Uint8Array([]) });
    expect(expr('cast(ctx, "struct request *")')).toMatchObject({ kind: "Cast", typeName: "struct request *" });
  });
  test("every statement node has a span matching its source", () => {
    const src = 'trace f {\n    let x = a[1];\n    print "v={}", x;\n    if x { bt raw; }\n}';
    const [l, p, i] = traceBody(src);
    expect(textOf(src, l?.span ?? { offset: 0, length: 0 })).toBe("let x = a[1];");
    expect(textOf(src, p?.span ?? { offset: 0, length: 0 })).toBe('print "v={}", x;');
    expect(textOf(src, i?.span ?? { offset: 0, length: 0 })).toBe("if x { bt raw; }");
  });
});
