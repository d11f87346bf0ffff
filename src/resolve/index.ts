// Trace points → probe sites: where in which file a uprobe goes. Today a
// function is found by its ELF symbol and probed at its first instruction;
// DWARF (prologue skipping, inline instances, source lines) refines this.
import type { TracePattern } from "../script/index.ts";
import { closeMatches } from "../elf/index.ts";
import { elfOf, ResolveError, type ModuleRef } from "./modules.ts";

export { ResolveError, elfOf, type ModuleRef } from "./modules.ts";

export interface ProbeSite {
  module: ModuleRef;
  /** The function the site belongs to. */
  symbol: string;
  /** Link-time virtual address (module-relative for PIEs and libraries). */
  vaddr: number;
  /** File offset of that address: what the uprobe PMU takes. */
  fileOffset: number;
}

/** Every probe site of a trace pattern across the given modules. Throws ResolveError when there is none. */
export function resolvePattern(pattern: TracePattern, modules: ModuleRef[]): ProbeSite[] {
  if (pattern.kind !== "FunctionPattern") throw new ResolveError(`not supported yet: ${pattern.kind} trace points`);
  return resolveFunction(pattern.name, modules);
}

export function resolveFunction(name: string, modules: ModuleRef[]): ProbeSite[] {
  const sites: ProbeSite[] = [];
  for (const m of modules) {
    const elf = elfOf(m);
    const seen = new Set<number>();
    for (const s of elf.symbolsNamed(name)) {
      if (!s.defined || s.value === 0 || seen.has(s.value)) continue;
      if (s.type === "IFUNC")
        throw new ResolveError(`${name} in ${m.name} is an IFUNC resolver, not the code that runs; trace the implementation it selects (e.g. __${name}_avx2_unaligned)`);
      if (s.type !== "FUNC") continue;
      const fileOffset = elf.vaddrToFileOffset(s.value);
      if (fileOffset === undefined) throw new ResolveError(`${name} in ${m.name}: address 0x${s.value.toString(16)} is in no loadable segment`);
      seen.add(s.value);
      sites.push({ module: m, symbol: name, vaddr: s.value, fileOffset });
    }
  }
  if (sites.length > 0) return sites;
  const where = modules.length === 1 ? modules[0]!.name : `${modules[0]?.name ?? "the target"} or its ${modules.length - 1} libraries`;
  const names = modules.flatMap((m) => elfOf(m).functionSymbols().map((s) => s.name));
  const near = closeMatches(name, names, 3);
  const hint = near.length > 0 ? `; did you mean ${near.join(", ")}?` : "; list the functions with: nm -C " + (modules[0]?.name ?? "BINARY");
  throw new ResolveError(`function ${name} not found in ${where}${hint}`);
}
