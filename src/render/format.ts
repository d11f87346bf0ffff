// Values → text for print statements. Header fields and compile-time
// constants are integers; program objects are captured from their record
// fields and formatted the way gdb's `print` shows them.
import type { DecodedValue, PrintPlan, RecordValues, ValueSource } from "../codegen/index.ts";
import { STATUS_NAMES } from "../codegen/index.ts";
import type { FormatPlaceholder } from "../script/index.ts";
import { capture } from "./capture.ts";
import { renderConversion, renderDump } from "./dump-value.ts";
import { formatValue, jsonValue as jsonObject, type FormatOptions } from "./value.ts";

export type Values = RecordValues;

export function renderPrint(print: PrintPlan, values: Values, fmt: FormatOptions = {}): string {
  switch (print.kind) {
    case "text":
      return print.text;
    case "exprError":
      return exprErrorText(print, values);
    case "expr":
      return `${print.arg.from === "object" ? print.arg.text : print.text} = ${renderValue(print.arg, values, fmt)}`;
    case "format": {
      let out = "";
      for (const seg of print.segments) out += seg.kind === "Text" ? seg.text : renderPlaceholder(seg, print.args, values, fmt);
      return out;
    }
  }
}

function renderPlaceholder(ph: FormatPlaceholder, args: ValueSource[], values: Values, fmt: FormatOptions): string {
  const src = args[ph.argIndex];
  if (!src) return `<missing argument ${ph.argIndex + 1}>`;
  if (src.from === "dump") return renderDump(src, values, fmt);
  if (ph.conversion !== "default") return renderConversion(ph.conversion, src, values, fmt);
  if (src.from === "object") return renderValue(src, values, fmt);
  return integer(src, values).toString();
}

/** GhostScope's ExprError line for a condition that could not be evaluated. */
export function exprErrorText(print: Extract<PrintPlan, { kind: "exprError" }>, values: Values): string {
  const status = values.get(print.status);
  const addr = BigInt((values.get(print.addr) as bigint | undefined) ?? 0n);
  const bias = missingBias(print.biasModules, status, addr);
  if (bias) return `ExprError: ${print.text} (${bias})`;
  const at = addr === 0n ? "NULL" : "0x" + addr.toString(16);
  return `ExprError: ${print.text} (${status === 1 ? "null pointer dereference" : "read error"} at ${at})`;
}

/** One argument's text, as gdb's print would show it. */
export function renderValue(src: ValueSource, values: Values, fmt: FormatOptions = {}): string {
  if (src.from === "dump") return renderDump(src, values, fmt);
  if (src.from === "object" && src.constStatus === "unavailable") return `<unavailable: ${src.reason}>`;
  if (src.from === "object" && biasUnknown(src, values)) return `<unavailable: ${biasUnknown(src, values)}>`;
  if (src.from === "object") return formatValue(capture(src, values), fmt);
  return integer(src, values).toString();
}

/** Why an object of another module could not be placed in this process: its load bias is not in the bias map. */
function biasUnknown(src: Extract<ValueSource, { from: "object" }>, values: Values): string | undefined {
  if (!src.fields) return undefined;
  return missingBias(src.biasModules, values.get(src.fields.status), BigInt((values.get(src.fields.addr) as bigint | undefined) ?? 0n));
}

/** "load bias of M unknown for this process" when the status says so; the addr field holds M's id. */
function missingBias(modules: Record<number, string> | undefined, status: DecodedValue | undefined, addr: bigint): string | undefined {
  if (!modules || STATUS_NAMES[status as number] !== "offsetsUnavailable") return undefined;
  const name = modules[Number(addr)] ?? Object.values(modules).join(" or ");
  return `load bias of ${name} unknown for this process`;
}

function integer(src: Exclude<ValueSource, { from: "object" } | { from: "dump" }>, values: Values): bigint {
  const v = src.from === "const" ? src.value : values.get(src.field);
  if (v === undefined || v instanceof Uint8Array) throw new Error(`event has no integer field for ${src.from === "field" ? src.field : "constant"}`);
  const bits = src.type.bytes * 8;
  return src.type.signed ? BigInt.asIntN(bits, BigInt(v)) : BigInt.asUintN(bits, BigInt(v));
}

/** The JSON form of a value: numbers when exact, else strings; objects typed (see value.ts jsonValue). */
export function jsonValue(src: ValueSource, values: Values): unknown {
  if (src.from === "dump") return renderDump(src, values);
  if (src.from === "object" && src.constStatus === "unavailable") return { error: "unavailable", reason: src.reason };
  if (src.from === "object" && biasUnknown(src, values)) return { error: "unavailable", reason: biasUnknown(src, values) };
  if (src.from === "object") return jsonObject(capture(src, values));
  const n = integer(src, values);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}
