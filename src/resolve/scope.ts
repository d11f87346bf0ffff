// What a user can name at a PC: the chain of scopes around it (inlined
// calls, lexical blocks, the function) and the unit's globals, each variable
// with its location at exactly that PC. gdb's `info scope` and
// `perf probe --vars` answer the same question.
import type { CallFrameInfo } from "../dwarf/cfi/index.ts";
import { DW_AT, DW_TAG, type Die, type DwarfFile } from "../dwarf/index.ts";
import { DW_OP } from "../dwarf/expr/index.ts";
import { locationOf, type VariableLocation } from "./location.ts";
import type { SiteLinkage } from "./linkage.ts";

export type VariableKind = "parameter" | "local" | "static local" | "global" | "file static";

export interface ScopeVariable {
  name: string;
  kind: VariableKind;
  /** The DIE holding the location (a concrete or inlined instance). */
  die: Die;
  /** The DIE holding name, type and declaration (abstract origin or specification, else `die`). */
  decl: Die;
  location: VariableLocation;
  /** Depth of the scope that declares it: 0 for globals, higher is more nested. */
  depth: number;
}

export interface Scope {
  pc: number;
  /** Outermost first: the function (or inlined call) chain containing `pc`, ending at the innermost block. */
  chain: Die[];
  /** The innermost concrete function containing `pc`. */
  fn?: Die;
  variables: ScopeVariable[];
  /** Globals as the program links them: interposed exports, other modules' globals (src/resolve/linkage.ts). */
  linkage?: SiteLinkage;
}

const BLOCK_TAGS = new Set<number>([DW_TAG.subprogram, DW_TAG.lexical_block, DW_TAG.inlined_subroutine]);

function contains(die: Die, pc: number): boolean {
  return die.ranges().some((r) => pc >= r.begin && pc < r.end);
}

/** The DIE that carries a variable's name and type: follow abstract_origin / specification. */
function declOf(die: Die): Die {
  let d = die;
  for (let i = 0; i < 8; i++) {
    const o = d.origin();
    if (!o) break;
    d = o;
  }
  return d;
}

/** The scope chain (function, inlined calls, blocks) containing `pc`, outermost first. */
export function scopeChainAt(dwarf: DwarfFile, pc: number): Die[] {
  const unit = dwarf.unitForAddress(pc);
  if (!unit) return [];
  const chain: Die[] = [];
  let parent: Die = unit.root();
  // Descend through namespaces/classes (C++ member functions) and into the innermost block holding pc.
  for (let depth = 0; depth < 256; depth++) {
    let next: Die | undefined;
    for (let c = parent.firstChild(); c; c = c.nextSibling()) {
      if (BLOCK_TAGS.has(c.tag) ? contains(c, pc) : c.hasChildren && isContainer(c.tag) && containsDeep(c, pc)) {
        next = c;
        break;
      }
    }
    if (!next) break;
    if (BLOCK_TAGS.has(next.tag)) chain.push(next);
    parent = next;
  }
  return chain;
}

function isContainer(tag: number): boolean {
  return tag === DW_TAG.namespace || tag === DW_TAG.class_type || tag === DW_TAG.structure_type;
}

/** Does a namespace/class hold a function whose ranges cover pc? (Bounded: only direct children are checked.) */
function containsDeep(die: Die, pc: number): boolean {
  for (let c = die.firstChild(); c; c = c.nextSibling()) {
    if (c.tag === DW_TAG.subprogram && contains(c, pc)) return true;
    if (isContainer(c.tag) && c.hasChildren && containsDeep(c, pc)) return true;
  }
  return false;
}

/** Every variable visible at `pc`, innermost first; inner declarations hide outer ones of the same name. */
export function scopeAt(dwarf: DwarfFile, cfi: CallFrameInfo | undefined, pc: number): Scope {
  const chain = scopeChainAt(dwarf, pc);
  const seen = new Set<string>();
  const variables: ScopeVariable[] = [];
  const add = (die: Die, kind: VariableKind, depth: number) => {
    const decl = declOf(die);
    const name = decl.name();
    if (!name || seen.has(name)) return;
    seen.add(name);
    variables.push({ name, kind, die, decl, location: locationOf(die, pc, cfi), depth });
  };
  // A block's variables are in scope at the PC; an inlined call's parameters too.
  for (let i = chain.length - 1; i >= 0; i--) {
    const scope = chain[i]!;
    for (let c = scope.firstChild(); c; c = c.nextSibling()) {
      if (c.tag === DW_TAG.formal_parameter) add(c, "parameter", i + 1);
      else if (c.tag === DW_TAG.variable) add(c, isStaticLocal(c) ? "static local" : "local", i + 1);
    }
  }
  const unit = chain[0]?.unit ?? dwarf.unitForAddress(pc);
  if (unit) {
    for (let c = unit.root().firstChild(); c; c = c.nextSibling()) {
      if (c.tag !== DW_TAG.variable) continue;
      const decl = declOf(c);
      // A declaration without a location (extern int x;) is defined in another unit; skip it here.
      if (c.isDeclaration() && !c.has(DW_AT.location)) continue;
      add(c, decl.isExternal() ? "global" : "file static", 0);
    }
  }
  const fn = [...chain].reverse().find((d) => d.tag === DW_TAG.subprogram);
  return { pc, chain, fn, variables };
}

function isStaticLocal(die: Die): boolean {
  const loc = die.attr(DW_AT.location);
  // A function-local variable with a fixed address (DW_OP_addr) is a static.
  return !!loc && loc.kind === "exprloc" && (loc.bytes[0] === DW_OP.addr || loc.bytes[0] === DW_OP.addrx);
}
