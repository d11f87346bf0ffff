// Lowers one trace block at one probe site to a BPF program and its event
// plan. The program reserves one fixed-size record in the ring buffer, fills
// the header, and submits it; a failed reservation counts a loss for the
// trace block, so losses are reported, never silent.
import type { ObjectRef } from "../resolve/objects.ts";
import { printExpr, type Expr, type PrintStmt, type Statement, type TraceStmt } from "../script/index.ts";
import { Program, R0, R1, R2, R3, R6, R7, R8, R10 } from "./asm/index.ts";
import { EventLayout } from "./layout.ts";
import type { EventPlan, PrintPlan, ValueSource } from "./plan.ts";
import { CodegenError } from "./errors.ts";
import { ptRegsOffset } from "../dwarf/expr/index.ts";
import { lowerObject, type ValueSite } from "./values.ts";
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
  /** Only events of this tgid (host view) are recorded: -p and --args. */
  pidFilter?: number;
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
  const lowering: Lowering = { p: body, layout, ctx, objects: 0 };
  const prints = trace.body.body.map((s) => planStatement(s, lowering));

  p.comment(`trace ${traceName} (trace ${ctx.traceId}, site ${ctx.siteId})`);
  p.mov(R6, R1).call("get_current_pid_tgid").mov(R7, R0);
  if (ctx.pidFilter !== undefined) {
    p.comment(`only tgid ${ctx.pidFilter}`).mov(R1, R7).rsh(R1, 32).jne(R1, ctx.pidFilter, "out");
  }
  p.ldMapFd(R1, MapSlot.events).mov(R2, layout.size).mov(R3, 0).call("ringbuf_reserve");
  p.jeq(R0, 0, "lost").mov(R8, R0);
  p.st("u32", R8, f("trace_id"), ctx.traceId).st("u32", R8, f("site_id"), ctx.siteId);
  p.mov(R1, R7).rsh(R1, 32).stx("u32", R8, f("pid"), R1).stx("u32", R8, f("tid"), R7);
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

  return { program: p, plan: { traceName, traceId: ctx.traceId, siteId: ctx.siteId, layout, prints, siteVaddr: ctx.site?.vaddr, symbolize: ctx.symbolize } };
}

/** Lowering state of one probe: the program body being emitted after the header. */
interface Lowering {
  p: Program;
  layout: EventLayout;
  ctx: ProbeContext;
  /** Objects lowered so far (numbers their record fields). */
  objects: number;
}

function planStatement(s: Statement, l: Lowering): PrintPlan {
  if (s.kind !== "Print") throw new CodegenError(`not supported yet: ${s.kind} statements`);
  return planPrint(s, l);
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
  if (e.kind !== "SpecialVar") {
    if (!ctx.objectFor || !ctx.site) throw new CodegenError(`not supported yet: reading program values without debug info`);
    return lowerObject(l.p, l.layout, l.objects++, ctx.objectFor(e), ctx.site);
  }
  switch (e.name) {
    case "pid":
    case "host_pid":
      return { from: "field", field: "pid", type: U32 };
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
