// Die: a handle on one debugging information entry — (unit, index), nothing
// decoded up front. Attribute bytes are read when asked for, and values come
// back typed (forms.ts); the getters below resolve them against the unit's
// string, address and reference tables.

import type { Abbrev } from "./abbrev.ts";
import { DW_AT, DW_TAG, atName, tagName } from "./constants.ts";
import { type AttrValue, readFormValue, skipForm } from "./forms.ts";
import { readRangeList } from "./lists.ts";
import { DwarfError } from "./reader.ts";
import type { Unit } from "./unit.ts";

/** A half-open address range [begin, end). */
export interface PcRange {
  begin: number;
  end: number;
}

export interface Attribute {
  /** DW_AT_* */
  name: number;
  value: AttrValue;
}

/** How far DW_AT_specification / DW_AT_abstract_origin chains are followed. */
const MAX_ORIGIN_CHAIN = 16;

export class Die {
  constructor(
    readonly unit: Unit,
    /** Position in the unit's document order (0: the root). */
    readonly index: number,
  ) {}

  /** Section offset (what llvm-dwarfdump prints as 0x…: and references hold). */
  get offset(): number {
    return this.unit.dieOffset(this.index);
  }
  get abbrev(): Abbrev {
    return this.unit.dieAbbrev(this.index);
  }
  get tag(): number {
    return this.abbrev.tag;
  }
  get hasChildren(): boolean {
    return this.abbrev.hasChildren;
  }

  /** Same DIE? (Handles are cheap and not unique.) */
  equals(other: Die | undefined): boolean {
    return other !== undefined && other.unit === this.unit && other.index === this.index;
  }

  // ---- attributes ---------------------------------------------------------------

  /** Every attribute in the order the abbreviation lists them. */
  attributes(): Attribute[] {
    const abbrev = this.abbrev;
    const r = this.unit.reader(this.offset);
    r.uleb(); // abbreviation code
    return abbrev.attrs.map((spec) => ({ name: spec.name, value: readFormValue(r, spec.form, this.unit, spec.implicitConst) }));
  }

  /** This DIE's own value of attribute `name` (no following of origins). */
  attr(name: number): AttrValue | undefined {
    const abbrev = this.abbrev;
    const want = abbrev.indexOf(name);
    if (want < 0) return undefined;
    const unit = this.unit;
    const r = unit.reader(this.offset);
    r.uleb();
    const attrs = abbrev.attrs;
    for (let i = 0; i < want; i++) skipForm(r, attrs[i]!.form, unit);
    const spec = attrs[want]!;
    return readFormValue(r, spec.form, unit, spec.implicitConst);
  }

  has(name: number): boolean {
    return this.abbrev.indexOf(name) >= 0;
  }

  /**
   * The value of `name` on this DIE or, failing that, on the DIEs it
   * completes: DW_AT_specification (an out-of-line definition of a declared
   * member) and DW_AT_abstract_origin (a concrete or inlined instance of an
   * abstract function). Returns the value and the DIE that holds it, so
   * references and strings are resolved in the right unit.
   */
  attrFollow(name: number): { value: AttrValue; die: Die } | undefined {
    let die: Die = this;
    const seen = new Set<number>();
    for (let step = 0; step < MAX_ORIGIN_CHAIN; step++) {
      const value = die.attr(name);
      if (value) return { value, die };
      seen.add(die.offset);
      const next = die.origin();
      if (!next) return undefined;
      if (seen.has(next.offset)) throw new DwarfError(`DIE 0x${this.offset.toString(16)}: DW_AT_specification/abstract_origin chain loops at 0x${next.offset.toString(16)}`);
      die = next;
    }
    throw new DwarfError(`DIE 0x${this.offset.toString(16)}: DW_AT_specification/abstract_origin chain longer than ${MAX_ORIGIN_CHAIN}`);
  }

  /** The DIE this one completes or instantiates (abstract_origin, else specification). */
  origin(): Die | undefined {
    return this.ref(DW_AT.abstract_origin) ?? this.ref(DW_AT.specification);
  }

  // ---- resolved values ----------------------------------------------------------

  /** A string-valued attribute, resolved (own value only). */
  string(name: number): string | undefined {
    const v = this.attr(name);
    return v ? this.unit.string(v) : undefined;
  }

  /** A string-valued attribute, following specification/abstract_origin. */
  stringFollow(name: number): string | undefined {
    const found = this.attrFollow(name);
    return found ? found.die.unit.string(found.value) : undefined;
  }

  /** A reference-valued attribute, resolved to its DIE (own value only). */
  ref(name: number): Die | undefined {
    const v = this.attr(name);
    return v ? this.unit.reference(v) : undefined;
  }

  /** A constant-valued attribute as a number (exact values only; big or non-constant: undefined). */
  constant(name: number): number | undefined {
    const v = this.attr(name);
    return v?.kind === "constant" && v.big === undefined ? v.value : undefined;
  }

  /** A flag attribute (absent: false). */
  flag(name: number): boolean {
    const v = this.attr(name);
    return v?.kind === "flag" ? v.value : false;
  }

  /** DW_AT_name, following specification/abstract_origin. */
  name(): string | undefined {
    return this.stringFollow(DW_AT.name);
  }

  /** DW_AT_linkage_name (or the pre-DWARF-4 MIPS spelling), following origins. */
  linkageName(): string | undefined {
    return this.stringFollow(DW_AT.linkage_name) ?? this.stringFollow(DW_AT.MIPS_linkage_name);
  }

  /** DW_AT_low_pc, resolved through .debug_addr if indexed. */
  lowPc(): number | undefined {
    const v = this.attr(DW_AT.low_pc);
    return v ? this.unit.address(v) : undefined;
  }

  /**
   * DW_AT_high_pc as an address. Since DWARF 4 a constant form means an
   * offset from low_pc, which is how gcc and clang emit it.
   */
  highPc(): number | undefined {
    const v = this.attr(DW_AT.high_pc);
    if (!v) return undefined;
    if (v.kind === "constant") {
      const low = this.lowPc();
      return low === undefined ? undefined : low + v.value;
    }
    return this.unit.address(v);
  }

  /**
   * The code addresses this DIE covers, as half-open [begin, end) ranges:
   * DW_AT_ranges (through lists.ts) or low_pc/high_pc. Empty if it has no
   * code (declarations, abstract instances, discarded code).
   */
  ranges(): PcRange[] {
    const v = this.attr(DW_AT.ranges);
    if (v) {
      const ref = v.kind === "rnglistx" ? { index: v.index } : v.kind === "secOffset" || v.kind === "constant" ? { offset: v.kind === "secOffset" ? v.offset : v.value } : undefined;
      if (!ref) throw new DwarfError(`${this}: DW_AT_ranges has unexpected form ${v.form}`);
      return readRangeList(this.unit.listContext(), ref)
        .filter((r) => r.end > r.start)
        .map((r) => ({ begin: r.start, end: r.end }));
    }
    const low = this.lowPc();
    const high = this.highPc();
    if (low === undefined || high === undefined || high <= low) return [];
    return [{ begin: low, end: high }];
  }

  /** DW_AT_decl_file as a file index into the unit's line program (following origins). */
  declFile(): number | undefined {
    const found = this.attrFollow(DW_AT.decl_file);
    return found?.value.kind === "constant" ? found.value.value : undefined;
  }

  /** DW_AT_decl_line, following origins. */
  declLine(): number | undefined {
    const found = this.attrFollow(DW_AT.decl_line);
    return found?.value.kind === "constant" ? found.value.value : undefined;
  }

  /** The DW_AT_type DIE, following origins (a concrete variable's type lives on its abstract origin). */
  type(): Die | undefined {
    const found = this.attrFollow(DW_AT.type);
    return found ? found.die.unit.reference(found.value) : undefined;
  }

  /** DW_AT_declaration: a declaration, not a definition. */
  isDeclaration(): boolean {
    return this.flag(DW_AT.declaration);
  }

  /** DW_AT_external, following origins. */
  isExternal(): boolean {
    const found = this.attrFollow(DW_AT.external);
    return found?.value.kind === "flag" ? found.value.value : false;
  }

  // ---- tree navigation ----------------------------------------------------------

  parent(): Die | undefined {
    const p = this.unit.dieParent(this.index);
    return p >= 0 ? new Die(this.unit, p) : undefined;
  }

  firstChild(): Die | undefined {
    const c = this.unit.dieFirstChild(this.index);
    return c >= 0 ? new Die(this.unit, c) : undefined;
  }

  nextSibling(): Die | undefined {
    const s = this.unit.dieNextSibling(this.index);
    return s >= 0 ? new Die(this.unit, s) : undefined;
  }

  /** Direct children in order. */
  *children(): IterableIterator<Die> {
    for (let c = this.unit.dieFirstChild(this.index); c >= 0; c = this.unit.dieNextSibling(c)) yield new Die(this.unit, c);
  }

  /** Direct children with this tag. */
  childrenWithTag(tag: number): Die[] {
    const out: Die[] = [];
    for (const c of this.children()) if (c.tag === tag) out.push(c);
    return out;
  }

  /** Nesting depth (the unit's root is 0). */
  get depth(): number {
    return this.unit.dieDepth(this.index);
  }

  /**
   * Names of the enclosing namespaces, classes, structs, unions and enums,
   * outermost first — the prefix of a C++ qualified name. For an
   * out-of-line member definition, the scope is its declaration's
   * (DW_AT_specification), as in C++ `void Foo::bar() {}`.
   */
  scopeNames(): string[] {
    let die: Die = this;
    for (let i = 0; i < MAX_ORIGIN_CHAIN; i++) {
      const next = die.origin();
      if (!next || next.equals(die)) break;
      die = next;
    }
    const names: string[] = [];
    for (let p = die.parent(); p && p.index > 0 && names.length < 256; p = p.parent()) {
      if (!SCOPE_TAGS.has(p.tag)) {
        // A function-local entity: not reachable by a qualified name.
        if (p.tag === DW_TAG.subprogram || p.tag === DW_TAG.lexical_block) break;
        continue;
      }
      names.push(p.name() ?? (p.tag === DW_TAG.namespace ? "(anonymous namespace)" : `(anonymous ${tagName(p.tag).slice(7).replace(/_type$/, "")})`));
    }
    return names.reverse();
  }

  /** The C++-style qualified name ("ns::Class::method"); the plain name in C. */
  qualifiedName(): string | undefined {
    const name = this.name();
    if (name === undefined) return undefined;
    const scope = this.scopeNames();
    return scope.length ? `${scope.join("::")}::${name}` : name;
  }

  toString(): string {
    return `0x${this.offset.toString(16).padStart(8, "0")}: ${tagName(this.tag)}${this.has(DW_AT.name) ? ` "${safeName(this)}"` : ""}`;
  }

  /** A one-line listing of the attributes, for debugging and error messages. */
  describe(): string {
    return `${this}\n${this.attributes()
      .map((a) => `  ${atName(a.name)} ${JSON.stringify(a.value, (_k, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v instanceof Uint8Array ? Array.from(v) : v))}`)
      .join("\n")}`;
  }
}

function safeName(d: Die): string {
  try {
    return d.string(DW_AT.name) ?? "";
  } catch {
    return "?";
  }
}

/** Tags that open a named scope for qualified names. */
export const SCOPE_TAGS: ReadonlySet<number> = new Set([
  DW_TAG.namespace,
  DW_TAG.class_type,
  DW_TAG.structure_type,
  DW_TAG.union_type,
  DW_TAG.enumeration_type,
  DW_TAG.interface_type,
  DW_TAG.module,
]);
