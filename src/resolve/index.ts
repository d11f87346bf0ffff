// Trace points → probe sites: where in which file a uprobe goes. With debug
// info a function is probed where gdb's `break FUNC` stops (after the
// prologue), and FILE:LINE / 0xADDR resolve through the line table; without
// it, a function is found by its ELF symbol and probed at its first
// instruction, and only special variables can be printed there.
import type { TracePattern } from "../script/index.ts";
import type { Die } from "../dwarf/index.ts";
import { closeMatches } from "../elf/index.ts";
import { DebugInfo } from "./debuginfo.ts";
import { elfOf, ResolveError, type ModuleRef } from "./modules.ts";
import { placesFor } from "./places.ts";
import type { LocationSpec } from "./spec.ts";

export { ResolveError, elfOf, type ModuleRef } from "./modules.ts";
export { DebugInfo } from "./debuginfo.ts";

export interface ProbeSite {
  module: ModuleRef;
  /** The function the site belongs to. */
  symbol: string;
  /** Link-time virtual address of the probed instruction (module-relative for PIEs and libraries). */
  vaddr: number;
  /** File offset of that address: what the uprobe PMU takes. */
  fileOffset: number;
  /** The module's debug info, when it has any: program values can be read at this site. */
  debug?: DebugInfo;
  /** The concrete function holding the site (from DWARF). */
  fn?: Die;
}

const infos = new Map<string, DebugInfo | null>();

/** The module's debug info, or undefined when it has none (opened once per module). */
export function debugInfoFor(m: ModuleRef, debugFile?: string): DebugInfo | undefined {
  let info = infos.get(m.readPath);
  if (info === undefined) {
    const candidate = DebugInfo.open(m.readPath, { debugFile });
    try {
      candidate.dwarf; // throws when there is no debug info
      info = candidate;
    } catch (e) {
      if (!(e instanceof ResolveError) && !(e instanceof Error && e.name === "DwarfError")) throw e;
      info = null;
    }
    infos.set(m.readPath, info);
  }
  return info ?? undefined;
}

/** Every probe site of a trace pattern across the given modules. Throws ResolveError when there is none. */
export function resolvePattern(pattern: TracePattern, modules: ModuleRef[], opts: { debugFile?: string } = {}): ProbeSite[] {
  const spec = specOf(pattern);
  if (spec.kind !== "function") {
    // Lines and addresses mean something only in the target binary itself.
    const m = modules[0]!;
    const info = debugInfoFor(m, opts.debugFile);
    if (!info && spec.kind === "line") throw new ResolveError(`${m.name} has no debug info, so ${spec.file}:${spec.line} cannot be found; rebuild it with -g`);
    const places = info ? placesFor(info, spec) : [{ address: spec.kind === "address" ? spec.address : 0, fn: undefined }];
    return places.map((pl) => site(m, pl.address, pl.fn?.name() ?? `0x${pl.address.toString(16)}`, info, pl.fn));
  }
  const sites: ProbeSite[] = [];
  for (const m of modules) {
    // A module whose symbol table does not name the function cannot hold it: skip its DWARF (libc's, say).
    if (!mayDefine(m, spec.name)) continue;
    const info = debugInfoFor(m, opts.debugFile);
    const copies = info ? functionCopies(info, spec.name) : [];
    if (info && copies.length > 0) for (const c of copies) sites.push(site(m, c.address, spec.name, info, c.fn));
    else sites.push(...symbolSites(m, spec.name));
    // The first module that defines it wins (the executable comes first), as a name means
    // the program's own function before a library's; -t names a library explicitly.
    if (sites.length > 0) break;
  }
  if (sites.length > 0) return sites;
  const where = modules.length === 1 ? modules[0]!.name : `${modules[0]?.name ?? "the target"} or its ${modules.length - 1} libraries`;
  const names = modules.flatMap((m) => elfOf(m).functionSymbols().map((s) => s.name));
  const near = closeMatches(spec.name, names, 3);
  const hint = near.length > 0 ? `; did you mean ${near.join(", ")}?` : "; list the functions with: wraith info functions -t " + (modules[0]?.name ?? "BINARY");
  throw new ResolveError(`function ${spec.name} not found in ${where}${hint}`);
}

/**
 * Every place `break NAME` stops, as gdb counts them: each out-of-line copy
 * after its prologue, and each inlined copy at its entry.
 */
function functionCopies(info: DebugInfo, name: string): { address: number; fn: Die }[] {
  const out: { address: number; fn: Die }[] = [];
  const seen = new Set<number>();
  for (const d of info.dwarf.findFunctions(name)) {
    for (const inst of info.dwarf.inlinedInstances(d)) {
      const address = inst.kind === "concrete" ? info.breakpointAddress(inst.die) : inst.entry;
      if (address === undefined || seen.has(address)) continue;
      seen.add(address);
      out.push({ address, fn: inst.kind === "concrete" ? inst.die : (info.functionAt(address) ?? inst.die) });
    }
  }
  return out.sort((a, b) => a.address - b.address);
}

/**
 * Could this module define a function `name`? With a full symbol table
 * (.symtab) the answer is reliable for C names: the function or one of gcc's
 * clones (name.constprop.0, …) is listed. C++ qualified names and stripped
 * modules are always searched.
 */
function mayDefine(m: ModuleRef, name: string): boolean {
  const elf = elfOf(m);
  if (name.includes("::") || elf.symbolTable("symtab").length === 0) return true;
  if (elf.symbolsNamed(name).some((s) => s.defined)) return true;
  const prefix = `${name}.`;
  return elf.functionSymbols().some((s) => s.name.startsWith(prefix));
}

function specOf(p: TracePattern): LocationSpec {
  switch (p.kind) {
    case "FunctionPattern":
      return { kind: "function", name: p.name };
    case "SourceLinePattern":
      return { kind: "line", file: p.file, line: p.line };
    case "AddressPattern":
      return { kind: "address", address: Number(p.address) };
    default:
      throw new ResolveError(`not supported yet: ${p.kind} trace points`);
  }
}

function site(m: ModuleRef, vaddr: number, symbol: string, debug?: DebugInfo, fn?: Die): ProbeSite {
  const fileOffset = elfOf(m).vaddrToFileOffset(vaddr);
  if (fileOffset === undefined) throw new ResolveError(`${symbol} in ${m.name}: address 0x${vaddr.toString(16)} is in no loadable segment`);
  return { module: m, symbol, vaddr, fileOffset, debug, fn };
}

/** Functions found by ELF symbol only, probed at their first instruction. */
function symbolSites(m: ModuleRef, name: string): ProbeSite[] {
  const elf = elfOf(m);
  const sites: ProbeSite[] = [];
  const seen = new Set<number>();
  for (const s of elf.symbolsNamed(name)) {
    if (!s.defined || s.value === 0 || seen.has(s.value)) continue;
    if (s.type === "IFUNC")
      throw new ResolveError(`${name} in ${m.name} is an IFUNC resolver, not the code that runs; trace the implementation it selects (e.g. __${name}_avx2_unaligned)`);
    if (s.type !== "FUNC") continue;
    seen.add(s.value);
    sites.push(site(m, s.value, name));
  }
  return sites;
}
