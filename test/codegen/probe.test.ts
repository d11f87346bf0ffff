// Every program the lowering emits must pass the real kernel verifier, and
// the plan it returns must decode exactly the record the program writes.
import { describe, expect, test, afterAll } from "bun:test";
import { closeFd, createMap, loadProgram } from "../../ffi/index.ts";
import { compileProbe, EventLayout, HEADER_FIELDS, link, readRoute, type MapFds } from "../../src/codegen/index.ts";
import { decode, ForbiddenHelper, Class, JmpOp } from "../../src/codegen/asm/index.ts";
import { compileScript, type TraceStmt } from "../../src/script/index.ts";
import { kernelDev } from "../../src/target/devno.ts";
import { type PidFilter } from "../../src/target/pidns.ts";
import { statSync } from "node:fs";

const maps: MapFds = {
  events: createMap({ type: "ringbuf", name: "t_events", keySize: 0, valueSize: 0, maxEntries: 1 << 16 }),
  losses: createMap({ type: "array", name: "t_losses", keySize: 4, valueSize: 8, maxEntries: 4 }),
};
afterAll(() => Object.values(maps).forEach(closeFd));

function traces(text: string): TraceStmt[] {
  const r = compileScript(text);
  if (!r.script) throw new Error(JSON.stringify(r.diagnostics));
  return r.script.body as TraceStmt[];
}

const SCRIPTS = [
  'trace f { print "hello"; }',
  'trace f { print "{} {} {}", $pid, $tid, $timestamp; }',
  'trace f { print "{}", $host_pid; print "again {}", $pid; }',
  'trace f { print "{}", $input_pid; }',
];

// Every filter form: none, host tgid, namespace-aware for one process (-p) and for a whole namespace (-t inside one).
const OWN_NS = statSync("/proc/self/ns/pid", { bigint: true });
const FILTERS: (PidFilter | undefined)[] = [
  undefined,
  { kind: "host", tgid: 4242 },
  { kind: "namespace", dev: kernelDev(OWN_NS.dev), ino: OWN_NS.ino, tgid: 4242 },
  { kind: "namespace", dev: kernelDev(OWN_NS.dev), ino: OWN_NS.ino },
];

describe("lowered probes pass the kernel verifier", () => {
  for (const text of SCRIPTS) {
    for (const pidFilter of FILTERS) {
      test(`${text}${pidFilter ? ` (${pidFilter.kind} filter${pidFilter.kind === "namespace" && pidFilter.tgid === undefined ? ", whole namespace" : ""})` : ""}`, () => {
        const [trace] = traces(text);
        const probe = compileProbe(trace!, "f", { traceId: 2, siteId: 1, pidFilter, inputPid: 4242 });
        const fd = loadProgram({ name: "wraith_test", type: "kprobe", insns: link(probe, maps) });
        expect(fd).toBeGreaterThan(0);
        closeFd(fd);
      });
    }
  }
});

test("no generated program calls a helper that writes user memory or sends signals", () => {
  const forbidden = new Set<number>(Object.values(ForbiddenHelper));
  for (const text of SCRIPTS) {
    const probe = compileProbe(traces(text)[0]!, "f", { traceId: 0, siteId: 0, pidFilter: FILTERS[2], inputPid: 1 });
    for (const insn of decode(link(probe, maps))) {
      const isCall = (insn.code & 0x07) === Class.JMP && (insn.code & 0xf0) === JmpOp.CALL;
      if (isCall) expect(forbidden.has(insn.imm)).toBe(false);
    }
  }
});

test("the layout that places the header is the one that decodes it", () => {
  const layout = new EventLayout();
  const record = new Uint8Array(layout.size);
  const view = new DataView(record.buffer);
  view.setUint32(layout.field("trace_id").offset, 7, true);
  view.setUint32(layout.field("site_id").offset, 3, true);
  view.setUint32(layout.field("pid").offset, 1234, true);
  view.setBigUint64(layout.field("timestamp").offset, 99n, true);
  expect(readRoute(record)).toEqual({ traceId: 7, siteId: 3 });
  const v = layout.decode(record);
  expect(v.get("pid")).toBe(1234);
  expect(v.get("timestamp")).toBe(99n);
  expect([...v.keys()]).toEqual(HEADER_FIELDS.map((h) => h.name));
});
