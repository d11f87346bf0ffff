// Maps, program loading and verifier errors against the real kernel.
import { describe, expect, test } from "bun:test";
import {
  BpfError, BPF_NOEXIST, VerifierError, closeFd, createMap, libbpfInfo, loadProgram, mapDelete, mapInfo, mapLookup,
  mapNextKey, mapUpdate, numPossibleCpus, summarizeVerifierLog,
} from "../../ffi/index.ts";
import { R0, R1, R10, R2, exit, insn, ldxDw, movImm, program, trivialProgram, ja, counterProgram, stxDw } from "./insns.ts";
import { readU64, u32, u64 } from "./helpers.ts";

describe("libbpf", () => {
  test("loads the system libbpf 1.x", () => {
    const i = libbpfInfo();
    expect(["system", "embedded"]).toContain(i.source);
    expect(i.version).toMatch(/^1\.\d+/);
    expect(i.path.length).toBeGreaterThan(0);
  });
});

describe("maps", () => {
  test("hash: update, lookup, absent key, delete, iterate", () => {
    const fd = createMap({ type: "hash", name: "t_hash", keySize: 4, valueSize: 8, maxEntries: 16 });
    try {
      mapUpdate(fd, u32(7), u64(0x1122334455667788n));
      mapUpdate(fd, u32(9), u64(42));
      expect(readU64(mapLookup(fd, u32(7))!)).toBe(0x1122334455667788n);
      expect(mapLookup(fd, u32(8))).toBeUndefined();
      const keys: number[] = [];
      for (let k = mapNextKey(fd, null, 4); k; k = mapNextKey(fd, k, 4)) keys.push(new DataView(k.buffer).getUint32(0, true));
      expect(keys.sort()).toEqual([7, 9]);
      expect(mapDelete(fd, u32(7))).toBe(true);
      expect(mapDelete(fd, u32(7))).toBe(false);
      expect(mapLookup(fd, u32(7))).toBeUndefined();
      // BPF_NOEXIST on an existing key → EEXIST
      expect(() => mapUpdate(fd, u32(9), u64(1), BPF_NOEXIST)).toThrow(BpfError);
      try {
        mapUpdate(fd, u32(9), u64(1), BPF_NOEXIST);
      } catch (e) {
        expect((e as BpfError).code).toBe("EEXIST");
      }
      const info = mapInfo(fd);
      expect(info).toMatchObject({ type: 1, keySize: 4, valueSize: 8, maxEntries: 16, name: "t_hash" });
    } finally {
      closeFd(fd);
    }
  });

  test("array: every index exists, zero-filled; update then lookup", () => {
    const fd = createMap({ type: "array", name: "t_array", keySize: 4, valueSize: 16, maxEntries: 4 });
    try {
      expect(mapLookup(fd, u32(3))).toEqual(new Uint8Array(16));
      const v = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
      mapUpdate(fd, u32(2), v);
      expect(mapLookup(fd, u32(2))).toEqual(v);
      expect(mapLookup(fd, u32(4))).toBeUndefined(); // out of range
    } finally {
      closeFd(fd);
    }
  });

  test("percpu_array: one 8-byte-aligned slot per possible CPU", () => {
    const cpus = numPossibleCpus();
    expect(cpus).toBeGreaterThan(0);
    const fd = createMap({ type: "percpu_array", name: "t_pcpu", keySize: 4, valueSize: 4, maxEntries: 2 });
    try {
      const vals = new Uint8Array(8 * cpus);
      for (let c = 0; c < cpus; c++) new DataView(vals.buffer).setUint32(8 * c, 100 + c, true);
      mapUpdate(fd, u32(1), vals);
      const got = mapLookup(fd, u32(1))!;
      expect(got.length).toBe(8 * cpus);
      for (let c = 0; c < cpus; c++) expect(new DataView(got.buffer).getUint32(8 * c, true)).toBe(100 + c);
    } finally {
      closeFd(fd);
    }
  });

  test("percpu_hash and lru_hash create and round-trip", () => {
    const a = createMap({ type: "percpu_hash", name: "t_pch", keySize: 8, valueSize: 8, maxEntries: 8 });
    const b = createMap({ type: "lru_hash", name: "t_lru", keySize: 8, valueSize: 8, maxEntries: 8 });
    try {
      mapUpdate(a, u64(1), new Uint8Array(8 * numPossibleCpus()).fill(3));
      expect(mapLookup(a, u64(1))!.every((x) => x === 3)).toBe(true);
      mapUpdate(b, u64(1), u64(5));
      expect(readU64(mapLookup(b, u64(1))!)).toBe(5n);
    } finally {
      closeFd(a);
      closeFd(b);
    }
  });

  test("ringbuf map: created with key/value 0 and a page-multiple size", () => {
    const fd = createMap({ type: "ringbuf", name: "t_rb", keySize: 0, valueSize: 0, maxEntries: 1 << 16 });
    expect(mapInfo(fd)).toMatchObject({ type: 27, maxEntries: 1 << 16 });
    closeFd(fd);
  });

  test("bad map parameters → BpfError EINVAL naming the map", () => {
    let err: unknown;
    try {
      createMap({ type: "ringbuf", name: "t_badrb", keySize: 0, valueSize: 0, maxEntries: 1000 }); // not a power of 2
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BpfError);
    expect((err as BpfError).code).toBe("EINVAL");
    expect((err as BpfError).errno).toBe(22);
    expect((err as BpfError).message).toContain("t_badrb");
  });

  test("map names are sanitized to the kernel's alphabet", () => {
    const fd = createMap({ type: "array", name: "wraith:events-per-probe!", keySize: 4, valueSize: 4, maxEntries: 1 });
    expect(mapInfo(fd).name).toBe("wraith_events_p");
    closeFd(fd);
  });
});

describe("programs", () => {
  test("trivial kprobe program loads", () => {
    const fd = loadProgram({ name: "t_trivial", type: "kprobe", insns: trivialProgram(), license: "GPL" });
    expect(fd).toBeGreaterThan(2);
    closeFd(fd);
  });

  test("a program using a map loads", () => {
    const m = createMap({ type: "array", name: "t_cnt", keySize: 4, valueSize: 8, maxEntries: 1 });
    const fd = loadProgram({ name: "t_counter", type: "kprobe", insns: counterProgram(m) });
    closeFd(fd);
    closeFd(m);
  });

  function rejected(insns: Uint8Array): VerifierError {
    try {
      const fd = loadProgram({ name: "t_bad", type: "kprobe", insns });
      closeFd(fd);
    } catch (e) {
      expect(e).toBeInstanceOf(VerifierError);
      return e as VerifierError;
    }
    throw new Error("the verifier accepted a bad program");
  }

  test("reading an uninitialized register → summary names it", () => {
    const e = rejected(program(movReg0FromR2(), exit()));
    expect(e.code).toBe("EACCES");
    expect(e.summary()).toEqual(["0: (bf) r0 = r2", "R2 !read_ok"]);
    expect(e.message).toContain("R2 !read_ok");
    expect(e.log).toContain("processed");
  });

  test("reading beyond the 512-byte stack → 'invalid read from stack'", () => {
    // (Uninitialized stack reads are allowed for privileged loaders on new kernels.)
    const e = rejected(program(ldxDw(R0, R10, -1024), exit()));
    expect(e.summary()).toEqual(["0: (79) r0 = *(u64 *)(r10 -1024)", "invalid read from stack R10 off=-1024 size=8"]);
  });

  test("writing above the frame pointer → 'invalid write to stack'", () => {
    const e = rejected(program(movImm(R1, 1), stxDw(R10, 8, R1), movImm(R0, 0), exit()));
    expect(e.summary()).toEqual(["0: (b7) r1 = 1", "1: (7b) *(u64 *)(r10 +8) = r1", "invalid write to stack R10 off=8 size=8"]);
  });

  test("dereferencing a scalar → \"R1 invalid mem access 'scalar'\"", () => {
    const e = rejected(program(movImm(R1, 0), ldxDw(R0, R1, 0), exit()));
    expect(e.summary()).toContain("R1 invalid mem access 'scalar'");
    expect(e.summary()).toEqual(["0: (b7) r1 = 0", "1: (79) r0 = *(u64 *)(r1 +0)", "R1 invalid mem access 'scalar'"]);
    expect(e.message).toContain("last instruction 1: (79) r0 = *(u64 *)(r1 +0)");
  });

  test("unreachable instruction → CFG error line", () => {
    const e = rejected(program(movImm(R0, 0), exit(), movImm(R0, 1), exit()));
    expect(e.summary().join("\n")).toMatch(/unreachable insn 2/);
  });

  test("a log longer than the first 1 MiB buffer is captured whole (ENOSPC → bigger buffer)", () => {
    // 40000 moves (~1.5 MiB of log), then a bad stack read: the log must include the start and the end.
    const body = Array.from({ length: 40000 }, () => movImm(R2, 1));
    const e = rejected(program(...body, ldxDw(R0, R10, -1024), exit()));
    expect(e.summary().some((l) => /invalid read from stack/.test(l))).toBe(true);
    expect(e.log.length).toBeGreaterThan(1 << 20);
    expect(e.log).toContain("\n0: (b7) r2 = 1");
    expect(e.log).toContain("\n39999: (b7) r2 = 1");
  });

  test("jump out of range → EINVAL with the verifier's words", () => {
    const e = rejected(program(ja(5), movImm(R0, 0), exit()));
    expect(e.summary().join(" ")).toMatch(/jump out of range/);
  });

  test("malformed instruction bytes are refused before the kernel", () => {
    expect(() => loadProgram({ name: "t_odd", type: "kprobe", insns: new Uint8Array(12) })).toThrow(BpfError);
  });
});

describe("summarizeVerifierLog", () => {
  test("keeps the last instructions and the error, drops statistics and state", () => {
    const log = [
      "func#0 @0",
      "0: R1=ctx() R10=fp0",
      "0: (b7) r1 = 0                        ; R1_w=0",
      "1: (79) r0 = *(u64 *)(r1 +0)",
      "R1 invalid mem access 'scalar'",
      "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
      "",
    ].join("\n");
    expect(summarizeVerifierLog(log)).toEqual(["0: (b7) r1 = 0", "1: (79) r0 = *(u64 *)(r1 +0)", "R1 invalid mem access 'scalar'"]);
  });
});

function movReg0FromR2(): Uint8Array {
  return insn(0xbf, R0, R2, 0, 0);
}
