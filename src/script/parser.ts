// Parser: tokens → AST. Recursive descent with one function per precedence level.
// Stops at the first syntax error and returns it as a diagnostic; never throws.
import {
  BUILTIN_FUNCTIONS,
  type BacktraceFlagName,
  type BacktraceStmt,
  type BinaryOp,
  type Block,
  type BuiltinFunction,
  type Expr,
  type IfStmt,
  type LetStmt,
  type PrintStmt,
  type Script,
  type Statement,
  type TracePattern,
  type TraceStmt,
  type UnaryOp,
} from "./ast.ts";
import { joinSpans, makeDiagnostic, spanAfter, type Diagnostic, type Span } from "./diagnostics.ts";
import { parseFormatString } from "./format.ts";
import { describeToken, type IdentToken, type PatternToken, type StringToken, type Token } from "./tokens.ts";

export interface ParseResult {
  script?: Script;
  diagnostics: Diagnostic[];
}

/** Maximum nesting of parentheses, unary operators and blocks. */
export const MAX_NESTING = 128;
/** Maximum depth of an expression tree (long operator chains count too). */
export const MAX_EXPR_DEPTH = 256;

const U64_MAX = (1n << 64n) - 1n;

const STATEMENT_KEYWORDS = ["trace", "print", "let", "if", "else", "bt", "backtrace"];
const BACKTRACE_FLAGS: readonly BacktraceFlagName[] = ["raw", "full", "inline", "noinline"];

const BINARY_LEVELS: readonly (readonly BinaryOp[])[] = [
  ["||"],
  ["&&"],
  ["|"],
  ["^"],
  ["&"],
  ["==", "!="],
  ["<", "<=", ">", ">="],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];

const UNARY_OPS: readonly string[] = ["-", "!", "~", "*", "&"];

class ParseAbort {
  constructor(readonly diagnostic: Diagnostic) {}
}

export function parseTokens(tokens: Token[], file: string, sourceLength: number): ParseResult {
  const p = new Parser(tokens, file);
  try {
    const body = p.parseProgram();
    const span: Span = { offset: 0, length: sourceLength, line: 1, col: 1 };
    return { script: { kind: "Script", file, body, span }, diagnostics: [] };
  } catch (e) {
    if (e instanceof ParseAbort) return { diagnostics: [e.diagnostic] };
    // A bug in the parser must still not escape as an exception.
    const at = tokens[0]?.span ?? { offset: 0, length: 0, line: 1, col: 1 };
    return { diagnostics: [makeDiagnostic(`internal parser error: ${String(e)}`, at, file)] };
  }
}

class Parser {
  private pos = 0;
  private nesting = 0;
  private readonly depth = new WeakMap<Expr, number>();

  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  // ---- token helpers ---------------------------------------------------------------

  private peek(k = 0): Token {
    const t = this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
    if (t === undefined) throw new Error("empty token stream");
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  private prev(): Token | undefined {
    return this.pos > 0 ? this.tokens[this.pos - 1] : undefined;
  }

  private isPunct(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "punct" && t.text === text;
  }

  private isIdent(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "ident" && t.text === text;
  }

  private fail(message: string, span: Span): never {
    throw new ParseAbort(makeDiagnostic(message, span, this.file));
  }

  /** Where to point for "expected X": right after the previous token when the offending one is on a later line. */
  private expectedAt(found: Token): Span {
    const p = this.prev();
    if (p !== undefined && (found.kind === "eof" || found.span.line > p.span.line)) return spanAfter(p.span);
    return found.span;
  }

  private expectPunct(text: string, context: string): Token {
    const t = this.peek();
    if (t.kind === "punct" && t.text === text) return this.next();
    this.fail(`expected '${text}' ${context}, found ${describeToken(t)}`, this.expectedAt(t));
  }

  private enter(span: Span): void {
    if (++this.nesting > MAX_NESTING) this.fail(`nesting is too deep (more than ${MAX_NESTING} levels)`, span);
  }

  private leave(): void {
    this.nesting--;
  }

  private withDepth<E extends Expr>(e: E, ...children: Expr[]): E {
    let d = 0;
    for (const c of children) d = Math.max(d, this.depth.get(c) ?? 1);
    d += 1;
    if (d > MAX_EXPR_DEPTH) this.fail(`expression is too deeply nested (more than ${MAX_EXPR_DEPTH} levels)`, e.span);
    this.depth.set(e, d);
    return e;
  }

  // ---- statements --------------------------------------------------------------------------

  parseProgram(): Statement[] {
    const body: Statement[] = [];
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      if (t.kind === "punct" && t.text === "}") this.fail("unexpected '}': no block is open here", t.span);
      body.push(this.parseStatement(true));
    }
    return body;
  }

  private parseBlock(context: string): Block {
    const open = this.expectPunct("{", context);
    this.enter(open.span);
    const body: Statement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === "punct" && t.text === "}") break;
      if (t.kind === "eof") this.fail("unclosed '{': expected '}' before the end of the script", open.span);
      body.push(this.parseStatement(false));
    }
    const close = this.next();
    this.leave();
    return { kind: "Block", body, span: joinSpans(open.span, close.span) };
  }

  private parseStatement(topLevel: boolean): Statement {
    const t = this.peek();
    if (t.kind === "ident") {
      switch (t.text) {
        case "trace":
          if (this.peek(1).kind === "pattern" || !this.startsExpressionStatement(1)) {
            if (!topLevel) this.fail("'trace' cannot be nested; it is only allowed at the top level", t.span);
            return this.parseTrace();
          }
          break;
        case "print":
          return this.parsePrint();
        case "let":
          return this.parseLet();
        case "if":
          return this.parseIf();
        case "else":
          this.fail("'else' without a matching 'if'", t.span);
          break;
        case "bt":
        case "backtrace": {
          const n = this.peek(1);
          if ((n.kind === "punct" && n.text === ";") || n.kind === "ident" || n.kind === "int") {
            return this.parseBacktrace();
          }
          break;
        }
      }
      // `x = 1;` — friendly message instead of a generic syntax error.
      if (this.isPunct("=", 1)) {
        this.fail(
          `Assignment is not supported: variables are immutable. Use 'let ${t.text} = ...' to bind once.`,
          joinSpans(t.span, this.peek(1).span),
        );
      }
      // `prnt "x";` — an unknown word followed by something that cannot continue an expression.
      const n = this.peek(1);
      if (
        n.kind === "string" ||
        n.kind === "ident" ||
        n.kind === "special" ||
        n.kind === "int" ||
        (n.kind === "punct" && n.text === "{")
      ) {
        this.fail(unknownKeywordMessage(t.text), t.span);
      }
    }
    const expr = this.parseExpr();
    const semi = this.expectPunct(";", "after expression statement");
    return { kind: "ExprStmt", expr, span: joinSpans(expr.span, semi.span) };
  }

  /** True when the token after `trace` continues an expression (a program variable named `trace`). */
  private startsExpressionStatement(k: number): boolean {
    const n = this.peek(k);
    return n.kind === "punct" && n.text !== "{" && n.text !== "}";
  }

  private parseTrace(): TraceStmt {
    const kw = this.next();
    const pt = this.peek();
    if (pt.kind !== "pattern") {
      this.fail(
        "expected a trace pattern after 'trace': a function name, file.c:LINE, 0xADDR or module:0xADDR",
        this.expectedAt(pt),
      );
    }
    this.next();
    const pattern = this.classifyPattern(pt);
    const body = this.parseBlock("after the trace pattern");
    return { kind: "Trace", pattern, body, span: joinSpans(kw.span, body.span) };
  }

  private classifyPattern(tok: PatternToken): TracePattern {
    const text = tok.text;
    const span = tok.span;
    const PATH = /^[A-Za-z0-9_.\/+@-]+$/;
    const tooLarge = (addr: string): never =>
      this.fail(`address '${addr}' is invalid or too large for u64`, span);

    let m = /^0[xX]([0-9a-fA-F_]+)$/.exec(text);
    if (m !== null) {
      const v = BigInt("0x" + (m[1] ?? "").replace(/_/g, ""));
      if (v > U64_MAX) tooLarge(text);
      return { kind: "AddressPattern", address: v, span };
    }
    // module:0xADDR — the module is a path or suffix (never a C++ `::` name).
    m = /^(.*[^:]):(0[xX][0-9a-fA-F_]*)$/.exec(text);
    if (m !== null && PATH.test(m[1] ?? "")) {
      const addrText = m[2] ?? "";
      const digits = addrText.slice(2).replace(/_/g, "");
      if (digits === "") this.fail(`expected hex digits after '0x' in trace pattern '${text}'`, span);
      const v = BigInt("0x" + digits);
      if (v > U64_MAX) tooLarge(addrText);
      return { kind: "ModuleAddressPattern", module: m[1] ?? "", address: v, span };
    }
    // file:LINE
    m = /^(.*[^:]):([^:]*)$/.exec(text);
    if (m !== null && PATH.test(m[1] ?? "")) {
      const lineText = m[2] ?? "";
      if (!/^[0-9]+$/.test(lineText)) {
        this.fail(`expected a line number after ':' in trace pattern '${text}' (e.g. file.c:42)`, span);
      }
      const line = Number(lineText);
      if (line < 1 || line > 0x7fffffff) this.fail(`line number ${lineText} is out of range`, span);
      return { kind: "SourceLinePattern", file: m[1] ?? "", line, span };
    }
    const SEG = "~?[A-Za-z_][A-Za-z0-9_]*";
    if (new RegExp(`^${SEG}(?:::${SEG})*$`).test(text)) return { kind: "FunctionPattern", name: text, span };
    const cpp = cppFunctionName(text);
    if (cpp !== undefined) return { kind: "FunctionPattern", name: cpp, span };
    if (/[*?]/.test(text) && /^[A-Za-z0-9_:~*?]+$/.test(text) && !/:::|^:|[^:]:[^:]|[^:]:$/.test(text)) {
      return { kind: "WildcardPattern", pattern: text, span };
    }
    this.fail(
      `invalid trace pattern '${text}': expected a function name (C++: ns::Class::method, method(int, int), box<int>::get, operator==), file.c:LINE, 0xADDR or module:0xADDR`,
      span,
    );
  }

  private parsePrint(): PrintStmt {
    const kw = this.next();
    const first = this.peek();
    if (first.kind === "punct" && first.text === ";") {
      this.fail("'print' needs something to print: \"text\", \"format {}\", args… or an expression", first.span);
    }
    if (first.kind === "string" && this.isPunct(",", 1)) {
      this.next();
      const { format, problems } = parseFormatString(first as StringToken);
      const firstProblem = problems[0];
      if (firstProblem !== undefined) this.fail(firstProblem.message, firstProblem.span);
      const args: Expr[] = [];
      while (this.isPunct(",")) {
        this.next();
        args.push(this.parseExpr());
      }
      const semi = this.expectPunct(";", "after print statement");
      if (format.argCount !== args.length) {
        const expected = plural(format.argCount, "argument");
        const got = args.length === 1 ? "1 was given" : `${args.length} were given`;
        const message = `format string expects ${expected} but ${got}`;
        const extra = args[format.argCount];
        const lastArg = args[args.length - 1];
        const at = extra !== undefined && lastArg !== undefined ? joinSpans(extra.span, lastArg.span) : format.span;
        this.fail(message, at);
      }
      return { kind: "Print", form: "format", format, args, span: joinSpans(kw.span, semi.span) };
    }
    const expr = this.parseExpr();
    const semi = this.expectPunct(";", "after print statement");
    const span = joinSpans(kw.span, semi.span);
    if (expr.kind === "String") return { kind: "Print", form: "string", text: expr, span };
    return { kind: "Print", form: "expr", expr, span };
  }

  private parseLet(): LetStmt {
    const kw = this.next();
    const name = this.peek();
    if (name.kind !== "ident") this.fail(`expected a variable name after 'let', found ${describeToken(name)}`, this.expectedAt(name));
    this.next();
    if (name.text === "true" || name.text === "false") this.fail(`'${name.text}' cannot be used as a variable name`, name.span);
    this.expectPunct("=", `after 'let ${name.text}'`);
    const value = this.parseExpr();
    const semi = this.expectPunct(";", "after let statement");
    return { kind: "Let", name: name.text, nameSpan: name.span, value, span: joinSpans(kw.span, semi.span) };
  }

  private parseIf(): IfStmt {
    const kw = this.next();
    if (this.isPunct("{")) this.fail("expected a condition after 'if'", this.peek().span);
    const cond = this.parseExpr();
    const then = this.parseBlock("after the if condition");
    let elseBranch: IfStmt | Block | undefined;
    if (this.isIdent("else")) {
      const elseTok = this.next();
      if (this.isIdent("if")) {
        this.enter(elseTok.span);
        elseBranch = this.parseIf();
        this.leave();
      } else {
        elseBranch = this.parseBlock("or 'if' after 'else'");
      }
    }
    const end = elseBranch?.span ?? then.span;
    return { kind: "If", cond, then, else: elseBranch, span: joinSpans(kw.span, end) };
  }

  private parseBacktrace(): BacktraceStmt {
    const kw = this.next() as IdentToken;
    const flags: BacktraceStmt["flags"] = [];
    let raw = false;
    let full = false;
    let inline = true;
    while (!this.isPunct(";")) {
      const t = this.peek();
      if (t.kind === "int" || (t.kind === "ident" && t.text === "depth")) {
        this.fail("the backtrace depth is not a script option; set it with --backtrace-depth <N>", t.span);
      }
      if (t.kind !== "ident") this.fail(`expected ';' after ${kw.text}, found ${describeToken(t)}`, this.expectedAt(t));
      if (!(BACKTRACE_FLAGS as readonly string[]).includes(t.text)) {
        this.fail(`unknown ${kw.text} option '${t.text}' (expected raw, full, inline or noinline)`, t.span);
      }
      this.next();
      const name = t.text as BacktraceFlagName;
      flags.push({ name, span: t.span });
      if (name === "raw") raw = true;
      else if (name === "full") full = true;
      else inline = name === "inline";
    }
    const semi = this.next();
    return {
      kind: "Backtrace",
      keyword: kw.text === "bt" ? "bt" : "backtrace",
      flags,
      raw,
      full,
      inline,
      span: joinSpans(kw.span, semi.span),
    };
  }

  // ---- expressions -------------------------------------------------------------------------

  parseExpr(): Expr {
    return this.parseBinary(0);
  }

  private parseBinary(level: number): Expr {
    const ops = BINARY_LEVELS[level];
    if (ops === undefined) return this.parseUnary();
    let left = this.parseBinary(level + 1);
    for (;;) {
      const t = this.peek();
      if (t.kind !== "punct" || !(ops as readonly string[]).includes(t.text)) return left;
      this.next();
      const right = this.parseBinary(level + 1);
      left = this.withDepth(
        { kind: "Binary", op: t.text as BinaryOp, left, right, opSpan: t.span, span: joinSpans(left.span, right.span) },
        left,
        right,
      );
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (t.kind === "punct" && UNARY_OPS.includes(t.text)) {
      this.next();
      this.enter(t.span);
      const operand = this.parseUnary();
      this.leave();
      return this.withDepth({ kind: "Unary", op: t.text as UnaryOp, operand, span: joinSpans(t.span, operand.span) }, operand);
    }
    if (t.kind === "punct" && t.text === "&&") {
      this.fail("unexpected '&&' (for the address of an address-of, write '& &x')", t.span);
    }
    return this.parsePostfix();
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "punct") return e;
      if (t.text === ".") {
        this.next();
        const f = this.peek();
        if (f.kind === "ident") {
          this.next();
          e = this.withDepth({ kind: "Member", object: e, field: f.text, fieldSpan: f.span, span: joinSpans(e.span, f.span) }, e);
        } else if (f.kind === "int" && /^[0-9]+$/.test(f.text)) {
          this.next();
          const index = Number(f.text);
          if (!Number.isSafeInteger(index)) this.fail("tuple index is too large", f.span);
          e = this.withDepth({ kind: "TupleIndex", object: e, index, span: joinSpans(e.span, f.span) }, e);
        } else {
          this.fail(`expected a field name or tuple index after '.', found ${describeToken(f)}`, this.expectedAt(f));
        }
      } else if (t.text === "[") {
        this.next();
        this.enter(t.span);
        const index = this.parseExpr();
        this.leave();
        const close = this.expectPunct("]", "to close the index");
        e = this.withDepth({ kind: "Index", object: e, index, span: joinSpans(e.span, close.span) }, e, index);
      } else if (t.text === "->") {
        this.fail("'->' is not supported: use '.' (pointers are dereferenced automatically)", t.span);
      } else if (t.text === "(") {
        this.fail("only the builtins memcmp, strncmp, starts_with, hex and cast can be called", t.span);
      } else if (t.text === "::") {
        this.fail("'::' is not supported in expressions (C++/Rust paths are only allowed in trace patterns)", t.span);
      } else {
        return e;
      }
    }
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case "int":
        this.next();
        return { kind: "Int", value: t.value, raw: t.text, span: t.span };
      case "float":
        this.fail("float literals are not supported", t.span);
        break;
      case "string":
        this.next();
        return { kind: "String", value: t.value, span: t.span };
      case "special":
        this.next();
        return { kind: "SpecialVar", name: t.name, span: t.span };
      case "ident":
        this.next();
        if (t.text === "true" || t.text === "false") return { kind: "Bool", value: t.text === "true", span: t.span };
        if (this.isPunct("(")) return this.parseCall(t);
        return { kind: "Ident", name: t.text, span: t.span };
      case "punct":
        if (t.text === "(") {
          this.next();
          this.enter(t.span);
          if (this.isPunct(")")) this.fail("expected an expression inside '()'", this.peek().span);
          const inner = this.parseExpr();
          this.leave();
          this.expectPunct(")", "to close '('");
          return inner;
        }
        break;
      case "pattern":
      case "eof":
        break;
    }
    this.fail(`expected an expression, found ${describeToken(t)}`, this.expectedAt(t));
  }

  private parseArgs(open: Token): Expr[] {
    this.next(); // '('
    this.enter(open.span);
    const args: Expr[] = [];
    if (!this.isPunct(")")) {
      for (;;) {
        args.push(this.parseExpr());
        if (!this.isPunct(",")) break;
        this.next();
      }
    }
    this.leave();
    return args;
  }

  private parseCall(name: IdentToken): Expr {
    const open = this.peek();
    const isBuiltin = (BUILTIN_FUNCTIONS as readonly string[]).includes(name.text);
    if (!isBuiltin && name.text !== "cast" && name.text !== "hex") {
      this.fail(`unknown function '${name.text}' (available: memcmp, strncmp, starts_with, hex, cast)`, name.span);
    }
    if (name.text === "hex") {
      this.next();
      const s = this.peek();
      if (s.kind !== "string") this.fail('hex(...) takes one string of hex digits, e.g. hex("DE AD BE EF")', s.span);
      this.next();
      const close = this.expectPunct(")", "after the hex string");
      return this.hexLiteral(s, joinSpans(name.span, close.span));
    }
    if (name.text === "cast") {
      this.next();
      this.enter(open.span);
      const expr = this.parseExpr();
      this.leave();
      this.expectPunct(",", 'in cast(expr, "TYPE")');
      const ty = this.peek();
      if (ty.kind !== "string") this.fail('cast needs the type name as a string literal, e.g. cast(p, "struct request *")', ty.span);
      this.next();
      if (ty.value.trim() === "") this.fail("cast type name is empty", ty.span);
      const close = this.expectPunct(")", 'to close cast(expr, "TYPE")');
      return this.withDepth(
        { kind: "Cast", expr, typeName: ty.value.trim(), typeSpan: ty.span, span: joinSpans(name.span, close.span) },
        expr,
      );
    }
    const args = this.parseArgs(open);
    const close = this.expectPunct(")", `to close the arguments of ${name.text}`);
    const span = joinSpans(name.span, close.span);
    const callee = name.text as BuiltinFunction;
    const arity: Record<BuiltinFunction, [number, number, string]> = {
      memcmp: [2, 3, "memcmp(a, b[, len])"],
      strncmp: [3, 3, "strncmp(a, b, n)"],
      starts_with: [2, 2, "starts_with(a, b)"],
    };
    const [min, max, usage] = arity[callee];
    if (args.length < min || args.length > max) {
      const want = min === max ? `${min}` : `${min} or ${max}`;
      this.fail(`${callee} expects ${want} arguments: ${usage}; got ${args.length}`, span);
    }
    return this.withDepth({ kind: "Call", callee, calleeSpan: name.span, args, span }, ...args);
  }

  private hexLiteral(s: StringToken, span: Span): Expr {
    let digits = "";
    for (let i = 0; i < s.value.length; i++) {
      const c = s.value.charAt(i);
      if (c === " ") continue;
      if (!/[0-9a-fA-F]/.test(c)) {
        const off = s.offsets[i] ?? s.span.offset;
        const at: Span = { offset: off, length: 1, line: s.span.line, col: s.span.col + (off - s.span.offset) };
        const shown = c === "\t" ? "a tab" : `'${c}'`;
        this.fail(`hex(...) accepts only hex digits and spaces; found ${shown}`, at);
      }
      digits += c;
    }
    if (digits.length % 2 !== 0) this.fail(`hex(...) needs an even number of hex digits (got ${digits.length})`, s.span);
    const bytes = new Uint8Array(digits.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    return { kind: "Hex", text: s.value, bytes, span };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function unknownKeywordMessage(word: string): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of STATEMENT_KEYWORDS) {
    const d = levenshtein(word, k);
    if (d < bestD) (best = k), (bestD = d);
  }
  if (best !== undefined && bestD <= 2 && bestD < word.length) return `unknown keyword '${word}'; did you mean '${best}'?`;
  return `unknown keyword '${word}'; a statement starts with trace, print, let, if, bt/backtrace, or is an expression`;
}

function levenshtein(a: string, b: string): number {
  if (a.length > 32 || b.length > 32) return Math.abs(a.length - b.length) + 32;
  let prevRow = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prevRow[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prevRow[j - 1] ?? 0) + cost));
    }
    prevRow = row;
  }
  return prevRow[b.length] ?? 0;
}

/**
 * A C++ function name as gdb's `break` takes it — `ns::box<int>::get`,
 * `ns::Widget::operator==`, `resize(int, int)`, `get() const` — in one
 * spelling: spaces only between two words, and `, ` between arguments
 * (`resize( int,int )` → `resize(int, int)`). Undefined when it is not one.
 */
function cppFunctionName(text: string): string | undefined {
  // Operator names first, so their symbols are not taken for brackets.
  const ops: string[] = [];
  let rest = text.replace(/(?<![A-Za-z0-9_])operator\s*(\(\)|\[\]|[<>=!+\-*\/%^&|~,]{1,3})/g, (_m, op: string) => {
    ops.push(op);
    return `operator@${ops.length - 1}@`;
  });
  const ID = "~?[A-Za-z_][A-Za-z0-9_@]*";
  // Template argument lists: balanced <…> holding names, numbers, `,`, `*`, `&`, spaces.
  let args = "";
  for (let i = 0; i < 4; i++) args = `<(?:[A-Za-z0-9_:,*& ]|${args || "(?!)"})*>`;
  const NAME = `(?:::)?${ID}(?:${args})?(?:::${ID}(?:${args})?)*`;
  const PARAM = `(?:[A-Za-z0-9_:,*&<>\\[\\] .]|\\((?:[A-Za-z0-9_:,*&<> ]*)\\))*`;
  const m = new RegExp(`^(${NAME})(?:\\s*\\((${PARAM})\\)((?:\\s*(?:const|volatile|&&|&))*))?$`).exec(rest.trim());
  if (!m) return undefined;
  rest = rest.trim().replace(/\s+/g, " ").replace(/ (?=[^A-Za-z0-9_@])|(?<=[^A-Za-z0-9_@]) /g, "").replace(/,/g, ", ");
  // `get()const` → `get() const`.
  rest = rest.replace(/\)(const|volatile)/g, ") $1");
  return rest.replace(/operator@(\d+)@/g, (_m, i: string) => `operator${ops[Number(i)]}`);
}
