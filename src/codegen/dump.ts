// Format placeholders that need more than a value's own bytes, with
// GhostScope's semantics (docs/scripting.md, "Formatted Printing"):
//
//   {:x} {:X} {:s}   the argument's captured bytes as hex / ASCII (a `char *`'s
//                    bytes are the string it points to); lowered like `{}`.
//   {:p}             an address: a pointer's value, an array's address, an
//                    integer's value. Structs, unions and floats are refused.
//   {:x.N} {:s.*} …  N bytes of memory at the address the argument denotes:
//                    a pointer's value, an array's or aggregate's base address,
//                    an addressable scalar's storage address. A scalar with no
//                    address (in a register) or a non-program value is refused
//                    ("expected an address"). `.*` takes N from the argument
//                    before; `.name$` from a `let` variable (not supported yet).
//
// A read is capped at the per-argument cap (--mem-dump-cap): the record holds
// the requested length and the bytes read, and the renderer marks the cut.
import type { CType } from "../dwarf/types/index.ts";
import { stripTypedefs, typeName } from "../dwarf/types/index.ts";
import { binary, constant } from "../dwarf/expr/index.ts";
import type { ObjectRef } from "../resolve/objects.ts";
import type { Expr, FormatPlaceholder, FormatSegment } from "../script/index.ts";
import { printExpr } from "../script/index.ts";
import { R0, R1, R2, R3, R8, type Program } from "./asm/index.ts";
import { CodegenError } from "./errors.ts";
import type { EventLayout } from "./layout.ts";
import type { DumpSource, ObjectSource, ValueSource } from "./plan.ts";
import { lowerObject, type ValueSite } from "./values.ts";

/** Status byte of a dump field; the renderer reads it back (render/format.ts). */
export const DumpStatus = { ok: 0, nullPointer: 1, readError: 2, addressFailed: 3, lengthFailed: 4 } as const;

/** Addresses below this are a null pointer, as in values.ts. */
const NULL_LIMIT = 4096;

export interface DumpLowering {
  p: Program;
  layout: EventLayout;
  site?: ValueSite;
  objectFor?: (e: Expr) => ObjectRef;
  /** Numbers the next object's record fields (shared with the probe's other objects). */
  nextObject: () => number;
  /** `{}`'s lowering of an argument. */
  valueSource: (e: Expr) => ValueSource;
}

/** The value sources of a format print's arguments, each lowered as its placeholder needs. */
export function formatArgs(segments: readonly FormatSegment[], args: readonly Expr[], l: DumpLowering): ValueSource[] {
  const out: (ValueSource | undefined)[] = new Array(args.length);
  for (const seg of segments) {
    if (seg.kind !== "Placeholder") continue;
    const e = args[seg.argIndex];
    if (!e) continue;
    if (seg.length.kind === "star" && seg.lengthArgIndex !== undefined) {
      const le = args[seg.lengthArgIndex]!;
      out[seg.lengthArgIndex] = le.kind === "Int" ? { from: "const", value: le.value, type: { kind: "int", signed: true, bytes: 8 } } : l.valueSource(le);
    }
    if (seg.conversion === "p") out[seg.argIndex] = pointerArg(seg, e, l);
    else if (seg.length.kind === "none" || seg.conversion === "default") out[seg.argIndex] = l.valueSource(e);
    else out[seg.argIndex] = dumpArg(seg, e, seg.length.kind === "star" ? out[seg.lengthArgIndex!] : undefined, l);
  }
  return args.map((e, i) => out[i] ?? l.valueSource(e));
}

const VOID_PTR: CType = { kind: "pointer", size: 8, target: { kind: "void" } } as CType;

function programObject(seg: FormatPlaceholder, e: Expr, l: DumpLowering): ObjectRef {
  if (e.kind === "SpecialVar" || e.kind === "Int" || e.kind === "Bool" || e.kind === "String")
    throw new CodegenError(`'${seg.text}' expected an address, but ${printExpr(e)} is ${e.kind === "String" ? "a string literal" : "a script value"}, not a program object (use cast(value, "T *") to read from a fixed address)`);
  if (!l.objectFor || !l.site) throw new CodegenError(`not supported yet: reading program values without debug info`);
  return l.objectFor(e);
}

/** `{:p}`: the address a pointer holds or an array starts at, or an integer as an address. */
function pointerArg(seg: FormatPlaceholder, e: Expr, l: DumpLowering): ValueSource {
  if (e.kind === "SpecialVar") return l.valueSource(e);
  const obj = programObject(seg, e, l);
  const t = stripTypedefs(obj.type);
  if (t.kind === "base" && (t.encoding === 0x04 /* DW_ATE_float */ || t.encoding === 0x03 /* complex */))
    throw new CodegenError(`'${seg.text}' expected an address, but ${obj.text} is a ${typeName(obj.type)}`);
  if (t.kind === "base" || t.kind === "enum") return lowerObject(l.p, l.layout, l.nextObject(), obj, l.site!);
  if (t.kind === "pointer" || t.kind === "array") return lowerObject(l.p, l.layout, l.nextObject(), addressObject(seg, obj), l.site!);
  throw new CodegenError(`'${seg.text}' expected an address, but ${obj.text} is a ${typeName(obj.type)} (use &${obj.text} for its address)`);
}

/**
 * A `void *` object whose value is the address `obj` denotes for a memory
 * read: a pointer's value; the storage address of anything else in memory.
 */
function addressObject(seg: FormatPlaceholder, obj: ObjectRef): ObjectRef {
  const t = stripTypedefs(obj.type);
  const text = obj.text;
  if (t.kind === "pointer") return { ...obj, type: VOID_PTR };
  // Optimized out or unreadable here: lowerObject reports it for the address as it would for the value.
  if (obj.plan.kind === "optimizedOut" || obj.plan.kind === "unsupported") return { type: VOID_PTR, plan: obj.plan, byteOffset: 0, text };
  if (obj.plan.kind === "memory" && !obj.bits) {
    const address = obj.byteOffset ? binary("plus", obj.plan.address, constant(BigInt(obj.byteOffset))) : obj.plan.address;
    return { type: VOID_PTR, plan: { kind: "value", value: address }, byteOffset: 0, text: `&${text}` };
  }
  const where = obj.bits ? "a bitfield" : obj.plan.kind === "register" ? "held in a register here" : `in a ${obj.plan.kind} location here`;
  throw new CodegenError(`'${seg.text}' expected an address, but ${text} (${typeName(obj.type)}) is ${where}, so it has no address to read from`);
}

/** `{:x.N}`, `{:X.*}`, `{:s.N}` …: a bounded read at the argument's address. */
function dumpArg(seg: FormatPlaceholder, e: Expr, lengthSrc: ValueSource | undefined, l: DumpLowering): DumpSource {
  const conversion = seg.conversion as "x" | "X" | "s";
  if (seg.length.kind === "capture") throw new CodegenError(`not supported yet: '${seg.text}' takes its length from a 'let' variable, and 'let' is not supported yet`);
  const obj = programObject(seg, e, l);
  const site = l.site!;
  const cap = Math.max(0, site.cap);
  const address = lowerObject(l.p, l.layout, l.nextObject(), addressObject(seg, obj), site) as ObjectSource;
  const base: DumpSource = { from: "dump", text: obj.text, conversion, address, length: lengthSrc, cap };

  // The length: a constant, or a value the record already holds.
  let length: { const: bigint } | { field: string; kind: "u32" | "u64" } | { object: ObjectSource } | undefined;
  if (seg.length.kind === "static") length = { const: BigInt(seg.length.value) };
  else if (!lengthSrc) throw new CodegenError(`'${seg.text}' has no length argument`);
  else if (lengthSrc.from === "const") length = { const: lengthSrc.value };
  else if (lengthSrc.from === "field") length = { field: lengthSrc.field, kind: lengthSrc.type.bytes === 8 ? "u64" : "u32" };
  else if (lengthSrc.from === "object") {
    const lt = stripTypedefs(lengthSrc.type);
    if (lt.kind !== "base" && lt.kind !== "enum") throw new CodegenError(`'${seg.text}' takes its length from ${lengthSrc.text}, which is a ${typeName(lengthSrc.type)}, not an integer`);
    if (lengthSrc.bits) throw new CodegenError(`not supported yet: a bitfield (${lengthSrc.text}) as a '${seg.text}' length`);
    if (lengthSrc.constBytes) length = { const: leSigned(lengthSrc.constBytes.subarray(lengthSrc.byteOffset, lengthSrc.byteOffset + lengthSrc.size), signedType(lengthSrc.type)) };
    else if (!lengthSrc.fields) return { ...base, constFail: "length" };
    else length = { object: lengthSrc };
  } else throw new CodegenError(`'${seg.text}' cannot take its length from another dump`);
  if (!address.fields && !address.constBytes) return { ...base, constFail: "address" };

  const size = length && "const" in length ? Number(length.const < 0n ? 0n : length.const > BigInt(cap) ? BigInt(cap) : length.const) : cap;
  const n = l.nextObject();
  const { p, layout } = l;
  const status = layout.add(`d${n}.status`, "u8");
  const addr = layout.add(`d${n}.addr`, "u64");
  const want = layout.add(`d${n}.want`, "u64");
  const len = layout.add(`d${n}.len`, "u32");
  const data = layout.add(`d${n}.data`, "bytes", Math.max(8, Math.ceil(size / 8) * 8));
  const done = p.newLabel(`d${n}_done`);
  const fails = new Map<number, string>();
  const failTo = (s: number) => {
    if (!fails.has(s)) fails.set(s, p.newLabel(`d${n}_fail${s}`));
    return fails.get(s)!;
  };

  p.comment(`${seg.text} of ${obj.text}: up to ${size} bytes`).st("u8", R8, status.offset, DumpStatus.ok);
  if (address.fields) p.ldx("u8", R1, R8, layout.field(address.fields.status).offset).jne(R1, 0, failTo(DumpStatus.addressFailed));
  // r2 = the length, clamped to [0, size]
  if ("const" in length) {
    p.ld64(R0, BigInt.asUintN(64, length.const)).stx("u64", R8, want.offset, R0).mov(R2, size);
  } else {
    if ("field" in length) p.ldx(length.kind, R0, R8, layout.field(length.field).offset);
    else {
      const o = length.object;
      const f = o.fields!;
      p.ldx("u8", R1, R8, layout.field(f.status).offset).jne(R1, 0, failTo(DumpStatus.lengthFailed));
      const bytes = Math.min(o.size, 8);
      if (![1, 2, 4, 8].includes(bytes) || o.byteOffset + bytes > f.readSize) throw new CodegenError(`not supported yet: a ${o.size}-byte length (${o.text})`);
      p.ldx(bytes === 8 ? "u64" : bytes === 4 ? "u32" : bytes === 2 ? "u16" : "u8", R0, R8, layout.field(f.data).offset + o.byteOffset);
      if (bytes < 8 && signedType(o.type)) p.lsh(R0, 64 - bytes * 8).arsh(R0, 64 - bytes * 8);
    }
    p.stx("u64", R8, want.offset, R0);
    const nonNeg = p.newLabel(`d${n}_nonneg`);
    const inCap = p.newLabel(`d${n}_incap`);
    p.jsge(R0, 0, nonNeg).mov(R0, 0).label(nonNeg);
    p.jle(R0, size, inCap).mov(R0, size).label(inCap);
    p.mov(R2, R0);
  }
  p.stx("u32", R8, len.offset, R2);
  if (address.fields) p.ldx("u64", R3, R8, layout.field(address.fields.data).offset);
  else p.ld64(R3, leSigned(address.constBytes!.subarray(0, 8), false));
  p.stx("u64", R8, addr.offset, R3).jlt(R3, NULL_LIMIT, failTo(DumpStatus.nullPointer));
  p.mov(R1, R8).add(R1, data.offset).call("probe_read_user").jne(R0, 0, failTo(DumpStatus.readError));
  p.ja(done);
  for (const [s, label] of fails) p.label(label).st("u8", R8, status.offset, s).ja(done);
  p.label(done);
  return { ...base, fields: { status: status.name, addr: addr.name, want: want.name, len: len.name, data: data.name } };
}

function signedType(t: CType): boolean {
  const s = stripTypedefs(t);
  if (s.kind === "enum") return true;
  return s.kind === "base" && (s.encoding === 0x05 || s.encoding === 0x06 || s.encoding === 0x0d);
}

function leSigned(bytes: Uint8Array, signed: boolean): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return signed && bytes.length ? BigInt.asIntN(bytes.length * 8, v) : v;
}
