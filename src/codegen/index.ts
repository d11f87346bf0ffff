// Code generation: script AST + probe sites → BPF programs and event plans.
export { compileProbe, CodegenError, MapSlot, EVENTS_RING_BYTES, type MapFds, type ProbeContext, type CompiledProbe } from "./probe.ts";
export { link } from "./link.ts";
export { EventLayout, readRoute, HEADER_FIELDS, type LayoutField, type FieldKind, type DecodedValue, type RecordValues } from "./layout.ts";
export type { EventPlan, ObjectSource, PrintPlan, ValueSource, ValueType } from "./plan.ts";
export { STATUS_NAMES } from "./plan.ts";
