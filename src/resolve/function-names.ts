// Function names as gdb's `break NAME` matches them, for C and C++:
//   NAME                      every function whose qualified name ends with NAME at a `::`
//                             boundary (gdb's wild matching): `resize`, `Widget::resize`,
//                             `ns::Widget::resize`, `~Widget`, `operator==`
//   NAME(T1, T2) [const]      only the overloads with exactly those parameter types
//   box::get                  a component without template arguments matches every instantiation
//   _ZN2ns6Widget6resizeEi    a linkage (mangled) name: exactly that function
// DWARF is the source of truth (qualified names from the index, signatures from
// the demangled DW_AT_linkage_name, else from the DIE's parameter types); ELF
// symbols, demangled, stand in for modules without DWARF.
import { demangle, isMangled } from "../dwarf/demangle/index.ts";
import { formatSignature, nameComponents, normalizeParams, normalizeType, splitSignature, wildMatch, type Signature } from "../dwarf/demangle/signature.ts";
import { DW_AT, DW_TAG, type Die, type DwarfFile } from "../dwarf/index.ts";
import { typeName } from "../dwarf/types/index.ts";
import type { ElfFile, ElfSymbol } from "../elf/index.ts";
import type { DebugInfo } from "./debuginfo.ts";
import { typeModel } from "./types.ts";

export interface FunctionQuery {
  /** The text as written (normalised spaces). */
  text: string;
  /** Components of the name part: ["ns", "Widget", "resize"]. */
  components: string[];
  /** Normalised parameter types when the pattern has a list. */
  params?: string[];
  /** Trailing qualifiers (`const`), normalised; "" when none were written. */
  quals: string;
  /** A linkage (mangled) name: matched exactly. */
  mangled: boolean;
  /** A plain identifier (a C name): the symbol-table shortcuts apply. */
  plain: boolean;
}

export function parseFunctionQuery(text: string): FunctionQuery {
  const t = text.trim();
  if (isMangled(t)) return { text: t, components: [t], quals: "", mangled: true, plain: false };
  const sig = splitSignature(t);
  return {
    text: t,
    components: nameComponents(sig.name),
    params: sig.params?.map(normalizeType),
    quals: sig.quals,
    mangled: false,
    plain: /^[A-Za-z_][A-Za-z0-9_]*$/.test(t),
  };
}

/**
 * The identifier a mangled name of a matching function must contain as an
 * Itanium <source-name> (`6resize`), or undefined when there is none to look
 * for (operators).
 */
export function sourceNameOf(q: FunctionQuery): string | undefined {
  if (q.mangled) return undefined;
  let last = q.components[q.components.length - 1] ?? "";
  if (last.startsWith("~")) last = last.slice(1);
  if (last.startsWith("operator")) return undefined;
  const lt = last.indexOf("<");
  if (lt > 0) last = last.slice(0, lt);
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(last) ? `${last.length}${last}` : undefined;
}

export interface FunctionMatch {
  /** A matching subprogram DIE (definition, declaration or abstract instance: its copies are found from it). */
  die: Die;
  /** How gdb lists it: `ns::Widget::resize(int, int)`. */
  signature: string;
}

/** Every function DIE the query names, before any parameter filtering is applied: see matchFunctions. */
function candidates(dwarf: DwarfFile, q: FunctionQuery): Die[] {
  if (q.mangled) return dwarf.findFunctions(q.text);
  const last = q.components[q.components.length - 1]!;
  // The index files every function under its plain name too (its last component).
  let entries = dwarf.lookup(last, "function");
  if (entries.length === 0 && !last.includes("<") && !last.startsWith("operator")) {
    // `box::get` finds `box<int>::get` through `get`; a template function `twice` is filed as `twice<int>`.
    const prefix = `${last}<`;
    entries = dwarf.index().entries.filter((e) => e.kind === "function" && e.name.startsWith(prefix));
  }
  const out: Die[] = [];
  for (const e of entries) if (wildMatch(nameComponents(e.qualifiedName), q.components)) out.push(dwarf.entryDie(e));
  return out;
}

/**
 * Functions in the DWARF matching `text`, each with its signature, filtered by
 * the parameter list and qualifiers when the text has them. `overloads` lists
 * every signature the name matched before that filtering (for messages).
 */
export function matchFunctions(info: DebugInfo, text: string): { matches: FunctionMatch[]; overloads: string[] } {
  const q = parseFunctionQuery(text);
  const all = candidates(info.dwarf, q).map((die) => ({ die, sig: signatureOf(info, die) }));
  const overloads = [...new Set(all.map((m) => formatSignature(m.sig)))].sort();
  const matches = all.filter((m) => paramsMatch(q, m.sig)).map((m) => ({ die: m.die, signature: formatSignature(m.sig) }));
  return { matches, overloads };
}

function paramsMatch(q: FunctionQuery, sig: Signature): boolean {
  if (q.params === undefined) return true;
  const have = normalizeParams((sig.params ?? []).join(", "));
  if (have.length !== q.params.length || have.some((p, i) => p !== q.params![i])) return false;
  return q.quals === "" || q.quals === sig.quals;
}

const signatures = new WeakMap<Die, Signature>();

/** A function's signature: its demangled linkage name, else built from the DIE (qualified name and parameter types). */
export function signatureOf(info: DebugInfo, die: Die): Signature {
  let s = signatures.get(die);
  if (s) return s;
  const linkage = die.linkageName();
  const demangled = linkage ? demangle(linkage) : undefined;
  if (demangled) s = splitSignature(demangled);
  else {
    const decl = die.origin() ?? die;
    const model = typeModel(info);
    const params: string[] = [];
    let quals = "";
    for (let c = decl.firstChild(); c; c = c.nextSibling()) {
      if (c.tag === DW_TAG.formal_parameter) {
        const t = model.typeOf(c);
        if (!c.flag(DW_AT.artificial)) params.push(normalizeType(typeName(t, { language: "c++" })));
        // `this` as a pointer to const: a const member function.
        else if (t.kind === "pointer" && typeName(t.target, { language: "c++" }).startsWith("const ")) quals = "const";
      } else if (c.tag === DW_TAG.unspecified_parameters) params.push("...");
    }
    s = { name: die.qualifiedName() ?? die.name() ?? linkage ?? "?", params, quals };
  }
  signatures.set(die, s);
  return s;
}

/**
 * ELF function symbols matching the query, by demangled name, for modules
 * without DWARF. Mangled symbols are demangled only when they contain the
 * name's source-name (cheap substring test), so libstdc++'s thousands stay cheap.
 */
export function matchSymbols(elf: ElfFile, text: string): { symbol: ElfSymbol; signature: string }[] {
  const q = parseFunctionQuery(text);
  if (q.mangled || q.plain) {
    // Exact symbol names (C functions, extern "C", linkage names) first.
    const exact = elf.functionSymbols().filter((s) => s.name === q.text);
    if (exact.length > 0 || q.mangled) return exact.map((symbol) => ({ symbol, signature: demangle(symbol.name) ?? symbol.name }));
  }
  const needle = sourceNameOf(q);
  const out: { symbol: ElfSymbol; signature: string }[] = [];
  for (const s of elf.functionSymbols()) {
    if (!s.name.startsWith("_Z") || (needle !== undefined && !s.name.includes(needle))) continue;
    const d = demangle(s.name);
    if (!d) continue;
    const sig = splitSignature(d);
    if (wildMatch(nameComponents(sig.name), q.components) && paramsMatch(q, sig)) out.push({ symbol: s, signature: formatSignature(sig) });
  }
  return out;
}

/**
 * Could a module with this full symbol table define a function matching the
 * query? Exact names and gcc clones (`name.constprop.0`) for C names; for C++,
 * a mangled function symbol holding the name's source-name. Operators: yes.
 */
export function symbolTableMayDefine(elf: ElfFile, text: string): boolean {
  const q = parseFunctionQuery(text);
  if (q.plain || q.mangled) {
    if (elf.symbolsNamed(q.text).some((s) => s.defined)) return true;
    const prefix = `${q.text}.`;
    if (elf.functionSymbols().some((s) => s.name.startsWith(prefix))) return true;
    if (q.mangled) return false;
  }
  const needle = sourceNameOf(q);
  if (needle === undefined) return true;
  return elf.functionSymbols().some((s) => s.name.startsWith("_Z") && s.name.includes(needle));
}

/** A symbol as people read it: demangled and without its parameter list (`ns::Widget::resize`), else as is. */
export function displayName(symbol: string): string {
  const d = symbol.startsWith("_Z") ? demangle(symbol) : undefined;
  return d ? splitSignature(d).name : symbol;
}
