// Format strings of `print "…", args`: text + placeholders, with spans into the source.
import type { Span } from "./diagnostics.ts";
import type { FormatConversion, FormatLength, FormatSegment, FormatString } from "./ast.ts";
import type { StringToken } from "./tokens.ts";

export interface FormatProblem {
  message: string;
  span: Span;
}

export interface FormatParseResult {
  format: FormatString;
  problems: FormatProblem[];
}

const CONVERSIONS: Record<string, FormatConversion> = { x: "x", X: "X", p: "p", s: "s" };

/** Parse a string literal token as a format string. */
export function parseFormatString(tok: StringToken): FormatParseResult {
  const { value, offsets, span: tokSpan } = tok;
  const spanOf = (from: number, to: number): Span => {
    const start = offsets[from] ?? tokSpan.offset;
    const end = offsets[to] ?? start;
    return { offset: start, length: end - start, line: tokSpan.line, col: tokSpan.col + (start - tokSpan.offset) };
  };
  const segments: FormatSegment[] = [];
  const problems: FormatProblem[] = [];
  let argCount = 0;
  let text = "";
  let textStart = 0;
  const flushText = (end: number) => {
    if (text.length > 0) segments.push({ kind: "Text", text, span: spanOf(textStart, end) });
    text = "";
  };

  let i = 0;
  while (i < value.length) {
    const c = value.charAt(i);
    if (c === "{" && value.charAt(i + 1) === "{") {
      if (text === "") textStart = i;
      text += "{";
      i += 2;
      continue;
    }
    if (c === "}" && value.charAt(i + 1) === "}") {
      if (text === "") textStart = i;
      text += "}";
      i += 2;
      continue;
    }
    if (c === "}") {
      problems.push({ message: "unmatched '}' in format string (write '}}' for a literal brace)", span: spanOf(i, i + 1) });
      i++;
      continue;
    }
    if (c !== "{") {
      if (text === "") textStart = i;
      text += c;
      i++;
      continue;
    }
    // Placeholder
    const close = value.indexOf("}", i + 1);
    if (close < 0) {
      problems.push({
        message: "unclosed '{' in format string (write '{{' for a literal brace)",
        span: spanOf(i, value.length),
      });
      break;
    }
    flushText(i);
    const content = value.slice(i + 1, close);
    const phText = value.slice(i, close + 1);
    const phSpan = spanOf(i, close + 1);
    const spec = parseSpec(content, phText, (from, to) => spanOf(i + 1 + from, i + 1 + to));
    if ("problem" in spec) {
      problems.push({ message: spec.problem, span: phSpan });
      i = close + 1;
      continue;
    }
    if (spec.length.kind === "star") {
      segments.push({
        kind: "Placeholder",
        conversion: spec.conversion,
        length: spec.length,
        lengthArgIndex: argCount,
        argIndex: argCount + 1,
        text: phText,
        span: phSpan,
      });
      argCount += 2;
    } else {
      segments.push({ kind: "Placeholder", conversion: spec.conversion, length: spec.length, argIndex: argCount, text: phText, span: phSpan });
      argCount += 1;
    }
    i = close + 1;
  }
  flushText(value.length);
  return { format: { kind: "FormatString", value, segments, argCount, span: tokSpan }, problems };
}

type SpecResult = { conversion: FormatConversion; length: FormatLength } | { problem: string };

function parseSpec(content: string, phText: string, spanOf: (from: number, to: number) => Span): SpecResult {
  if (content === "") return { conversion: "default", length: { kind: "none" } };
  if (!content.startsWith(":")) {
    return { problem: `invalid placeholder '${phText}': expected '{}' or '{:spec}' (positional and named arguments are not supported)` };
  }
  if (content.length === 1) return { problem: "empty format specifier '{:}': expected x, X, p or s after ':'" };
  const conv = CONVERSIONS[content.charAt(1)];
  if (conv === undefined) {
    return { problem: `unsupported conversion '{:${content.charAt(1)}}' in '${phText}': expected x, X, p or s` };
  }
  const rest = content.slice(2);
  if (rest === "") return { conversion: conv, length: { kind: "none" } };
  if (!rest.startsWith(".")) {
    return { problem: `invalid specifier '${phText}': after the conversion only a length '.N', '.*' or '.name$' may follow` };
  }
  const len = rest.slice(1);
  if (len === "*") return { conversion: conv, length: { kind: "star" } };
  if (len.endsWith("$")) {
    const name = len.slice(0, -1);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      return { problem: `invalid capture variable in '${phText}': expected '.name$' with an identifier name` };
    }
    return { conversion: conv, length: { kind: "capture", name, span: spanOf(3, 3 + name.length) } };
  }
  const m = /^(?:([0-9]+)|0x([0-9a-fA-F]+)|0o([0-7]+)|0b([01]+))$/.exec(len);
  if (m === null) {
    return { problem: `invalid length in '${phText}': expected a number (decimal, 0x, 0o, 0b), '*' or 'name$'` };
  }
  const value =
    m[1] !== undefined
      ? parseInt(m[1], 10)
      : m[2] !== undefined
        ? parseInt(m[2], 16)
        : m[3] !== undefined
          ? parseInt(m[3], 8)
          : parseInt(m[4] ?? "0", 2);
  if (!Number.isSafeInteger(value)) return { problem: `length in '${phText}' is too large` };
  return { conversion: conv, length: { kind: "static", value } };
}
