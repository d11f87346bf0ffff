// What can be printed at a probe: the program's variables visible at every
// site (parameters, locals, the unit's globals — innermost first, as gdb's
// `info scope` lists them) with their types, and the special variables.
import type { ProbeSite } from "../../resolve/index.ts";
import { scopeAt, type VariableKind } from "../../resolve/scope.ts";
import { typeNameOf } from "../../resolve/types.ts";

export interface Printable {
  /** The expression to print. */
  name: string;
  /** Its type as gdb spells it ("struct order *"), or what a special variable is. */
  type: string;
  /** "parameter", "local", "global", "static", "special"…, and "optimized out here" when so. */
  kind: string;
}

const SPECIALS: Printable[] = [
  { name: "$pid", type: "process id", kind: "special" },
  { name: "$tid", type: "thread id", kind: "special" },
  { name: "$timestamp", type: "monotonic nanoseconds", kind: "special" },
];

export function printablesAt(sites: ProbeSite[]): Printable[] {
  const withDebug = sites.filter((s) => s.debug);
  const first = withDebug[0];
  if (!first) return SPECIALS;
  const scopes = withDebug.map((s) => scopeAt(s.debug!.dwarf, s.debug!.cfi, s.vaddr));
  // A name missing at one site (another inlined copy, another static function) would fail there.
  const everywhere = (name: string) => scopes.every((sc) => sc.variables.some((v) => v.name === name));
  const vars = scopes[0]!.variables
    .filter((v) => everywhere(v.name))
    .map((v) => ({
      name: v.name,
      type: typeNameOf(first.debug!, v.decl),
      kind: `${kindLabel(v.kind)}${v.location.plan.kind === "optimizedOut" ? ", optimized out here" : ""}`,
    }));
  return [...vars, ...SPECIALS];
}

function kindLabel(k: VariableKind): string {
  return k === "file static" ? "static" : k;
}
