import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";
import {
  computeBias,
  type MapEntry,
  moduleAt,
  modules,
  parseMapsLine,
  readMaps,
  readPtLoads,
  TargetError,
} from "../../src/target/index.ts";
import { nmSymbols, type Probe, readelfSegments, startProbe } from "./helpers.ts";

const lib = compileFixture("target_lib", { shared: true });
const probes: Probe[] = [];
afterAll(async () => {
  for (const p of probes) await p.stop();
});

async function probe(bin: string, ...args: string[]): Promise<Probe> {
  const p = await startProbe([bin, ...args]);
  probes.push(p);
  return p;
}

function within(e: MapEntry | undefined, addr: bigint): boolean {
  return !!e && addr >= e.start && addr < e.end;
}

describe("parseMapsLine", () => {
  test("file, anonymous, pseudo, deleted, spaces in path", () => {
    const f = parseMapsLine("7f1c2a000000-7f1c2a022000 r-xp 00001000 fe:00 131090                     /usr/lib/x86_64-linux-gnu/libc.so.6")!;
    expect(f).toMatchObject({
      start: 0x7f1c2a000000n,
      end: 0x7f1c2a022000n,
      perms: "r-xp",
      readable: true,
      writable: false,
      executable: true,
      shared: false,
      offset: 0x1000n,
      dev: "fe:00",
      inode: 131090n,
      path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
      deleted: false,
      kind: "file",
    });
    expect(parseMapsLine("7ffd1000-7ffd2000 rw-p 00000000 00:00 0")).toMatchObject({ path: "", kind: "anon" });
    expect(parseMapsLine("55d1c000-55d3d000 rw-p 00000000 00:00 0                          [heap]")!.kind).toBe("heap");
    expect(parseMapsLine("7ffc1000-7ffc2000 rw-p 00000000 00:00 0                          [stack]")!.kind).toBe("stack");
    expect(parseMapsLine("7ffc3000-7ffc5000 r-xp 00000000 00:00 0                          [vdso]")!.kind).toBe("vdso");
    expect(parseMapsLine("7ffc5000-7ffc7000 r--p 00000000 00:00 0                          [vvar]")!.kind).toBe("vvar");
    expect(parseMapsLine("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]")).toMatchObject({
      kind: "vsyscall",
      start: 0xffffffffff600000n, // beyond 2^53: why addresses are bigint
    });
    const d = parseMapsLine("5600000-5601000 r-xp 00000000 08:01 77 /tmp/my prog (deleted)")!;
    expect(d).toMatchObject({ path: "/tmp/my prog", deleted: true, kind: "file" });
    expect(parseMapsLine("7f00-7f01 rw-s 00000000 00:01 1033 /memfd:buf (deleted)")).toMatchObject({
      path: "/memfd:buf",
      deleted: true,
      shared: true,
    });
    expect(parseMapsLine("7f00-7f01 rw-s 00000000 00:0e 10 anon_inode:[perf_event]")!.kind).toBe("special");
    expect(parseMapsLine("")).toBeNull();
    expect(() => parseMapsLine("garbage")).toThrow(TargetError);
  });
});

describe("readMaps", () => {
  test("round-trips every line of a live process's /proc/PID/maps", async () => {
    const p = await probe(compileFixture("target_probe"));
    const raw = readFileSync(`/proc/${p.pid}/maps`, "utf8").trimEnd().split("\n");
    const entries = readMaps(p.pid);
    expect(entries.length).toBe(raw.length);
    entries.forEach((e, i) => {
      const rendered = [
        `${e.start.toString(16).padStart(8, "0")}-${e.end.toString(16).padStart(8, "0")}`,
        e.perms,
        e.offset.toString(16).padStart(8, "0"),
        e.dev,
        e.inode.toString(),
        e.path + (e.deleted ? " (deleted)" : ""),
      ].join(" ");
      expect(rendered.trim()).toBe(raw[i]!.replace(/\s+/g, " ").trim());
    });
  });

  test("the addresses the process prints fall in the right mappings", async () => {
    const bin = compileFixture("target_probe");
    const p = await probe(bin);
    const maps = readMaps(p.pid);
    const at = (a: bigint) => maps.find((e) => within(e, a));
    const real = realpathSync(bin);
    expect(at(p.addrs.main!)).toMatchObject({ path: real, executable: true, kind: "file" });
    expect(at(p.addrs.global!)).toMatchObject({ path: real, writable: true });
    expect(at(p.addrs.stack!)).toMatchObject({ kind: "stack", writable: true });
    expect(at(p.addrs.heap!)).toMatchObject({ kind: "heap" });
    expect(maps.some((e) => e.kind === "vdso")).toBe(true);
    expect(maps.some((e) => e.kind === "anon")).toBe(true);
    // inode and device as stat(2) sees the binary
    const st = statSync(real);
    expect(at(p.addrs.main!)!.inode).toBe(BigInt(st.ino));
  });

  test("missing process: a clear TargetError", () => {
    const err = (() => {
      try {
        readMaps(4194303);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TargetError);
    expect((err as TargetError).code).toBe("no-process");
    expect((err as TargetError).message).toBe(
      "no process with PID 4194303: check the PID (ps -p 4194303) or start the program first",
    );
  });
});

describe("modules and load bias", () => {
  // bias + nm value == printed runtime address, for PIE, non-PIE, and a dlopen()ed library.
  for (const pie of [true, false]) {
    test(`${pie ? "PIE" : "non-PIE"} executable and a shared library`, async () => {
      const bin = compileFixture("target_probe", { pie });
      const p = await probe(bin, "--lib", lib);
      const mods = modules(p.pid);
      const exe = mods.find((m) => m.path === realpathSync(bin))!;
      expect(exe).toBeDefined();
      expect(exe.elfType).toBe(pie ? "dyn" : "exec");
      const syms = nmSymbols(bin);
      expect(exe.bias).not.toBeNull();
      if (!pie) expect(exe.bias).toBe(0n);
      else expect(exe.bias! % 4096n).toBe(0n);
      expect(exe.bias! + syms.get("main")!).toBe(p.addrs.main!);
      expect(exe.bias! + syms.get("probe_global")!).toBe(p.addrs.global!);
      expect(moduleAt(mods, p.addrs.main!)).toBe(exe);

      const so = mods.find((m) => m.path === realpathSync(lib))!;
      expect(so.elfType).toBe("dyn");
      const lsyms = nmSymbols(lib);
      expect(so.bias! + lsyms.get("lib_func")!).toBe(p.addrs.lib_func!);
      expect(so.bias! + lsyms.get("lib_global")!).toBe(p.addrs.lib_global!);
      expect(so.base.offset).toBe(0n);
      expect(so.mappings.length).toBeGreaterThan(1);
      expect(so.start).toBe(so.mappings[0]!.start);
      expect(so.openPath).toBe(so.path); // same mount namespace and root
    });
  }

  test("our reader and readelf agree, for every module of a process", async () => {
    const p = await probe(compileFixture("target_probe"), "--lib", lib);
    const ours = modules(p.pid);
    const theirs = modules(p.pid, { segments: readelfSegments });
    expect(ours.length).toBeGreaterThanOrEqual(4); // exe, lib, libc, ld.so
    expect(theirs.map((m) => [m.path, m.bias])).toEqual(ours.map((m) => [m.path, m.bias]));
    for (const m of ours) expect(m.bias).not.toBeNull();
    // libc and the dynamic loader are there, with page-aligned biases
    const libc = ours.find((m) => /\/libc\.so/.test(m.path))!;
    expect(libc.bias! % 4096n).toBe(0n);
  });

  test("injected segment function, and the formula with a non-zero-offset mapping", async () => {
    const seen: string[] = [];
    const p = await probe(compileFixture("target_probe"));
    const mods = modules(p.pid, {
      segments: (path) => {
        seen.push(path);
        return readPtLoads(path);
      },
    });
    expect(seen.length).toBe(new Set(seen).size); // each file read once
    expect(mods.every((m) => m.bias !== null)).toBe(true);
    // A module whose lowest mapping starts at a non-zero file offset: the
    // formula maps it through the PT_LOAD that covers it.
    const pLoads = [
      { offset: 0n, vaddr: 0n, filesz: 0x628n },
      { offset: 0x1000n, vaddr: 0x1000n, filesz: 0x1a5n },
      { offset: 0x2de8n, vaddr: 0x3de8n, filesz: 0x250n },
    ];
    expect(computeBias({ start: 0x7f0000003000n, offset: 0x2000n }, pLoads)).toBe(0x7f0000000000n); // page 0x3000 holds offset 0x2000
    expect(computeBias({ start: 0x555555554000n, offset: 0n }, pLoads)).toBe(0x555555554000n);
    expect(computeBias({ start: 0x5000n, offset: 0x9000n }, pLoads)).toBeNull();
    // numbers are accepted too
    expect(computeBias({ start: 0x400000n, offset: 0n }, [{ offset: 0, vaddr: 0x400000 }])).toBe(0n);
  });

  test("a deleted executable: still a module, bytes via map_files, bias intact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-target-"));
    try {
      const copy = join(dir, "gone");
      copyFileSync(compileFixture("target_probe"), copy);
      Bun.spawnSync(["chmod", "+x", copy]);
      const p = await probe(copy);
      unlinkSync(copy);
      const maps = readMaps(p.pid);
      expect(maps.filter((e) => e.path === copy).every((e) => e.deleted)).toBe(true);
      const m = modules(p.pid).find((x) => x.path === copy)!;
      expect(m.deleted).toBe(true);
      expect(m.openPath).toMatch(new RegExp(`^/proc/${p.pid}/map_files/[0-9a-f]+-[0-9a-f]+$`));
      expect(m.bias! + nmSymbols(compileFixture("target_probe")).get("main")!).toBe(p.addrs.main!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("non-ELF file mappings get bias null with a reason", () => {
    const mods = modules(process.pid, {
      maps: [
        parseMapsLine("7f0000000000-7f0000001000 r--s 00000000 fe:00 12 /etc/passwd")!,
        ...readMaps(process.pid),
      ],
    });
    const m = mods.find((x) => x.path === "/etc/passwd")!;
    expect(m.bias).toBeNull();
    expect(m.biasError).toBe("not an ELF file");
  });
});
