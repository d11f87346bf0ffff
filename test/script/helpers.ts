// Shared helpers for the script front-end tests.
import { expect } from "bun:test";
import { formatDiagnostic, parseScript, type Expr, type Script, type Statement } from "../../src/script/index.ts";

/** Parse and fail the test with readable diagnostics when it does not parse. */
export function parseOk(src: string): Script {
  const r = parseScript(src, "t.gs");
  if (r.script === undefined || r.diagnostics.length > 0) {
    throw new Error("expected a clean parse:\n" + r.diagnostics.map((d) => formatDiagnostic(d, src)).join("\n"));
  }
  return r.script;
}

/** The first diagnostic of a failed parse, formatted. */
export function parseErr(src: string): string {
  const r = parseScript(src, "t.gs");
  expect(r.script).toBeUndefined();
  const d = r.diagnostics[0];
  if (d === undefined) throw new Error("expected a diagnostic");
  return formatDiagnostic(d, src);
}

/** Body statements of the first trace block. */
export function traceBody(src: string): Statement[] {
  const s = parseOk(src).body[0];
  if (s?.kind !== "Trace") throw new Error("expected a trace block");
  return s.body.body;
}

/** Parse one expression through `trace f { expr; }` and return it. */
export function expr(src: string): Expr {
  const st = traceBody(`trace f { ${src}; }`)[0];
  if (st?.kind !== "ExprStmt") throw new Error("expected an expression statement");
  return st.expr;
}

/** Fully parenthesised prefix form, for precedence tests. */
export function sexpr(e: Expr): string {
  switch (e.kind) {
    case "Int":
      return e.value.toString();
    case "Bool":
      return String(e.value);
    case "String":
      return JSON.stringify(e.value);
    case "Ident":
      return e.name;
    case "SpecialVar":
      return "$" + e.name;
    case "Unary":
      return `(${e.op} ${sexpr(e.operand)})`;
    case "Binary":
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case "Member":
      return `(. ${sexpr(e.object)} ${e.field})`;
    case "TupleIndex":
      return `(. ${sexpr(e.object)} ${e.index})`;
    case "Index":
      return `([] ${sexpr(e.object)} ${sexpr(e.index)})`;
    case "Call":
      return `(${e.callee} ${e.args.map(sexpr).join(" ")})`;
    case "Cast":
      return `(cast ${sexpr(e.expr)} ${JSON.stringify(e.typeName)})`;
    case "Hex":
      return `(hex ${Array.from(e.bytes, (b) => b.toString(16).padStart(2, "0")).join("")})`;
  }
}

/** Source text covered by a span. */
export function textOf(src: string, span: { offset: number; length: number }): string {
  return src.slice(span.offset, span.offset + span.length);
}
