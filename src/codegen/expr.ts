// Computed expressions: `a + b * 2`, `(u >> 3) & 7`, `p + 1`, `s == "GET"`,
// `memcmp(buf, hex("DE AD"), 2)`. The AST is typed first (C's integer
// promotions and usual arithmetic conversions over the operands' DWARF
// types; literal-only subtrees fold), then lowered to BPF that leaves the
// value in r0, normalized to its C type (sign- or zero-extended to 64 bits).
// Reads that fail jump to the caller's failure labels (values.ts Ctx).
import type { Value } from "../dwarf/expr/index.ts";
import { sizeOf, stripTypedefs, type CType } from "../dwarf/types/index.ts";
import { ExprError, scalarValue, valueOf, type ObjectRef } from "../resolve/objects.ts";
import type { BinaryOp, Expr } from "../script/index.ts";
import { R0, R1, R2, R3, R8, R10 } from "./asm/index.ts";
import { EventLayout } from "./layout.ts";
import { evalValue, extend, failTo, nextLabel, NULL_LIMIT, take, type Ctx } from "./values.ts";

/** An integer type after C's rules: int, unsigned int, long, unsigned long, _Bool. */
export interface IntType {
  kind: "int";
  signed: boolean;
  bytes: number;
  bool?: boolean;
}
export interface PtrType {
  kind: "ptr";
  /** The pointer's C type (for a decayed array: pointer to its element). */
  ctype: CType;
  /** sizeof(*p); 1 for void. */
  elem: number;
}
export type ExprType = IntType | PtrType;

export type TExpr =
  | { k: "const"; t: ExprType; v: bigint }
  /** A program scalar or pointer: a value tree whose loads may fail. */
  | { k: "value"; t: ExprType; v: Value }
  /** A header field of the record ($pid, $tid, $timestamp). */
  | { k: "field"; t: ExprType; field: string; size: "u32" | "u64" }
  | { k: "conv"; t: ExprType; x: TExpr }
  | { k: "bin"; t: ExprType; op: "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>"; l: TExpr; r: TExpr }
  | { k: "cmp"; t: ExprType; op: "==" | "!=" | "<" | "<=" | ">" | ">="; signed: boolean; l: TExpr; r: TExpr }
  | { k: "logic"; t: ExprType; op: "&&" | "||"; l: TExpr; r: TExpr }
  | { k: "un"; t: ExprType; op: "-" | "~" | "!"; x: TExpr }
  /** `p ± n` scaled, `p - q` divided by the element size. */
  | { k: "ptradd"; t: ExprType; sign: 1 | -1; p: TExpr; n: TExpr; elem: number }
  | { k: "ptrdiff"; t: ExprType; l: TExpr; r: TExpr; elem: number }
  /** Bytes at `src` against literal bytes: `==` (strict NUL), strncmp/starts_with prefix. */
  | { k: "str"; t: ExprType; mode: "eq" | "prefix"; src: MemSource; lit: Uint8Array; negate: boolean }
  | { k: "memcmp"; t: ExprType; a: MemSource; b: MemSource | Uint8Array; n: number };

/** Where compared bytes live: a `char *`'s target (read as a string) or an array/address. */
export interface MemSource {
  address: Value;
  /** A pointer: reads stop at its NUL (bpf_probe_read_user_str) for `==`. */
  isPointer: boolean;
  /** Known size of the array, if any. */
  size?: number;
}

/** GhostScope's compare_cap: bytes a string/memory comparison reads at most. */
export const COMPARE_CAP = 64;

export const INT: IntType = { kind: "int", signed: true, bytes: 4 };
const UINT: IntType = { kind: "int", signed: false, bytes: 4 };
const LONG: IntType = { kind: "int", signed: true, bytes: 8 };
const ULONG: IntType = { kind: "int", signed: false, bytes: 8 };
export const BOOL: IntType = { kind: "int", signed: false, bytes: 1, bool: true };

export interface Elaborator {
  /** Resolves a program-object expression at this site (throws ExprError). */
  objectFor?: (e: Expr) => ObjectRef;
  inputPid?: number;
}

const OBJECT_KINDS = new Set(["Ident", "Member", "Index", "Cast", "TupleIndex"]);

/** Whether `e` names a program object (read as a whole) rather than computing a value. */
export function isObjectExpr(e: Expr): boolean {
  if (OBJECT_KINDS.has(e.kind)) return true;
  return e.kind === "Unary" && (e.op === "*" || e.op === "&");
}

// ---- typing ----------------------------------------------------------------------------

export function elaborate(e: Expr, env: Elaborator): TExpr {
  switch (e.kind) {
    case "Int":
      return { k: "const", t: literalType(e.value), v: e.value };
    case "Bool":
      return { k: "const", t: INT, v: e.value ? 1n : 0n };
    case "SpecialVar":
      switch (e.name) {
        case "pid":
          return { k: "field", t: UINT, field: "pid", size: "u32" };
        case "host_pid":
          return { k: "field", t: UINT, field: "host_pid", size: "u32" };
        case "tid":
          return { k: "field", t: UINT, field: "tid", size: "u32" };
        case "timestamp":
          return { k: "field", t: ULONG, field: "timestamp", size: "u64" };
        case "input_pid":
          if (env.inputPid === undefined) throw new ExprError("$input_pid is only defined with -p PID", e.span);
          return { k: "const", t: UINT, v: BigInt(env.inputPid) };
      }
      throw new ExprError(`unknown special variable $${e.name}`, e.span);
    case "String":
      throw new ExprError("a string literal can only be compared (==, !=) with a char * or char[N], or passed to strncmp/starts_with", e.span);
    case "Hex":
      throw new ExprError("hex(...) is only an operand of memcmp", e.span);
    case "Unary": {
      if (e.op === "*" || e.op === "&") return objectValue(e, env);
      const x = elaborate(e.operand, env);
      if (e.op === "!") return fold({ k: "un", t: INT, op: "!", x });
      const t = promote(intOf(x, e.operand));
      return fold({ k: "un", t, op: e.op, x: convert(x, t) });
    }
    case "Binary":
      return binary(e, env);
    case "Call":
      return call(e, env);
    default:
      return objectValue(e, env);
  }
}

function objectValue(e: Expr, env: Elaborator): TExpr {
  if (!env.objectFor) throw new ExprError("not supported yet: reading program values without debug info", e.span);
  return objectTExpr(env.objectFor(e), e);
}

/** A program object as an operand: integers and pointers by value, arrays decay to their address. */
export function objectTExpr(o: ObjectRef, at: Expr): TExpr {
  const t = stripTypedefs(o.type);
  if (o.bits) throw new ExprError(`not supported yet: the bitfield ${o.text} in an expression`, at.span);
  // A C++ reference stands for its referent in expressions, as in C++ (`r + 1`).
  if (t.kind === "reference") return objectTExpr({ type: t.target, plan: { kind: "memory", address: valueOf(o, at) }, byteOffset: 0, text: o.text }, at);
  if (t.kind === "pointer") return { k: "value", t: ptrType(o.type), v: valueOf(o, at) };
  if (t.kind === "array") {
    if (o.plan.kind !== "memory") throw new ExprError(`${o.text} is an array that is not in memory here, so it has no address`, at.span);
    const ctype = { kind: "pointer", size: 8, target: t.element } as CType;
    const addr: Value = o.byteOffset ? { kind: "binary", operator: "plus", left: o.plan.address, right: { kind: "const", value: BigInt(o.byteOffset) } } : o.plan.address;
    return { k: "value", t: ptrType(ctype), v: addr };
  }
  if (t.kind === "enum" || (t.kind === "base" && t.encoding !== 0x04 /* float */ && t.encoding !== 0x03 /* complex */)) {
    const bytes = sizeOf(t) ?? 4;
    if (![1, 2, 4, 8].includes(bytes)) throw new ExprError(`not supported yet: a ${bytes}-byte integer (${o.text}) in an expression`, at.span);
    const signed = t.kind === "base" ? t.encoding === 0x05 || t.encoding === 0x06 || t.encoding === 0x0d : enumSigned(t);
    const bool = t.kind === "base" && t.encoding === 0x02;
    return { k: "value", t: { kind: "int", signed: bool ? false : signed, bytes, bool }, v: scalarValue(o, at) };
  }
  if (t.kind === "base") throw new ExprError(`not supported yet: floating-point arithmetic (${o.text} is ${t.name})`, at.span);
  throw new ExprError(`${o.text} is a ${t.kind === "struct" ? (t.keyword ?? "struct") : t.kind}, not an integer or pointer, so it cannot be used in an expression`, at.span);
}

function enumSigned(t: CType): boolean {
  const values = (t as { enumerators?: { value: bigint | number }[] }).enumerators;
  return values?.some((x) => BigInt(x.value) < 0n) ?? false;
}

function ptrType(ctype: CType): PtrType {
  const s = stripTypedefs(ctype);
  const target = s.kind === "pointer" ? s.target : undefined;
  const elem = target ? (sizeOf(target) ?? 1) : 1;
  return { kind: "ptr", ctype, elem: elem || 1 };
}

function literalType(v: bigint): IntType {
  if (v >= -(1n << 31n) && v < 1n << 31n) return INT;
  if (v >= -(1n << 63n) && v < 1n << 63n) return LONG;
  return ULONG;
}

function intOf(x: TExpr, at: Expr): IntType {
  if (x.t.kind !== "int") throw new ExprError(`${exprWord(at)} is a pointer; this operator needs an integer`, at.span);
  return x.t;
}

function exprWord(e: Expr): string {
  return e.kind === "Ident" ? e.name : "this operand";
}

/** C integer promotion: anything narrower than int (and _Bool) becomes int. */
export function promote(t: IntType): IntType {
  return t.bytes < 4 || t.bool ? INT : t;
}

/** The usual arithmetic conversions (LP64). */
export function common(a: IntType, b: IntType): IntType {
  const x = promote(a);
  const y = promote(b);
  if (x.signed === y.signed) return x.bytes >= y.bytes ? x : y;
  const [s, u] = x.signed ? [x, y] : [y, x];
  if (u.bytes >= s.bytes) return u;
  return s; // the signed type is wider: it holds every value of the unsigned one
}

function convert(x: TExpr, t: ExprType): TExpr {
  if (x.t.kind === t.kind && (t.kind === "ptr" || (x.t as IntType).signed === (t as IntType).signed && (x.t as IntType).bytes === (t as IntType).bytes && !(x.t as IntType).bool)) return x;
  return fold({ k: "conv", t, x });
}

const COMPARE = new Set(["==", "!=", "<", "<=", ">", ">="]);

function binary(e: Extract<Expr, { kind: "Binary" }>, env: Elaborator): TExpr {
  if ((e.op === "==" || e.op === "!=") && (e.left.kind === "String" || e.right.kind === "String")) {
    const [lit, other] = e.left.kind === "String" ? [e.left, e.right] : [e.right as Extract<Expr, { kind: "String" }>, e.left];
    if (other.kind === "String") return { k: "const", t: INT, v: (e.left as { value: string }).value === (e.right as { value: string }).value === (e.op === "==") ? 1n : 0n };
    const bytes = new TextEncoder().encode(lit.value);
    if (bytes.length + 2 > COMPARE_CAP + 2) throw new ExprError(`string comparisons read at most ${COMPARE_CAP} bytes; this literal has ${bytes.length}`, lit.span);
    return { k: "str", t: INT, mode: "eq", src: memSource(other, env), lit: bytes, negate: e.op === "!=" };
  }
  const l = elaborate(e.left, env);
  const r = elaborate(e.right, env);
  if (e.op === "&&" || e.op === "||") return fold({ k: "logic", t: INT, op: e.op, l, r });
  if (COMPARE.has(e.op)) {
    const op = e.op as "==" | "!=" | "<" | "<=" | ">" | ">=";
    if (l.t.kind === "ptr" || r.t.kind === "ptr") {
      const ok = (x: TExpr) => x.t.kind === "ptr" || (x.k === "const" && x.v === 0n);
      if (!ok(l) || !ok(r)) throw new ExprError("a pointer can only be compared with another pointer or 0", e.opSpan);
      return fold({ k: "cmp", t: INT, op, signed: false, l: convert(l, ULONG), r: convert(r, ULONG) });
    }
    const t = common(l.t as IntType, r.t as IntType);
    return fold({ k: "cmp", t: INT, op, signed: t.signed, l: convert(l, t), r: convert(r, t) });
  }
  const op = e.op as Exclude<BinaryOp, "&&" | "||" | "==" | "!=" | "<" | "<=" | ">" | ">=">;
  if (l.t.kind === "ptr" || r.t.kind === "ptr") {
    if (op === "+" && l.t.kind === "ptr" && r.t.kind === "int") return { k: "ptradd", t: l.t, sign: 1, p: l, n: convert(r, LONG), elem: l.t.elem };
    if (op === "+" && r.t.kind === "ptr" && l.t.kind === "int") return { k: "ptradd", t: r.t, sign: 1, p: r, n: convert(l, LONG), elem: r.t.elem };
    if (op === "-" && l.t.kind === "ptr" && r.t.kind === "int") return { k: "ptradd", t: l.t, sign: -1, p: l, n: convert(r, LONG), elem: l.t.elem };
    if (op === "-" && l.t.kind === "ptr" && r.t.kind === "ptr") {
      if (l.t.elem !== r.t.elem) throw new ExprError("subtracting pointers to elements of different sizes", e.opSpan);
      return { k: "ptrdiff", t: LONG, l, r, elem: l.t.elem };
    }
    throw new ExprError(`operator '${op}' does not apply to pointers (only p + n, p - n and p - q)`, e.opSpan);
  }
  if (op === "<<" || op === ">>") {
    const t = promote(l.t as IntType);
    return fold({ k: "bin", t, op, l: convert(l, t), r: convert(r, LONG) });
  }
  const t = common(l.t as IntType, r.t as IntType);
  return fold({ k: "bin", t, op, l: convert(l, t), r: convert(r, t) });
}

/** A `char *` / `char[N]` / pointer / array / `&x` operand of a comparison builtin. */
function memSource(e: Expr, env: Elaborator): MemSource {
  if (!env.objectFor) throw new ExprError("not supported yet: reading program values without debug info", e.span);
  const x = elaborate(e, env);
  if (x.t.kind !== "ptr" || x.k !== "value") throw new ExprError(`${exprWord(e)} is not a pointer or array, so it has no bytes to compare`, e.span);
  const o = isObjectExpr(e) ? env.objectFor(e) : undefined;
  const s = o ? stripTypedefs(o.type) : undefined;
  if (s?.kind === "array") return { address: x.v, isPointer: false, size: sizeOf(s) };
  return { address: x.v, isPointer: true };
}

function call(e: Extract<Expr, { kind: "Call" }>, env: Elaborator): TExpr {
  const [a, b, n] = e.args;
  if (!a || !b) throw new ExprError(`${e.callee} needs two operands`, e.span);
  if (e.callee === "memcmp") {
    const len = n === undefined ? (a.kind === "Hex" ? a.bytes.length : b.kind === "Hex" ? b.bytes.length : undefined) : constantOf(elaborate(n, env));
    if (len === undefined) throw new ExprError("not supported yet: a memcmp length computed at run time (give a literal or a constant let)", (n ?? e).span);
    if (len < 0n) throw new ExprError("memcmp length must be non-negative", (n ?? e).span);
    const count = Number(len > BigInt(COMPARE_CAP) ? BigInt(COMPARE_CAP) : len);
    if (a.kind === "Hex" && b.kind === "Hex") return { k: "const", t: BOOL, v: a.bytes.subarray(0, count).every((x, i) => x === b.bytes[i]) ? 1n : 0n };
    if (count === 0) return { k: "const", t: BOOL, v: 1n };
    const [x, y] = a.kind === "Hex" ? [b, a] : [a, b];
    return { k: "memcmp", t: BOOL, a: memSource(x, env), b: y.kind === "Hex" ? y.bytes.subarray(0, count) : memSource(y, env), n: count };
  }
  const [lit, other] = a.kind === "String" ? [a, b] : b.kind === "String" ? [b, a] : [undefined, undefined];
  if (!lit || !other || lit.kind !== "String") throw new ExprError(`${e.callee} needs a string literal as one operand`, e.span);
  let bytes = new TextEncoder().encode(lit.value);
  if (e.callee === "strncmp") {
    const k = n === undefined ? undefined : constantOf(elaborate(n, env));
    if (k === undefined || k < 0n) throw new ExprError("strncmp length must be a non-negative integer literal", (n ?? e).span);
    bytes = bytes.subarray(0, Number(k < BigInt(bytes.length) ? k : BigInt(bytes.length)));
  }
  bytes = bytes.subarray(0, COMPARE_CAP);
  if (other.kind === "String") {
    const ob = new TextEncoder().encode(other.value);
    return { k: "const", t: BOOL, v: bytes.every((x, i) => ob[i] === x) ? 1n : 0n };
  }
  if (bytes.length === 0) return { k: "const", t: BOOL, v: 1n };
  return { k: "str", t: BOOL, mode: "prefix", src: memSource(other, env), lit: bytes, negate: false };
}

export function constantOf(x: TExpr): bigint | undefined {
  return x.k === "const" ? x.v : undefined;
}

// ---- folding ---------------------------------------------------------------------------

/** Wrap to the type's width and signedness. */
export function normalize(v: bigint, t: ExprType): bigint {
  if (t.kind === "ptr") return BigInt.asUintN(64, v);
  if (t.bool) return v !== 0n ? 1n : 0n;
  return t.signed ? BigInt.asIntN(t.bytes * 8, v) : BigInt.asUintN(t.bytes * 8, v);
}

function fold(x: TExpr): TExpr {
  switch (x.k) {
    case "conv":
      return x.x.k === "const" ? { k: "const", t: x.t, v: normalize(x.x.v, x.t) } : x;
    case "un": {
      if (x.x.k !== "const") return x;
      const v = x.x.v;
      return { k: "const", t: x.t, v: normalize(x.op === "-" ? -v : x.op === "~" ? ~v : v === 0n ? 1n : 0n, x.t) };
    }
    case "logic": {
      if (x.l.k !== "const") return x;
      const lt = x.l.v !== 0n;
      if (x.op === "&&" && !lt) return { k: "const", t: INT, v: 0n };
      if (x.op === "||" && lt) return { k: "const", t: INT, v: 1n };
      if (x.r.k === "const") return { k: "const", t: INT, v: x.r.v !== 0n ? 1n : 0n };
      return x;
    }
    case "cmp": {
      if (x.l.k !== "const" || x.r.k !== "const") return x;
      const a = x.l.v, b = x.r.v;
      const r = { "==": a === b, "!=": a !== b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b }[x.op];
      return { k: "const", t: INT, v: r ? 1n : 0n };
    }
    case "bin": {
      if (x.l.k !== "const" || x.r.k !== "const") return x;
      const v = constBinary(x.op, x.l.v, x.r.v, x.t as IntType);
      return v === undefined ? x : { k: "const", t: x.t, v };
    }
    default:
      return x;
  }
}

function constBinary(op: string, a: bigint, b: bigint, t: IntType): bigint | undefined {
  const bits = BigInt(t.bytes * 8);
  switch (op) {
    case "+": return normalize(a + b, t);
    case "-": return normalize(a - b, t);
    case "*": return normalize(a * b, t);
    case "/": return b === 0n ? undefined : normalize(a / b, t); // BigInt division truncates toward zero, as C
    case "%": return b === 0n ? undefined : normalize(a % b, t);
    case "&": return normalize(a & b, t);
    case "|": return normalize(a | b, t);
    case "^": return normalize(a ^ b, t);
    case "<<": return normalize(a << (b & (bits - 1n)), t);
    case ">>": return normalize(a >> (b & (bits - 1n)), t);
  }
  return undefined;
}

// ---- lowering --------------------------------------------------------------------------

export interface ExprCtx extends Ctx {
  /** Record offset of COMPARE_CAP * 2 + 16 scratch bytes for comparisons. */
  scratch: () => number;
}

/** Evaluate `x` into r0, normalized to its type. */
export function lowerTExpr(c: ExprCtx, x: TExpr): void {
  const { p } = c;
  switch (x.k) {
    case "const":
      if (x.v >= -(1n << 31n) && x.v < 1n << 31n) p.mov(R0, Number(x.v));
      else p.ld64(R0, BigInt.asIntN(64, x.v));
      return;
    case "value":
      evalValue(c, x.v);
      return;
    case "field":
      p.ldx(x.size, R0, R8, fieldOffset(c, x.field));
      return;
    case "conv":
      lowerTExpr(c, x.x);
      norm(c, x.t);
      return;
    case "un":
      lowerTExpr(c, x.x);
      if (x.op === "-") p.neg(R0);
      else if (x.op === "~") p.xor(R0, -1);
      else {
        const n = nextLabel();
        p.jeq(R0, 0, `not1_${n}`).mov(R0, 0).ja(`notend_${n}`).label(`not1_${n}`).mov(R0, 1).label(`notend_${n}`);
        return;
      }
      norm(c, x.t);
      return;
    case "logic": {
      const n = nextLabel();
      const [short, shortVal] = x.op === "&&" ? [`and0_${n}`, 0] : [`or1_${n}`, 1];
      const jump = x.op === "&&" ? "jeq" : "jne";
      lowerTExpr(c, x.l);
      p[jump](R0, 0, short);
      lowerTExpr(c, x.r);
      p[jump](R0, 0, short);
      p.mov(R0, 1 - shortVal).ja(`logend_${n}`).label(short).mov(R0, shortVal).label(`logend_${n}`);
      return;
    }
    case "cmp": {
      pair(c, x.l, x.r);
      const n = nextLabel();
      const cond = x.signed
        ? ({ "==": "jeq", "!=": "jne", "<": "jslt", "<=": "jsle", ">": "jsgt", ">=": "jsge" } as const)[x.op]
        : ({ "==": "jeq", "!=": "jne", "<": "jlt", "<=": "jle", ">": "jgt", ">=": "jge" } as const)[x.op];
      p[cond](R0, R1, `cmp1_${n}`).mov(R0, 0).ja(`cmpend_${n}`).label(`cmp1_${n}`).mov(R0, 1).label(`cmpend_${n}`);
      return;
    }
    case "bin": {
      pair(c, x.l, x.r);
      const t = x.t as IntType;
      switch (x.op) {
        case "+": p.add(R0, R1); break;
        case "-": p.sub(R0, R1); break;
        case "*": p.mul(R0, R1); break;
        case "/": t.signed ? p.sdiv(R0, R1) : p.div(R0, R1); break;
        case "%": t.signed ? p.smod(R0, R1) : p.mod(R0, R1); break;
        case "&": p.and(R0, R1); break;
        case "|": p.or(R0, R1); break;
        case "^": p.xor(R0, R1); break;
        case "<<": p.and(R1, t.bytes * 8 - 1).lsh(R0, R1); break;
        case ">>": p.and(R1, t.bytes * 8 - 1); t.signed ? p.arsh(R0, R1) : p.rsh(R0, R1); break;
      }
      norm(c, t);
      return;
    }
    case "ptradd":
      pair(c, x.p, x.n);
      if (x.elem !== 1) p.mul(R1, x.elem);
      if (x.sign > 0) p.add(R0, R1);
      else p.sub(R0, R1);
      return;
    case "ptrdiff":
      pair(c, x.l, x.r);
      p.sub(R0, R1);
      if (x.elem !== 1) p.sdiv(R0, x.elem);
      return;
    case "str":
      lowerStr(c, x);
      return;
    case "memcmp":
      lowerMemcmp(c, x);
      return;
  }
}

/** r0 = left, r1 = right. */
function pair(c: ExprCtx, l: TExpr, r: TExpr): void {
  lowerTExpr(c, l);
  const slot = take(c);
  c.p.stx("u64", R10, -slot, R0);
  lowerTExpr(c, r);
  c.p.mov(R1, R0).ldx("u64", R0, R10, -slot);
  c.slot -= 8;
}

function norm(c: ExprCtx, t: ExprType): void {
  if (t.kind !== "int") return;
  if (t.bool) {
    const n = nextLabel();
    c.p.jeq(R0, 0, `b0_${n}`).mov(R0, 1).label(`b0_${n}`);
    return;
  }
  extend(c.p, t.bytes * 8, t.signed);
}

const HEADER = new EventLayout();
function fieldOffset(_c: ExprCtx, field: string): number {
  return HEADER.field(field).offset;
}

/** Read `size` bytes of `src` into the record at `dst`; r0 = bytes read (strings) or 0. Failures jump. */
function readInto(c: ExprCtx, src: MemSource, dst: number, size: number, asString: boolean): void {
  const { p } = c;
  evalValue(c, src.address);
  p.stx("u64", R8, c.addrOff, R0).jlt(R0, NULL_LIMIT, failTo(c, c.fail.nullPointer));
  p.mov(R3, R0).mov(R1, R8).add(R1, dst).mov(R2, size).call(asString ? "probe_read_user_str" : "probe_read_user");
  if (asString) p.jslt(R0, 0, failTo(c, c.fail.readError));
  else p.jne(R0, 0, failTo(c, c.fail.readError));
}

/** r2 |= bytes at dst differing from `lit` (r2 must start at 0). */
function accumulateDiff(c: ExprCtx, dst: number, lit: Uint8Array | { other: number; n: number }): void {
  const { p } = c;
  const n = lit instanceof Uint8Array ? lit.length : lit.n;
  for (let i = 0; i < n; i++) {
    p.ldx("u8", R1, R8, dst + i);
    if (lit instanceof Uint8Array) p.xor(R1, lit[i]!);
    else p.ldx("u8", R3, R8, lit.other + i).xor(R1, R3);
    p.or(R2, R1);
  }
}

function lowerStr(c: ExprCtx, x: Extract<TExpr, { k: "str" }>): void {
  const { p } = c;
  const buf = c.scratch();
  const n = nextLabel();
  const no = `streq0_${n}`;
  const end = `streqend_${n}`;
  const L = x.lit.length;
  const yes = x.negate ? 0 : 1;
  if (x.mode === "eq") {
    if (x.src.isPointer) {
      // Exactly L bytes before the NUL: the helper copies L + 1 of at most L + 2.
      readInto(c, x.src, buf, L + 2, true);
      p.jne(R0, L + 1, no);
    } else {
      if (x.src.size !== undefined && L + 1 > x.src.size) {
        p.mov(R0, 1 - yes);
        return;
      }
      readInto(c, x.src, buf, L + 1, false);
    }
    p.mov(R2, 0);
    accumulateDiff(c, buf, x.lit);
    if (!x.src.isPointer) p.ldx("u8", R1, R8, buf + L).or(R2, R1);
  } else {
    const size = x.src.size !== undefined ? Math.min(L, x.src.size) : L;
    if (size < L) {
      p.mov(R0, 0);
      return;
    }
    // A string read copies at most size - 1 bytes before its NUL.
    readInto(c, x.src, buf, x.src.isPointer ? L + 1 : L, x.src.isPointer);
    p.mov(R2, 0);
    accumulateDiff(c, buf, x.lit);
  }
  p.jne(R2, 0, no).mov(R0, yes).ja(end).label(no).mov(R0, 1 - yes).label(end);
}

function lowerMemcmp(c: ExprCtx, x: Extract<TExpr, { k: "memcmp" }>): void {
  const { p } = c;
  const buf = c.scratch();
  const n = nextLabel();
  readInto(c, x.a, buf, x.n, false);
  if (!(x.b instanceof Uint8Array)) readInto(c, x.b, buf + COMPARE_CAP + 8, x.n, false);
  p.mov(R2, 0);
  accumulateDiff(c, buf, x.b instanceof Uint8Array ? x.b : { other: buf + COMPARE_CAP + 8, n: x.n });
  p.mov(R0, 0).jne(R2, 0, `memcmp_${n}`).mov(R0, 1).label(`memcmp_${n}`);
}

/** The C type a computed value is shown as (the renderer formats it like gdb). */
export function cTypeOf(t: ExprType): CType {
  if (t.kind === "ptr") return t.ctype;
  if (t.bool) return { kind: "base", name: "_Bool", size: 1, encoding: 0x02 } as CType;
  const name = t.bytes === 8 ? (t.signed ? "long" : "unsigned long") : t.bytes === 4 ? (t.signed ? "int" : "unsigned int") : t.bytes === 2 ? (t.signed ? "short" : "unsigned short") : t.signed ? "signed char" : "unsigned char";
  return { kind: "base", name, size: t.bytes, encoding: t.signed ? 0x05 : 0x07 } as CType;
}
