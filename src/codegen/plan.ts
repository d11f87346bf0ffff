// What the decoder and renderer need to turn one record back into text: the
// record's layout and, per print statement, where each argument's value comes
// from. Produced by the same lowering that emits the BPF code that fills it.
import type { FormatSegment } from "../script/index.ts";
import type { EventLayout } from "./layout.ts";

/** Where a printed value comes from. */
export type ValueSource =
  /** A field of the record (header fields included). */
  | { from: "field"; field: string; type: ValueType }
  /** Known when the script was compiled ($input_pid). */
  | { from: "const"; value: bigint; type: ValueType };

/** How a value is shown; grows with the type model (structs, strings, …). */
export type ValueType = { kind: "int"; signed: boolean; bytes: number };

export type PrintPlan =
  | { kind: "text"; text: string }
  | { kind: "format"; segments: FormatSegment[]; args: ValueSource[] };

export interface EventPlan {
  /** The trace block's pattern as written, e.g. "tick". */
  traceName: string;
  traceId: number;
  siteId: number;
  layout: EventLayout;
  prints: PrintPlan[];
}
