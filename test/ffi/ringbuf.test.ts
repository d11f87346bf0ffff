// Both ring buffer consumers against records produced by a real uprobe:
// every record, in order, across many wrap-arounds of a one-page ring.
import { afterAll, describe, expect, test } from "bun:test";
import {
  DEFAULT_RINGBUF_IMPL, attachUprobe, closeFd, createMap, loadProgram, mapLookup, openRingBuffer, type RingBufferImpl,
} from "../../ffi/index.ts";
import { BPF_RB_NO_WAKEUP, ringbufProgram } from "./insns.ts";
import { hitsFixture, readU64, startHits, u32, type HitsProcess } from "./helpers.ts";

const fx = hitsFixture({ private: true });
const cleanup: Array<() => void | Promise<void>> = [() => fx.remove()];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

interface Setup {
  ring: number;
  drops: number;
  proc: HitsProcess;
}

/** A ring of `ringSize` bytes fed by a uprobe on hit() in one fixture process; records of `words` u64s. */
async function setup(name: string, ringSize: number, words: number, flags = 0): Promise<Setup> {
  const ring = createMap({ type: "ringbuf", name, keySize: 0, valueSize: 0, maxEntries: ringSize });
  const drops = createMap({ type: "array", name: `${name}_d`, keySize: 4, valueSize: 8, maxEntries: 1 });
  const prog = loadProgram({ name, type: "kprobe", insns: ringbufProgram(ring, words, drops, flags) });
  const proc = await startHits(fx.path);
  const att = attachUprobe(prog, { path: fx.path, offset: fx.offset, pid: proc.pid });
  cleanup.push(async () => {
    att.close();
    await proc.stop();
    closeFd(prog);
    closeFd(ring);
    closeFd(drops);
  });
  return { ring, drops, proc };
}

const dropped = (s: Setup) => readU64(mapLookup(s.drops, u32(0))!);

for (const impl of ["mmap", "libbpf"] as RingBufferImpl[]) {
  describe(`openRingBuffer impl=${impl}`, () => {
    test("every record, in order, through many wrap-arounds (48-byte records in a 4 KiB ring)", async () => {
      // 5 words = 40 bytes of data + 8 header = 48 bytes: 4096 is not a
      // multiple of 48, so records straddle the end of the ring.
      const s = await setup(`t_rb_${impl}`, 4096, 5);
      const seen: bigint[] = [];
      let bad = 0;
      const rb = openRingBuffer(s.ring, (d) => {
        if (d.length !== 40) bad++;
        const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
        const v = dv.getBigUint64(0, true);
        for (let k = 1; k < 5; k++) if (dv.getBigUint64(8 * k, true) !== v + BigInt(k)) bad++;
        seen.push(v);
      }, { impl });
      expect(rb.impl).toBe(impl);
      let total = 0;
      for (let batch = 0; batch < 60; batch++) {
        const k = 20 + (batch % 7) * 10; // 20..80 records: ≤ 3840 bytes, never more than the ring holds
        total = await s.proc.run(k);
        let got = 0;
        while (got < k) got += rb.poll(1000);
        expect(got).toBe(k);
      }
      expect(rb.consume()).toBe(0);
      rb.close();
      rb.close();
      expect(bad).toBe(0);
      expect(dropped(s)).toBe(0n);
      expect(seen.length).toBe(total);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => BigInt(i)));
      expect(total * 48).toBeGreaterThan(4096 * 20); // wrapped many times
    });

    test("poll waits for records and times out when there are none", async () => {
      const s = await setup(`t_rbw_${impl}`, 1 << 16, 1);
      let n = 0;
      const rb = openRingBuffer(s.ring, () => void n++, { impl });
      const t0 = performance.now();
      expect(rb.poll(100)).toBe(0);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(90);
      expect(rb.poll(0)).toBe(0);
      await s.proc.run(3);
      let got = 0;
      const deadline = performance.now() + 5000;
      while (got < 3 && performance.now() < deadline) got += rb.poll(500);
      expect(got).toBe(3);
      expect(n).toBe(3);
      rb.close();
    });

    test("records written with BPF_RB_NO_WAKEUP are picked up when poll times out", async () => {
      const s = await setup(`t_rbn_${impl}`, 1 << 16, 1, BPF_RB_NO_WAKEUP);
      const seen: bigint[] = [];
      const rb = openRingBuffer(s.ring, (d) => void seen.push(readU64(d)), { impl });
      await s.proc.run(5);
      expect(rb.poll(50)).toBe(5); // no wakeup came: found after the timeout
      expect(seen).toEqual([0n, 1n, 2n, 3n, 4n]);
      rb.close();
    });

    test("an exception in the handler stops consumption and propagates; the rest stays", async () => {
      const s = await setup(`t_rbx_${impl}`, 1 << 16, 1);
      const seen: bigint[] = [];
      const rb = openRingBuffer(s.ring, (d) => {
        const v = readU64(d);
        if (v === 4n && !seen.includes(4n)) {
          seen.push(v);
          throw new Error("boom");
        }
        seen.push(v);
      }, { impl });
      await s.proc.run(10);
      expect(() => rb.consume()).toThrow("boom");
      expect(seen).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(rb.consume()).toBe(5);
      expect(seen.slice(5)).toEqual([5n, 6n, 7n, 8n, 9n]);
      rb.close();
    });
  });
}

test("the default impl is the benchmark's winner", () => {
  expect(["mmap", "libbpf"]).toContain(DEFAULT_RINGBUF_IMPL);
});

test("opening a non-ringbuf map fails with a BpfError", () => {
  const m = createMap({ type: "array", name: "t_notrb", keySize: 4, valueSize: 4, maxEntries: 1 });
  try {
    expect(() => openRingBuffer(m, () => {}, { impl: "mmap" })).toThrow(/not a ring buffer/);
    expect(() => openRingBuffer(m, () => {}, { impl: "libbpf" })).toThrow();
  } finally {
    closeFd(m);
  }
});
