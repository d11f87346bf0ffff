// Values → text for print statements. Each placeholder's conversion decides
// the spelling; a value's type (from the event plan) decides how its bytes read.
import type { DecodedValue, PrintPlan, ValueSource } from "../codegen/index.ts";
import type { FormatPlaceholder } from "../script/index.ts";

export type Lookup = (src: ValueSource) => DecodedValue;

export function renderPrint(print: PrintPlan, lookup: Lookup): string {
  if (print.kind === "text") return print.text;
  let out = "";
  for (const seg of print.segments) {
    if (seg.kind === "Text") out += seg.text;
    else out += renderPlaceholder(seg, print.args, lookup);
  }
  return out;
}

function renderPlaceholder(ph: FormatPlaceholder, args: ValueSource[], lookup: Lookup): string {
  const src = args[ph.argIndex];
  if (!src) return `<missing argument ${ph.argIndex + 1}>`;
  const v = lookup(src);
  if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
  const n = toSigned(BigInt(v), src.type.bytes, src.type.signed);
  switch (ph.conversion) {
    case "p":
      return "0x" + BigInt.asUintN(64, n).toString(16);
    default:
      return n.toString();
  }
}

function toSigned(v: bigint, bytes: number, signed: boolean): bigint {
  const bits = bytes * 8;
  return signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/** The JSON form of a value: a number when exact, else a string (integers beyond 2^53). */
export function jsonValue(v: DecodedValue, src: ValueSource): number | string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
  const n = toSigned(BigInt(v), src.type.bytes, src.type.signed);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}
