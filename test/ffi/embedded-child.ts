// Run by embedded.test.ts (from source, or compiled with bun build --compile)
// with WRAITH_FORCE_EMBEDDED_LIBBPF=1: loads libbpf, uses it, and reports
// what got loaded as one JSON line.
import { readFileSync } from "node:fs";
import { closeFd, createMap, libbpfInfo, loadProgram, mapLookup, mapUpdate, openRingBuffer } from "../../ffi/index.ts";

const out: Record<string, unknown> = {};
try {
  out.info = libbpfInfo();
  const m = createMap({ type: "hash", name: "emb_hash", keySize: 4, valueSize: 4, maxEntries: 4 });
  mapUpdate(m, new Uint8Array([1, 0, 0, 0]), new Uint8Array([7, 0, 0, 0]));
  out.lookup = Array.from(mapLookup(m, new Uint8Array([1, 0, 0, 0]))!);
  const p = loadProgram({ name: "emb_prog", type: "kprobe", insns: new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]) });
  const rbMap = createMap({ type: "ringbuf", name: "emb_rb", keySize: 0, valueSize: 0, maxEntries: 4096 });
  const rb = openRingBuffer(rbMap, () => {}, { impl: "libbpf" }); // exercises ring_buffer__new in the embedded copy
  out.ringbuf = rb.poll(0);
  rb.close();
  for (const fd of [m, p, rbMap]) closeFd(fd);
  out.maps = [...new Set(readFileSync("/proc/self/maps", "utf8").split("\n")
    .map((l) => l.slice(l.indexOf("/") >= 0 ? l.indexOf("/") : l.length))
    .filter((p) => /libbpf|libelf|libz\.so/.test(p)))];
} catch (e) {
  out.error = e instanceof Error ? e.message : String(e);
}
console.log(JSON.stringify(out));
