// Uprobes on a real C fixture: exact hit counts, pid filtering, detach,
// uretprobes, both attach methods, and errors.
import { afterAll, describe, expect, test } from "bun:test";
import { PerfError, attachUprobe, closeFd, createMap, loadProgram, mapLookup, type Attachment } from "../../ffi/index.ts";
import { counterProgram } from "./insns.ts";
import { hitsFixture, readU64, runLoop, startHits, u32, type HitsProcess } from "./helpers.ts";

const fx = hitsFixture({ private: true });
const cleanup: Array<() => void | Promise<void>> = [() => fx.remove()];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

function counter(name: string): { map: number; prog: number; count(): bigint } {
  const map = createMap({ type: "array", name, keySize: 4, valueSize: 8, maxEntries: 1 });
  const prog = loadProgram({ name, type: "kprobe", insns: counterProgram(map) });
  cleanup.push(() => (closeFd(prog), closeFd(map)));
  return { map, prog, count: () => readU64(mapLookup(map, u32(0))!) };
}

async function hits(): Promise<HitsProcess> {
  const p = await startHits(fx.path);
  cleanup.push(() => p.stop());
  return p;
}

describe("attachUprobe", () => {
  for (const mode of ["link", "ioctl"] as const) {
    test(`every-process uprobe counts exactly the calls (${mode})`, () => {
      const c = counter(`t_all_${mode}`);
      const a = attachUprobe(c.prog, { path: fx.path, offset: fx.offset, mode });
      try {
        expect(a.mode).toBe(mode);
        expect(a.linkFd >= 0).toBe(mode === "link");
        runLoop(fx.path, 1000);
        runLoop(fx.path, 234);
        expect(c.count()).toBe(1234n);
      } finally {
        a.close();
      }
    });
  }

  test("pid filter: only the chosen process is counted", async () => {
    const c = counter("t_pid");
    const a = await hits();
    const b = await hits();
    const att = attachUprobe(c.prog, { path: fx.path, offset: fx.offset, pid: b.pid });
    try {
      await a.run(500);
      await b.run(77);
      await a.run(100);
      runLoop(fx.path, 300); // a third process, started after attach
      await b.run(23);
      expect(c.count()).toBe(100n);
    } finally {
      att.close();
    }
  });

  test("close() detaches: no more hits, and close is idempotent", async () => {
    const c = counter("t_close");
    const p = await hits();
    const att = attachUprobe(c.prog, { path: fx.path, offset: fx.offset, pid: p.pid });
    await p.run(40);
    expect(c.count()).toBe(40n);
    att.close();
    att.close();
    await p.run(60);
    runLoop(fx.path, 60);
    expect(c.count()).toBe(40n);
  });

  test("uretprobe fires once per return", () => {
    const c = counter("t_ret");
    const a = attachUprobe(c.prog, { path: fx.path, offset: fx.offset, retprobe: true });
    try {
      runLoop(fx.path, 321);
      expect(c.count()).toBe(321n);
    } finally {
      a.close();
    }
  });

  test("two attachments of one program add up; closing one leaves the other", async () => {
    const c = counter("t_two");
    const p = await hits();
    const q = await hits();
    const atts: Attachment[] = [
      attachUprobe(c.prog, { path: fx.path, offset: fx.offset, pid: p.pid }),
      attachUprobe(c.prog, { path: fx.path, offset: fx.offset, pid: q.pid }),
    ];
    await p.run(10);
    await q.run(5);
    expect(c.count()).toBe(15n);
    atts[0]!.close();
    await p.run(10);
    await q.run(5);
    expect(c.count()).toBe(20n);
    atts[1]!.close();
  });

  test("a missing file → PerfError ENOENT naming the path", () => {
    const c = counter("t_enoent");
    let err: unknown;
    try {
      attachUprobe(c.prog, { path: "/nonexistent/wraith-target", offset: 0x1000 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PerfError);
    expect((err as PerfError).code).toBe("ENOENT");
    expect((err as PerfError).message).toContain("/nonexistent/wraith-target");
  });

  test("a pid that does not exist → PerfError ESRCH", () => {
    const c = counter("t_esrch");
    let err: unknown;
    try {
      attachUprobe(c.prog, { path: fx.path, offset: fx.offset, pid: 0x3ffffff0 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PerfError);
    expect((err as PerfError).code).toBe("ESRCH");
  });
});
