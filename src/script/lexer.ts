// Lexer: script text → tokens with spans. Never throws; problems become diagnostics.
import { makeDiagnostic, type Diagnostic, type Span } from "./diagnostics.ts";
import { PUNCTUATORS, type Punct, type Token } from "./tokens.ts";

export interface LexResult {
  tokens: Token[];
  diagnostics: Diagnostic[];
}

/** Stop lexing after this many errors (random input would otherwise produce thousands). */
const MAX_LEX_ERRORS = 20;
const I64_MAX = (1n << 63n) - 1n;

const PUNCT_SET = new Set<string>(PUNCTUATORS);

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}
function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}
function isIdentChar(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}
function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
}
function isHex(c: string): boolean {
  return isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");
}

export function lex(text: string, file = "<script>"): LexResult {
  return new Lexer(text, file).run();
}

class Lexer {
  private pos = 0;
  private line = 1;
  private col = 1;
  private readonly tokens: Token[] = [];
  private readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  run(): LexResult {
    while (this.diagnostics.length < MAX_LEX_ERRORS) {
      this.skipTrivia();
      if (this.pos >= this.text.length) break;
      this.lexToken();
    }
    this.tokens.push({ kind: "eof", text: "", span: this.spanFrom(this.here(), 0) });
    return { tokens: this.tokens, diagnostics: this.diagnostics };
  }

  // ---- position bookkeeping -------------------------------------------------

  private here(): { offset: number; line: number; col: number } {
    return { offset: this.pos, line: this.line, col: this.col };
  }

  private spanFrom(start: { offset: number; line: number; col: number }, length = this.pos - start.offset): Span {
    return { offset: start.offset, length, line: start.line, col: start.col };
  }

  private peek(k = 0): string {
    return this.text.charAt(this.pos + k);
  }

  private advance(n = 1): void {
    for (let i = 0; i < n && this.pos < this.text.length; i++) {
      if (this.text.charCodeAt(this.pos) === 10) {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      this.pos++;
    }
  }

  private error(message: string, span: Span): void {
    this.diagnostics.push(makeDiagnostic(message, span, this.file));
  }

  // ---- trivia ----------------------------------------------------------------

  private skipTrivia(): void {
    for (;;) {
      const c = this.peek();
      if (c === "") return;
      if (isSpace(c)) {
        this.advance();
      } else if (c === "/" && this.peek(1) === "/") {
        while (this.pos < this.text.length && this.peek() !== "\n") this.advance();
      } else if (c === "/" && this.peek(1) === "*") {
        const start = this.here();
        const close = this.text.indexOf("*/", this.pos + 2);
        if (close < 0) {
          this.error("unterminated block comment (missing '*/')", this.spanFrom(start, 2));
          this.advance(this.text.length - this.pos);
          return;
        }
        this.advance(close + 2 - this.pos);
      } else {
        return;
      }
    }
  }

  // ---- tokens ------------------------------------------------------------------

  private lexToken(): void {
    const c = this.peek();
    const start = this.here();
    if (isIdentStart(c)) {
      while (isIdentChar(this.peek())) this.advance();
      const text = this.text.slice(start.offset, this.pos);
      const prev = this.tokens[this.tokens.length - 1];
      const atStatementStart =
        prev === undefined || (prev.kind === "punct" && (prev.text === ";" || prev.text === "{" || prev.text === "}"));
      this.tokens.push({ kind: "ident", text, span: this.spanFrom(start) });
      if (text === "trace" && atStatementStart) this.lexTracePattern();
      return;
    }
    if (isDigit(c)) return this.lexNumber();
    if (c === '"') return this.lexString();
    if (c === "$") {
      this.advance();
      while (isIdentChar(this.peek())) this.advance();
      const text = this.text.slice(start.offset, this.pos);
      if (text.length === 1) {
        this.error("expected a special variable name after '$' (e.g. $pid)", this.spanFrom(start));
        return;
      }
      this.tokens.push({ kind: "special", text, name: text.slice(1), span: this.spanFrom(start) });
      return;
    }
    if (c === "'") {
      // GhostScope has no character literals; swallow to the closing quote on this line.
      this.advance();
      while (this.pos < this.text.length && this.peek() !== "'" && this.peek() !== "\n") {
        if (this.peek() === "\\") this.advance();
        this.advance();
      }
      if (this.peek() === "'") this.advance();
      this.error("character literals are not supported; use a double-quoted string", this.spanFrom(start));
      return;
    }
    const two = this.text.slice(this.pos, this.pos + 2);
    if (two.length === 2 && PUNCT_SET.has(two)) {
      this.advance(2);
      this.tokens.push({ kind: "punct", text: two as Punct, span: this.spanFrom(start) });
      return;
    }
    if (PUNCT_SET.has(c)) {
      this.advance();
      this.tokens.push({ kind: "punct", text: c as Punct, span: this.spanFrom(start) });
      return;
    }
    // Unknown character: report one code point and move on.
    const cp = this.text.codePointAt(this.pos) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    this.advance(width);
    const shown =
      cp >= 0x21 && cp <= 0x7e ? `'${String.fromCodePoint(cp)}'` : `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    this.error(`unexpected character ${shown}`, this.spanFrom(start));
  }

  /**
   * After a statement-initial `trace`: the pattern is raw text up to
   * whitespace, `{`, `}`, `;`, `"` or a comment. Inside a C++ parameter list
   * or template argument list, `(…)` and `<…>`, spaces belong to the pattern
   * (`trace ns::Widget::resize(int, int)`); an operator's symbols after
   * `operator` are not brackets (`operator<`, `operator()`).
   */
  private lexTracePattern(): void {
    this.skipTrivia();
    const start = this.here();
    let depth = 0;
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "{" || c === "}" || c === ";" || c === '"' || c === "\n") break;
      if (isSpace(c) && depth === 0) {
        // `get() const`: a member function's qualifier after its parameter list.
        const q = this.text[this.pos - 1] === ")" ? /^[ \t]+(?:const|volatile)(?![A-Za-z0-9_])/.exec(this.text.slice(this.pos, this.pos + 16)) : null;
        if (!q) break;
        this.advance(q[0].length);
        continue;
      }
      if (c === "/" && (this.peek(1) === "/" || this.peek(1) === "*")) break;
      const sofar = this.text.slice(start.offset, this.pos);
      if (/(?:^|[^A-Za-z0-9_])operator$/.test(sofar)) {
        const op = /^\s*(\(\)|\[\]|[<>=!+\-*\/%^&|~,]{1,3})/.exec(this.text.slice(this.pos, this.pos + 8));
        if (op) {
          this.advance(op[0].length);
          continue;
        }
      }
      if (c === "(" || c === "<") depth++;
      else if ((c === ")" || c === ">") && depth > 0) depth--;
      this.advance();
    }
    if (this.pos > start.offset) {
      this.tokens.push({ kind: "pattern", text: this.text.slice(start.offset, this.pos), span: this.spanFrom(start) });
    }
  }

  private lexNumber(): void {
    const start = this.here();
    const prev = this.tokens[this.tokens.length - 1];
    // `tuple.0.1`: after a member dot only plain digits form a token (never a float).
    if (prev?.kind === "punct" && prev.text === "." && prev.span.offset + prev.span.length === start.offset) {
      while (isDigit(this.peek())) this.advance();
      const text = this.text.slice(start.offset, this.pos);
      this.pushInt(text, BigInt(text), start);
      return;
    }
    let radix = 10;
    let kindName = "decimal";
    const p1 = this.peek(1);
    if (this.peek() === "0" && (p1 === "x" || p1 === "X")) (radix = 16), (kindName = "hexadecimal");
    else if (this.peek() === "0" && (p1 === "o" || p1 === "O")) (radix = 8), (kindName = "octal");
    else if (this.peek() === "0" && (p1 === "b" || p1 === "B")) (radix = 2), (kindName = "binary");
    if (radix !== 10) this.advance(2);
    const bodyStart = this.pos;
    while (isIdentChar(this.peek())) this.advance();
    // Float: digits '.' digits (decimal only). Rejected later by the parser with a clear message.
    if (radix === 10 && this.peek() === "." && isDigit(this.peek(1))) {
      this.advance();
      while (isIdentChar(this.peek())) this.advance();
      this.tokens.push({ kind: "float", text: this.text.slice(start.offset, this.pos), span: this.spanFrom(start) });
      return;
    }
    const text = this.text.slice(start.offset, this.pos);
    const body = this.text.slice(bodyStart, this.pos);
    const digits = body.replace(/_/g, "");
    if (digits.length === 0) {
      this.error(`${kindName} literal '${text}' has no digits`, this.spanFrom(start));
      return;
    }
    for (let i = 0; i < body.length; i++) {
      const ch = body.charAt(i);
      if (ch === "_") continue;
      const v = isDigit(ch) ? ch.charCodeAt(0) - 48 : isHex(ch) ? (ch.toLowerCase().charCodeAt(0) - 87) : 99;
      if (v >= radix) {
        const at = bodyStart + i;
        const span: Span = { offset: at, length: 1, line: start.line, col: start.col + (at - start.offset) };
        if (radix === 10 && !isDigit(ch)) this.error(`invalid suffix '${body.slice(i)}' on integer literal`, { ...span, length: body.length - i });
        else this.error(`invalid digit '${ch}' in ${kindName} literal`, span);
        return;
      }
    }
    const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : radix === 2 ? "0b" : "";
    const value = BigInt(prefix + digits);
    if (value > I64_MAX) {
      this.error(`integer literal '${text}' is too large (the maximum is ${I64_MAX})`, this.spanFrom(start));
      return;
    }
    this.pushInt(text, value, start);
  }

  private pushInt(text: string, value: bigint, start: { offset: number; line: number; col: number }): void {
    this.tokens.push({ kind: "int", text, value, span: this.spanFrom(start) });
  }

  private lexString(): void {
    const start = this.here();
    this.advance(); // opening quote
    let value = "";
    const offsets: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "\n") {
        this.error("unterminated string literal (missing closing '\"')", this.spanFrom(start, 1));
        return;
      }
      if (c === '"') break;
      const at = this.pos;
      if (c !== "\\") {
        offsets.push(at);
        value += c;
        this.advance();
        continue;
      }
      const e = this.peek(1);
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", "\\": "\\", '"': '"', "'": "'" };
      if (e in simple) {
        offsets.push(at);
        value += simple[e];
        this.advance(2);
      } else if (e === "x") {
        const h = this.text.slice(this.pos + 2, this.pos + 4);
        if (h.length === 2 && isHex(h.charAt(0)) && isHex(h.charAt(1))) {
          offsets.push(at);
          value += String.fromCharCode(parseInt(h, 16));
          this.advance(4);
        } else {
          const col = start.col + (at - start.offset);
          this.error("invalid escape: '\\x' needs two hex digits", { offset: at, length: 2, line: start.line, col });
          this.advance(2);
        }
      } else if (e === "" || e === "\n") {
        offsets.push(at);
        value += "\\";
        this.advance();
      } else {
        // Unknown escapes stay verbatim (GhostScope strings are raw text).
        offsets.push(at, at + 1);
        value += "\\" + e;
        this.advance(2);
      }
    }
    offsets.push(this.pos);
    this.advance(); // closing quote
    this.tokens.push({ kind: "string", text: this.text.slice(start.offset, this.pos), value, offsets, span: this.spanFrom(start) });
  }
}
