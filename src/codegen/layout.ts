// The one definition of an event record's bytes. The code generator asks a
// layout where to store each value (`field.offset`), and the decoder reads the
// same fields back from the ring buffer with the same object. Nothing else
// knows the byte layout, so the two sides cannot drift apart.

/** How a field's bytes are interpreted when decoded. */
export type FieldKind = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "bytes";

export interface LayoutField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly kind: FieldKind;
}

const SIZE_OF: Record<Exclude<FieldKind, "bytes">, number> = { u8: 1, u16: 2, u32: 4, u64: 8, i8: 1, i16: 2, i32: 4, i64: 8 };

/**
 * The fixed header every record starts with. The BPF side fills it before
 * any script value; the decoder reads it to route the record to its probe.
 */
export const HEADER_FIELDS = [
  { name: "trace_id", kind: "u32" }, // which trace block (index in the script)
  { name: "site_id", kind: "u32" }, // which probe site of that block (its program)
  // $pid / $tid: tgid and thread id in the run's PID view — the traced process's own
  // namespace when the probe filters namespace-aware, else the host's (src/target/pidns.ts)
  { name: "pid", kind: "u32" },
  { name: "tid", kind: "u32" },
  { name: "timestamp", kind: "u64" }, // bpf_ktime_get_ns: CLOCK_MONOTONIC
  { name: "ip", kind: "u64" }, // the probed instruction's runtime address: ip - site vaddr = the module's load bias
  { name: "host_pid", kind: "u32" }, // $host_pid: tgid in the initial namespace (bpf_get_current_pid_tgid >> 32)
] as const satisfies readonly { name: string; kind: FieldKind }[];

export type DecodedValue = number | bigint | Uint8Array;

/** A record's fields by name: a decoded Map, or a lazy view over the ring buffer's bytes. */
export interface RecordValues {
  get(name: string): DecodedValue | undefined;
}

export class EventLayout {
  private readonly byName = new Map<string, LayoutField>();
  private readonly list: LayoutField[] = [];
  private end = 0;

  constructor() {
    for (const h of HEADER_FIELDS) this.add(h.name, h.kind);
  }

  /** Append a field, naturally aligned (8 for bytes so copies into it stay aligned). */
  add(name: string, kind: FieldKind, bytes?: number): LayoutField {
    if (this.byName.has(name)) throw new Error(`layout: duplicate field ${name}`);
    const size = kind === "bytes" ? (bytes ?? 0) : SIZE_OF[kind];
    if (kind === "bytes" && !(size > 0)) throw new Error(`layout: bytes field ${name} needs a size`);
    const align = kind === "bytes" ? 8 : size;
    const offset = Math.ceil(this.end / align) * align;
    const field: LayoutField = { name, offset, size, kind };
    this.end = offset + size;
    this.byName.set(name, field);
    this.list.push(field);
    return field;
  }

  field(name: string): LayoutField {
    const f = this.byName.get(name);
    if (!f) throw new Error(`layout: no field ${name}`);
    return f;
  }

  get fields(): readonly LayoutField[] {
    return this.list;
  }

  /** Record size, padded to 8 as the ring buffer rounds records anyway. */
  get size(): number {
    return Math.ceil(this.end / 8) * 8;
  }

  /**
   * A lazy view of one record: each field is read when asked for, bytes
   * fields without copying. Valid only while the record is (the ring buffer
   * callback): the hot path decodes just the fields a print uses.
   */
  view(record: Uint8Array): RecordValues {
    if (record.byteLength < this.size) throw new Error(`event of ${record.byteLength} bytes is shorter than its layout (${this.size})`);
    const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
    const byName = this.byName;
    return {
      get(name: string): DecodedValue | undefined {
        const f = byName.get(name);
        if (!f) return undefined;
        return f.kind === "bytes" ? record.subarray(f.offset, f.offset + f.size) : readField(view, record, f);
      },
    };
  }

  /** Decode every field of one record. Bytes fields are copied: ring memory is reused. */
  decode(record: Uint8Array): Map<string, DecodedValue> {
    if (record.byteLength < this.size) throw new Error(`event of ${record.byteLength} bytes is shorter than its layout (${this.size})`);
    const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
    const out = new Map<string, DecodedValue>();
    for (const f of this.list) out.set(f.name, readField(view, record, f));
    return out;
  }
}

function readField(view: DataView, bytes: Uint8Array, f: LayoutField): DecodedValue {
  switch (f.kind) {
    case "u8": return view.getUint8(f.offset);
    case "u16": return view.getUint16(f.offset, true);
    case "u32": return view.getUint32(f.offset, true);
    case "u64": return view.getBigUint64(f.offset, true);
    case "i8": return view.getInt8(f.offset);
    case "i16": return view.getInt16(f.offset, true);
    case "i32": return view.getInt32(f.offset, true);
    case "i64": return view.getBigInt64(f.offset, true);
    case "bytes": return bytes.slice(f.offset, f.offset + f.size);
  }
}

/** Read only the two routing fields, to find a record's layout before decoding it. */
export function readRoute(record: Uint8Array): { traceId: number; siteId: number } {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  return { traceId: view.getUint32(ROUTE.traceId, true), siteId: view.getUint32(ROUTE.siteId, true) };
}

const HEADER_ONLY = new EventLayout();
const ROUTE = { traceId: HEADER_ONLY.field("trace_id").offset, siteId: HEADER_ONLY.field("site_id").offset };
