// Lowers one trace block at one probe site to a BPF program and its event
// plan. The program reserves one fixed-size record in the ring buffer, fills
// the header, and submits it; a failed reservation counts a loss for the
// trace block, so losses are reported, never silent.
import type { ObjectRef } from "../resolve/objects.ts";
import { printExpr, type Block, type Expr, type IfStmt, type PrintStmt, type Statement, type TraceStmt } from "../script/index.ts";
import { Program, R0, R1, R2, R3, R4, R6, R7, R8, R9, R10 } from "./asm/index.ts";
import { EventLayout } from "./layout.ts";
import type { EventPlan, PidFilter, PrintPlan, ValueSource } from "./plan.ts";
import { CodegenError } from "./errors.ts";
import { ptRegsOffset } from "../dwarf/expr/index.ts";
import { FIRST_SLOT, lowerObject, nextLabel, Status, type ValueSite } from "./values.ts";
import { COMPARE_CAP, cTypeOf, elaborate, isObjectExpr, lowerTExpr, type ExprCtx, type TExpr } from "./expr.ts";
import { substitute } from "./lets.ts";
import { sizeOf, stripTypedefs } from "../dwarf/types/index.ts";
import type { Value } from "../dwarf/expr/index.ts";
import { formatArgs } from "./dump.ts";

/** Size of the events ring buffer (a power of two, a multiple of the page size). */
export const EVENTS_RING_BYTES = 1 << 20;

/**
 * Submitting with a wakeup makes the traced thread pay for waking wraith on
 * nearly every event; without one, wraith finds the records on its next
 * timed poll. So records go in quietly until the ring holds this much, and
 * then wake the reader at once so it drains before the ring fills.
 */
const WAKEUP_THRESHOLD = EVENTS_RING_BYTES / 8;
const BPF_RB_NO_WAKEUP = 1;
const BPF_RB_FORCE_WAKEUP = 2;
const BPF_RB_AVAIL_DATA = 0;
/** struct pt_regs ip on x86-64: at a uprobe, the probed instruction's address. */
const PT_REGS_IP = ptRegsOffset(16)!;

/** Placeholder map numbers in emitted LD_IMM64 map loads; `link` swaps in real fds. */
export const MapSlot = { events: 0, losses: 1 } as const;
export type MapFds = Record<keyof typeof MapSlot, number>;

export interface ProbeContext {
  traceId: number;
  siteId: number;
  /** Which events are recorded and the PID view of $pid/$tid (none: every event, host view). */
  pidFilter?: PidFilter;
  /** The PID given with -p, for $input_pid. */
  inputPid?: number;
  /** Where the probe is, for reading program values (absent: only special variables). */
  site?: ValueSite;
  /** Link-time address → "sym" / "sym+off" in the probed module, for pointer values. */
  symbolize?: (vaddr: bigint) => string | undefined;
  /** Resolves a program-value expression at this site (src/resolve/objects.ts). */
  objectFor?: (e: Expr) => ObjectRef;
}

export interface CompiledProbe {
  program: Program;
  plan: EventPlan;
}

export { CodegenError };

const U32 = { kind: "int", signed: false, bytes: 4 } as const;
const U64 = { kind: "int", signed: false, bytes: 8 } as const;

export function compileProbe(trace: TraceStmt, traceName: string, ctx: ProbeContext): CompiledProbe {
  const layout = new EventLayout();
  const f = (name: string) => layout.field(name).offset;
  const p = new Program();
  const body = new Program();
  const env = new Map<string, Expr>();
  // `let` names are replaced by what they are bound to before anything resolves them.
  const objectFor = ctx.objectFor;
  const lctx: ProbeContext = objectFor ? { ...ctx, objectFor: (e) => objectFor(substitute(e, env)) } : ctx;
  const lowering: Lowering = { p: body, layout, ctx: lctx, objects: 0, env, prints: [], bits: [], nextBit: 0 };
  const branches = hasIf(trace.body);
  if (branches) body.mov(R9, 0);
  planBlock(trace.body, lowering);
  if (branches) body.stx("u64", R8, layout.add("exec", "u64").offset, R9);
  const prints = lowering.prints;

  p.comment(`trace ${traceName} (trace ${ctx.traceId}, site ${ctx.siteId})`);
  // r7 = the host view's tgid << 32 | tid, kept for the whole program.
  p.mov(R6, R1).call("get_current_pid_tgid").mov(R7, R0);
  const pf = ctx.pidFilter;
  if (pf?.kind === "host") p.comment(`only host tgid ${pf.tgid}`).mov(R1, R7).rsh(R1, 32).jne(R1, pf.tgid, "out");
  if (pf?.kind === "namespace") namespaceView(p, pf);
  p.ldMapFd(R1, MapSlot.events).mov(R2, layout.size).mov(R3, 0).call("ringbuf_reserve");
  p.jeq(R0, 0, "lost").mov(R8, R0);
  p.st("u32", R8, f("trace_id"), ctx.traceId).st("u32", R8, f("site_id"), ctx.siteId);
  if (pf?.kind === "namespace") {
    p.ldx("u32", R1, R10, NSDATA + 4).stx("u32", R8, f("pid"), R1).ldx("u32", R1, R10, NSDATA).stx("u32", R8, f("tid"), R1);
  } else {
    p.mov(R1, R7).rsh(R1, 32).stx("u32", R8, f("pid"), R1).stx("u32", R8, f("tid"), R7);
  }
  p.mov(R1, R7).rsh(R1, 32).stx("u32", R8, f("host_pid"), R1);
  p.call("ktime_get_ns").stx("u64", R8, f("timestamp"), R0);
  p.ldx("u64", R0, R6, PT_REGS_IP).stx("u64", R8, f("ip"), R0);
  p.emit(...body.toArray());
  p.ldMapFd(R1, MapSlot.events).mov(R2, BPF_RB_AVAIL_DATA).call("ringbuf_query");
  p.mov(R2, BPF_RB_NO_WAKEUP).jle(R0, WAKEUP_THRESHOLD, "submit").mov(R2, BPF_RB_FORCE_WAKEUP);
  p.label("submit").mov(R1, R8).call("ringbuf_submit");
  p.label("out").mov(R0, 0).exit();

  p.label("lost").comment("no room in the ring buffer: count it against this trace");
  p.st("u32", R10, -4, ctx.traceId).ldMapFd(R1, MapSlot.losses).mov(R2, R10).add(R2, -4).call("map_lookup_elem");
  p.jeq(R0, 0, "out").mov(R1, 1).atomicAdd("u64", R0, 0, R1).ja("out");

  const exec = branches ? { field: "exec", bits: lowering.bits } : undefined;
  return { program: p, plan: { traceName, traceId: ctx.traceId, siteId: ctx.siteId, layout, prints, exec, siteVaddr: ctx.site?.vaddr, symbolize: ctx.symbolize } };
}

/**
 * struct bpf_pidns_info { u32 pid; u32 tgid; } on the stack, below the spill
 * slots (values.ts FIRST_SLOT); read into the header before the body runs.
 */
const NSDATA = -8;

/**
 * bpf_get_ns_current_pid_tgid(dev, ino, &nsdata, 8): the current task's pid
 * and tgid as namespace (dev, ino) numbers them. It answers only for tasks
 * whose own PID namespace that is (kernel/bpf/helpers.c: ns_match against
 * task_active_pid_ns), so a failure means "another namespace's task": not
 * recorded. With a tgid, only that process is.
 */
function namespaceView(p: Program, pf: Extract<PidFilter, { kind: "namespace" }>): void {
  p.comment(`only tasks of pidns ${pf.ino}${pf.tgid !== undefined ? `, tgid ${pf.tgid} there` : ""}; $pid/$tid as it numbers them`);
  p.ld64(R1, pf.dev).ld64(R2, pf.ino).mov(R3, R10).add(R3, NSDATA).mov(R4, 8).call("get_ns_current_pid_tgid");
  p.jne(R0, 0, "out");
  if (pf.tgid !== undefined) p.ldx("u32", R1, R10, NSDATA + 4).jne(R1, pf.tgid, "out");
}

/** Lowering state of one probe: the program body being emitted after the header. */
interface Lowering {
  p: Program;
  layout: EventLayout;
  ctx: ProbeContext;
  /** Objects lowered so far (numbers their record fields). */
  objects: number;
  /** `let` bindings in scope: name → the expression it stands for (already substituted). */
  env: Map<string, Expr>;
  /** Print plans in program order, and the bit of the record's `exec` mask each one needs (none: always shown). */
  prints: PrintPlan[];
  bits: (number | undefined)[];
  nextBit: number;
  /** The bit the prints being planned need (inside an if branch). */
  bit?: number;
  /** Record offset of the comparison scratch bytes, once a comparison needs them. */
  scratch?: number;
}

/** Prints that can be skipped set a bit in r9 when they run; r9 goes to the record's `exec` field. */
const MAX_BITS = 64;

function hasIf(b: Block): boolean {
  return b.body.some((s) => s.kind === "If");
}

function planBlock(b: Block, l: Lowering): void {
  const outer = new Map(l.env);
  for (const s of b.body) planStatement(s, l);
  l.env.clear();
  for (const [k, v] of outer) l.env.set(k, v);
}

function planStatement(s: Statement, l: Lowering): void {
  switch (s.kind) {
    case "Print":
      if (l.bit !== undefined) l.p.or(R9, bitImm(l, l.bit));
      l.prints.push(planPrint(s, l));
      l.bits.push(l.bit);
      return;
    case "Let":
      l.env.set(s.name, substitute(s.value, l.env));
      return;
    case "If":
      planIf(s, l, l.p.newLabel("ifend"));
      return;
    default:
      throw new CodegenError(`not supported yet: ${s.kind} statements`);
  }
}

/** `1 << bit` as an operand of `or r9`: an immediate while it fits, else through r1. */
function bitImm(l: Lowering, bit: number): number | typeof R1 {
  if (bit < 31) return 1 << bit;
  l.p.ld64(R1, 1n << BigInt(bit));
  return R1;
}

function newBit(l: Lowering): number {
  if (l.nextBit >= MAX_BITS) throw new CodegenError(`not supported yet: more than ${MAX_BITS} prints and conditions inside if statements of one trace block`);
  return l.nextBit++;
}

/**
 * `if c { … } else if d { … } else { … }`. A condition whose reads fail is
 * GhostScope's ExprError soft-abort: an ExprError line (its own bit) is
 * shown, its then-branch is skipped, an `else if` continues the chain and a
 * plain `else` is skipped too.
 */
function planIf(s: IfStmt, l: Lowering, end: string): void {
  const { p } = l;
  const cond = elaborateAt(s.cond, l);
  const enclosing = l.bit;
  const branch = (b: Block | IfStmt) => {
    if (b.kind === "If") return planIf(b, l, end);
    l.bit = newBit(l);
    planBlock(b, l);
    l.bit = enclosing;
  };
  if (cond.k === "const") {
    // Known when compiling: only the branch taken is emitted.
    if (cond.v !== 0n) branch(s.then);
    else if (s.else) branch(s.else);
    if (s.else?.kind !== "If" || cond.v !== 0n) p.label(end);
    return;
  }
  const elseL = p.newLabel("else");
  const status = l.layout.add(`c${l.nextBit}.status`, "u8");
  const addr = l.layout.add(`c${l.nextBit}.addr`, "u64");
  const n = nextLabel();
  const fail = { nullPointer: `cnull_${n}`, readError: `cread_${n}`, offsetsUnavailable: `cbias_${n}` };
  const c = exprCtx(l, status.offset, addr.offset, fail);
  lowerTExpr(c, cond);
  p.jeq(R0, 0, elseL);
  const errBit = c.used.size > 0 ? newBit(l) : undefined;
  if (errBit !== undefined) {
    l.prints.push({ kind: "exprError", text: printExpr(s.cond), status: status.name, addr: addr.name, biasModules: c.foreign });
    l.bits.push(errBit);
  }
  branch(s.then);
  p.ja(end);
  if (errBit !== undefined) {
    const after = s.else?.kind === "If" ? elseL : end;
    if (c.used.has(c.fail.nullPointer)) p.label(c.fail.nullPointer).st("u8", R8, status.offset, Status.nullPointer).ja(`cerr_${n}`);
    if (c.used.has(fail.offsetsUnavailable)) p.label(fail.offsetsUnavailable).st("u8", R8, status.offset, Status.offsetsUnavailable).ja(`cerr_${n}`);
    if (c.used.has(c.fail.readError)) p.label(c.fail.readError).st("u8", R8, status.offset, Status.readError);
    p.label(`cerr_${n}`).or(R9, bitImm(l, errBit)).ja(after);
  }
  p.label(elseL);
  if (s.else) branch(s.else);
  if (s.else?.kind !== "If") p.label(end);
}

/** Address arithmetic as a DWARF value tree (what read plans hold), where it is only that. */
function valueTree(x: TExpr): Value | undefined {
  switch (x.k) {
    case "const":
      return { kind: "const", value: BigInt.asIntN(64, x.v) };
    case "value":
      return x.v;
    case "conv":
      return x.t.kind === "ptr" || x.t.bytes === 8 ? valueTree(x.x) : undefined;
    case "ptradd": {
      const p = valueTree(x.p);
      const n = valueTree(x.n);
      if (!p || !n) return undefined;
      const off: Value = x.elem === 1 ? n : { kind: "binary", operator: "mul", left: n, right: { kind: "const", value: BigInt(x.elem) } };
      return { kind: "binary", operator: x.sign > 0 ? "plus" : "minus", left: p, right: off };
    }
    default:
      return undefined;
  }
}

/** `fail.offsetsUnavailable`: another module's load bias missing for this process (not a read error at 0). */
function exprCtx(l: Lowering, statusOff: number, addrOff: number, fail: { nullPointer: string; readError: string; offsetsUnavailable: string }): ExprCtx {
  return {
    p: l.p,
    site: l.ctx.site ?? { vaddr: 0, cap: 0 },
    statusOff,
    addrOff,
    fail,
    slot: FIRST_SLOT,
    used: new Set(),
    scratch: () => (l.scratch ??= l.layout.add("scratch", "bytes", COMPARE_CAP * 2 + 16).offset),
  };
}

function elaborateAt(e: Expr, l: Lowering): TExpr {
  return elaborate(substitute(e, l.env), { objectFor: l.ctx.objectFor && l.ctx.site ? l.ctx.objectFor : undefined, inputPid: l.ctx.inputPid });
}

/** A computed value (`a + b`, `x == 3`, `strncmp(…)`) in a record field shaped like an object's. */
function computedSource(e: Expr, l: Lowering): ValueSource {
  const x = elaborateAt(e, l);
  const type = cTypeOf(x.t);
  const size = x.t.kind === "ptr" ? 8 : x.t.bytes;
  const text = printExpr(e);
  if (x.k === "const") {
    const bytes = new Uint8Array(size);
    let v = BigInt.asUintN(size * 8, x.v);
    for (let i = 0; i < size; i++, v >>= 8n) bytes[i] = Number(v & 0xffn);
    return { from: "object", type, text, byteOffset: 0, size, truncated: false, constStatus: "ok", constBytes: bytes };
  }
  if (x.t.kind === "ptr" && l.ctx.objectFor && (e.kind === "Binary")) {
    // GhostScope: `print p + 1` shows the element there, read with the pointee's type.
    const s = stripTypedefs(x.t.ctype);
    if (s.kind === "pointer" && sizeOf(s.target)) {
      const address = valueTree(x);
      if (address) return lowerObject(l.p, l.layout, l.objects++, { type: s.target, plan: { kind: "memory", address }, byteOffset: 0, text }, l.ctx.site!);
    }
  }
  const name = `v${l.objects++}`;
  const status = l.layout.add(`${name}.status`, "u8");
  const addr = l.layout.add(`${name}.addr`, "u64");
  const data = l.layout.add(`${name}.data`, "bytes", 8);
  const n = nextLabel();
  const fail = { nullPointer: `vnull_${n}`, readError: `vread_${n}`, offsetsUnavailable: `vbias_${n}` };
  const c = exprCtx(l, status.offset, addr.offset, fail);
  l.p.comment(`${text}: computed`).st("u8", R8, status.offset, Status.ok);
  lowerTExpr(c, x);
  l.p.stx("u64", R8, data.offset, R0);
  if (c.used.size > 0) {
    l.p.ja(`vdone_${n}`);
    if (c.used.has(c.fail.nullPointer)) l.p.label(c.fail.nullPointer).st("u8", R8, status.offset, Status.nullPointer).ja(`vdone_${n}`);
    if (c.used.has(fail.offsetsUnavailable)) l.p.label(fail.offsetsUnavailable).st("u8", R8, status.offset, Status.offsetsUnavailable).ja(`vdone_${n}`);
    if (c.used.has(c.fail.readError)) l.p.label(c.fail.readError).st("u8", R8, status.offset, Status.readError);
  }
  l.p.label(`vdone_${n}`);
  return { from: "object", type, text, byteOffset: 0, size, truncated: false, biasModules: c.foreign, fields: { status: status.name, addr: addr.name, data: data.name, readSize: size } };
}

function planPrint(s: PrintStmt, l: Lowering): PrintPlan {
  switch (s.form) {
    case "string":
      return { kind: "text", text: s.text.value };
    case "format":
      return {
        kind: "format",
        segments: s.format.segments,
        args: formatArgs(s.format.segments, s.args, { p: l.p, layout: l.layout, site: l.ctx.site, objectFor: l.ctx.objectFor, nextObject: () => l.objects++, valueSource: (a) => valueSource(a, l) }),
      };
    case "expr":
      return { kind: "expr", text: printExpr(s.expr), arg: valueSource(s.expr, l) };
  }
}

function valueSource(e: Expr, l: Lowering): ValueSource {
  const ctx = l.ctx;
  const bound = e.kind === "Ident" ? l.env.get(e.name) : undefined;
  if (bound) {
    const src = valueSource(bound, l);
    return src.from === "object" ? { ...src, text: (e as { name: string }).name } : src;
  }
  if (e.kind !== "SpecialVar" && !isObjectExpr(e)) return computedSource(e, l);
  if (e.kind !== "SpecialVar") {
    if (!ctx.objectFor || !ctx.site) throw new CodegenError(`not supported yet: reading program values without debug info`);
    return lowerObject(l.p, l.layout, l.objects++, ctx.objectFor(e), ctx.site);
  }
  switch (e.name) {
    case "pid":
      return { from: "field", field: "pid", type: U32 };
    case "host_pid":
      return { from: "field", field: "host_pid", type: U32 };
    case "tid":
      return { from: "field", field: "tid", type: U32 };
    case "timestamp":
      return { from: "field", field: "timestamp", type: U64 };
    case "input_pid":
      if (ctx.inputPid === undefined) throw new CodegenError("$input_pid is only defined with -p PID");
      return { from: "const", value: BigInt(ctx.inputPid), type: U32 };
    default:
      throw new CodegenError(`unknown special variable $${e.name}`);
  }
}
