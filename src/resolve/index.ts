// Trace points → probe sites: where in which file a uprobe goes. With debug
// info a function is probed where gdb's `break FUNC` stops (after the
// prologue), and FILE:LINE / 0xADDR resolve through the line table; without
// it, a function is found by its ELF symbol and probed at its first
// instruction, and only special variables can be printed there.
import type { TracePattern } from "../script/index.ts";
import type { Die } from "../dwarf/index.ts";
import { closeMatches } from "../elf/index.ts";
import { DebugInfo } from "./debuginfo.ts";
import { displayName, matchFunctions, matchSymbols, symbolTableMayDefine } from "./function-names.ts";
import { elfOf, matchModule, ResolveError, type ModuleRef } from "./modules.ts";
import { placesFor, type Place } from "./places.ts";
import type { LocationSpec } from "./spec.ts";

export { ResolveError, elfOf, matchModule, moduleCandidates, type ModuleRef } from "./modules.ts";
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

/** Where MODULE:0xADDR looks when that is wider than the modules searched for names (-t EXECUTABLE: it and the libraries it links). */
export interface ModuleSearch {
  modules: ModuleRef[];
  /** For "no module matching X in …". */
  what: string;
}

/** Every probe site of a trace pattern across the given modules. Throws ResolveError when there is none. */
export function resolvePattern(
  pattern: TracePattern,
  modules: ModuleRef[],
  /** `tick`: called once per copy of a function found, for a progress display (cli/progress.ts). */
  opts: { debugFile?: string; note?: (line: string) => void; moduleSearch?: ModuleSearch; tick?: () => void } = {},
): ProbeSite[] {
  const spec = specOf(pattern);
  if (spec.kind === "line") return lineSites(spec, modules, opts.debugFile);
  if (spec.kind === "address" || spec.kind === "moduleAddress") {
    const wide = spec.kind === "moduleAddress" ? opts.moduleSearch : undefined;
    const m = spec.kind === "address" ? addressModule(spec.address, modules) : matchModule(wide?.modules ?? modules, spec.module, wide?.what ?? searchable(modules));
    // -t EXECUTABLE naming one of its libraries: the uprobe is on that file, which other programs may map too.
    if (wide && spec.kind === "moduleAddress" && m.readPath !== modules[0]?.readPath)
      opts.note?.(`wraith: trace ${spec.module}:0x${spec.address.toString(16)} is in ${m.name}: its probe fires in every process that maps it, not only in those running ${modules[0]?.name}`);
    return addressSites(spec.address, m, m === modules[0] ? opts.debugFile : undefined);
  }
  const sites: ProbeSite[] = [];
  for (const m of modules) {
    // A module whose symbol table does not name the function cannot hold it: skip its DWARF (libc's, say).
    // The target binary itself is always searched: a function inlined everywhere (always_inline) has no symbol.
    if (m !== modules[0] && !mayDefine(m, spec.name)) continue;
    const info = debugInfoFor(m, opts.debugFile);
    let copies: { address: number; fn: Die }[] = [];
    if (info) {
      // The first lookup scans the module's DWARF for names: let the display tick per unit read.
      info.dwarf.onUnitScanned = opts.tick;
      try {
        copies = functionCopies(info, spec.name, opts.note, opts.tick);
      } finally {
        info.dwarf.onUnitScanned = undefined;
      }
    }
    if (info && copies.length > 0) for (const c of copies) sites.push(site(m, c.address, spec.name, info, c.fn));
    else sites.push(...symbolSites(m, spec.name));
    // The first module that defines it wins (the executable comes first), as a name means
    // the program's own function before a library's; -t names a library explicitly.
    if (sites.length > 0) break;
  }
  if (sites.length > 0) return sites;
  const where = modules.length === 1 ? modules[0]!.name : `${modules[0]?.name ?? "the target"} or its ${modules.length - 1} libraries`;
  const names = modules.flatMap((m) => elfOf(m).functionSymbols().map((s) => displayName(s.name)));
  const near = closeMatches(spec.name, names, 3);
  const hint = near.length > 0 ? `; did you mean ${near.join(", ")}?` : "; list the functions with: wraith info functions -t " + (modules[0]?.name ?? "BINARY");
  throw new ResolveError(`function ${spec.name} not found in ${where}${hint}`);
}

/**
 * Every place `break NAME` stops, as gdb counts them: each out-of-line copy
 * after its prologue, and each inlined copy with code where gdb 13 puts it
 * (DebugInfo.inlinedBreakpointAddress). NAME is matched as
 * gdb does for C++ too (function-names.ts); a name matching several overloads
 * takes them all and says so through `note`, and a parameter list matching
 * none of them lists those that exist.
 */
function functionCopies(info: DebugInfo, name: string, note?: (line: string) => void, tick?: () => void): { address: number; fn: Die }[] {
  const out: { address: number; fn: Die }[] = [];
  const seen = new Set<number>();
  const { matches, overloads } = matchFunctions(info, name);
  if (matches.length === 0 && overloads.length > 0)
    throw new ResolveError(`${name} matches no function; ${overloads.length === 1 ? "there is" : `there are ${overloads.length}:`} ${overloads.join(", ")}`);
  const used = new Set<string>();
  for (const { die: d, signature } of matches) {
    for (const inst of info.dwarf.inlinedInstances(d)) {
      tick?.();
      const address = inst.kind === "concrete" ? info.breakpointAddress(inst.die) : info.inlinedBreakpointAddress(inst.die, inst.function);
      if (address === undefined || seen.has(address)) continue;
      seen.add(address);
      used.add(signature);
      out.push({ address, fn: inst.kind === "concrete" ? inst.die : (info.functionAt(address) ?? inst.die) });
    }
  }
  if (used.size > 1) note?.(`wraith: ${name} matches ${used.size} overloads: ${[...used].sort().join(", ")}`);
  return out.sort((a, b) => a.address - b.address);
}

/**
 * Could this module define a function `name`? With a full symbol table
 * (.symtab) the answer is reliable for C names: the function or one of gcc's
 * clones (name.constprop.0, …) is listed; for C++ names, a mangled symbol
 * holding the name (function-names.ts). Stripped modules are always searched.
 */
function mayDefine(m: ModuleRef, name: string): boolean {
  const elf = elfOf(m);
  return elf.symbolTable("symtab").length === 0 || symbolTableMayDefine(elf, name);
}

function specOf(p: TracePattern): LocationSpec {
  switch (p.kind) {
    case "FunctionPattern":
      return { kind: "function", name: p.name };
    case "SourceLinePattern":
      return { kind: "line", file: p.file, line: p.line };
    case "AddressPattern":
      return { kind: "address", address: Number(p.address) };
    case "ModuleAddressPattern":
      return { kind: "moduleAddress", module: p.module, address: Number(p.address) };
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
  // C++ names: the demangled symbols (no exact symbol is named `ns::Widget::resize`).
  if (sites.length === 0) for (const { symbol: s } of matchSymbols(elf, name)) if (s.value !== 0 && !seen.has(s.value)) seen.add(s.value), sites.push(site(m, s.value, name));
  return sites;
}

/** What a module name is looked up in, for messages. */
function searchable(modules: ModuleRef[]): string {
  return modules.length === 1 ? `the target ${modules[0]!.name} (-t names one file; use -p PID to search a process's libraries)` : "the process";
}

/**
 * FILE:LINE in every module that has debug info for that file (the
 * executable first): a header's inline function can have code in several.
 * A suffix matching several files within one module lists them.
 */
function lineSites(spec: Extract<LocationSpec, { kind: "line" }>, modules: ModuleRef[], debugFile?: string): ProbeSite[] {
  const sites: ProbeSite[] = [];
  let firstError: ResolveError | undefined;
  let withDebug = 0;
  for (const [i, m] of modules.entries()) {
    const info = debugInfoFor(m, i === 0 ? debugFile : undefined);
    if (!info) continue;
    withDebug++;
    let places: Place[];
    try {
      places = placesFor(info, spec);
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      // An ambiguous suffix is the user's to settle, wherever it is found.
      if (/ is ambiguous in /.test(e.message)) throw e;
      firstError ??= e;
      continue;
    }
    for (const pl of places) sites.push(site(m, pl.address, pl.fn?.name() ?? `0x${pl.address.toString(16)}`, info, pl.fn));
  }
  if (sites.length > 0) return sites;
  if (withDebug === 0) {
    const m = modules[0]!;
    throw new ResolveError(`${modules.length === 1 ? m.name : `no module of the process (${m.name} and ${modules.length - 1} libraries)`} has no debug info, so ${spec.file}:${spec.line} cannot be found; rebuild it with -g`);
  }
  if (modules.length > 1 && firstError && /^no source file matching/.test(firstError.message))
    throw new ResolveError(`no source file matching ${spec.file} in the debug info of ${modules[0]!.name} or its ${modules.length - 1} libraries`);
  throw firstError!;
}

/**
 * The module a bare 0xADDR means: the target binary; with -p, the first
 * module (the executable first) with executable code at that address.
 */
function addressModule(address: number, modules: ModuleRef[]): ModuleRef {
  if (modules.length === 1) return modules[0]!;
  const m = modules.find((mod) => elfOf(mod).segments().some((s) => s.type === 1 /* PT_LOAD */ && (s.flags & 1) /* PF_X */ && address >= s.vaddr && address < s.vaddr + s.memsz));
  if (!m) throw new ResolveError(`0x${address.toString(16)} is in no executable segment of ${modules[0]!.name} or its libraries; give the module: MODULE:0x${address.toString(16)}`);
  return m;
}

function addressSites(address: number, m: ModuleRef, debugFile?: string): ProbeSite[] {
  const info = debugInfoFor(m, debugFile);
  const places = info ? placesFor(info, { kind: "address", address }) : [{ address, fn: undefined }];
  return places.map((pl) => site(m, pl.address, pl.fn?.name() ?? elfOf(m).functionContaining(pl.address)?.name ?? `0x${pl.address.toString(16)}`, info, pl.fn));
}
