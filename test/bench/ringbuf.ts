// Ring buffer consumers side by side: libbpf's ring_buffer__poll with a
// JSCallback vs. the ring mmapped and read from TypeScript.
//
//   sudo node_modules/.bin/bun test/bench/ringbuf.ts [records=1000000] [rounds=3]
//
// A real BPF program (uprobe on hit() in test/fixtures/ffi_hits.c) emits one
// record per call. Two measurements per implementation:
//   drain: fill a 64 MiB ring first (producer done), then time consuming it:
//          pure consumer cost, records/s and ns/record;
//   live:  producer (the fixture calling hit() N times) and consumer at the
//          same time, consumer looping on poll(10): delivered records/s,
//          consumer CPU ns/record (process CPU time / records), records lost;
//          once with default wakeups (the kernel wakes the consumer whenever
//          it had caught up) and once with BPF_RB_NO_WAKEUP (the consumer
//          finds records on its 10 ms poll timeout).
//   alone: the producer with no consumer, for reference.
// Each handler does the same tiny amount of work (reads a byte and the length),
// so the figures are the consumers' own per-record cost.
import { attachUprobe, closeFd, createMap, loadProgram, mapLookup, mapUpdate, openRingBuffer, type RingBufferImpl } from "../../ffi/index.ts";
import { ringbufProgram } from "../ffi/insns.ts";
import { hitsFixture, readU64, startHits, u32, u64, type HitsProcess } from "../ffi/helpers.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 3);
// Big enough to hold every record of a drain run.
const ringFor = (words: number) => {
  let size = 1 << 20;
  while (size < N * (words * 8 + 8)) size *= 2;
  return size;
};
const IMPLS: RingBufferImpl[] = ["libbpf", "mmap"];

// A private copy of the fixture and a pid filter: other processes running
// the shared fixture binary (a concurrent test run) cannot add records.
const fx = hitsFixture({ private: true });
process.on("exit", () => fx.remove());

interface Rig { ring: number; drops: number; proc: HitsProcess; close(): Promise<void> }

async function rig(words: number, flags = 0): Promise<Rig> {
  const ring = createMap({ type: "ringbuf", name: "bench_rb", keySize: 0, valueSize: 0, maxEntries: ringFor(words) });
  const drops = createMap({ type: "array", name: "bench_drops", keySize: 4, valueSize: 8, maxEntries: 1 });
  const prog = loadProgram({ name: "bench_rb", type: "kprobe", insns: ringbufProgram(ring, words, drops, flags) });
  const proc = await startHits(fx.path);
  const att = attachUprobe(prog, { path: fx.path, offset: fx.offset, pid: proc.pid });
  return {
    ring, drops, proc,
    async close() {
      att.close();
      await proc.stop();
      closeFd(prog);
      closeFd(ring);
      closeFd(drops);
    },
  };
}

function lost(r: Rig): number {
  const n = Number(readU64(mapLookup(r.drops, u32(0))!));
  mapUpdate(r.drops, u32(0), u64(0));
  return n;
}

let sink = 0;

async function drain(impl: RingBufferImpl, words: number): Promise<{ rate: number; nsPer: number }> {
  const r = await rig(words);
  try {
    let seen = 0;
    const rb = openRingBuffer(r.ring, (d) => {
      sink += d[0]! + d.length;
      seen++;
    }, { impl });
    await r.proc.run(N);
    const drops = lost(r);
    const t0 = Bun.nanoseconds();
    let n = 0;
    while (n < N - drops) n += rb.consume();
    const dt = Bun.nanoseconds() - t0;
    rb.close();
    if (seen !== N - drops) throw new Error(`${impl}: saw ${seen}, expected ${N - drops}`);
    if (drops) console.error(`  (${impl} drain: ${drops} dropped while filling)`);
    return { rate: (n / dt) * 1e9, nsPer: dt / n };
  } finally {
    await r.close();
  }
}

interface Live { rate: number; cpuNsPer: number; lost: number }

async function live(impl: RingBufferImpl | "none", words: number, flags: number): Promise<Live> {
  const r = await rig(words, flags);
  try {
    let seen = 0;
    const rb = impl === "none" ? null : openRingBuffer(r.ring, (d) => {
      sink += d[0]! + d.length;
      seen++;
    }, { impl });
    const cpu0 = process.cpuUsage();
    const t0 = Bun.nanoseconds();
    let done = false;
    r.proc.run(N).then(() => (done = true));
    while (!done) {
      rb?.poll(10);
      await new Promise((res) => setImmediate(res)); // let the fixture's answer in
    }
    const dt = Bun.nanoseconds() - t0;
    rb?.consume();
    const cpu = process.cpuUsage(cpu0);
    rb?.close();
    const l = lost(r);
    if (rb && seen + l !== N) throw new Error(`${impl}: saw ${seen} + lost ${l} ≠ ${N}`);
    return { rate: (N / dt) * 1e9, cpuNsPer: rb ? ((cpu.user + cpu.system) * 1000) / seen : 0, lost: l };
  } finally {
    await r.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(0)}k`);
const BPF_RB_NO_WAKEUP = 1;

console.log(`ring buffer consumers: ${N} records per run, ${ROUNDS} rounds (order alternating), medians`);
for (const words of [1, 8]) {
  const size = words * 8;
  const rows: Record<string, { drate: number[]; dns: number[]; w: Live[]; nw: Live[] }> = {};
  for (const impl of [...IMPLS, "none"]) rows[impl] = { drate: [], dns: [], w: [], nw: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...IMPLS].reverse() : IMPLS;
    for (const impl of order) {
      const a = await drain(impl, words);
      rows[impl]!.drate.push(a.rate);
      rows[impl]!.dns.push(a.nsPer);
      rows[impl]!.w.push(await live(impl, words, 0));
      rows[impl]!.nw.push(await live(impl, words, BPF_RB_NO_WAKEUP));
    }
    rows.none!.w.push(await live("none", words, 0));
  }
  const m = (xs: Live[], k: keyof Live) => median(xs.map((x) => x[k]));
  console.log(`\n${size}-byte records (${size + 8} B in the ring)`);
  console.log(
    `  ${"".padEnd(8)} ${"drain".padStart(21)}   ${"live, wakeups".padStart(28)}   ${"live, BPF_RB_NO_WAKEUP".padStart(28)}`,
  );
  console.log(
    `  ${"impl".padEnd(8)} ${"rec/s".padStart(9)} ${"ns/rec".padStart(11)}   ${"rec/s".padStart(9)} ${"CPU ns/rec".padStart(11)} ${"lost".padStart(6)}   ${"rec/s".padStart(9)} ${"CPU ns/rec".padStart(11)} ${"lost".padStart(6)}`,
  );
  for (const impl of IMPLS) {
    const x = rows[impl]!;
    console.log(
      `  ${impl.padEnd(8)} ${fmt(median(x.drate)).padStart(9)} ${median(x.dns).toFixed(1).padStart(11)}   ` +
        `${fmt(m(x.w, "rate")).padStart(9)} ${m(x.w, "cpuNsPer").toFixed(0).padStart(11)} ${String(m(x.w, "lost")).padStart(6)}   ` +
        `${fmt(m(x.nw, "rate")).padStart(9)} ${m(x.nw, "cpuNsPer").toFixed(0).padStart(11)} ${String(m(x.nw, "lost")).padStart(6)}`,
    );
  }
  console.log(`  ${"alone".padEnd(8)} ${"".padStart(21)}   ${fmt(m(rows.none!.w, "rate")).padStart(9)}  (producer with no consumer)`);
  const [a, b] = IMPLS.map((i) => median(rows[i]!.drate)) as [number, number];
  console.log(`  drain: mmap consumes ${(b / a).toFixed(2)}× as many records/s as libbpf`);
}
if (sink === -1) console.log(sink);
