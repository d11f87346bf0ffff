// `let` bindings are immutable and evaluated at the same probe hit, so a
// bound name stands for its expression: names are replaced by what they are
// bound to before an expression is typed or resolved. Literal-only
// bindings then fold like any literal subexpression.
import type { Expr } from "../script/index.ts";

export function substitute(e: Expr, env: ReadonlyMap<string, Expr>): Expr {
  if (env.size === 0) return e;
  const s = (x: Expr) => substitute(x, env);
  switch (e.kind) {
    case "Ident":
      return env.get(e.name) ?? e;
    case "Unary":
      return { ...e, operand: s(e.operand) };
    case "Binary":
      return { ...e, left: s(e.left), right: s(e.right) };
    case "Member":
    case "TupleIndex":
      return { ...e, object: s(e.object) };
    case "Index":
      return { ...e, object: s(e.object), index: s(e.index) };
    case "Call":
      return { ...e, args: e.args.map(s) };
    case "Cast":
      return { ...e, expr: s(e.expr) };
    default:
      return e;
  }
}
