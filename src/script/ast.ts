// AST of the GhostScope script language. Every node carries the span of its source text.
import type { Span } from "./diagnostics.ts";

// ---- script and statements ------------------------------------------------------

export interface Script {
  kind: "Script";
  file: string;
  /** Top-level statements; GhostScope only allows `trace` here (the checker enforces it). */
  body: Statement[];
  span: Span;
}

export type Statement = TraceStmt | PrintStmt | LetStmt | IfStmt | BacktraceStmt | ExprStmt;

export interface TraceStmt {
  kind: "Trace";
  pattern: TracePattern;
  body: Block;
  span: Span;
}

export interface Block {
  kind: "Block";
  body: Statement[];
  /** From `{` to `}` inclusive. */
  span: Span;
}

/**
 * Three print forms, as in GhostScope:
 * - `print "text";`            → form "string": printed verbatim, braces are NOT placeholders
 * - `print "fmt {}", a, b;`    → form "format": parsed placeholders, argument count checked
 * - `print expr;`              → form "expr": pretty-print one value
 */
export type PrintStmt = PrintStringStmt | PrintFormatStmt | PrintExprStmt;

export interface PrintStringStmt {
  kind: "Print";
  form: "string";
  text: StringLit;
  span: Span;
}

export interface PrintFormatStmt {
  kind: "Print";
  form: "format";
  format: FormatString;
  args: Expr[];
  span: Span;
}

export interface PrintExprStmt {
  kind: "Print";
  form: "expr";
  expr: Expr;
  span: Span;
}

/** `let name = value;` — immutable, block scoped, no shadowing. */
export interface LetStmt {
  kind: "Let";
  name: string;
  nameSpan: Span;
  value: Expr;
  span: Span;
}

export interface IfStmt {
  kind: "If";
  cond: Expr;
  then: Block;
  /** `else if …` is an IfStmt; `else { … }` a Block. */
  else?: IfStmt | Block;
  span: Span;
}

export type BacktraceFlagName = "raw" | "full" | "inline" | "noinline";

export interface BacktraceStmt {
  kind: "Backtrace";
  /** How it was spelled. */
  keyword: "bt" | "backtrace";
  flags: { name: BacktraceFlagName; span: Span }[];
  /** Effective options after applying flags left to right (inline is the default). */
  raw: boolean;
  full: boolean;
  inline: boolean;
  span: Span;
}

export interface ExprStmt {
  kind: "ExprStmt";
  expr: Expr;
  span: Span;
}

// ---- trace patterns ---------------------------------------------------------------

export type TracePattern =
  | FunctionPattern
  | WildcardPattern
  | SourceLinePattern
  | AddressPattern
  | ModuleAddressPattern;

export type TracePatternKind = TracePattern["kind"];

/** `trace main`, `trace ns::Class::method` */
export interface FunctionPattern {
  kind: "FunctionPattern";
  name: string;
  span: Span;
}

/** `trace printf*` (glob with `*` / `?`) */
export interface WildcardPattern {
  kind: "WildcardPattern";
  pattern: string;
  span: Span;
}

/** `trace file.c:42`, `trace /abs/path/file.c:42` (file is matched by path suffix) */
export interface SourceLinePattern {
  kind: "SourceLinePattern";
  file: string;
  line: number;
  span: Span;
}

/** `trace 0x401234` — module-relative DWARF/symbol address in the default module. */
export interface AddressPattern {
  kind: "AddressPattern";
  address: bigint;
  span: Span;
}

/** `trace libc.so.6:0x1234`, `trace /usr/lib/libc.so.6:0x1234` — module by full path or unique suffix. */
export interface ModuleAddressPattern {
  kind: "ModuleAddressPattern";
  module: string;
  address: bigint;
  span: Span;
}

// ---- format strings -----------------------------------------------------------------

export interface FormatString {
  kind: "FormatString";
  /** Decoded string value (escapes resolved, `{{`/`}}` still doubled). */
  value: string;
  segments: FormatSegment[];
  /** Number of arguments the placeholders consume (`.*` consumes two). */
  argCount: number;
  span: Span;
}

export type FormatSegment = FormatText | FormatPlaceholder;

export interface FormatText {
  kind: "Text";
  /** Literal text with `{{` and `}}` collapsed to single braces. */
  text: string;
  span: Span;
}

/** `{}` default, `{:x}`/`{:X}` hex bytes, `{:p}` address, `{:s}` ASCII bytes. */
export type FormatConversion = "default" | "x" | "X" | "p" | "s";

export type FormatLength =
  | { kind: "none" }
  /** `.16`, `.0x10`, `.0o20`, `.0b1000` */
  | { kind: "static"; value: number }
  /** `.*` — the length comes from the argument before the value */
  | { kind: "star" }
  /** `.name$` — the length is the script variable `name` (consumes no argument) */
  | { kind: "capture"; name: string; span: Span };

export interface FormatPlaceholder {
  kind: "Placeholder";
  conversion: FormatConversion;
  length: FormatLength;
  /** Index in the print's argument list of the value to format. */
  argIndex: number;
  /** For `.*`: index of the length argument (always argIndex - 1). */
  lengthArgIndex?: number;
  /** The placeholder text exactly as written, e.g. `{:x.16}`. */
  text: string;
  span: Span;
}

// ---- expressions ------------------------------------------------------------------------

export type Expr =
  | IntLit
  | BoolLit
  | StringLit
  | Ident
  | SpecialVar
  | UnaryExpr
  | BinaryExpr
  | MemberExpr
  | TupleIndexExpr
  | IndexExpr
  | CallExpr
  | CastExpr
  | HexExpr;

export type ExprKind = Expr["kind"];

export interface IntLit {
  kind: "Int";
  value: bigint;
  /** As written, e.g. `0x1f` or `1_048_576`. */
  raw: string;
  span: Span;
}

export interface BoolLit {
  kind: "Bool";
  value: boolean;
  span: Span;
}

export interface StringLit {
  kind: "String";
  value: string;
  span: Span;
}

/** A name: a `let`-bound script variable or a program variable resolved later through DWARF. */
export interface Ident {
  kind: "Ident";
  name: string;
  span: Span;
}

export const SPECIAL_VARIABLES = ["pid", "tid", "timestamp", "host_pid", "input_pid"] as const;
export type SpecialVariableName = (typeof SPECIAL_VARIABLES)[number];

/** `$pid`, `$tid`, `$timestamp`, `$host_pid`, `$input_pid`; unknown names are reported by the checker. */
export interface SpecialVar {
  kind: "SpecialVar";
  /** Without `$`. */
  name: string;
  span: Span;
}

/** `-x` negate, `!x` logical not, `~x` bitwise not, `*p` dereference, `&x` address-of. */
export type UnaryOp = "-" | "!" | "~" | "*" | "&";

export interface UnaryExpr {
  kind: "Unary";
  op: UnaryOp;
  operand: Expr;
  span: Span;
}

export type BinaryOp =
  | "||" | "&&"
  | "|" | "^" | "&"
  | "==" | "!="
  | "<" | "<=" | ">" | ">="
  | "<<" | ">>"
  | "+" | "-"
  | "*" | "/" | "%";

export interface BinaryExpr {
  kind: "Binary";
  op: BinaryOp;
  left: Expr;
  right: Expr;
  opSpan: Span;
  span: Span;
}

/** `a.field` (pointers are dereferenced automatically; there is no `->`). */
export interface MemberExpr {
  kind: "Member";
  object: Expr;
  field: string;
  fieldSpan: Span;
  span: Span;
}

/** `tuple.0` (Rust tuple / tuple-struct field). */
export interface TupleIndexExpr {
  kind: "TupleIndex";
  object: Expr;
  index: number;
  span: Span;
}

export interface IndexExpr {
  kind: "Index";
  object: Expr;
  index: Expr;
  span: Span;
}

export const BUILTIN_FUNCTIONS = ["memcmp", "strncmp", "starts_with"] as const;
export type BuiltinFunction = (typeof BUILTIN_FUNCTIONS)[number];

/** `memcmp(a, b[, len])`, `strncmp(a, b, n)`, `starts_with(a, b)`. */
export interface CallExpr {
  kind: "Call";
  callee: BuiltinFunction;
  calleeSpan: Span;
  args: Expr[];
  span: Span;
}

/** `cast(expr, "struct T *")` */
export interface CastExpr {
  kind: "Cast";
  expr: Expr;
  typeName: string;
  typeSpan: Span;
  span: Span;
}

/** `hex("DE AD BE EF")` — raw bytes (validated at parse time). */
export interface HexExpr {
  kind: "Hex";
  /** The string as written inside the quotes. */
  text: string;
  bytes: Uint8Array;
  span: Span;
}

// ---- helpers ---------------------------------------------------------------------------------

export function isSpecialVariableName(name: string): name is SpecialVariableName {
  return (SPECIAL_VARIABLES as readonly string[]).includes(name);
}
