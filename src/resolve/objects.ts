// Script expressions → objects at one probe site: what to read and how to
// interpret it. `a.b[2].c`, `p.x` through a pointer (GhostScope dereferences
// automatically), `*p` and `&x` become a type plus a read plan whose address
// arithmetic is already folded in, so the code generator only lowers plans.
import type { Expr } from "../script/index.ts";
import { binary, constant, type ReadPlan, type Value } from "../dwarf/expr/index.ts";
import { sizeOf, staticMemberKey, stripTypedefs, typeName, type CType, type Member, type StructType } from "../dwarf/types/index.ts";
import type { DebugInfo } from "./debuginfo.ts";
import { ResolveError } from "./modules.ts";
import type { Scope } from "./scope.ts";
import { locationOf } from "./location.ts";
import { DW_AT, DW_TAG } from "../dwarf/index.ts";
import { typeModel } from "./types.ts";

/** A C object the probe can read. */
export interface ObjectRef {
  type: CType;
  /** How to read the bytes of the object that holds it (for a member of a non-memory object, the whole object). */
  plan: ReadPlan;
  /** Bytes to skip within what `plan` reads (members of objects in registers or computed values). */
  byteOffset: number;
  /** A bitfield: bits within the bytes at byteOffset. */
  bits?: { offset: number; size: number };
  /** The expression as written, for messages. */
  text: string;
  /**
   * C++ static data members a whole-value print of this object shows (gdb's
   * `static name = …`): each a global of its own, read at the probe. Keyed by
   * `Class::name` (staticMemberKey, src/dwarf/types): one object whatever instance shows it.
   */
  statics?: StaticMemberRead[];
}

/** One static data member's own object (its definition, or the in-class constant, or optimized out). */
export interface StaticMemberRead {
  key: string;
  type: CType;
  plan: ReadPlan;
  text: string;
}

/** Static members read per printed value at most; more print as `<not read>` (each is a read in the probe). */
export const MAX_STATIC_READS = 16;

export class ExprError extends ResolveError {
  constructor(
    message: string,
    /** Source offset and length of the offending expression. */
    readonly span: { offset: number; length: number; line: number; col: number },
  ) {
    super(message);
  }
}

const POINTER_SIZE = 8;

export function resolveObject(info: DebugInfo, scope: Scope, e: Expr, text: (e: Expr) => string): ObjectRef {
  const obj = resolveExpr(info, scope, e, text);
  const statics = staticMembersShown(info, scope, obj.type);
  return statics.length ? { ...obj, statics } : obj;
}

function resolveExpr(info: DebugInfo, scope: Scope, e: Expr, text: (e: Expr) => string): ObjectRef {
  switch (e.kind) {
    case "Ident": {
      const v = scope.variables.find((x) => x.name === e.name) ?? globalNamed(info, scope, e.name);
      // In a C++ member function a bare member name means this->name, as in gdb.
      if (!v && e.name !== "this" && scope.variables.some((x) => x.name === "this")) {
        const viaThis = memberOfThis(info, scope, e, text);
        if (viaThis) return viaThis;
      }
      if (!v) {
        const other = scope.linkage?.elsewhere(e.name, e.name);
        if (other) return other;
        const names = scope.variables.map((x) => x.name);
        const near = names.filter((n) => n.toLowerCase().includes(e.name.toLowerCase()) || e.name.toLowerCase().includes(n.toLowerCase())).slice(0, 3);
        throw new ExprError(`no variable ${e.name} is visible here${near.length ? `; did you mean ${near.join(", ")}?` : ""}`, e.span);
      }
      const plan = (v.kind === "global" && scope.linkage?.interposed(v)) || v.location.plan;
      return { type: typeModel(info).typeOf(v.decl), plan, byteOffset: 0, text: e.name };
    }
    case "Member": {
      const base = derefIfPointer(resolveExpr(info, scope, e.object, text), e);
      const t = stripTypedefs(base.type);
      if (t.kind !== "struct") throw new ExprError(`${base.text} is not a struct or union (its type is ${describe(base.type)}), so it has no member ${e.field}`, e.fieldSpan);
      const m = findMember(t, e.field);
      if (!m) throw new ExprError(`${describe(base.type)} has no member ${e.field}${t.incomplete ? " (only its declaration is known)" : ""}`, e.fieldSpan);
      if (m.member.isStatic) {
        const g = staticDefinition(info, m.owner, e.field);
        if (!g) throw new ExprError(`static member ${e.field} of ${describe(base.type)} has no definition in this module`, e.fieldSpan);
        return { type: typeModel(info).typeOf(g), plan: locationOf(g, scope.pc, info.cfi).plan, byteOffset: 0, text: `${base.text}.${e.field}` };
      }
      if (m.member.bitOffset === undefined) throw new ExprError(`member ${e.field} has no constant offset (virtual base?)`, e.fieldSpan);
      const bitOffset = m.bitOffset + m.member.bitOffset;
      return offsetBy(base, m.member.type, bitOffset, m.member.bitSize, `${base.text}.${e.field}`);
    }
    case "Index": {
      const base = resolveExpr(info, scope, e.object, text);
      const t = stripTypedefs(base.type);
      const idx = constantIndex(e.index);
      if (idx === undefined) return runtimeIndex(info, scope, base, e, text);
      if (t.kind === "array") {
        const elemSize = sizeOf(t.element);
        if (elemSize === undefined) throw new ExprError(`elements of ${base.text} have no known size`, e.span);
        if (t.count !== undefined && (idx < 0 || idx >= t.count)) throw new ExprError(`index ${idx} is outside ${base.text}[${t.count}]`, e.index.span);
        return offsetBy(base, t.element, idx * elemSize * 8, undefined, `${base.text}[${idx}]`);
      }
      if (t.kind === "pointer") {
        const elemSize = sizeOf(t.target);
        if (elemSize === undefined) throw new ExprError(`cannot index ${base.text}: it points to ${describe(t.target)}, which has no size`, e.span);
        return { type: t.target, plan: { kind: "memory", address: binary("plus", valueOf(base, e), constant(BigInt(idx * elemSize))) }, byteOffset: 0, text: `${base.text}[${idx}]` };
      }
      throw new ExprError(`${base.text} is not an array or pointer (its type is ${describe(base.type)})`, e.span);
    }
    case "Unary": {
      if (e.op === "*") {
        const base = resolveExpr(info, scope, e.operand, text);
        const t = stripTypedefs(base.type);
        if (t.kind !== "pointer") throw new ExprError(`cannot dereference ${base.text}: it is not a pointer (its type is ${describe(base.type)})`, e.span);
        return { type: t.target, plan: { kind: "memory", address: valueOf(base, e) }, byteOffset: 0, text: `*${base.text}` };
      }
      if (e.op === "&") {
        const base = resolveExpr(info, scope, e.operand, text);
        if (base.plan.kind !== "memory" || base.bits) throw new ExprError(`${base.text} has no address here (it is ${base.bits ? "a bitfield" : `in a ${base.plan.kind === "register" ? "register" : base.plan.kind} location`})`, e.span);
        const addr = base.byteOffset ? binary("plus", base.plan.address, constant(BigInt(base.byteOffset))) : base.plan.address;
        return { type: pointerTo(base.type), plan: { kind: "value", value: addr }, byteOffset: 0, text: `&${base.text}` };
      }
      throw new ExprError(`not supported yet: the ${e.op} operator on program values`, e.span);
    }
    case "Cast": {
      const type = typeNamed(info, e.typeName, e.typeSpan);
      const size = sizeOf(type);
      if (e.expr.kind === "Int") return { type, plan: { kind: "value", value: constant(e.expr.value) }, byteOffset: 0, text: `cast(${e.expr.raw}, "${e.typeName}")` };
      const base = resolveExpr(info, scope, e.expr, text);
      const from = stripTypedefs(base.type);
      const to = stripTypedefs(type);
      // A reinterpretation of the same bytes: pointers and integers of the same size, or anything in memory as a bigger-or-equal view.
      if (size === undefined || (sizeOf(base.type) !== size && !(to.kind === "pointer" && (from.kind === "pointer" || from.kind === "array"))))
        throw new ExprError(`not supported yet: cast of ${base.text} (${sizeOf(base.type) ?? "?"} bytes) to ${e.typeName} (${size ?? "?"} bytes)`, e.span);
      if (from.kind === "array") {
        if (base.plan.kind !== "memory") throw new ExprError(`${base.text} has no address here`, e.expr.span);
        const addr = base.byteOffset ? binary("plus", base.plan.address, constant(BigInt(base.byteOffset))) : base.plan.address;
        return { type, plan: { kind: "value", value: addr }, byteOffset: 0, text: `cast(${base.text}, "${e.typeName}")` };
      }
      return { ...base, type, text: `cast(${base.text}, "${e.typeName}")` };
    }
    default:
      throw new ExprError(`not supported yet: ${e.kind} expressions on program values`, e.span);
  }
}

/**
 * A C++ static data member is a global of its own, not part of the object.
 * Its definition (DW_AT_specification → the in-class declaration) is at unit
 * scope (gcc) or in the class's namespace (clang); both index as `Class::name`.
 */
function staticDefinition(info: DebugInfo, s: StructType, name: string) {
  return s.name ? info.dwarf.findVariables(`${s.name}::${name}`).find((d) => d.has(DW_AT.location)) : undefined;
}

/**
 * The static data members gdb shows when a value of type `t` prints whole: those
 * of its class, its base classes, its members' classes (arrays' elements, a
 * reference's referent) and, transitively, of the static members' own classes.
 * Pointers are not followed (gdb prints the address). Each static once.
 */
function staticMembersShown(info: DebugInfo, scope: Scope, t: CType): StaticMemberRead[] {
  const out: StaticMemberRead[] = [];
  const seenTypes = new Set<CType>();
  const seenKeys = new Set<string>();
  const visit = (type: CType, depth: number): void => {
    const s = stripTypedefs(type);
    if (depth > 8) return;
    if (s.kind === "reference" && depth === 0) return visit(s.target, depth + 1);
    if (s.kind === "array") return visit(s.element, depth + 1);
    if (s.kind !== "struct" || seenTypes.has(s)) return;
    seenTypes.add(s);
    for (const b of s.bases) visit(b.type, depth + 1);
    for (const m of s.members) {
      if (!m.isStatic) {
        visit(m.type, depth + 1);
        continue;
      }
      const key = staticMemberKey(s, m);
      if (m.name === undefined || seenKeys.has(key) || out.length >= MAX_STATIC_READS) continue;
      seenKeys.add(key);
      const def = staticDefinition(info, s, m.name);
      const text = `${s.name ?? ""}::${m.name}`;
      if (def) {
        const v: Scope["variables"][number] = { name: text, kind: def.isExternal() ? "global" : "file static", die: def, decl: def, location: locationOf(def, scope.pc, info.cfi), depth: 0 };
        const plan = (v.kind === "global" && scope.linkage?.interposed(v)) || v.location.plan;
        out.push({ key, type: typeModel(info).typeOf(def), plan, text });
      } else {
        // Declared only: an in-class constant (DW_AT_const_value), else gdb's <optimized out>.
        out.push({ key, type: m.type, plan: locationOf(m.die, scope.pc, info.cfi).plan, text });
      }
      visit(m.type, depth + 1);
    }
  };
  visit(t, 0);
  return out;
}

/**
 * A global defined in another unit (this one may only declare it, or not at
 * all): gdb's last lookup step, external definitions before other units' statics.
 */
function globalNamed(info: DebugInfo, scope: Scope, name: string): Scope["variables"][number] | undefined {
  const defs = info.dwarf.findVariables(name).filter((d) => d.has(DW_AT.location) && d.parent()?.tag === DW_TAG.compile_unit);
  const d = defs.find((x) => x.isExternal()) ?? defs[0];
  if (!d) return undefined;
  return { name, kind: d.isExternal() ? "global" : "file static", die: d, decl: d, location: locationOf(d, scope.pc, info.cfi), depth: 0 };
}

const BUILTIN_TYPES: Record<string, [number, number]> = {
  u8: [1, 0x08], u16: [2, 0x07], u32: [4, 0x07], u64: [8, 0x07],
  i8: [1, 0x06], i16: [2, 0x05], i32: [4, 0x05], i64: [8, 0x05],
  uint8_t: [1, 0x08], uint16_t: [2, 0x07], uint32_t: [4, 0x07], uint64_t: [8, 0x07],
  int8_t: [1, 0x06], int16_t: [2, 0x05], int32_t: [4, 0x05], int64_t: [8, 0x05],
  char: [1, 0x06], "unsigned char": [1, 0x08], short: [2, 0x05], "unsigned short": [2, 0x07],
  int: [4, 0x05], "unsigned int": [4, 0x07], unsigned: [4, 0x07], long: [8, 0x05], "unsigned long": [8, 0x07],
  "long long": [8, 0x05], "unsigned long long": [8, 0x07], bool: [1, 0x02], _Bool: [1, 0x02],
};

/**
 * `cast(x, "struct request *")`: a type by its DWARF name in this module
 * (`struct`/`union`/`enum` are hints), then `*`s; common builtin spellings
 * when the DWARF has no such base type.
 */
export function typeNamed(info: DebugInfo, text: string, span: ExprError["span"]): CType {
  const m = /^\s*(?:(struct|class|union|enum)\s+)?([A-Za-z_][\w:]*(?:\s+[A-Za-z_]\w*)*)\s*((?:\*\s*)*)$/.exec(text);
  if (!m) throw new ExprError(`cannot read the type name "${text}"`, span);
  const keyword = m[1];
  const name = m[2]!.trim().replace(/\s+/g, " ");
  const stars = (m[3] ?? "").replace(/\s/g, "").length;
  const tags = keyword ? ({ struct: [DW_TAG.structure_type, DW_TAG.class_type], class: [DW_TAG.class_type, DW_TAG.structure_type], union: [DW_TAG.union_type], enum: [DW_TAG.enumeration_type] } as Record<string, number[]>)[keyword]! : undefined;
  const dies = info.dwarf.findTypes(name).filter((d) => (tags ? tags.includes(d.tag) : true));
  const die = dies.find((d) => !d.isDeclaration()) ?? dies[0];
  let t: CType;
  if (die) t = typeModel(info).resolve(die);
  else if (!keyword && name === "void") t = { kind: "void" } as CType;
  else if (!keyword && BUILTIN_TYPES[name]) {
    const [size, encoding] = BUILTIN_TYPES[name]!;
    t = { kind: "base", name, size, encoding } as CType;
  } else throw new ExprError(`no type named ${keyword ? keyword + " " : ""}${name} in the debug info of ${info.path}`, span);
  for (let i = 0; i < stars; i++) t = pointerTo(t);
  return t;
}

function describe(t: CType): string {
  return typeName(t);
}

function pointerTo(target: CType): CType {
  return { kind: "pointer", size: POINTER_SIZE, target } as CType;
}

/**
 * An anonymous struct/union member's fields are found through it, as in C;
 * a C++ class's inherited members through its (non-virtual) base classes.
 */
/** `owner`: the class that declares the member (a static member's definition is named after it). */
function findMember(s: StructType, name: string, depth = 0): { member: Member; bitOffset: number; owner: StructType } | undefined {
  for (const m of s.members) {
    if (m.name === name) return { member: m, bitOffset: 0, owner: s };
    if (m.name === undefined) {
      const inner = stripTypedefs(m.type);
      if (inner.kind === "struct") {
        const found = findMember(inner, name, depth + 1);
        if (found && m.bitOffset !== undefined) return { ...found, bitOffset: m.bitOffset + found.bitOffset };
      }
    }
  }
  if (depth > 32) return undefined;
  for (const b of s.bases) {
    const bt = stripTypedefs(b.type);
    if (bt.kind !== "struct" || b.bitOffset === undefined) continue;
    const found = findMember(bt, name, depth + 1);
    if (found) return { ...found, bitOffset: b.bitOffset + found.bitOffset };
  }
  return undefined;
}

/** `size` in a member function: `this.size` when the class (or a base) has such a member. */
function memberOfThis(info: DebugInfo, scope: Scope, e: Extract<Expr, { kind: "Ident" }>, text: (e: Expr) => string): ObjectRef | undefined {
  const self = resolveExpr(info, scope, { kind: "Ident", name: "this", span: e.span }, text);
  const t = stripTypedefs(self.type);
  const cls = t.kind === "pointer" ? stripTypedefs(t.target) : undefined;
  if (cls?.kind !== "struct" || !findMember(cls, e.name)) return undefined;
  const obj = resolveExpr(info, scope, { kind: "Member", object: { kind: "Ident", name: "this", span: e.span }, field: e.name, span: e.span, fieldSpan: e.span } as Expr, text);
  return { ...obj, text: e.name };
}

function constantIndex(e: Expr): number | undefined {
  if (e.kind === "Int") return Number(e.value);
  if (e.kind === "Unary" && e.op === "-" && e.operand.kind === "Int") return -Number(e.operand.value);
  return undefined;
}

/** `a[i]` with `i` a program variable: the element's address is computed at the probe. */
function runtimeIndex(info: DebugInfo, scope: Scope, base: ObjectRef, e: Extract<Expr, { kind: "Index" }>, text: (e: Expr) => string): ObjectRef {
  const index = indexValue(info, scope, e.index, text, base);
  const t = stripTypedefs(base.type);
  const element = t.kind === "array" ? t.element : t.kind === "pointer" ? t.target : undefined;
  if (!element) throw new ExprError(`${base.text} is not an array or pointer (its type is ${describe(base.type)})`, e.span);
  const elemSize = sizeOf(element);
  if (elemSize === undefined) throw new ExprError(`elements of ${base.text} have no known size`, e.span);
  let start: Value;
  if (t.kind === "pointer") start = valueOf(base, e);
  else if (base.plan.kind === "memory") start = base.byteOffset ? binary("plus", base.plan.address, constant(BigInt(base.byteOffset))) : base.plan.address;
  else throw new ExprError(`not supported yet: indexing ${base.text} by a variable while it is in a ${base.plan.kind} location`, e.span);
  const offset = binary("mul", index.value, constant(BigInt(elemSize)));
  return { type: element, plan: { kind: "memory", address: binary("plus", start, offset) }, byteOffset: 0, text: `${base.text}[${index.text}]` };
}

const INDEX_OPS: Record<string, "plus" | "minus" | "mul" | "shl" | "and" | "or" | "xor" | undefined> = {
  "+": "plus", "-": "minus", "*": "mul", "<<": "shl", "&": "and", "|": "or", "^": "xor",
};

/**
 * An index computed at the probe: integer variables (sign- or zero-extended by
 * their C type), literals and + - * << & | ^ over them, in 64-bit arithmetic.
 */
function indexValue(info: DebugInfo, scope: Scope, e: Expr, text: (e: Expr) => string, base: ObjectRef): { value: Value; text: string } {
  if (e.kind === "Int") return { value: constant(e.value), text: e.raw };
  if (e.kind === "Unary" && e.op === "-") {
    const inner = indexValue(info, scope, e.operand, text, base);
    return { value: { kind: "unary", operator: "neg", operand: inner.value }, text: `-${inner.text}` };
  }
  if (e.kind === "Binary") {
    const op = INDEX_OPS[e.op];
    if (!op) throw new ExprError(`not supported yet: operator '${e.op}' in an index`, e.opSpan);
    const l = indexValue(info, scope, e.left, text, base);
    const r = indexValue(info, scope, e.right, text, base);
    return { value: binary(op, l.value, r.value), text: `${l.text} ${e.op} ${r.text}` };
  }
  const o = resolveExpr(info, scope, e, text);
  const it = stripTypedefs(o.type);
  if (it.kind !== "base" && it.kind !== "enum") throw new ExprError(`${o.text} is not an integer, so it cannot index ${base.text}`, e.span);
  return { value: scalarValue(o, e), text: o.text };
}

/** An integer object's value, sign- or zero-extended to 64 bits as its type says. */
export function scalarValue(o: ObjectRef, at: Expr): Value {
  const size = sizeOf(o.type) ?? 8;
  const t = stripTypedefs(o.type);
  const signed = t.kind === "base" ? t.encoding === 0x05 || t.encoding === 0x06 || t.encoding === 0x0d : true;
  if (o.bits) throw new ExprError(`not supported yet: a bitfield (${o.text}) as an index`, at.span);
  if (o.plan.kind === "memory") {
    const addr = o.byteOffset ? binary("plus", o.plan.address, constant(BigInt(o.byteOffset))) : o.plan.address;
    return { kind: "load", address: addr, size, signed };
  }
  const raw = valueOf({ ...o, type: o.type }, at);
  return size >= 8 ? raw : { kind: "extend", operand: raw, bits: size * 8, signed };
}

/** The value of a pointer object as a value tree (the address it holds). */
export function valueOf(p: ObjectRef, at: Expr): Value {
  if (p.bits) throw new ExprError(`${p.text} is a bitfield, not a pointer`, at.span);
  switch (p.plan.kind) {
    case "register":
      if (p.byteOffset !== 0) break;
      return { kind: "register", reg: p.plan.reg };
    case "value":
      if (p.byteOffset !== 0) break;
      return p.plan.value;
    case "memory": {
      const addr = p.byteOffset ? binary("plus", p.plan.address, constant(BigInt(p.byteOffset))) : p.plan.address;
      return { kind: "load", address: addr, size: POINTER_SIZE, signed: false };
    }
    case "optimizedOut":
      throw new ExprError(`${p.text} is optimized out at this point, so it cannot be dereferenced`, at.span);
    default:
      break;
  }
  throw new ExprError(`not supported yet: dereferencing ${p.text}, whose location is a ${p.plan.kind}`, at.span);
}

/** GhostScope's `.` on a pointer reads through it. */
function derefIfPointer(o: ObjectRef, at: Expr): ObjectRef {
  const t = stripTypedefs(o.type);
  // A C++ reference is its referent for member access (`w.size` with `const Widget &w`).
  if (t.kind !== "pointer" && t.kind !== "reference") return o;
  return { type: t.target, plan: { kind: "memory", address: valueOf(o, at) }, byteOffset: 0, text: o.text };
}

/** A sub-object `bitOffset` bits into `base` (a member or an array element). */
function offsetBy(base: ObjectRef, type: CType, bitOffset: number, bitSize: number | undefined, text: string): ObjectRef {
  const byte = Math.floor(bitOffset / 8);
  const bits = bitSize !== undefined ? { offset: bitOffset - byte * 8, size: bitSize } : undefined;
  if (base.plan.kind === "memory") {
    const address = byte + base.byteOffset ? binary("plus", base.plan.address, constant(BigInt(byte + base.byteOffset))) : base.plan.address;
    return { type, plan: { kind: "memory", address }, byteOffset: 0, bits, text };
  }
  return { type, plan: base.plan, byteOffset: base.byteOffset + byte, bits, text };
}
