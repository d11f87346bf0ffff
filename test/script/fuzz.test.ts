import { describe, expect, test } from "bun:test";
import { prng } from "../helpers/prng.ts";
import {
  FULL_SUPPORT,
  MAX_NESTING,
  checkScript,
  compileScript,
  formatDiagnostic,
  parseScript,
  printScript,
} from "../../src/script/index.ts";


/** Parse, check and format every diagnostic: none of it may throw; returns whether it parsed. */
function exercise(src: string): boolean {
  const r = parseScript(src, "fuzz.gs");
  for (const d of r.diagnostics) {
    expect(d.severity).toBe("error");
    expect(d.span.offset).toBeGreaterThanOrEqual(0);
    expect(d.span.offset + d.span.length).toBeLessThanOrEqual(src.length);
    formatDiagnostic(d, src);
  }
  if (r.script === undefined) {
    expect(r.diagnostics.length).toBeGreaterThan(0);
    return false;
  }
  for (const d of checkScript(r.script, FULL_SUPPORT)) formatDiagnostic(d, src);
  compileScript(src);
  // Whatever parsed must print to text that parses again to the same text.
  const printed = printScript(r.script);
  const again = parseScript(printed);
  expect(again.diagnostics).toEqual([]);
  if (again.script !== undefined) expect(printScript(again.script)).toBe(printed);
  return true;
}

const SAMPLE = `// sample
trace main {
    print "PID:{} TID:{} TS:{}", $pid, $tid, $timestamp;
    if size > 1_048_576 && a + b * c << 1 == d || !f {
        print "x={:x.16} {:s.*} n={}", buf, len, p, -(-1);
    } else if memcmp(buf, hex("50 4F"), 2) {
        bt raw noinline;
    } else {
        let y = cast(ctx, "struct request *");
        print y.headers[0].0;
    }
    /* block */
}
trace foo.c:42 { print *ls; print &a[i + 1]; }
trace /usr/lib/libc.so.6:0x1234 { print "m\\t\\"q\\""; }
trace ns::Class::method { starts_with(s, "ab"); }
trace printf* { print ~x ^ 0o17 | 0b1 % 3 >= 2; }
trace 0x401234 { print "{{}}"; }
`;

describe("robustness", () => {
  test("the sample parses", () => {
    expect(exercise(SAMPLE)).toBe(true);
  });

  test("every truncation of the sample", () => {
    const t0 = performance.now();
    for (let i = 0; i <= SAMPLE.length; i++) exercise(SAMPLE.slice(0, i));
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  test("single-character deletions and substitutions", () => {
    const r = prng(7);
    const alphabet = '{}()[];,."$:*&|^~!=<>-+/%0x_ab\n \\';
    for (let n = 0; n < 1500; n++) {
      const i = Math.floor(r() * SAMPLE.length);
      const c = alphabet.charAt(Math.floor(r() * alphabet.length));
      exercise(SAMPLE.slice(0, i) + SAMPLE.slice(i + 1));
      exercise(SAMPLE.slice(0, i) + c + SAMPLE.slice(i + 1));
    }
  });

  test("random bytes", () => {
    const r = prng(42);
    const t0 = performance.now();
    for (let n = 0; n < 300; n++) {
      const len = Math.floor(r() * 400);
      let s = "";
      for (let i = 0; i < len; i++) s += String.fromCharCode(Math.floor(r() * 256));
      exercise(s);
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  test("random token soup", () => {
    const r = prng(1234);
    const vocab = [
      "trace", "main", "foo.c:1", "0x10", "lib.so:0x1", "{", "}", "(", ")", "[", "]", ";", ",", ".", "print", "let",
      "if", "else", "bt", "raw", "x", "$pid", "$nope", '"s {}"', '"{:x.*}"', "1", "-", "!", "~", "*", "&", "&&", "||",
      "==", "<", "<<", "+", "%", "memcmp", "hex", '"0a"', "cast", '"int *"', "strncmp", "starts_with", "=", "0.5", "->",
      "::", "true", "// c\n", "/* c */", "\n",
    ];
    let parsed = 0;
    for (let n = 0; n < 3000; n++) {
      const len = 1 + Math.floor(r() * 30);
      const parts: string[] = [];
      for (let i = 0; i < len; i++) parts.push(vocab[Math.floor(r() * vocab.length)] ?? "");
      if (exercise(parts.join(" "))) parsed++;
    }
    expect(parsed).toBeGreaterThan(0);
  });

  test("deep nesting hits the limit with a diagnostic, quickly", () => {
    const t0 = performance.now();
    const cases = [
      `trace f { print ${"(".repeat(100_000)}x${")".repeat(100_000)}; }`,
      `trace f { print ${"-".repeat(100_000)}x; }`,
      `trace f { print ${"!~".repeat(50_000)}x; }`,
      `trace f { print ${"a[".repeat(50_000)}0${"]".repeat(50_000)}; }`,
      `trace f { ${"if x { ".repeat(20_000)}${"} ".repeat(20_000)} }`,
      `trace f { print x${" + x".repeat(100_000)}; }`,
      `trace f { print x${".f".repeat(100_000)}; }`,
      `trace f { print ${"memcmp(".repeat(10_000)}`,
      `trace f { print ${"(".repeat(100_000)}`,
    ];
    for (const src of cases) {
      const r = parseScript(src);
      expect(r.script).toBeUndefined();
      expect(r.diagnostics[0]?.message).toMatch(/too deep|too deeply nested/);
    }
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  test("nesting just under the limit is fine", () => {
    const depth = MAX_NESTING - 2;
    expect(exercise(`trace f { print ${"(".repeat(depth)}x${")".repeat(depth)}; }`)).toBe(true);
    expect(exercise(`trace f { print x${" + x".repeat(200)}; }`)).toBe(true);
  });

  test("huge inputs stay linear", () => {
    const big = SAMPLE.repeat(500);
    const t0 = performance.now();
    expect(parseScript(big).diagnostics).toEqual([]);
    const junk = "\u0000\uffff#@`".repeat(200_000);
    expect(parseScript(junk).diagnostics.length).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
