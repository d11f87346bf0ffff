// Checker: language rules that need no DWARF, plus refusal of features that later
// stages (resolve, codegen) do not implement yet. Input is a parsed Script; output diagnostics.
import {
  SPECIAL_VARIABLES,
  isSpecialVariableName,
  type BinaryOp,
  type Block,
  type Expr,
  type FormatConversion,
  type FormatLength,
  type PrintStmt,
  type Script,
  type SpecialVariableName,
  type Statement,
  type TracePatternKind,
  type UnaryOp,
  type BuiltinFunction,
} from "./ast.ts";
import { makeDiagnostic, type Diagnostic, type Severity, type Span } from "./diagnostics.ts";

// ---- what later stages support ---------------------------------------------------------

export type StatementFeature = "print-string" | "print-format" | "print-expr" | "let" | "if" | "backtrace" | "expr-stmt";

export type ExprFeature =
  | "int"
  | "bool"
  | "string"
  | "ident"
  | "special-var"
  | "member"
  | "tuple-index"
  | "index"
  | "cast"
  | "hex"
  | `unary:${UnaryOp}`
  | `binary:${BinaryOp}`
  | `call:${BuiltinFunction}`;

export interface SupportedFeatures {
  tracePatterns: ReadonlySet<TracePatternKind>;
  statements: ReadonlySet<StatementFeature>;
  /** Expression forms accepted wherever an expression appears. */
  expressions: ReadonlySet<ExprFeature>;
  specialVariables: ReadonlySet<SpecialVariableName>;
  formatConversions: ReadonlySet<FormatConversion>;
  formatLengths: ReadonlySet<FormatLength["kind"]>;
}

/** What the code generator implements today. Widen it as stages land; the parser never changes for that. */
export const CURRENT_SUPPORT: SupportedFeatures = Object.freeze({
  tracePatterns: new Set<TracePatternKind>(["FunctionPattern", "SourceLinePattern", "AddressPattern", "ModuleAddressPattern"]),
  statements: new Set<StatementFeature>(["print-string", "print-format", "print-expr", "let", "if"]),
  expressions: new Set<ExprFeature>([
    "special-var", "ident", "member", "index", "int", "bool", "string", "cast", "hex",
    ...(["-", "!", "~", "*", "&"] as const).map((o) => `unary:${o}` as const),
    ...(["||", "&&", "|", "^", "&", "==", "!=", "<", "<=", ">", ">=", "<<", ">>", "+", "-", "*", "/", "%"] as const).map((o) => `binary:${o}` as const),
    "call:memcmp", "call:strncmp", "call:starts_with",
  ]),
  specialVariables: new Set<SpecialVariableName>(["pid", "tid", "timestamp", "host_pid", "input_pid"]),
  formatConversions: new Set<FormatConversion>(["default", "x", "X", "p", "s"]),
  // ".name$" needs `let` (not lowered yet).
  formatLengths: new Set<FormatLength["kind"]>(["none", "static", "star"]),
});

const ALL_UNARY: UnaryOp[] = ["-", "!", "~", "*", "&"];
const ALL_BINARY: BinaryOp[] = ["||", "&&", "|", "^", "&", "==", "!=", "<", "<=", ">", ">=", "<<", ">>", "+", "-", "*", "/", "%"];

/** Everything the language has: checking against it performs only the language rules. */
export const FULL_SUPPORT: SupportedFeatures = Object.freeze({
  tracePatterns: new Set<TracePatternKind>([
    "FunctionPattern",
    "WildcardPattern",
    "SourceLinePattern",
    "AddressPattern",
    "ModuleAddressPattern",
  ]),
  statements: new Set<StatementFeature>(["print-string", "print-format", "print-expr", "let", "if", "backtrace", "expr-stmt"]),
  expressions: new Set<ExprFeature>([
    "int",
    "bool",
    "string",
    "ident",
    "special-var",
    "member",
    "tuple-index",
    "index",
    "cast",
    "hex",
    ...ALL_UNARY.map((o) => `unary:${o}` as const),
    ...ALL_BINARY.map((o) => `binary:${o}` as const),
    "call:memcmp",
    "call:strncmp",
    "call:starts_with",
  ]),
  specialVariables: new Set<SpecialVariableName>(SPECIAL_VARIABLES),
  formatConversions: new Set<FormatConversion>(["default", "x", "X", "p", "s"]),
  formatLengths: new Set<FormatLength["kind"]>(["none", "static", "star", "capture"]),
});

/** Build a SupportedFeatures from a base plus extra features (for later stages widening support). */
export function widenSupport(base: SupportedFeatures, extra: Partial<{ [K in keyof SupportedFeatures]: Iterable<SupportedFeatures[K] extends ReadonlySet<infer T> ? T : never> }>): SupportedFeatures {
  return {
    tracePatterns: new Set([...base.tracePatterns, ...(extra.tracePatterns ?? [])]),
    statements: new Set([...base.statements, ...(extra.statements ?? [])]),
    expressions: new Set([...base.expressions, ...(extra.expressions ?? [])]),
    specialVariables: new Set([...base.specialVariables, ...(extra.specialVariables ?? [])]),
    formatConversions: new Set([...base.formatConversions, ...(extra.formatConversions ?? [])]),
    formatLengths: new Set([...base.formatLengths, ...(extra.formatLengths ?? [])]),
  };
}

const PATTERN_LABEL: Record<TracePatternKind, string> = {
  FunctionPattern: "function trace patterns",
  WildcardPattern: "wildcard trace patterns (name*)",
  SourceLinePattern: "source-line trace patterns (file:LINE)",
  AddressPattern: "address trace patterns (0xADDR)",
  ModuleAddressPattern: "module address trace patterns (module:0xADDR)",
};

const STATEMENT_LABEL: Record<StatementFeature, string> = {
  "print-string": 'print "text"',
  "print-format": 'print "format", args',
  "print-expr": "printing an expression (print <expr>;)",
  let: "'let' statements",
  if: "'if' statements",
  backtrace: "backtrace (bt)",
  "expr-stmt": "expression statements",
};

const LENGTH_LABEL: Record<FormatLength["kind"], string> = {
  none: "placeholders without a length",
  static: "static lengths ('.N')",
  star: "dynamic lengths ('.*')",
  capture: "captured lengths ('.name$')",
};

// ---- checker ------------------------------------------------------------------------------

interface Binding {
  isString: boolean;
}

export function checkScript(script: Script, support: SupportedFeatures = CURRENT_SUPPORT): Diagnostic[] {
  const c = new Checker(script.file, support);
  c.checkProgram(script);
  return c.diagnostics.sort((a, b) => a.span.offset - b.span.offset);
}

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  /** Innermost scope last. */
  private scopes: Map<string, Binding>[] = [];
  /** Names whose declaring scope has ended, within the current trace block. */
  private expired = new Set<string>();
  /** > 0 inside an unsupported compound statement: its contents are not reported as unsupported again. */
  private quiet = 0;

  constructor(
    private readonly file: string,
    private readonly support: SupportedFeatures,
  ) {}

  private report(message: string, span: Span, severity: Severity = "error"): void {
    this.diagnostics.push(makeDiagnostic(message, span, this.file, severity));
  }

  private unsupported(feature: string, span: Span): void {
    if (this.quiet > 0) return;
    this.report(`not supported yet: ${feature}`, span);
  }

  checkProgram(script: Script): void {
    for (const s of script.body) {
      if (s.kind !== "Trace") {
        this.report(
          `top-level ${statementWord(s)} statement is not allowed; put statements inside a trace block: trace <target> { ... }`,
          keywordSpan(s),
        );
        continue;
      }
      if (!this.support.tracePatterns.has(s.pattern.kind)) this.unsupported(PATTERN_LABEL[s.pattern.kind], s.pattern.span);
      this.scopes = [];
      this.expired = new Set();
      this.checkBlock(s.body);
    }
  }

  private checkBlock(b: Block): void {
    this.scopes.push(new Map());
    for (const s of b.body) this.checkStatement(s);
    const closed = this.scopes.pop();
    if (closed !== undefined) for (const name of closed.keys()) this.expired.add(name);
  }

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i]?.get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }

  private requireStatement(feature: StatementFeature, span: Span): boolean {
    if (this.support.statements.has(feature)) return true;
    this.unsupported(STATEMENT_LABEL[feature], span);
    return false;
  }

  private checkStatement(s: Statement): void {
    switch (s.kind) {
      case "Trace":
        // The parser refuses nested traces; an AST built by hand may still contain one.
        this.report("'trace' cannot be nested; it is only allowed at the top level", keywordSpan(s));
        return;
      case "Print":
        this.checkPrint(s);
        return;
      case "Let": {
        const ok = this.requireStatement("let", keywordSpan(s));
        this.checkExpr(s.value, ok);
        const current = this.scopes[this.scopes.length - 1];
        if (current === undefined) return;
        if (current.has(s.name)) {
          this.report(`Redeclaration in the same scope is not allowed: '${s.name}'`, s.nameSpan);
        } else if (this.lookup(s.name) !== undefined) {
          this.report(`Shadowing is not allowed for immutable variables: '${s.name}'`, s.nameSpan);
        } else {
          current.set(s.name, { isString: s.value.kind === "String" || (s.value.kind === "Ident" && this.lookup(s.value.name)?.isString === true) });
        }
        return;
      }
      case "If": {
        const ok = this.requireStatement("if", keywordSpan(s));
        if (!ok) this.quiet++;
        this.checkIfChain(s, ok);
        if (!ok) this.quiet--;
        return;
      }
      case "Backtrace":
        this.requireStatement("backtrace", keywordSpan(s));
        return;
      case "ExprStmt": {
        const ok = this.requireStatement("expr-stmt", s.expr.span);
        this.checkExpr(s.expr, ok);
        return;
      }
    }
  }

  private checkIfChain(s: Statement & { kind: "If" }, supportChecks: boolean): void {
    this.checkExpr(s.cond, supportChecks);
    this.checkBlock(s.then);
    if (s.else === undefined) return;
    if (s.else.kind === "If") this.checkIfChain(s.else, supportChecks);
    else this.checkBlock(s.else);
  }

  private checkPrint(s: PrintStmt): void {
    const kw = keywordSpan(s);
    switch (s.form) {
      case "string": {
        this.requireStatement("print-string", kw);
        if (/\{[^{}]*\}/.test(s.text.value.replace(/\{\{|\}\}/g, ""))) {
          this.report(
            "this string is printed verbatim: placeholders like '{}' are only filled in when arguments follow the string",
            s.text.span,
            "warning",
          );
        }
        return;
      }
      case "expr": {
        const ok = this.requireStatement("print-expr", kw);
        this.checkExpr(s.expr, ok);
        return;
      }
      case "format": {
        const ok = this.requireStatement("print-format", kw);
        const { format, args } = s;
        if (format.argCount !== args.length) {
          this.report(`format string expects ${format.argCount} argument(s) but ${args.length} were given`, format.span);
        }
        for (const seg of format.segments) {
          if (seg.kind !== "Placeholder") continue;
          if (ok && !this.support.formatConversions.has(seg.conversion)) {
            this.unsupported(`format specifier ${seg.conversion === "default" ? "{}" : `{:${seg.conversion}}`}`, seg.span);
          } else if (ok && !this.support.formatLengths.has(seg.length.kind)) {
            this.unsupported(`format ${LENGTH_LABEL[seg.length.kind]} in '${seg.text}'`, seg.span);
          }
          if (seg.length.kind === "capture" && this.lookup(seg.length.name) === undefined) {
            this.report(
              `capture length variable '${seg.length.name}' not found: '.name$' needs a 'let' variable in scope`,
              seg.length.span,
            );
          }
          const arg = args[seg.argIndex];
          if (seg.length.kind !== "none" && arg !== undefined && (arg.kind === "Int" || arg.kind === "Bool")) {
            this.report(
              `'${seg.text}' reads memory from an address, but this argument is ${arg.kind === "Int" ? "an integer" : "a boolean"} literal (use cast(value, "T *") to read from a fixed address)`,
              arg.span,
            );
          }
        }
        for (const a of args) this.checkExpr(a, ok);
        return;
      }
    }
  }

  /** Language checks always; support checks only when `supportChecks` (the enclosing statement is supported). */
  private checkExpr(e: Expr, supportChecks: boolean): void {
    let sc = supportChecks;
    const need = (f: ExprFeature, label: string): void => {
      if (sc && !this.support.expressions.has(f)) {
        this.unsupported(label, e.span);
        sc = false; // one report per subtree
      }
    };
    switch (e.kind) {
      case "Int":
        need("int", "integer literals here");
        return;
      case "Bool":
        need("bool", "boolean literals here");
        return;
      case "String":
        need("string", "string literals here");
        return;
      case "SpecialVar":
        if (!isSpecialVariableName(e.name)) {
          this.report(
            `unknown special variable '$${e.name}' (known: ${SPECIAL_VARIABLES.map((n) => "$" + n).join(", ")})`,
            e.span,
          );
          return;
        }
        need("special-var", "special variables");
        if (sc && !this.support.specialVariables.has(e.name)) this.unsupported(`special variable $${e.name}`, e.span);
        return;
      case "Ident": {
        const b = this.lookup(e.name);
        if (b === undefined && this.expired.has(e.name)) {
          this.report(`Use of variable '${e.name}' outside of its scope`, e.span);
          return;
        }
        need("ident", b !== undefined ? `script variables ('${e.name}')` : `program variables ('${e.name}')`);
        return;
      }
      case "Unary":
        need(`unary:${e.op}`, `unary '${e.op}'`);
        if ((e.op === "&" || e.op === "*") && isLiteral(e.operand)) {
          this.report(e.op === "&" ? "cannot take the address of a literal" : "cannot dereference a literal", e.span);
        }
        if (e.operand.kind === "String" && e.op !== "!") {
          this.report(`operator '${e.op}' cannot be applied to a string`, e.span);
        }
        this.checkExpr(e.operand, sc);
        return;
      case "Binary":
        need(`binary:${e.op}`, `operator '${e.op}'`);
        if ((e.left.kind === "String" || e.right.kind === "String") && e.op !== "==" && e.op !== "!=") {
          this.report(`operator '${e.op}' cannot be applied to a string (strings only support == and !=)`, e.opSpan);
        }
        this.checkExpr(e.left, sc);
        this.checkExpr(e.right, sc);
        return;
      case "Member":
        need("member", "member access ('.')");
        this.checkExpr(e.object, sc);
        return;
      case "TupleIndex":
        need("tuple-index", "tuple field access ('.N')");
        this.checkExpr(e.object, sc);
        return;
      case "Index":
        need("index", "array indexing ('[]')");
        this.checkExpr(e.object, sc);
        this.checkExpr(e.index, sc);
        return;
      case "Cast":
        need("cast", "cast()");
        this.checkExpr(e.expr, sc);
        return;
      case "Hex":
        need("hex", "hex()");
        return;
      case "Call":
        need(`call:${e.callee}`, `${e.callee}()`);
        this.checkCall(e);
        for (const a of e.args) {
          // hex(...) and string literals are the builtins' own operands: no separate support needed.
          if (a.kind === "Hex" || a.kind === "String") continue;
          this.checkExpr(a, sc);
        }
        return;
    }
  }

  private isStringOperand(e: Expr): boolean {
    return e.kind === "String" || (e.kind === "Ident" && this.lookup(e.name)?.isString === true);
  }

  private checkCall(e: Expr & { kind: "Call" }): void {
    const [a, b, n] = e.args;
    if (a === undefined || b === undefined) return;
    if (e.callee === "memcmp") {
      for (const x of [a, b]) {
        if (x.kind === "Bool") this.report("memcmp pointer arguments cannot be boolean; use an address or hex(...)", x.span);
        if (x.kind === "String") this.report("memcmp does not accept string literals; use strncmp for strings", x.span);
        if (x.kind === "Int") this.report("memcmp does not accept a bare integer as an address; use hex(...) for raw bytes", x.span);
      }
      const ha = a.kind === "Hex" ? a.bytes.length : undefined;
      const hb = b.kind === "Hex" ? b.bytes.length : undefined;
      if (n === undefined) {
        if (ha === undefined && hb === undefined) this.report("memcmp without a length needs at least one hex(...) operand", e.span);
        else if (ha !== undefined && hb !== undefined && ha !== hb) {
          this.report("memcmp hex operands have different sizes; give an explicit length", e.span);
        }
        return;
      }
      if (n.kind === "Bool") {
        this.report("memcmp length must be an integer, not a boolean", n.span);
        return;
      }
      const lit = literalInt(n);
      if (lit === undefined) return;
      if (lit < 0n) this.report("memcmp length must be non-negative", n.span);
      else {
        if (ha !== undefined && lit > BigInt(ha)) this.report(`memcmp length (${lit}) exceeds the hex pattern size on the left side (${ha} bytes)`, n.span);
        if (hb !== undefined && lit > BigInt(hb)) this.report(`memcmp length (${lit}) exceeds the hex pattern size on the right side (${hb} bytes)`, n.span);
      }
      return;
    }
    // strncmp / starts_with
    if (!this.isStringOperand(a) && !this.isStringOperand(b)) {
      this.report(`${e.callee} needs a string literal (or a 'let' string variable) as one of its operands`, e.span);
    }
    for (const x of [a, b]) if (x.kind === "Hex") this.report(`${e.callee} does not take hex(...); use memcmp for raw bytes`, x.span);
    if (e.callee === "strncmp" && n !== undefined) {
      const lit = literalInt(n);
      if (lit === undefined || lit < 0n) this.report("strncmp length must be a non-negative integer literal", n.span);
    }
  }
}

function isLiteral(e: Expr): boolean {
  return e.kind === "Int" || e.kind === "Bool" || e.kind === "String" || e.kind === "Hex";
}

/** Value of an integer literal, optionally negated (`-5`). */
function literalInt(e: Expr): bigint | undefined {
  if (e.kind === "Int") return e.value;
  if (e.kind === "Unary" && e.op === "-") {
    const v = literalInt(e.operand);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

function statementWord(s: Statement): string {
  switch (s.kind) {
    case "Trace":
      return "trace";
    case "Print":
      return "print";
    case "Let":
      return "let";
    case "If":
      return "if";
    case "Backtrace":
      return s.keyword;
    case "ExprStmt":
      return "expression";
  }
}

/** The span of a statement's leading keyword (the whole expression for expression statements). */
function keywordSpan(s: Statement): Span {
  if (s.kind === "ExprStmt") return s.expr.span;
  const word = statementWord(s);
  return { ...s.span, length: Math.min(word.length, s.span.length) };
}
