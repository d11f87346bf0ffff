// LocationSpec → addresses in one binary, the way gdb's `break` resolves them:
// a function stops after its prologue, FILE:LINE at its is_stmt rows (every
// inlined or split copy), an address as given.
import { closeMatches } from "../elf/index.ts";
import { DW_TAG, type Die } from "../dwarf/index.ts";
import type { DebugInfo } from "./debuginfo.ts";
import { ResolveError } from "./modules.ts";
import { scopeChainAt } from "./scope.ts";
import type { LocationSpec } from "./spec.ts";

export interface Place {
  address: number;
  /** The concrete function holding the address, when known. */
  fn?: Die;
  /** A line's file as the line table spells it. */
  file?: string;
  line?: number;
}

export function placesFor(info: DebugInfo, spec: LocationSpec): Place[] {
  switch (spec.kind) {
    case "address":
    case "moduleAddress": // the caller chose the module
      return [{ address: spec.address, fn: info.functionAt(spec.address) }];
    case "function": {
      const fns = info.functionsNamed(spec.name);
      if (fns.length === 0) {
        const near = closeMatches(spec.name, info.dwarf.index().names("function"), 3);
        throw new ResolveError(`function ${spec.name} not found in the debug info of ${info.path}${near.length ? `; did you mean ${near.join(", ")}?` : ""}`);
      }
      return fns.map((fn) => ({ address: info.breakpointAddress(fn), fn }));
    }
    case "line": {
      const candidates = new Set<string>();
      const places: Place[] = [];
      let noCode: string | undefined;
      for (const unit of info.dwarf.compileUnits()) {
        const lp = info.lineProgram(unit);
        if (!lp) continue;
        const r = lp.addressesFor(spec.file, spec.line);
        if (r.kind === "ambiguous") r.candidates.forEach((c) => candidates.add(c));
        else if (r.kind === "noCode") noCode = r.file;
        else if (r.kind === "found") {
          candidates.add(r.file);
          for (const address of r.addresses) {
            const fn = info.functionAt(address);
            // A line whose code starts a function is that function to gdb: stop after its prologue.
            const at = fn && fn.lowPc() === address ? info.breakpointAddress(fn) : address;
            places.push({ address: at, fn, file: r.file, line: r.line });
          }
        }
      }
      if (candidates.size > 1) throw new ResolveError(`${spec.file} is ambiguous in ${info.path}: ${[...candidates].sort().join(", ")}; give more of the path`);
      if (places.length > 0) return onePerBlock(info, dedupe(places));
      if (noCode) throw new ResolveError(`${noCode} has no code at or after line ${spec.line}`);
      throw new ResolveError(`no source file matching ${spec.file} in the debug info of ${info.path}`);
    }
  }
}

/**
 * gdb keeps one address per lexical block for FILE:LINE: a loop header's
 * several is_stmt rows are one place to stop, while copies of the line in
 * different inlined calls or functions stay separate.
 */
function onePerBlock(info: DebugInfo, places: Place[]): Place[] {
  const seen = new Set<string>();
  return places.filter((p) => {
    const chain = scopeChainAt(info.dwarf, p.address);
    const block = chain.at(-1);
    const key = block ? `${block.offset}` : `addr ${p.address}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function dedupe(places: Place[]): Place[] {
  const seen = new Set<number>();
  return places.filter((p) => !seen.has(p.address) && (seen.add(p.address), true)).sort((a, b) => a.address - b.address);
}

/** "tick", or "helper (inlined)" style name of the function a place is in. */
export function functionLabel(fn: Die | undefined): string {
  if (!fn) return "??";
  return fn.qualifiedName() ?? fn.name() ?? (fn.tag === DW_TAG.subprogram ? "<anonymous function>" : "??");
}
