// Record fields → a CapturedValue for one object: the status, the object's
// bytes (sliced out of what the probe read, bitfields extracted) and the
// string a `char *` points to. The field names come from the object's
// ObjectSource, the same one the code generator filled them by.
import { STATUS_NAMES, type ObjectSource, type RecordValues } from "../codegen/index.ts";
import { stripTypedefs } from "../dwarf/types/index.ts";
import type { CapturedValue, ValueStatus } from "./value.ts";

export function capture(src: ObjectSource, values: RecordValues): CapturedValue {
  const type = src.type;
  if (src.constStatus === "optimizedOut") return { type, status: "optimizedOut", bytes: new Uint8Array(0) };
  if (src.constBytes) return { type, status: "ok", bytes: slice(src, src.constBytes) };
  const f = src.fields!;
  const status = (STATUS_NAMES[values.get(f.status) as number] ?? "readError") as ValueStatus;
  if (status !== "ok") return { type, status, bytes: new Uint8Array(0), errorAddress: values.get(f.addr) as bigint };
  const raw = (values.get(f.data) as Uint8Array).subarray(0, f.readSize);
  const bytes = slice(src, raw);
  const v: CapturedValue = { type, status: src.truncated ? "truncated" : "ok", bytes };
  if (src.strs?.length) {
    v.pointees = new Map();
    for (const str of src.strs) {
      const sStatus = (STATUS_NAMES[values.get(str.status) as number] ?? "readError") as ValueStatus;
      const len = values.get(str.len) as number;
      const data = values.get(str.data) as Uint8Array;
      // bpf_probe_read_user_str counts the NUL it copied, which the formatter looks for; a string
      // that filled the buffer was cut at the cap.
      const b = sStatus === "ok" ? data.slice(0, Math.max(0, len)) : new Uint8Array(0);
      v.pointees.set(str.path, { status: sStatus, bytes: b, truncated: sStatus === "ok" && !b.includes(0) });
    }
  }
  if (src.referent) (v.pointees ??= new Map()).set("", capture(src.referent, values));
  if (src.statics) v.statics = new Map(src.statics.map((x) => [x.key, captureStatic(x.source, values)]));
  return v;
}

/** A static member's own object; one no uprobe can read says why (`reason`). */
function captureStatic(src: ObjectSource, values: RecordValues): CapturedValue {
  if (src.constStatus === "unavailable") return { type: src.type, status: "optimizedOut", bytes: new Uint8Array(0), reason: src.reason };
  return capture(src, values);
}

/** The object's own bytes within what was read; bitfields become an integer of the member's type. */
function slice(src: ObjectSource, raw: Uint8Array): Uint8Array {
  const start = src.byteOffset;
  if (!src.bits) return raw.slice(start, Math.min(raw.byteLength, start + src.size));
  const span = Math.ceil((src.bits.offset + src.bits.size) / 8);
  let v = 0n;
  for (let i = span - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[start + i] ?? 0);
  v = (v >> BigInt(src.bits.offset)) & ((1n << BigInt(src.bits.size)) - 1n);
  const t = stripTypedefs(src.type);
  const signed = t.kind === "base" && (t.encoding === 0x05 /* DW_ATE_signed */ || t.encoding === 0x06) ? true : t.kind === "enum";
  if (signed && src.bits.size > 0 && v >> BigInt(src.bits.size - 1) === 1n) v -= 1n << BigInt(src.bits.size);
  const out = new Uint8Array(src.size);
  let u = BigInt.asUintN(src.size * 8, v);
  for (let i = 0; i < src.size; i++, u >>= 8n) out[i] = Number(u & 0xffn);
  return out;
}
