// What the decoder and renderer need to turn one record back into text: the
// record's layout and, per print statement, where each argument's value comes
// from. Produced by the same lowering that emits the BPF code that fills it.
import type { CType } from "../dwarf/types/index.ts";
import type { FormatSegment } from "../script/index.ts";
import type { EventLayout } from "./layout.ts";
export type { PidFilter } from "../target/pidns.ts";

/** Where a printed value comes from. */
export type ValueSource =
  /** A field of the record (header fields included). */
  | { from: "field"; field: string; type: ValueType }
  /** Known when the script was compiled ($input_pid). */
  | { from: "const"; value: bigint; type: ValueType }
  /** A program object read through DWARF (see values.ts). */
  | ObjectSource
  /** Memory read for a length-bearing placeholder ({:x.16}, {:s.*}); see dump.ts. */
  | DumpSource;

/**
 * `{:x.N}` / `{:s.*}` …: up to `cap` bytes read at the address `address`
 * denotes. `status` is a DumpStatus (dump.ts); `want` the requested length
 * (i64), `len` the bytes read (the request clamped to [0, cap]).
 */
export interface DumpSource {
  from: "dump";
  text: string;
  conversion: "x" | "X" | "s";
  /** The address read from (a `void *` object); its status shows when it could not be computed. */
  address: ObjectSource;
  /** `.*`: the length argument; its failure shows in place of the bytes. */
  length?: ValueSource;
  cap: number;
  /** Known at compile time: the address or the length cannot be had (optimized out, unavailable). */
  constFail?: "address" | "length";
  fields?: { status: string; addr: string; want: string; len: string; data: string };
}

/** Status names in the order of the status byte's values (values.ts Status). */
export const STATUS_NAMES = ["ok", "nullPointer", "readError", "offsetsUnavailable"] as const;

export interface ObjectSource {
  from: "object";
  type: CType;
  /** The expression as written. */
  text: string;
  /** Bytes to skip in what was read (members of register/computed objects). */
  byteOffset: number;
  bits?: { offset: number; size: number };
  /** sizeof(type). */
  size: number;
  /** Fewer bytes were read than the type has (the read cap). */
  truncated: boolean;
  /** Known at compile time: optimized out, a constant, or unavailable to a uprobe (with `reason`). */
  constStatus?: "ok" | "optimizedOut" | "unavailable";
  reason?: string;
  constBytes?: Uint8Array;
  /** Record fields holding the status byte, the failing address and the bytes read. */
  fields?: { status: string; addr: string; data: string; readSize: number };
  /**
   * Other modules whose load biases the probe looks up for the process (id →
   * name). When one is missing the status is offsetsUnavailable and the addr
   * field holds that module's id.
   */
  biasModules?: Record<number, string>;
  /** For each `char *` in the object (itself, or struct members by path): the string read at the pointer. */
  strs?: { path: string; status: string; len: string; data: string }[];
  /** A C++ reference: the object it refers to, read as well (gdb prints `(int &) @0x…: 5`). */
  referent?: ObjectSource;
  /** C++ static data members shown inside the value, each read as its own object (key: `Class::name`). */
  statics?: { key: string; source: ObjectSource }[];
}

/** How a value is shown; grows with the type model (structs, strings, …). */
export type ValueType = { kind: "int"; signed: boolean; bytes: number };

export type PrintPlan =
  | { kind: "text"; text: string }
  | { kind: "format"; segments: FormatSegment[]; args: ValueSource[] }
  /** `print expr;`: "expr = value". */
  | { kind: "expr"; text: string; arg: ValueSource }
  /**
   * An `if` condition whose reads failed (GhostScope's ExprError): status and
   * address fields; `biasModules` as for an object (offsetsUnavailable: the
   * addr field holds the id of the module whose load bias is missing).
   */
  | { kind: "exprError"; text: string; status: string; addr: string; biasModules?: Record<number, string> };

export interface EventPlan {
  /** The trace block's pattern as written, e.g. "tick". */
  traceName: string;
  traceId: number;
  siteId: number;
  layout: EventLayout;
  prints: PrintPlan[];
  /**
   * With if statements: the record field whose bits say which prints ran;
   * `bits[i]` is print i's bit (undefined: it always runs).
   */
  exec?: { field: string; bits: (number | undefined)[] };
  /** Link-time address of the probed instruction (with the record's ip, gives the load bias). */
  siteVaddr?: number;
  /** Link-time address → symbol in the probed module, for pointer values. */
  symbolize?: (vaddr: bigint) => string | undefined;
}
