// Step 2: where to probe — a function (searchable, from DWARF, else from the
// symbol table) or a source line (FILE:LINE, checked to resolve), and the
// probe sites the run will attach to.
import { basename } from "node:path";
import * as clack from "@clack/prompts";
import { elfOf, resolvePattern, ResolveError, type ProbeSite } from "../../resolve/index.ts";
import { parseScript, type TracePattern } from "../../script/index.ts";
import { ask, searchSelect, withSpinner } from "./prompt.ts";
import { dwarfFunctions, functionChoices, rankByName, symbolFunctions } from "./functions.ts";
import type { WizardTarget } from "./choose-target.ts";

export interface WizardProbe {
  /** The trace point as a script writes it: `serve`, `main.c:42`. */
  pattern: string;
  sites: ProbeSite[];
}

export async function chooseProbe(target: WizardTarget): Promise<WizardProbe> {
  const how = target.info
    ? await ask(
        clack.select({
          message: "Probe where?",
          options: [
            { value: "function", label: "a function", hint: "its entry, after the prologue, as gdb's break" },
            { value: "line", label: "a source line", hint: "FILE:LINE" },
          ],
        }),
      )
    : "function";
  for (;;) {
    const pattern = how === "function" ? await chooseFunction(target) : await chooseLine(target);
    try {
      return { pattern, sites: sitesOf(target, pattern) };
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      clack.log.error(e.message);
    }
  }
}

async function chooseFunction(target: WizardTarget): Promise<string> {
  const name = basename(target.module.name);
  const fns = await withSpinner(
    `Listing the functions of ${name}…`,
    () => (target.info ? dwarfFunctions(target.info) : symbolFunctions(elfOf(target.module))),
    (list) => `${list.length} functions in ${name}${target.info ? "" : " (symbol table)"}`,
  );
  if (fns.length === 0) throw new ResolveError(`${target.module.name} defines no functions to trace`);
  const fn = await searchSelect({
    what: "function",
    filterMessage: "Find the function: type part of its name or file",
    choices: functionChoices(fns),
    rank: rankByName,
  });
  return fn.pattern;
}

async function chooseLine(target: WizardTarget): Promise<string> {
  const text = await ask(
    clack.text({
      message: "Source line (FILE:LINE; a suffix of the path is enough)",
      placeholder: "main.c:42",
      validate: (v) => {
        const t = (v ?? "").trim();
        if (!/^.+:\d+$/.test(t)) return "type FILE:LINE, e.g. main.c:42";
        try {
          sitesOf(target, t);
        } catch (e) {
          if (e instanceof ResolveError) return e.message;
          throw e;
        }
        return undefined;
      },
    }),
  );
  return text.trim();
}

/** Every site the run will attach to for this trace point (the same lookup runScript does). */
export function sitesOf(target: WizardTarget, pattern: string): ProbeSite[] {
  return resolvePattern(patternOf(pattern), target.searchModules);
}

/** A trace point's text as the script parser reads it. */
function patternOf(text: string): TracePattern {
  const r = parseScript(`trace ${text} { print "x"; }`, "<wizard>");
  const stmt = r.script?.body[0];
  if (!stmt || stmt.kind !== "Trace") throw new ResolveError(`'${text}' is not a trace point: ${r.diagnostics[0]?.message ?? "unreadable"}`);
  return stmt.pattern;
}
