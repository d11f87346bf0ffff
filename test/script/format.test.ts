import { describe, expect, test } from "bun:test";
import { parseScript, type FormatSegment, type PrintFormatStmt } from "../../src/script/index.ts";
import { parseErr, textOf, traceBody } from "./helpers.ts";

function fmt(src: string): PrintFormatStmt {
  const st = traceBody(`trace f { ${src} }`)[0];
  if (st?.kind !== "Print" || st.form !== "format") throw new Error("expected a format print");
  return st;
}

function brief(segs: FormatSegment[]): string[] {
  return segs.map((s) => {
    if (s.kind === "Text") return `T:${s.text}`;
    const len =
      s.length.kind === "none"
        ? ""
        : s.length.kind === "static"
          ? `.${s.length.value}`
          : s.length.kind === "star"
            ? ".*"
            : `.${s.length.name}$`;
    return `P:${s.conversion}${len}@${s.argIndex}${s.lengthArgIndex !== undefined ? `/len@${s.lengthArgIndex}` : ""}`;
  });
}

describe("format strings", () => {
  test("every placeholder form", () => {
    const p = fmt('print "a {} {:x} {:X} {:p} {:s} {:x.16} {:s.*} {:x.n$} z", a, b, c, d, e, f, len, g, h;');
    expect(brief(p.format.segments)).toEqual([
      "T:a ",
      "P:default@0",
      "T: ",
      "P:x@1",
      "T: ",
      "P:X@2",
      "T: ",
      "P:p@3",
      "T: ",
      "P:s@4",
      "T: ",
      "P:x.16@5",
      "T: ",
      "P:s.*@7/len@6",
      "T: ",
      "P:x.n$@8",
      "T: z",
    ]);
    expect(p.format.argCount).toBe(9);
  });

  test("static lengths in every base", () => {
    const p = fmt('print "{:x.0x10}{:s.0o20}{:X.0b1000}{:x.08}", a, b, c, d;');
    expect(brief(p.format.segments)).toEqual(["P:x.16@0", "P:s.16@1", "P:X.8@2", "P:x.8@3"]);
  });

  test("escaped braces collapse in text segments", () => {
    const p = fmt('print "use {{}} for {}, }}{{", x;');
    expect(brief(p.format.segments)).toEqual(["T:use {} for ", "P:default@0", "T:, }{"]);
  });

  test("segment spans point into the source, through escapes", () => {
    const src = 'trace f { print "\\t{:x} and {:s.n$}", a, b; }';
    const st = traceBody(src)[0];
    if (st?.kind !== "Print" || st.form !== "format") throw new Error("shape");
    const [t0, p0, t1, p1] = st.format.segments;
    expect(textOf(src, t0!.span)).toBe("\\t");
    expect(textOf(src, p0!.span)).toBe("{:x}");
    expect(textOf(src, t1!.span)).toBe(" and ");
    expect(textOf(src, p1!.span)).toBe("{:s.n$}");
    if (p1?.kind !== "Placeholder" || p1.length.kind !== "capture") throw new Error("shape");
    expect(textOf(src, p1.length.span)).toBe("n");
  });

  test("a plain string print is not a format (braces stay literal)", () => {
    const st = traceBody('trace f { print "{} {{ {:q}"; }')[0];
    expect(st).toMatchObject({ kind: "Print", form: "string", text: { value: "{} {{ {:q}" } });
  });

  test("argument count is checked", () => {
    expect(parseScript('trace f { print "{} {}", a; }').diagnostics[0]?.message).toBe(
      "format string expects 2 arguments but 1 was given",
    );
    expect(parseScript('trace f { print "{}", a, b, c; }').diagnostics[0]?.message).toBe(
      "format string expects 1 argument but 3 were given",
    );
    expect(parseScript('trace f { print "{:s.*}", a; }').diagnostics[0]?.message).toBe(
      "format string expects 2 arguments but 1 was given",
    );
    expect(parseScript('trace f { print "none", a; }').diagnostics[0]?.message).toBe(
      "format string expects 0 arguments but 1 was given",
    );
    // capture lengths take no extra argument
    expect(parseScript('trace f { let n = 4; print "{:x.n$}", p; }').diagnostics).toEqual([]);
  });

  test("too many arguments: the caret is on the extra ones", () => {
    expect(parseErr('trace f { print "{}", a, bb, c; }')).toBe(
      [
        "t.gs:1:26: error: format string expects 1 argument but 3 were given",
        'trace f { print "{}", a, bb, c; }',
        "                         ^~~~~",
      ].join("\n"),
    );
  });

  test("bad specifiers", () => {
    const msg = (f: string) => parseScript(`trace f { print "${f}", a; }`).diagnostics[0]?.message;
    expect(msg("{:d}")).toBe("unsupported conversion '{:d}' in '{:d}': expected x, X, p or s");
    expect(msg("{:}")).toBe("empty format specifier '{:}': expected x, X, p or s after ':'");
    expect(msg("{0}")).toBe(
      "invalid placeholder '{0}': expected '{}' or '{:spec}' (positional and named arguments are not supported)",
    );
    expect(msg("{:x16}")).toBe(
      "invalid specifier '{:x16}': after the conversion only a length '.N', '.*' or '.name$' may follow",
    );
    expect(msg("{:x.1a}")).toBe("invalid length in '{:x.1a}': expected a number (decimal, 0x, 0o, 0b), '*' or 'name$'");
    expect(msg("{:x.1a$}")).toBe("invalid capture variable in '{:x.1a$}': expected '.name$' with an identifier name");
    expect(msg("x {")).toBe("unclosed '{' in format string (write '{{' for a literal brace)");
    expect(msg("x } {}")).toBe("unmatched '}' in format string (write '}}' for a literal brace)");
  });

  test("bad specifier caret sits under the placeholder", () => {
    expect(parseErr('trace f { print "n={:d}", n; }')).toBe(
      [
        "t.gs:1:20: error: unsupported conversion '{:d}' in '{:d}': expected x, X, p or s",
        'trace f { print "n={:d}", n; }',
        "                   ^~~~",
      ].join("\n"),
    );
  });
});
