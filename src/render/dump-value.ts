// Placeholders with a conversion ({:x} {:X} {:s} {:p}) and memory dumps
// ({:x.16}, {:s.*}) → text. Byte views are in dump.ts; failures use the same
// words as every other value (`<null>`, `<read error at 0x…>`, `<optimized out>`).
import { DumpStatus } from "../codegen/dump.ts";
import type { RecordValues } from "../codegen/layout.ts";
import type { DumpSource, ObjectSource, ValueSource } from "../codegen/plan.ts";
import { capture } from "./capture.ts";
import { addressText, bytesText, hasNul, intBytes, markTruncated, readUnsigned } from "./dump.ts";
import { formatValue, type FormatOptions } from "./value.ts";

type Values = RecordValues;
type Conversion = "x" | "X" | "s" | "p";

/** `{:x}` `{:X}` `{:s}` `{:p}` without a length: the argument's own captured bytes, or its value as an address. */
export function renderConversion(conv: Conversion, src: Exclude<ValueSource, DumpSource>, values: Values, fmt: FormatOptions = {}): string {
  if (src.from !== "object") {
    const raw = src.from === "const" ? src.value : values.get(src.field);
    if (raw === undefined || raw instanceof Uint8Array) throw new Error(`event has no integer field for ${src.from === "field" ? src.field : "constant"}`);
    const n = BigInt(raw);
    return conv === "p" ? addressText(n) : bytesText(intBytes(n, src.type.bytes), conv);
  }
  const failed = objectFailure(src, values, fmt);
  if (failed !== undefined) return failed;
  const c = capture(src, values);
  if (conv === "p") return addressText(readUnsigned(c.bytes, 8));
  // A `char *`'s captured payload is the string it points to (as `{}` shows it), without its NUL.
  const str = c.pointees?.get("");
  if (str) {
    // The string's read failed at the address the pointer holds.
    if (str.status !== "ok") return formatValue({ type: src.type, status: str.status, bytes: new Uint8Array(0), errorAddress: str.errorAddress ?? readUnsigned(c.bytes, 8) }, fmt);
    const end = str.bytes.indexOf(0);
    return markTruncated(bytesText(end < 0 ? str.bytes : str.bytes.subarray(0, end), conv), !!str.truncated);
  }
  const truncated = c.status === "truncated" && !(conv === "s" && hasNul(c.bytes));
  return markTruncated(bytesText(c.bytes, conv), truncated);
}

/** `{:x.N}`, `{:s.*}`, …: the bytes read at the argument's address, the cut at the cap marked. */
export function renderDump(src: DumpSource, values: Values, fmt: FormatOptions = {}): string {
  if (src.constFail === "address") return objectFailure(src.address, values, fmt) ?? "<unavailable>";
  if (src.constFail === "length") return lengthFailure(src, values, fmt);
  const f = src.fields!;
  switch (values.get(f.status)) {
    case DumpStatus.ok:
      break;
    case DumpStatus.nullPointer:
      return "<null>";
    case DumpStatus.addressFailed:
      return objectFailure(src.address, values, fmt) ?? "<unavailable>";
    case DumpStatus.lengthFailed:
      return lengthFailure(src, values, fmt);
    default:
      return `<read error at ${addressText(BigInt(values.get(f.addr) as bigint))}>`;
  }
  const data = values.get(f.data) as Uint8Array;
  const bytes = data.subarray(0, Math.min(Number(values.get(f.len)), data.byteLength));
  const want = BigInt.asIntN(64, BigInt(values.get(f.want) as bigint));
  const truncated = want > BigInt(bytes.byteLength) && !(src.conversion === "s" && hasNul(bytes));
  return markTruncated(bytesText(bytes, src.conversion), truncated);
}

/** An object's failure text (optimized out, unavailable, null, read error), or undefined when it was read. */
function objectFailure(src: ObjectSource, values: Values, fmt: FormatOptions): string | undefined {
  if (src.constStatus === "unavailable") return `<unavailable: ${src.reason}>`;
  const c = capture(src, values);
  return c.status === "ok" || c.status === "truncated" ? undefined : formatValue(c, fmt);
}

function lengthFailure(src: DumpSource, values: Values, fmt: FormatOptions): string {
  const l = src.length;
  return (l && l.from === "object" && objectFailure(l, values, fmt)) || "<length unavailable>";
}
