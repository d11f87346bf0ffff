// Lowers objects (type + read plan, from src/resolve/objects.ts) to BPF that
// fills one field of the event record: a status byte, the address a failed
// read was aimed at, and the object's bytes — plus, for `char *`, the string
// it points to. The field names it adds to the layout are recorded in the
// ObjectSource the decoder reads them back with.
//
// Registers: r6 = ctx (struct pt_regs *), r8 = the record; value trees are
// evaluated into r0 with intermediate results spilled to the stack below
// fp-16 (fp-4 belongs to the loss counter).
import { binary, constant, ptRegsOffset, x86RegisterName, type ReadPlan, type Value } from "../dwarf/expr/index.ts";
import { sizeOf, stripTypedefs, type CType } from "../dwarf/types/index.ts";
import type { ObjectRef } from "../resolve/objects.ts";
import { R0, R1, R2, R3, R6, R8, R10, type Program } from "./asm/index.ts";
import type { EventLayout } from "./layout.ts";
import type { ObjectSource } from "./plan.ts";
import { CodegenError } from "./errors.ts";

/** Status byte values; the decoder maps them back by name (plan.ts STATUS_NAMES). */
export const Status = { ok: 0, nullPointer: 1, readError: 2, offsetsUnavailable: 3 } as const;

const IP = ptRegsOffset(16)!; // the probed instruction: rip in pt_regs at a uprobe
export const FIRST_SLOT = 16;
/** Placeholder map number of the per-process load-bias map (src/runtime/bias.ts); link() swaps in its fd. */
export const BIAS_MAP_SLOT = 2;
const MAX_SLOTS = 48;
/** Addresses below this are a null pointer (plus a member offset), not memory. */
export const NULL_LIMIT = 4096;

export interface ValueSite {
  /** Link-time address of the probed instruction: the load bias is ip - this. */
  vaddr: number;
  /** The function's entry: entry values are the current values only there. */
  entryPc?: number;
  /** Per-object read cap in bytes (--mem-dump-cap). */
  cap: number;
}

let labelSeq = 0;
/** A fresh number for labels unique within a program. */
export function nextLabel(): number {
  return ++labelSeq;
}

export function lowerObject(p: Program, layout: EventLayout, n: number | string, obj: ObjectRef, site: ValueSite): ObjectSource {
  const name = `v${n}`;
  const typeSize = sizeOf(obj.type);
  if (typeSize === undefined) throw new CodegenError(`${obj.text} has a type of unknown size`);
  let plan = obj.plan;
  if (plan.kind === "entryValue") {
    // The value the object had at the function's entry: the current registers only say it there.
    if (site.entryPc !== site.vaddr)
      plan = { kind: "unsupported", op: "DW_OP_entry_value", reason: "its value at function entry is not recoverable here (gdb reads the caller's call-site data)" };
    else plan = plan.atEntry;
  }
  if (plan.kind === "pieces" && plan.pieces.some((x) => x.plan.kind === "optimizedOut")) {
    plan = plan.pieces.every((x) => x.plan.kind === "optimizedOut")
      ? { kind: "optimizedOut" }
      : { kind: "unsupported", op: "DW_OP_piece", reason: "partly optimized out" };
  }
  const base: Omit<ObjectSource, "constStatus" | "constBytes" | "fields" | "reason"> = {
    from: "object",
    type: obj.type,
    byteOffset: obj.byteOffset,
    bits: obj.bits,
    size: typeSize,
    truncated: false,
    text: obj.text,
  };
  if (plan.kind === "optimizedOut") return { ...base, constStatus: "optimizedOut" };
  // Not readable by a uprobe (an xmm register, an operation BPF cannot do): say so for this value, never guess.
  const problem = plan.kind === "unsupported" ? plan : plan.kind === "pieces" ? plan.pieces.map((x) => x.plan).find((x) => x.kind === "unsupported") : undefined;
  if (problem && problem.kind === "unsupported") return { ...base, constStatus: "unavailable", reason: `${problem.op}: ${problem.reason}` };
  if (plan.kind === "implicit") return { ...base, constStatus: "ok", constBytes: plan.bytes };

  // What to read: a memory object from its address; anything else whole, then sliced by the decoder.
  // A member of an object held in pieces or registers is cut out of the whole object.
  const whole = plan.kind === "pieces" ? plan.pieces.reduce((n, x) => n + x.sizeBits, 0) / 8 : 8;
  const wanted = plan.kind === "memory" ? typeSize : Math.max(obj.byteOffset + typeSize, Math.ceil(whole));
  const readSize = Math.max(1, Math.min(wanted, site.cap));
  const status = layout.add(`${name}.status`, "u8");
  const addr = layout.add(`${name}.addr`, "u64");
  const data = layout.add(`${name}.data`, "bytes", Math.max(8, Math.ceil(readSize / 8) * 8));
  const done = `${name}_done_${++labelSeq}`;
  const fail = { nullPointer: `${name}_null_${labelSeq}`, readError: `${name}_read_${labelSeq}`, offsetsUnavailable: `${name}_bias_${labelSeq}` };
  const ctx: Ctx = { p, site, statusOff: status.offset, addrOff: addr.offset, fail, slot: FIRST_SLOT, used: new Set() };

  p.comment(`${obj.text}: ${plan.kind}`).st("u8", R8, status.offset, Status.ok);
  switch (plan.kind) {
    case "memory":
      readMemory(ctx, plan.address, data.offset, readSize);
      break;
    case "register":
    case "value":
      evalValue(ctx, plan.kind === "register" ? { kind: "register", reg: plan.reg } : plan.value);
      p.stx("u64", R8, data.offset, R0);
      break;
    case "pieces":
      lowerPieces(ctx, plan, data.offset, readSize, obj.text);
      break;
    default:
      throw new CodegenError(`not supported yet: reading ${obj.text} from a ${plan.kind} location`);
  }

  // A `char *` (alone or as a struct member) shows the string it points to, as gdb does.
  const strs: NonNullable<ObjectSource["strs"]> = [];
  if (!obj.bits) {
    for (const cp of charPointers(obj.type, "", 0, MAX_STRINGS)) {
      const at = obj.byteOffset + cp.offset;
      if (at + 8 > readSize) continue;
      const k = strs.length;
      const sStatus = layout.add(`${name}.s${k}.status`, "u8");
      const sLen = layout.add(`${name}.s${k}.len`, "i32");
      const sData = layout.add(`${name}.s${k}.data`, "bytes", site.cap);
      strs.push({ path: cp.path, status: sStatus.name, len: sLen.name, data: sData.name });
      const strDone = `${name}_s${k}done_${labelSeq}`;
      p.st("u8", R8, sStatus.offset, Status.nullPointer).st("u32", R8, sLen.offset, 0);
      p.ldx("u64", R3, R8, data.offset + at).jlt(R3, NULL_LIMIT, strDone);
      p.mov(R1, R8).add(R1, sData.offset).mov(R2, site.cap).call("probe_read_user_str");
      p.stx("u32", R8, sLen.offset, R0).st("u8", R8, sStatus.offset, Status.readError).jslt(R0, 0, strDone);
      p.st("u8", R8, sStatus.offset, Status.ok);
      p.label(strDone);
    }
  }
  // Failure paths exist only where a read can fail: the verifier rejects unreachable code.
  if (ctx.used.size > 0) {
    p.ja(done);
    if (ctx.used.has(fail.nullPointer)) p.label(fail.nullPointer).st("u8", R8, status.offset, Status.nullPointer).ja(done);
    if (ctx.used.has(fail.readError)) p.label(fail.readError).st("u8", R8, status.offset, Status.readError).ja(done);
    if (ctx.used.has(fail.offsetsUnavailable)) p.label(fail.offsetsUnavailable).st("u8", R8, status.offset, Status.offsetsUnavailable).ja(done);
  }
  p.label(done);
  return {
    ...base,
    truncated: readSize < wanted,
    biasModules: ctx.foreign,
    fields: { status: status.name, addr: addr.name, data: data.name, readSize },
    strs,
    referent: referentOf(p, layout, name, obj, plan, site),
    statics: staticsOf(p, layout, name, obj, site),
  };
}

/**
 * The C++ static data members a whole-value print shows (resolved by
 * src/resolve/objects.ts): each read as the global it is, through the same
 * plans as any global; one that cannot be read says why instead.
 */
function staticsOf(p: Program, layout: EventLayout, name: string, obj: ObjectRef, site: ValueSite): ObjectSource["statics"] {
  if (!obj.statics?.length || obj.bits) return undefined;
  return obj.statics.map((s, i) => {
    const ref: ObjectRef = { type: s.type, plan: s.plan, byteOffset: 0, text: s.text };
    const mark = p.items.length;
    try {
      return { key: s.key, source: lowerObject(p, layout, `${name.slice(1)}s${i}`, ref, site) };
    } catch (e) {
      if (!(e instanceof CodegenError)) throw e;
      p.items.length = mark; // drop the half-lowered read (its labels would dangle); its record fields stay unused
      const source: ObjectSource = { from: "object", type: s.type, byteOffset: 0, size: sizeOf(s.type) ?? 0, truncated: false, text: s.text, constStatus: "unavailable", reason: e.message };
      return { key: s.key, source };
    }
  });
}

export interface Ctx {
  p: Program;
  site: ValueSite;
  statusOff: number;
  addrOff: number;
  /** offsetsUnavailable: where a missing load bias goes (else it counts as a read error at address 0). */
  fail: { nullPointer: string; readError: string; offsetsUnavailable?: string };
  /** Modules whose load biases were looked up (id → name), for the decoder's message. */
  foreign?: Record<number, string>;
  /** Next free spill slot (bytes below fp). */
  slot: number;
  /** Failure labels some instruction jumps to. */
  used: Set<string>;
}

export function failTo(c: Ctx, label: string): string {
  c.used.add(label);
  return label;
}

/** r0 = address; null check; bpf_probe_read_user(record + dst, size, address). */
export function readMemory(c: Ctx, address: Value, dst: number, size: number): void {
  evalValue(c, address);
  const { p } = c;
  p.stx("u64", R8, c.addrOff, R0).jlt(R0, NULL_LIMIT, failTo(c, c.fail.nullPointer));
  p.mov(R3, R0).mov(R1, R8).add(R1, dst).mov(R2, size).call("probe_read_user").jne(R0, 0, failTo(c, c.fail.readError));
}

function lowerPieces(c: Ctx, plan: Extract<ReadPlan, { kind: "pieces" }>, dataOff: number, readSize: number, text: string): void {
  let at = 0;
  for (const piece of plan.pieces) {
    if (piece.sizeBits % 8 !== 0 || piece.bitOffset % 8 !== 0) throw new CodegenError(`not supported yet: ${text} is split into bit-sized pieces`);
    const bytes = piece.sizeBits / 8;
    if (at + bytes > readSize) break;
    const sub = piece.plan;
    if (sub.kind === "memory") readMemory(c, sub.address, dataOff + at, bytes);
    else if (sub.kind === "register" || sub.kind === "value") {
      if (![1, 2, 4, 8].includes(bytes)) throw new CodegenError(`not supported yet: a ${bytes}-byte register piece of ${text}`);
      evalValue(c, sub.kind === "register" ? { kind: "register", reg: sub.reg } : sub.value);
      if (piece.bitOffset) c.p.rsh(R0, piece.bitOffset);
      c.p.stx(bytes === 8 ? "u64" : bytes === 4 ? "u32" : bytes === 2 ? "u16" : "u8", R8, dataOff + at, R0);
    } else if (sub.kind === "unsupported") throw new CodegenError(`cannot read part of ${text}: ${sub.op}: ${sub.reason}`);
    else throw new CodegenError(`not supported yet: a ${sub.kind} piece of ${text}`);
    at += bytes;
  }
}

/** Evaluate a value tree into r0. Loads go through the stack and fail into the field's labels. */
export function evalValue(c: Ctx, v: Value): void {
  const { p } = c;
  switch (v.kind) {
    case "const":
      if (v.value >= -(1n << 31n) && v.value < 1n << 31n) p.mov(R0, Number(v.value));
      else p.ld64(R0, v.value);
      return;
    case "register": {
      const off = ptRegsOffset(v.reg);
      if (off === undefined) throw new CodegenError(`cannot read register ${x86RegisterName(v.reg) ?? v.reg} in a uprobe (not in pt_regs)`);
      p.ldx("u64", R0, R6, off);
      return;
    }
    case "moduleAddress": {
      if (v.module) {
        foreignBias(c, v.module);
        if (v.address >= -(1n << 31n) && v.address < 1n << 31n) p.add(R0, Number(v.address));
        else p.ld64(R1, v.address).add(R0, R1);
        return;
      }
      // bias = ip - vaddr(probe): the module the probe is in, relocated however this process loaded it.
      p.ldx("u64", R0, R6, IP);
      const delta = v.address - BigInt(c.site.vaddr);
      if (delta >= -(1n << 31n) && delta < 1n << 31n) p.add(R0, Number(delta));
      else p.ld64(R1, delta).add(R0, R1);
      return;
    }
    case "load": {
      evalValue(c, v.address);
      const slot = take(c);
      p.stx("u64", R8, c.addrOff, R0).jlt(R0, NULL_LIMIT, failTo(c, c.fail.nullPointer));
      p.st("u64", R10, -slot, 0).mov(R3, R0).mov(R1, R10).add(R1, -slot).mov(R2, v.size).call("probe_read_user").jne(R0, 0, failTo(c, c.fail.readError));
      p.ldx("u64", R0, R10, -slot);
      if (v.size < 8) extend(p, v.size * 8, v.signed);
      c.slot -= 8;
      return;
    }
    case "binary": {
      evalValue(c, v.left);
      const slot = take(c);
      p.stx("u64", R10, -slot, R0);
      evalValue(c, v.right);
      p.mov(R1, R0).ldx("u64", R0, R10, -slot);
      c.slot -= 8;
      binaryOp(p, v.operator);
      return;
    }
    case "unary":
      evalValue(c, v.operand);
      if (v.operator === "neg") p.neg(R0);
      else if (v.operator === "not") p.xor(R0, -1);
      else {
        const l = `abs_${++labelSeq}`;
        p.jsge(R0, 0, l).neg(R0).label(l);
      }
      return;
    case "extend":
      evalValue(c, v.operand);
      extend(p, v.bits, v.signed);
      return;
    default:
      throw new CodegenError(`not supported yet: a location that needs ${v.kind === "tlsAddress" ? "thread-local storage" : v.kind}`);
  }
}

/**
 * r0 = this process's load bias of another module, from the bias map
 * ({ host tgid, module id } → u64). No entry: the value's offsets are
 * unavailable (the process does not map the module, or it was not seen yet),
 * and the addr field says which module's (a value may use several).
 */
function foreignBias(c: Ctx, module: { id: number; name: string }): void {
  const { p } = c;
  const slot = take(c);
  p.call("get_current_pid_tgid").rsh(R0, 32).stx("u32", R10, -slot, R0).st("u32", R10, -slot + 4, module.id);
  p.ldMapFd(R1, BIAS_MAP_SLOT).mov(R2, R10).add(R2, -slot).call("map_lookup_elem");
  (c.foreign ??= {})[module.id] = module.name;
  if (c.fail.offsetsUnavailable) {
    const found = `bias_${nextLabel()}`;
    p.jne(R0, 0, found).st("u64", R8, c.addrOff, module.id).ja(failTo(c, c.fail.offsetsUnavailable)).label(found);
  } else p.stx("u64", R8, c.addrOff, R0).jeq(R0, 0, failTo(c, c.fail.readError));
  p.ldx("u64", R0, R0, 0);
  c.slot -= 8;
}

export function take(c: Ctx): number {
  c.slot += 8;
  if (c.slot > FIRST_SLOT + 8 * MAX_SLOTS) throw new CodegenError("location expression too deep for the BPF stack");
  return c.slot;
}

export function extend(p: Program, bits: number, signed: boolean): void {
  if (bits >= 64) return;
  p.lsh(R0, 64 - bits);
  if (signed) p.arsh(R0, 64 - bits);
  else p.rsh(R0, 64 - bits);
}

function binaryOp(p: Program, op: Extract<Value, { kind: "binary" }>["operator"]): void {
  switch (op) {
    case "plus": p.add(R0, R1); return;
    case "minus": p.sub(R0, R1); return;
    case "mul": p.mul(R0, R1); return;
    case "div": p.sdiv(R0, R1); return; // DWARF division is signed
    case "mod": p.mod(R0, R1); return;
    case "and": p.and(R0, R1); return;
    case "or": p.or(R0, R1); return;
    case "xor": p.xor(R0, R1); return;
    case "shl": p.lsh(R0, R1); return;
    case "shr": p.rsh(R0, R1); return;
    case "shra": p.arsh(R0, R1); return;
    default: {
      // Comparisons push 1 or 0, comparing as signed.
      const yes = `cmp_${++labelSeq}`;
      const end = `cmpend_${labelSeq}`;
      const cond = { eq: "jeq", ne: "jne", lt: "jslt", le: "jsle", gt: "jsgt", ge: "jsge" } as const;
      p[cond[op]](R0, R1, yes).mov(R0, 0).ja(end).label(yes).mov(R0, 1).label(end);
    }
  }
}

/** Strings read per object at most: each costs a helper call and `cap` record bytes. */
const MAX_STRINGS = 8;

/**
 * The `char *` inside an object, with their byte offsets and the member path
 * the formatter keys pointees by ("" for the object itself, ".name", ".a.b";
 * anonymous members add nothing). Arrays are not entered.
 */
function charPointers(t: CType, path: string, offset: number, limit: number): { path: string; offset: number }[] {
  if (isCharPointer(t)) return [{ path, offset }];
  const s = stripTypedefs(t);
  if (s.kind !== "struct" || s.keyword === "union") return [];
  const out: { path: string; offset: number }[] = [];
  // C++ base classes' members print inside `<Base> = {…}` under the same path.
  for (const b of s.bases) if (out.length < limit && b.bitOffset !== undefined) out.push(...charPointers(b.type, path, offset + b.bitOffset / 8, limit - out.length));
  for (const m of s.members) {
    if (out.length >= limit || m.bitSize !== undefined || m.bitOffset === undefined || m.bitOffset % 8 !== 0) continue;
    out.push(...charPointers(m.type, m.name === undefined ? path : `${path}.${m.name}`, offset + m.bitOffset / 8, limit - out.length));
  }
  return out;
}

/** A C++ reference (not inside an aggregate): the object it refers to, lowered as an object of its own. */
function referentOf(p: Program, layout: EventLayout, name: string, obj: ObjectRef, plan: ReadPlan, site: ValueSite): ObjectSource | undefined {
  const t = stripTypedefs(obj.type);
  if (t.kind !== "reference" || obj.bits || sizeOf(t.target) === undefined) return undefined;
  const at = obj.byteOffset;
  const address: Value | undefined =
    plan.kind === "memory"
      ? { kind: "load", address: at ? binary("plus", plan.address, constant(BigInt(at))) : plan.address, size: 8, signed: false }
      : plan.kind === "register" && at === 0
        ? { kind: "register", reg: plan.reg }
        : plan.kind === "value" && at === 0
          ? plan.value
          : undefined;
  if (!address) return undefined;
  return lowerObject(p, layout, `${name.slice(1)}r`, { type: t.target, plan: { kind: "memory", address }, byteOffset: 0, text: `*${obj.text}` }, site);
}

export function isCharPointer(t: CType): boolean {
  const s = stripTypedefs(t);
  if (s.kind !== "pointer") return false;
  const target = stripTypedefs(s.target);
  // DW_ATE_signed_char 0x06, DW_ATE_unsigned_char 0x08
  return target.kind === "base" && target.size === 1 && (target.encoding === 0x06 || target.encoding === 0x08);
}
