// The C type model, resolved lazily from DWARF type DIEs.
//
// `TypeModel.resolve(die)` returns a CType for a type DIE. Nodes are created
// on first request and cached per DIE, and everything a node refers to
// (pointer targets, members, parameters) is resolved only when read, so
// asking for one type never walks the whole graph, and reference cycles
// (a struct holding a pointer to itself) are just shared nodes.
//
// Struct/union/enum declarations are completed from a definition elsewhere
// in the file (another unit) when a lookup is supplied.

import { DW_AT, DW_ATE, DW_LANG, DW_OP, DW_TAG } from "../constants.ts";
import type { Die } from "../die.ts";
import { type AttrValue, type ConstantValue, asSigned, asUnsigned } from "../forms.ts";

export type CType =
  | VoidType
  | BaseType
  | UnspecifiedType
  | PointerType
  | ReferenceType
  | ArrayType
  | StructType
  | EnumType
  | TypedefType
  | QualifiedType
  | FunctionType
  | PtrMemType
  | UnknownType;

interface TypeBase {
  /** The DIE this node was resolved from (undefined for implicit void). */
  readonly die?: Die;
}

/** `void`: a missing DW_AT_type where a type is expected. */
export interface VoidType extends TypeBase {
  readonly kind: "void";
}

export interface BaseType extends TypeBase {
  readonly kind: "base";
  readonly name: string;
  /** Bytes. */
  readonly size: number;
  /** DW_ATE_* */
  readonly encoding: number;
}

/** DW_TAG_unspecified_type: `decltype(nullptr)` and friends. */
export interface UnspecifiedType extends TypeBase {
  readonly kind: "unspecified";
  readonly name: string;
}

export interface PointerType extends TypeBase {
  readonly kind: "pointer";
  readonly size: number;
  readonly target: CType;
}

export interface ReferenceType extends TypeBase {
  readonly kind: "reference";
  readonly rvalue: boolean;
  readonly size: number;
  readonly target: CType;
}

/** One array dimension; a multi-dimensional array nests one ArrayType per dimension. */
export interface ArrayType extends TypeBase {
  readonly kind: "array";
  /** Element count of this dimension; undefined for a flexible `[]` or variable length. */
  readonly count: number | undefined;
  /** True when the bound is a runtime value (a VLA), not absent. */
  readonly variableLength: boolean;
  readonly element: CType;
  readonly vector: boolean;
}

/**
 * A C++ static data member's identity: one object whatever instance shows it.
 * The resolver reads static members and the renderer finds them by this key.
 */
export function staticMemberKey(s: StructType, m: Member): string {
  return `${s.name ?? ""}::${m.name ?? ""}`;
}

export interface Member {
  /** Undefined for an anonymous struct/union member. */
  readonly name: string | undefined;
  readonly type: CType;
  /** Offset from the start of the enclosing object, in bits (undefined: not a constant, e.g. a virtual base). */
  readonly bitOffset: number | undefined;
  /** Width for bitfields; undefined for ordinary members. */
  readonly bitSize: number | undefined;
  readonly artificial: boolean;
  /** A C++ static data member (no storage in the object). */
  readonly isStatic: boolean;
  readonly die: Die;
}

export interface StructType extends TypeBase {
  readonly kind: "struct";
  readonly keyword: "struct" | "class" | "union";
  /** Undefined for an anonymous struct. */
  readonly name: string | undefined;
  /** Bytes; undefined for an incomplete type. */
  readonly size: number | undefined;
  /** No definition could be found: only a declaration. */
  readonly incomplete: boolean;
  /** Data members in declaration order (base classes are not included). */
  readonly members: readonly Member[];
  readonly bases: readonly { type: CType; bitOffset: number | undefined; virtual: boolean; access: number | undefined }[];
}

export interface Enumerator {
  readonly name: string;
  readonly value: bigint;
}

export interface EnumType extends TypeBase {
  readonly kind: "enum";
  readonly name: string | undefined;
  readonly size: number | undefined;
  readonly underlying: CType | undefined;
  /** C++ `enum class`. */
  readonly scoped: boolean;
  readonly incomplete: boolean;
  readonly enumerators: readonly Enumerator[];
}

export interface TypedefType extends TypeBase {
  readonly kind: "typedef";
  readonly name: string;
  readonly target: CType;
}

export type Qualifier = "const" | "volatile" | "restrict" | "atomic";

export interface QualifiedType extends TypeBase {
  readonly kind: "qualified";
  readonly qualifier: Qualifier;
  readonly target: CType;
}

export interface FunctionType extends TypeBase {
  readonly kind: "function";
  readonly returns: CType;
  readonly params: readonly CType[];
  readonly variadic: boolean;
  /** DW_AT_prototyped: `int (void)` rather than K&R `int ()`. */
  readonly prototyped: boolean;
}

/** C++ pointer to member: `int Foo::*`, `int (Foo::*)(int)`. */
export interface PtrMemType extends TypeBase {
  readonly kind: "ptrmem";
  readonly containing: CType;
  readonly target: CType;
  readonly size: number | undefined;
}

export interface UnknownType extends TypeBase {
  readonly kind: "unknown";
  readonly tag: number;
}

/** How declarations are completed: find definitions of a type by (qualified) name. */
export interface TypeLookup {
  findTypes(name: string): Die[];
}

export type SourceLanguage = "c" | "c++";

const VOID: VoidType = { kind: "void" };

const STRUCT_TAGS = new Set<number>([DW_TAG.structure_type, DW_TAG.class_type, DW_TAG.union_type]);

/** How deep type resolution recurses through eager chains (qualifiers, typedefs) before giving up. */
const MAX_CHAIN = 64;

export class TypeModel {
  private readonly cache = new Map<string, CType>();

  constructor(private readonly lookup?: TypeLookup) {}

  /** The type a DIE describes (a type DIE), or void for undefined. */
  resolve(die: Die | undefined): CType {
    if (!die) return VOID;
    return this.resolveDepth(die, 0);
  }

  /** The type of an entity (variable, parameter, member, function return): its DW_AT_type. */
  typeOf(entity: Die): CType {
    return this.resolve(entity.type());
  }

  private key(die: Die): string {
    return `${die.unit.section}:${die.offset}`;
  }

  private resolveDepth(die: Die, depth: number): CType {
    const key = this.key(die);
    const hit = this.cache.get(key);
    if (hit) return hit;
    if (depth > MAX_CHAIN) return { kind: "unknown", tag: die.tag, die };
    const t = this.build(die, depth);
    this.cache.set(key, t);
    return t;
  }

  /** Resolve a DW_AT_type reference lazily; a missing one is void. */
  private lazyTarget(die: Die): () => CType {
    let memo: CType | undefined;
    return () => (memo ??= this.resolve(die.type()));
  }

  private build(die: Die, depth: number): CType {
    const model = this;
    switch (die.tag) {
      case DW_TAG.base_type:
        return {
          kind: "base",
          die,
          name: die.name() ?? "<unnamed>",
          size: die.constant(DW_AT.byte_size) ?? 0,
          encoding: die.constant(DW_AT.encoding) ?? 0,
        };
      case DW_TAG.unspecified_type:
        return { kind: "unspecified", die, name: die.name() ?? "void" };
      case DW_TAG.pointer_type: {
        const target = this.lazyTarget(die);
        return {
          kind: "pointer",
          die,
          size: die.constant(DW_AT.byte_size) ?? die.unit.addressSize,
          get target() {
            return target();
          },
        };
      }
      case DW_TAG.reference_type:
      case DW_TAG.rvalue_reference_type: {
        const target = this.lazyTarget(die);
        return {
          kind: "reference",
          die,
          rvalue: die.tag === DW_TAG.rvalue_reference_type,
          size: die.constant(DW_AT.byte_size) ?? die.unit.addressSize,
          get target() {
            return target();
          },
        };
      }
      case DW_TAG.const_type:
      case DW_TAG.volatile_type:
      case DW_TAG.restrict_type:
      case DW_TAG.atomic_type: {
        const q: Qualifier =
          die.tag === DW_TAG.const_type ? "const" : die.tag === DW_TAG.volatile_type ? "volatile" : die.tag === DW_TAG.restrict_type ? "restrict" : "atomic";
        const target = this.lazyTarget(die);
        return {
          kind: "qualified",
          die,
          qualifier: q,
          get target() {
            return target();
          },
        };
      }
      case DW_TAG.typedef: {
        const target = this.lazyTarget(die);
        return {
          kind: "typedef",
          die,
          name: scopedName(die) ?? "<unnamed typedef>",
          get target() {
            return target();
          },
        };
      }
      case DW_TAG.array_type:
        return this.buildArray(die);
      case DW_TAG.structure_type:
      case DW_TAG.class_type:
      case DW_TAG.union_type:
        return this.buildStruct(die, depth);
      case DW_TAG.enumeration_type:
        return this.buildEnum(die, depth);
      case DW_TAG.subroutine_type:
        return this.buildFunction(die);
      case DW_TAG.ptr_to_member_type: {
        const target = this.lazyTarget(die);
        let containing: CType | undefined;
        return {
          kind: "ptrmem",
          die,
          size: die.constant(DW_AT.byte_size),
          get target() {
            return target();
          },
          get containing() {
            return (containing ??= model.resolve(die.ref(DW_AT.containing_type)));
          },
        };
      }
      default:
        return { kind: "unknown", die, tag: die.tag };
    }
  }

  private buildArray(die: Die): CType {
    const model = this;
    const dims: { count: number | undefined; variable: boolean }[] = [];
    for (const c of die.children()) {
      if (c.tag !== DW_TAG.subrange_type && c.tag !== DW_TAG.generic_subrange && c.tag !== DW_TAG.enumeration_type) continue;
      dims.push(subrangeCount(c));
    }
    if (dims.length === 0) dims.push({ count: undefined, variable: false });
    const vector = die.flag(DW_AT.GNU_vector);
    let elem: CType | undefined;
    const element = () => (elem ??= model.resolve(die.type()));
    // Build innermost dimension first: T a[2][3] is array(2, array(3, T)).
    const make = (i: number): ArrayType => {
      let inner: CType | undefined;
      return {
        kind: "array",
        die,
        count: dims[i]!.count,
        variableLength: dims[i]!.variable,
        vector,
        get element() {
          return (inner ??= i + 1 < dims.length ? make(i + 1) : element());
        },
      };
    };
    return make(0);
  }

  private buildStruct(die: Die, depth: number): CType {
    let def = die;
    if (die.isDeclaration()) def = this.findDefinition(die) ?? die;
    else if (die.has(DW_AT.signature)) def = die.ref(DW_AT.signature) ?? die;
    if (!def.equals(die)) {
      // Share the node with the definition so cycles through either close.
      const t = this.resolveDepth(def, depth + 1);
      return t;
    }
    const model = this;
    const keyword = die.tag === DW_TAG.union_type ? "union" : die.tag === DW_TAG.class_type ? "class" : "struct";
    let members: Member[] | undefined;
    let bases: StructType["bases"] | undefined;
    const incomplete = die.isDeclaration();
    return {
      kind: "struct",
      die,
      keyword,
      name: scopedName(die),
      size: incomplete ? undefined : (die.constant(DW_AT.byte_size) ?? 0),
      incomplete,
      get members() {
        return (members ??= model.readMembers(die, keyword === "union"));
      },
      get bases() {
        return (bases ??= model.readBases(die));
      },
    };
  }

  private findDefinition(decl: Die): Die | undefined {
    if (!this.lookup) return undefined;
    const name = decl.qualifiedName();
    if (!name) return undefined;
    const sameKind = (d: Die) =>
      STRUCT_TAGS.has(decl.tag) ? STRUCT_TAGS.has(d.tag) : d.tag === decl.tag;
    try {
      for (const d of this.lookup.findTypes(name)) {
        if (sameKind(d) && !d.isDeclaration() && d.qualifiedName() === name) return d;
      }
    } catch {
      return undefined;
    }
    return undefined;
  }

  private readMembers(die: Die, isUnion: boolean): Member[] {
    const out: Member[] = [];
    for (const c of die.children()) {
      const isMember = c.tag === DW_TAG.member;
      const isStaticVar = c.tag === DW_TAG.variable; // DWARF 5 C++ static data member
      if (!isMember && !isStaticVar) continue;
      const isStatic = isStaticVar || (isMember && c.isDeclaration() && c.isExternal());
      let bitOffset: number | undefined;
      let bitSize: number | undefined;
      if (!isStatic) {
        const bs = c.constant(DW_AT.bit_size);
        const byteOff = memberByteOffset(c.attr(DW_AT.data_member_location));
        const dataBit = c.constant(DW_AT.data_bit_offset);
        if (dataBit !== undefined) bitOffset = dataBit;
        else if (c.has(DW_AT.bit_offset) && bs !== undefined) {
          // DWARF 2/3: bit_offset counts from the most significant bit of a
          // storage unit of byte_size bytes at data_member_location.
          const storage = c.constant(DW_AT.byte_size) ?? storageSize(this.resolve(c.type()));
          const hi = c.constant(DW_AT.bit_offset) ?? 0;
          if (storage !== undefined) bitOffset = (byteOff ?? 0) * 8 + storage * 8 - hi - bs;
        } else if (byteOff !== undefined) bitOffset = byteOff * 8;
        else if (!c.has(DW_AT.data_member_location)) bitOffset = 0; // unions, and members at offset 0
        bitSize = bs;
      }
      let t: CType | undefined;
      const model = this;
      out.push({
        name: c.name(),
        get type() {
          return (t ??= model.resolve(c.type()));
        },
        bitOffset: isUnion && bitOffset === undefined ? 0 : bitOffset,
        bitSize,
        artificial: c.flag(DW_AT.artificial),
        isStatic,
        die: c,
      });
    }
    return out;
  }

  private readBases(die: Die): StructType["bases"] {
    const out: { type: CType; bitOffset: number | undefined; virtual: boolean; access: number | undefined }[] = [];
    for (const c of die.children()) {
      if (c.tag !== DW_TAG.inheritance) continue;
      const off = memberByteOffset(c.attr(DW_AT.data_member_location));
      out.push({
        type: this.resolve(c.type()),
        bitOffset: off === undefined ? undefined : off * 8,
        virtual: (c.constant(DW_AT.virtuality) ?? 0) !== 0,
        access: c.constant(DW_AT.accessibility),
      });
    }
    return out;
  }

  private buildEnum(die: Die, depth: number): CType {
    if (die.isDeclaration()) {
      const def = this.findDefinition(die);
      if (def) return this.resolveDepth(def, depth + 1);
    }
    const model = this;
    let enumerators: Enumerator[] | undefined;
    let underlying: CType | undefined | null = null;
    const getUnderlying = () => {
      if (underlying === null) underlying = die.type() ? model.resolve(die.type()) : undefined;
      return underlying;
    };
    return {
      kind: "enum",
      die,
      name: scopedName(die),
      size: die.constant(DW_AT.byte_size),
      scoped: die.flag(DW_AT.enum_class),
      incomplete: die.isDeclaration(),
      get underlying() {
        return getUnderlying();
      },
      get enumerators() {
        if (enumerators) return enumerators;
        const u = getUnderlying();
        const signed = u ? isSignedType(u) : undefined;
        const list: Enumerator[] = [];
        for (const c of die.children()) {
          if (c.tag !== DW_TAG.enumerator) continue;
          const v = c.attr(DW_AT.const_value);
          list.push({ name: c.name() ?? "", value: v?.kind === "constant" ? enumValue(v, signed) : 0n });
        }
        return (enumerators = list);
      },
    };
  }

  private buildFunction(die: Die): CType {
    const model = this;
    const ret = this.lazyTarget(die);
    let params: CType[] | undefined;
    let variadic = false;
    for (const c of die.children()) if (c.tag === DW_TAG.unspecified_parameters) variadic = true;
    return {
      kind: "function",
      die,
      get returns() {
        return ret();
      },
      get params() {
        return (params ??= die.childrenWithTag(DW_TAG.formal_parameter).map((p) => model.resolve(p.type())));
      },
      variadic,
      prototyped: die.flag(DW_AT.prototyped),
    };
  }
}

function subrangeCount(c: Die): { count: number | undefined; variable: boolean } {
  const count = c.attr(DW_AT.count);
  if (count) {
    if (count.kind === "constant") return { count: count.value, variable: false };
    return { count: undefined, variable: true };
  }
  const upper = c.attr(DW_AT.upper_bound);
  if (!upper) return { count: undefined, variable: false };
  if (upper.kind !== "constant") return { count: undefined, variable: true };
  const lowerAttr = c.attr(DW_AT.lower_bound);
  const lower = lowerAttr?.kind === "constant" ? Number(asSigned(lowerAttr)) : defaultLowerBound(c);
  // An upper bound of -1 (all ones) is how some producers say "no elements / unknown".
  // dataN forms carry no sign: like gdb, sign-extend them only for a signed
  // index type (gcc writes `int a[250]`'s bound 249 as data1 0xf9).
  if (upper.signedness === "unknown" && indexTypeUnsigned(c)) {
    // Unsigned arithmetic as gdb does it: an all-ones 64-bit bound wraps to zero elements.
    const n = BigInt.asUintN(64, asUnsigned(upper) - BigInt(lower) + 1n);
    return n <= BigInt(Number.MAX_SAFE_INTEGER) ? { count: Number(n), variable: false } : { count: undefined, variable: false };
  }
  const hi = Number(asSigned(upper));
  if (hi < lower - 1) return { count: undefined, variable: false };
  return { count: hi - lower + 1, variable: false };
}

function indexTypeUnsigned(c: Die): boolean {
  const t = c.type();
  const enc = t?.tag === DW_TAG.base_type ? t.constant(DW_AT.encoding) : undefined;
  return enc === DW_ATE.unsigned || enc === DW_ATE.unsigned_char;
}

function defaultLowerBound(c: Die): number {
  const lang = c.unit.root().constant(DW_AT.language);
  // Fortran, Ada, Pascal, Cobol, PL/I and Modula default to 1; the C family to 0.
  const oneBased: number[] = [DW_LANG.Fortran77, DW_LANG.Fortran90, DW_LANG.Fortran95, DW_LANG.Ada83, DW_LANG.Ada95, DW_LANG.Pascal83, DW_LANG.Cobol74, DW_LANG.Cobol85, DW_LANG.PLI, DW_LANG.Modula2];
  return lang !== undefined && oneBased.includes(lang) ? 1 : 0;
}

/** DW_AT_data_member_location as a byte offset: a constant, or the DWARF 2 `DW_OP_plus_uconst N` expression. */
export function memberByteOffset(v: AttrValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.kind === "constant") return v.value;
  if (v.kind !== "exprloc" && v.kind !== "block") return undefined;
  const b = v.bytes;
  let i = 0;
  const uleb = (): number | undefined => {
    let result = 0;
    let mul = 1;
    for (let n = 0; n < 10 && i < b.length; n++) {
      const byte = b[i++]!;
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) return result;
      mul *= 128;
    }
    return undefined;
  };
  if (b.length === 0) return undefined;
  const op = b[i++]!;
  let value: number | undefined;
  if (op === DW_OP.plus_uconst || op === DW_OP.constu) value = uleb();
  else if (op >= DW_OP.lit0 && op <= DW_OP.lit0 + 31) value = op - DW_OP.lit0;
  else return undefined;
  return i === b.length ? value : undefined;
}

function storageSize(t: CType): number | undefined {
  const s = stripTypedefs(t);
  if (s.kind === "base") return s.size;
  if (s.kind === "enum") return s.size;
  return undefined;
}

function isSignedType(t: CType): boolean | undefined {
  const s = stripTypedefs(t);
  if (s.kind !== "base") return undefined;
  return s.encoding === DW_ATE.signed || s.encoding === DW_ATE.signed_char;
}

function enumValue(v: ConstantValue, signed: boolean | undefined): bigint {
  if (v.signedness === "signed") return asSigned(v);
  if (v.signedness === "unsigned") return v.big ?? BigInt(v.value);
  if (signed === false) return asUnsigned(v);
  return asSigned(v);
}

/** Peel typedefs and qualifiers: the type's structure. */
export function stripTypedefs(t: CType): CType {
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (t.kind === "typedef" || t.kind === "qualified") t = t.target;
    else return t;
  }
  return t;
}

/** Size in bytes (undefined for void, functions, incomplete types and flexible arrays). */
export function sizeOf(t: CType): number | undefined {
  for (let i = 0; i < MAX_CHAIN; i++) {
    switch (t.kind) {
      case "base":
        return t.size;
      case "pointer":
      case "reference":
        return t.size;
      case "struct":
        return t.size;
      case "enum":
        return t.size ?? (t.underlying ? sizeOf(t.underlying) : undefined);
      case "ptrmem":
        return t.size ?? (stripTypedefs(t.target).kind === "function" ? 16 : 8);
      case "array": {
        if (t.count === undefined) return t.variableLength ? undefined : 0;
        const e = sizeOf(t.element);
        return e === undefined ? undefined : e * t.count;
      }
      case "typedef":
      case "qualified":
        t = t.target;
        continue;
      default:
        return undefined;
    }
  }
  return undefined;
}

/**
 * A type's name as gdb spells it: in C++ with its enclosing namespaces and
 * classes (`ns::Widget`, `ns::Mode`), in C the plain name.
 */
function scopedName(die: Die): string | undefined {
  const name = die.name();
  if (name === undefined || languageOf(die) !== "c++") return name;
  return die.qualifiedName() ?? name;
}

/** The source language of the unit a DIE belongs to, for printing. */
export function languageOf(die: Die): SourceLanguage {
  const lang = die.unit.root().constant(DW_AT.language);
  return lang === DW_LANG.C_plus_plus || lang === DW_LANG.C_plus_plus_03 || lang === DW_LANG.C_plus_plus_11 || lang === DW_LANG.C_plus_plus_14 ? "c++" : "c";
}
