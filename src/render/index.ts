// Decoded events → stdout text: pretty (header + indented payload, colour on
// a terminal), plain (payload lines only) or JSON lines.
import pc from "picocolors";
import { monotonicNs } from "../../ffi/index.ts";
import type { DecodedValue, RecordValues, EventPlan } from "../codegen/index.ts";
import { jsonValue, renderPrint, renderValue } from "./format.ts";
import type { FormatOptions } from "./value.ts";

export type OutputMode = "pretty" | "plain" | "jsonl";

export interface RenderOptions {
  mode: OutputMode;
  color: boolean;
  timestamp: "local" | "boot" | "none";
  /** Binary each trace id's sites live in, for JSON consumers. */
  binaryOf?: (plan: EventPlan) => string;
}


export class Renderer {
  /** wall-clock ns minus monotonic ns, measured once: turns event timestamps into local time. */
  private readonly wallOffset = BigInt(Date.now()) * 1_000_000n - monotonicNs();
  private readonly c: ReturnType<typeof pc.createColors>;

  constructor(private readonly opts: RenderOptions) {
    this.c = pc.createColors(opts.color);
  }

  /** One event's output, ending with a newline. */
  render(plan: EventPlan, values: RecordValues): string {
    const fmt = formatOptions(plan, values);
    // Prints in branches not taken (and conditions that did not fail) have their bit clear: no line.
    const ran = executed(plan, values);
    const prints = plan.prints.filter((_, i) => ran[i]);
    const lines = prints.map((p) => renderPrint(p, values, fmt));
    const pid = values.get("pid") as number;
    const tid = values.get("tid") as number;
    const ts = values.get("timestamp") as bigint;
    switch (this.opts.mode) {
      case "plain":
        return lines.length ? lines.join("\n") + "\n" : "";
      case "jsonl":
        return (
          JSON.stringify({
            schema_version: 1,
            event: "trace",
            timestamp_ns: Number(ts) <= Number.MAX_SAFE_INTEGER ? Number(ts) : ts.toString(),
            trace_id: plan.traceId,
            pid,
            tid,
            trace: { target: plan.traceName, binary_path: this.opts.binaryOf?.(plan) ?? null },
            items: prints.map((p, i) =>
              p.kind === "text"
                ? { kind: "text", content: lines[i] }
                : p.kind === "exprError"
                  ? { kind: "expr_error", expr: p.text, content: lines[i] }
                : p.kind === "expr"
                  ? { kind: "variable", name: p.arg.from === "object" ? p.arg.text : p.text, formatted_value: renderValue(p.arg, values, fmt), value: jsonValue(p.arg, values) }
                  : { kind: "formatted_text", content: lines[i], values: p.args.map((a) => jsonValue(a, values)) },
            ),
          }) + "\n"
        );
      case "pretty": {
        const { c } = this;
        const head = [this.time(ts), c.bold(c.cyan(plan.traceName)), c.dim(`pid ${pid} tid ${tid}`)].filter(Boolean).join("  ");
        return head + "\n" + lines.map((l) => "  " + l + "\n").join("");
      }
    }
  }

  private time(ts: bigint): string {
    switch (this.opts.timestamp) {
      case "none":
        return "";
      case "boot": {
        const us = ts / 1000n;
        return this.c.dim(`${us / 1_000_000n}.${(us % 1_000_000n).toString().padStart(6, "0")}`);
      }
      case "local": {
        const wallNs = ts + this.wallOffset;
        const d = new Date(Number(wallNs / 1_000_000n));
        const hh = String(d.getHours()).padStart(2, "0");
        const mm = String(d.getMinutes()).padStart(2, "0");
        const ss = String(d.getSeconds()).padStart(2, "0");
        const us = String((wallNs / 1000n) % 1_000_000n).padStart(6, "0");
        return this.c.dim(`${hh}:${mm}:${ss}.${us}`);
      }
    }
  }
}

/**
 * Whether an event has anything to show: false when the trace has prints but
 * every one sat in a branch not taken (`if` false). Such a hit is not an
 * event for the user: not shown, not counted by --count.
 */
export function printedAnything(plan: EventPlan, values: RecordValues): boolean {
  return plan.prints.length === 0 || executed(plan, values).some(Boolean);
}

/** Which of the plan's prints ran in this event (the `exec` bit mask; no mask: all). */
function executed(plan: EventPlan, values: RecordValues): boolean[] {
  const exec = plan.exec;
  if (!exec) return plan.prints.map(() => true);
  const mask = BigInt((values.get(exec.field) as bigint | undefined) ?? 0n);
  return plan.prints.map((_, i) => {
    const bit = exec.bits[i];
    return bit === undefined || ((mask >> BigInt(bit)) & 1n) === 1n;
  });
}

/** Pointer symbolization for one event: the probed module's load bias in this process is ip - site vaddr. */
function formatOptions(plan: EventPlan, values: RecordValues): FormatOptions {
  const { symbolize, siteVaddr } = plan;
  const ip = values.get("ip");
  if (!symbolize || siteVaddr === undefined || typeof ip !== "bigint") return {};
  const bias = ip - BigInt(siteVaddr);
  return { symbolize: (address) => symbolize(address - bias) };
}
