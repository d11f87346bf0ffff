// Lowers one trace block at one probe site to a BPF program and its event
// plan. The program reserves one fixed-size record in the ring buffer, fills
// the header, and submits it; a failed reservation counts a loss for the
// trace block, so losses are reported, never silent.
import type { Expr, PrintStmt, Statement, TraceStmt } from "../script/index.ts";
import { Program, R0, R1, R2, R3, R7, R8, R10 } from "./asm/index.ts";
import { EventLayout } from "./layout.ts";
import type { EventPlan, PrintPlan, ValueSource } from "./plan.ts";

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
}

export interface CompiledProbe {
  program: Program;
  plan: EventPlan;
}

export class CodegenError extends Error {
  override name = "CodegenError";
}

const U32 = { kind: "int", signed: false, bytes: 4 } as const;
const U64 = { kind: "int", signed: false, bytes: 8 } as const;

export function compileProbe(trace: TraceStmt, traceName: string, ctx: ProbeContext): CompiledProbe {
  const layout = new EventLayout();
  const prints = trace.body.body.map((s) => planStatement(s, ctx));
  const f = (name: string) => layout.field(name).offset;
  const p = new Program();

  p.comment(`trace ${traceName} (trace ${ctx.traceId}, site ${ctx.siteId})`);
  p.call("get_current_pid_tgid").mov(R7, R0);
  if (ctx.pidFilter !== undefined) {
    p.comment(`only tgid ${ctx.pidFilter}`).mov(R1, R7).rsh(R1, 32).jne(R1, ctx.pidFilter, "out");
  }
  p.ldMapFd(R1, MapSlot.events).mov(R2, layout.size).mov(R3, 0).call("ringbuf_reserve");
  p.jeq(R0, 0, "lost").mov(R8, R0);
  p.st("u32", R8, f("trace_id"), ctx.traceId).st("u32", R8, f("site_id"), ctx.siteId);
  p.mov(R1, R7).rsh(R1, 32).stx("u32", R8, f("pid"), R1).stx("u32", R8, f("tid"), R7);
  p.call("ktime_get_ns").stx("u64", R8, f("timestamp"), R0);
  p.ldMapFd(R1, MapSlot.events).mov(R2, BPF_RB_AVAIL_DATA).call("ringbuf_query");
  p.mov(R2, BPF_RB_NO_WAKEUP).jle(R0, WAKEUP_THRESHOLD, "submit").mov(R2, BPF_RB_FORCE_WAKEUP);
  p.label("submit").mov(R1, R8).call("ringbuf_submit");
  p.label("out").mov(R0, 0).exit();

  p.label("lost").comment("no room in the ring buffer: count it against this trace");
  p.st("u32", R10, -4, ctx.traceId).ldMapFd(R1, MapSlot.losses).mov(R2, R10).add(R2, -4).call("map_lookup_elem");
  p.jeq(R0, 0, "out").mov(R1, 1).atomicAdd("u64", R0, 0, R1).ja("out");

  return { program: p, plan: { traceName, traceId: ctx.traceId, siteId: ctx.siteId, layout, prints } };
}

function planStatement(s: Statement, ctx: ProbeContext): PrintPlan {
  if (s.kind !== "Print") throw new CodegenError(`not supported yet: ${s.kind} statements`);
  return planPrint(s, ctx);
}

function planPrint(s: PrintStmt, ctx: ProbeContext): PrintPlan {
  switch (s.form) {
    case "string":
      return { kind: "text", text: s.text.value };
    case "format":
      return { kind: "format", segments: s.format.segments, args: s.args.map((a) => valueSource(a, ctx)) };
    case "expr":
      throw new CodegenError("not supported yet: print of an expression");
  }
}

function valueSource(e: Expr, ctx: ProbeContext): ValueSource {
  if (e.kind !== "SpecialVar") throw new CodegenError(`not supported yet: ${e.kind} expressions`);
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
