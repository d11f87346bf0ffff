// Kernel objects are fds owned by the process: a SIGKILLed wraith leaves no
// uprobe behind. Also: probeFeatures on this machine, and error messages.
import { afterAll, describe, expect, test } from "bun:test";
import { BpfError, FfiError, closeFd, createMap, mapInfo, mapLookup, probeFeatures } from "../../ffi/index.ts";
import { hitsFixture, readU64, runLoop, u32 } from "./helpers.ts";

const fx = hitsFixture({ private: true });
afterAll(() => fx.remove());

describe("lifecycle", () => {
  test("a SIGKILLed process leaves nothing attached", async () => {
    const map = createMap({ type: "array", name: "t_orphan_cnt", keySize: 4, valueSize: 8, maxEntries: 1 });
    try {
      const child = Bun.spawn([process.execPath, `${import.meta.dir}/orphan-child.ts`, String(mapInfo(map).id), fx.path, String(fx.offset)], {
        stdout: "pipe",
        stderr: "inherit",
      });
      const reader = child.stdout.getReader();
      const first = await Promise.race([reader.read(), Bun.sleep(10_000).then(() => null)]);
      expect(new TextDecoder().decode(first?.value ?? new Uint8Array())).toContain("ready");
      runLoop(fx.path, 10);
      expect(readU64(mapLookup(map, u32(0))!)).toBe(10n);
      child.kill("SIGKILL");
      await child.exited;
      runLoop(fx.path, 10);
      expect(readU64(mapLookup(map, u32(0))!)).toBe(10n);
    } finally {
      closeFd(map);
    }
  });
});

describe("probeFeatures", () => {
  test("every check passes on this machine (root, kernel 6.18)", () => {
    const checks = probeFeatures();
    expect(checks.map((c) => c.name)).toEqual(["privileges", "libbpf", "ringbuf", "uprobe_pmu", "btf", "perf_link", "ns_pid_helper", "uprobe_multi"]);
    for (const c of checks) {
      expect(c.ok).toBe(true);
      expect(c.detail.length).toBeGreaterThan(0);
      expect(c.fix).toBeUndefined();
    }
  });
});

describe("errors", () => {
  test("EPERM on bpf() says what failed and what to do", () => {
    const e = new BpfError("creating BPF map", 1);
    expect(e.code).toBe("EPERM");
    expect(e.errno).toBe(1);
    expect(e.message).toBe("permission denied creating BPF map: run as root or grant CAP_BPF and CAP_PERFMON (CAP_SYS_ADMIN on kernels before 5.8) [EPERM]");
    expect(e).toBeInstanceOf(FfiError);
    expect(e.message.includes("\n")).toBe(false);
  });
});
