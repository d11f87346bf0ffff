// The name index: function, variable, type and namespace names → DIEs.
//
// Built by one fast pass over every unit's DIE bytes without building DIE
// trees: attributes of uninteresting DIEs are skipped by form (a fixed
// length per abbreviation, usually), and only DIEs at namespace, class or
// unit scope — the ones reachable by name from outside a function — decode
// their name attributes. Each DIE is indexed under its plain name, its
// qualified name (ns::Class::member) and its linkage name.

import type { Abbrev } from "./abbrev.ts";
import { DW_AT, DW_TAG } from "./constants.ts";
import { SCOPE_TAGS } from "./die.ts";
import { type AttrValue, readFormValue, skipForm } from "./forms.ts";
import type { Unit, UnitSection } from "./unit.ts";

export type NameKind = "function" | "variable" | "type" | "namespace";

export interface IndexEntry {
  kind: NameKind;
  /** DW_AT_name (from the declaration, for out-of-line definitions and concrete instances). */
  name: string;
  /** Name with its enclosing namespaces and classes: "ns::Class::method". Same as name at top level. */
  qualifiedName: string;
  linkageName?: string;
  /** Section offset of the DIE. */
  offset: number;
  section: UnitSection;
  tag: number;
  /** DW_AT_declaration: a declaration only (a prototype, an incomplete type, an extern). */
  declaration: boolean;
  /** Functions: has DW_AT_low_pc, DW_AT_ranges or DW_AT_entry_pc, i.e. code of its own. */
  hasCode: boolean;
  /** DW_AT_inline says it was inlined (an abstract instance: its code lives in its inlined copies). */
  inlined: boolean;
  /** DW_AT_external. */
  external: boolean;
}

/** How to resolve a DIE that names nobody itself (a specification or abstract_origin target elsewhere). */
export type ResolveOrigin = (unit: Unit, ref: AttrValue) => { name?: string; qualifiedName?: string; linkageName?: string } | undefined;

const KIND_OF_TAG = new Map<number, NameKind>([
  [DW_TAG.subprogram, "function"],
  [DW_TAG.variable, "variable"],
  [DW_TAG.base_type, "type"],
  [DW_TAG.structure_type, "type"],
  [DW_TAG.class_type, "type"],
  [DW_TAG.union_type, "type"],
  [DW_TAG.enumeration_type, "type"],
  [DW_TAG.typedef, "type"],
  [DW_TAG.interface_type, "type"],
  [DW_TAG.unspecified_type, "type"],
  [DW_TAG.namespace, "namespace"],
  // C++ static data members are DW_TAG_member declarations inside the class in DWARF 4.
  [DW_TAG.member, "variable"],
]);

// Tags whose children are local to a function: nothing inside is indexed.
const LOCAL_SCOPE_TAGS = new Set<number>([DW_TAG.subprogram, DW_TAG.lexical_block, DW_TAG.inlined_subroutine, DW_TAG.entry_point]);

const WANTED = new Set<number>([
  DW_AT.name,
  DW_AT.linkage_name,
  DW_AT.MIPS_linkage_name,
  DW_AT.declaration,
  DW_AT.specification,
  DW_AT.abstract_origin,
  DW_AT.low_pc,
  DW_AT.ranges,
  DW_AT.entry_pc,
  DW_AT.inline,
  DW_AT.external,
]);

interface Frame {
  /** "ns::Class::" — the qualified prefix for children. */
  prefix: string;
  /** Inside a function: children are locals, not indexed. */
  local: boolean;
  /** A class/struct/union: its DW_TAG_member children are data members (only static ones are indexed). */
  record: boolean;
}

export class NameIndex {
  private readonly byName = new Map<string, IndexEntry[]>();
  readonly entries: IndexEntry[] = [];

  add(e: IndexEntry): void {
    this.entries.push(e);
    this.put(e.name, e);
    if (e.qualifiedName !== e.name) this.put(e.qualifiedName, e);
    if (e.linkageName && e.linkageName !== e.name) this.put(e.linkageName, e);
  }

  private put(key: string, e: IndexEntry): void {
    const list = this.byName.get(key);
    if (!list) this.byName.set(key, [e]);
    else if (!list.includes(e)) list.push(e);
  }

  /**
   * Entries named `name` — plain, qualified or linkage name — of `kind` if
   * given. Definitions come before declarations, and functions with code
   * before abstract ones.
   */
  lookup(name: string, kind?: NameKind): IndexEntry[] {
    const list = this.byName.get(name) ?? [];
    const out = kind ? list.filter((e) => e.kind === kind) : list.slice();
    return out.sort((a, b) => rank(a) - rank(b) || a.offset - b.offset);
  }

  /** Every distinct key (names, qualified and linkage names) with at least one entry of `kind`. */
  names(kind?: NameKind): string[] {
    const out: string[] = [];
    for (const [k, list] of this.byName) if (!kind || list.some((e) => e.kind === kind)) out.push(k);
    return out;
  }

  get size(): number {
    return this.entries.length;
  }
}

function rank(e: IndexEntry): number {
  return (e.declaration ? 4 : 0) + (e.kind === "function" && !e.hasCode ? 2 : 0);
}

interface Pending {
  entry: Omit<IndexEntry, "name" | "qualifiedName">;
  unit: Unit;
  ref: AttrValue;
  ownName?: string;
}

/**
 * Scan `units` into `index`. DIEs whose name lives on another DIE
 * (DW_AT_specification / DW_AT_abstract_origin) are resolved after the pass,
 * from the entries already seen or, failing that, through `resolve`.
 * `onUnit` is called after each unit is scanned (a progress display's tick).
 */
export function buildNameIndex(units: Iterable<Unit>, resolve: ResolveOrigin, index = new NameIndex(), onUnit?: () => void): NameIndex {
  const byOffset = new Map<string, IndexEntry>();
  const pending: Pending[] = [];
  for (const unit of units) {
    scanUnit(unit, index, byOffset, pending);
    onUnit?.();
  }
  // Targets may themselves be pending (a concrete instance → its abstract
  // origin → the in-class declaration), so resolve in rounds from what is
  // known, then ask `resolve` for whatever is left.
  let left = pending;
  for (let round = 0; left.length > 0; round++) {
    const next: Pending[] = [];
    const lastRound = round >= 3;
    for (const p of left) {
      const target = p.ref.kind === "ref" || p.ref.kind === "refAddr" ? byOffset.get(key(p.ref.kind === "ref" ? p.unit.section : ".debug_info", p.ref.offset)) : undefined;
      let name = target?.name ?? p.ownName;
      let qualifiedName = target?.qualifiedName;
      let linkageName = p.entry.linkageName ?? target?.linkageName;
      if (target === undefined) {
        if (!lastRound) {
          next.push(p);
          continue;
        }
        const r = resolve(p.unit, p.ref);
        name = r?.name ?? p.ownName;
        qualifiedName = r?.qualifiedName ?? name;
        linkageName ??= r?.linkageName;
      }
      if (name === undefined && linkageName === undefined) continue;
      const e: IndexEntry = { ...p.entry, name: name ?? linkageName!, qualifiedName: qualifiedName ?? name ?? linkageName!, linkageName };
      index.add(e);
      byOffset.set(key(p.unit.section, p.entry.offset), e);
    }
    if (next.length === left.length && !lastRound) round = 2; // no progress: go to the last round
    left = next;
  }
  return index;
}

function key(section: UnitSection, offset: number): string {
  return section === ".debug_info" ? String(offset) : `t${offset}`;
}

function scanUnit(unit: Unit, index: NameIndex, byOffset: Map<string, IndexEntry>, pending: Pending[]): void {
  const abbrevs = unit.abbrevs;
  const r = unit.reader(unit.firstDieOffset);
  const bytes = r.bytes;
  const end = unit.end;
  const stack: Frame[] = [];
  while (r.pos < end) {
    const at = r.pos;
    let code = bytes[at]!;
    if (code < 0x80) r.pos = at + 1;
    else code = r.uleb();
    if (code === 0) {
      if (stack.length === 0) continue;
      stack.pop();
      if (stack.length === 0) return;
      continue;
    }
    const abbrev: Abbrev = abbrevs.get(code) ?? r.fail(`abbreviation code ${code} is not in the table at .debug_abbrev 0x${abbrevs.offset.toString(16)}`, at);
    const parent = stack.length ? stack[stack.length - 1]! : undefined;
    const tag = abbrev.tag;
    const kind = parent && !parent.local ? KIND_OF_TAG.get(tag) : undefined;
    let prefixForChildren = parent?.prefix ?? "";
    if (kind === undefined || (tag === DW_TAG.member && !parent!.record)) {
      const fixed = unit.attrBytes(abbrev);
      if (fixed !== undefined) r.skip(fixed);
      else for (const a of abbrev.attrs) skipForm(r, a.form, unit);
    } else {
      let name: string | undefined;
      let linkageName: string | undefined;
      let declaration = false;
      let hasCode = false;
      let inlined = false;
      let external = false;
      let ref: AttrValue | undefined;
      for (const a of abbrev.attrs) {
        if (!WANTED.has(a.name)) {
          skipForm(r, a.form, unit);
          continue;
        }
        const v = readFormValue(r, a.form, unit, a.implicitConst);
        switch (a.name) {
          case DW_AT.name:
            name = unit.string(v);
            break;
          case DW_AT.linkage_name:
          case DW_AT.MIPS_linkage_name:
            linkageName = unit.string(v);
            break;
          case DW_AT.declaration:
            declaration = v.kind === "flag" && v.value;
            break;
          case DW_AT.external:
            external = v.kind === "flag" && v.value;
            break;
          case DW_AT.specification:
          case DW_AT.abstract_origin:
            ref ??= v;
            break;
          case DW_AT.low_pc:
          case DW_AT.ranges:
          case DW_AT.entry_pc:
            hasCode = true;
            break;
          case DW_AT.inline:
            inlined = v.kind === "constant" && (v.value === 1 || v.value === 3);
            break;
        }
      }
      // Data members are indexed only when static (a declaration in the class).
      const skip = tag === DW_TAG.member && !declaration;
      const base = { kind, linkageName, offset: at, section: unit.section, tag, declaration, hasCode, inlined, external };
      if (!skip && ref && (kind === "function" || kind === "variable")) {
        // Named by (or scoped like) its declaration or abstract origin.
        pending.push({ entry: base, unit, ref, ownName: name });
      } else if (!skip && name !== undefined) {
        const qualifiedName = parent!.prefix + name;
        const e: IndexEntry = { ...base, name, qualifiedName };
        index.add(e);
        byOffset.set(key(unit.section, at), e);
      } else if (!skip && linkageName !== undefined) {
        const e: IndexEntry = { ...base, name: linkageName, qualifiedName: linkageName };
        index.add(e);
      }
      if (SCOPE_TAGS.has(tag)) prefixForChildren += `${name ?? (tag === DW_TAG.namespace ? "(anonymous namespace)" : "(anonymous)")}::`;
    }
    if (abbrev.hasChildren) {
      stack.push({
        prefix: prefixForChildren,
        local: (parent?.local ?? false) || LOCAL_SCOPE_TAGS.has(tag),
        record: tag === DW_TAG.structure_type || tag === DW_TAG.class_type || tag === DW_TAG.union_type,
      });
    }
    if (stack.length === 0) return; // a childless root: nothing more in this unit
  }
}
