// The functions a module offers to trace: from DWARF the concrete functions
// with their declaration's file:line (C++ as gdb lists them: demangled, with
// parameters), else the ELF symbol table's functions (no file:line).
import { basename } from "node:path";
import pc from "picocolors";
import { DW_TAG } from "../../dwarf/index.ts";
import { languageOf } from "../../dwarf/types/index.ts";
import { formatSignature } from "../../dwarf/demangle/signature.ts";
import type { ElfFile } from "../../elf/index.ts";
import type { DebugInfo } from "../../resolve/index.ts";
import { displayName, signatureOf } from "../../resolve/function-names.ts";
import { functionLabel } from "../../resolve/places.ts";
import type { Choice } from "./prompt.ts";

export interface FunctionEntry {
  /** How a trace point names it (`serve`, `ns::Widget::resize(int)` when overloads must be told apart). */
  pattern: string;
  /** How a person reads it: the C name, or the demangled C++ signature. */
  label: string;
  /** file:line of its declaration, when the debug info says. */
  where?: string;
  file?: string;
}

export function dwarfFunctions(info: DebugInfo): FunctionEntry[] {
  const found: (FunctionEntry & { name: string; params?: string })[] = [];
  for (const unit of info.dwarf.compileUnits()) {
    for (let i = 1; i < unit.dieCount; i++) {
      const d = unit.dieByIndex(i);
      if (d.tag !== DW_TAG.subprogram || (d.lowPc() === undefined && d.ranges().length === 0)) continue;
      const file = info.declFile(d);
      const line = d.declLine() ?? d.origin()?.declLine();
      const where = file ? `${basename(file)}:${line ?? "?"}` : undefined;
      if (languageOf(d.origin() ?? d) === "c++") {
        const sig = signatureOf(info, d);
        found.push({ name: sig.name, params: sig.params?.join(", "), pattern: sig.name, label: formatSignature(sig), where, file });
      } else {
        const name = functionLabel(d.origin() ?? d);
        found.push({ name, pattern: name, label: name, where, file });
      }
    }
  }
  // A C++ name with several parameter lists: each entry names its own overload.
  const lists = new Map<string, Set<string | undefined>>();
  for (const f of found) (lists.get(f.name) ?? lists.set(f.name, new Set()).get(f.name)!).add(f.params);
  for (const f of found) if (lists.get(f.name)!.size > 1 && f.params !== undefined) f.pattern = `${f.name}(${f.params})`;
  return unique(found.map(({ pattern, label, where, file }) => ({ pattern, label, where, file })));
}

export function symbolFunctions(elf: ElfFile): FunctionEntry[] {
  return unique(elf.functionSymbols().map((s) => ({ pattern: displayName(s.name), label: displayName(s.name) })));
}

/** One entry per function as people see it (constructors have several copies), sorted by name. */
function unique(fns: FunctionEntry[]): FunctionEntry[] {
  const seen = new Set<string>();
  return fns
    .filter((f) => {
      const key = `${f.label}\0${f.where ?? ""}`;
      return !seen.has(key) && (seen.add(key), true);
    })
    .sort((a, b) => a.label.localeCompare(b.label) || (a.where ?? "").localeCompare(b.where ?? ""));
}

export function functionChoices(fns: FunctionEntry[]): Choice<FunctionEntry>[] {
  const width = Math.min(48, Math.max(0, ...fns.map((f) => f.label.length)));
  return fns.map((f) => ({
    value: f,
    label: f.where ? `${f.label.padEnd(width)}  ${pc.dim(f.where)}` : f.label,
    search: `${f.label} ${f.file ?? ""}`.toLowerCase(),
  }));
}

/** An exact name first, then names that start with the query, then the rest (each in name order). */
export function rankByName(query: string, c: Choice<FunctionEntry>): number {
  const name = c.value.pattern.toLowerCase();
  return name === query ? 2 : name.startsWith(query) ? 1 : 0;
}
