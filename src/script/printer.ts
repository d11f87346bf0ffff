// AST → canonical script text (4-space indent, minimal parentheses). Re-parsing the
// output yields the same AST shape, which the tests use as a round-trip check.
import type { BinaryOp, Block, Expr, FormatString, IfStmt, Script, Statement, TracePattern } from "./ast.ts";

export function printScript(script: Script): string {
  return script.body.map((s) => printStatement(s, 0)).join("\n") + (script.body.length > 0 ? "\n" : "");
}

export function printStatement(s: Statement, indent = 0): string {
  const pad = "    ".repeat(indent);
  switch (s.kind) {
    case "Trace":
      return `${pad}trace ${printPattern(s.pattern)} ${printBlock(s.body, indent)}`;
    case "Print":
      switch (s.form) {
        case "string":
          return `${pad}print ${quote(s.text.value)};`;
        case "format":
          return `${pad}print ${[printFormat(s.format), ...s.args.map((a) => printExpr(a))].join(", ")};`;
        case "expr":
          return `${pad}print ${printExpr(s.expr)};`;
      }
      break;
    case "Let":
      return `${pad}let ${s.name} = ${printExpr(s.value)};`;
    case "If":
      return pad + printIf(s, indent);
    case "Backtrace":
      return `${pad}${[s.keyword, ...s.flags.map((f) => f.name)].join(" ")};`;
    case "ExprStmt":
      return `${pad}${printExpr(s.expr)};`;
  }
}

function printIf(s: IfStmt, indent: number): string {
  let out = `if ${printExpr(s.cond)} ${printBlock(s.then, indent)}`;
  if (s.else !== undefined) {
    out += s.else.kind === "If" ? ` else ${printIf(s.else, indent)}` : ` else ${printBlock(s.else, indent)}`;
  }
  return out;
}

function printBlock(b: Block, indent: number): string {
  if (b.body.length === 0) return "{\n" + "    ".repeat(indent) + "}";
  const inner = b.body.map((s) => printStatement(s, indent + 1)).join("\n");
  return `{\n${inner}\n${"    ".repeat(indent)}}`;
}

export function printPattern(p: TracePattern): string {
  switch (p.kind) {
    case "FunctionPattern":
      return p.name;
    case "WildcardPattern":
      return p.pattern;
    case "SourceLinePattern":
      return `${p.file}:${p.line}`;
    case "AddressPattern":
      return `0x${p.address.toString(16)}`;
    case "ModuleAddressPattern":
      return `${p.module}:0x${p.address.toString(16)}`;
  }
}

function printFormat(f: FormatString): string {
  return quote(f.value);
}

/** Quote a decoded string value as a script string literal. */
export function quote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\0") out += "\\0";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + code.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + '"';
}

const BINARY_PREC: Record<BinaryOp, number> = {
  "||": 1,
  "&&": 2,
  "|": 3,
  "^": 4,
  "&": 5,
  "==": 6,
  "!=": 6,
  "<": 7,
  "<=": 7,
  ">": 7,
  ">=": 7,
  "<<": 8,
  ">>": 8,
  "+": 9,
  "-": 9,
  "*": 10,
  "/": 10,
  "%": 10,
};
const UNARY_PREC = 11;
const POSTFIX_PREC = 12;

function precOf(e: Expr): number {
  switch (e.kind) {
    case "Binary":
      return BINARY_PREC[e.op];
    case "Unary":
      return UNARY_PREC;
    default:
      return POSTFIX_PREC;
  }
}

/** Print an expression; `minPrec` is the loosest precedence allowed without parentheses. */
export function printExpr(e: Expr, minPrec = 0): string {
  const s = printExprInner(e);
  return precOf(e) < minPrec ? `(${s})` : s;
}

function printExprInner(e: Expr): string {
  switch (e.kind) {
    case "Int":
      return e.raw;
    case "Bool":
      return e.value ? "true" : "false";
    case "String":
      return quote(e.value);
    case "Ident":
      return e.name;
    case "SpecialVar":
      return `$${e.name}`;
    case "Unary": {
      const inner = printExpr(e.operand, UNARY_PREC);
      // Keep `- -x` and `& &x` from fusing into `--x` / `&&x`.
      const sep = (e.op === "-" || e.op === "&") && inner.startsWith(e.op) ? " " : "";
      return `${e.op}${sep}${inner}`;
    }
    case "Binary": {
      const p = BINARY_PREC[e.op];
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${printExpr(e.left, p)} ${e.op} ${printExpr(e.right, p + 1)}`;
    }
    case "Member":
      return `${printExpr(e.object, POSTFIX_PREC)}.${e.field}`;
    case "TupleIndex":
      return `${printExpr(e.object, POSTFIX_PREC)}.${e.index}`;
    case "Index":
      return `${printExpr(e.object, POSTFIX_PREC)}[${printExpr(e.index)}]`;
    case "Call":
      return `${e.callee}(${e.args.map((a) => printExpr(a)).join(", ")})`;
    case "Cast":
      return `cast(${printExpr(e.expr)}, ${quote(e.typeName)})`;
    case "Hex":
      return `hex(${quote(e.text)})`;
  }
}
