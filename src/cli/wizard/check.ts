// Is what the user typed traceable? Compile the exact script the wizard will
// run, at every probe site, the way runScript does (parse and check, resolve
// each expression at the site, lower to BPF) — without loading anything. The
// first problem comes back as one line for the prompt to show.
import { compileProbe } from "../../codegen/index.ts";
import { debugInfoFor, elfOf, type ProbeSite } from "../../resolve/index.ts";
import { Linkage } from "../../resolve/linkage.ts";
import { resolveObject } from "../../resolve/objects.ts";
import { scopeAt, type Scope } from "../../resolve/scope.ts";
import { symbolizer } from "../../resolve/symbols.ts";
import { compileScript, printExpr, printPattern, type Expr } from "../../script/index.ts";
import { defaultOptions } from "../args.ts";
import type { WizardTarget } from "./choose-target.ts";

/** Errors that describe the user's input (an unknown name, a type mismatch), not a bug. */
const INPUT_ERRORS = new Set(["ExprError", "ResolveError", "CodegenError", "DwarfError"]);

/**
 * Undefined when the script compiles at every site; else the first problem.
 * `typed`: the user's text inside the script; a syntax error found after it
 * means the text stopped too early (not that the generated script is wrong).
 */
export function scriptProblem(text: string, target: WizardTarget, sites: ProbeSite[], typed?: string): string | undefined {
  const r = compileScript(text, "<wizard>");
  if (!r.script) {
    const d = r.diagnostics.find((x) => x.severity === "error");
    if (!d) return "the script does not compile";
    const end = typed === undefined ? -1 : text.lastIndexOf(typed) + typed.length;
    // The generated text after it ('{', '}') means nothing to the user: say what was missing.
    return typed !== undefined && d.span.offset >= end ? `'${typed}' is incomplete: ${d.message.replace(/, found .*$/, "")}` : d.message;
  }
  const linkage = new Linkage(target.linked, (m) => debugInfoFor(m));
  try {
    r.script.body.forEach((stmt, traceId) => {
      if (stmt.kind !== "Trace") return;
      sites.forEach((site, siteId) => {
        const info = site.debug;
        let scope: Scope | undefined;
        const objectFor = info
          ? (e: Expr) => resolveObject(info, (scope ??= { ...scopeAt(info.dwarf, info.cfi, site.vaddr), linkage: linkage.at(site.module) }), e, printExpr)
          : undefined;
        compileProbe(stmt, printPattern(stmt.pattern), {
          traceId,
          siteId,
          site: info ? { vaddr: site.vaddr, entryPc: site.fn?.lowPc(), cap: defaultOptions().memDumpCap } : undefined,
          objectFor,
          symbolize: info ? symbolizer(elfOf(site.module)) : undefined,
        });
      });
    });
  } catch (e) {
    if (e instanceof Error && (INPUT_ERRORS.has(e.name) || INPUT_ERRORS.has(e.constructor.name))) return e.message.split("\n")[0];
    throw e;
  }
  return undefined;
}
