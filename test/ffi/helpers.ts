// Helpers for the ffi tests: symbol → file offset (via nm and readelf, so the
// tests do not depend on src/elf), and a driver for the interactive
// ffi_hits fixture.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";

/** File offset of a function symbol, converting its vaddr through the LOAD segment holding it. */
export function symbolFileOffset(path: string, symbol: string): number {
  const nm = Bun.spawnSync(["nm", "--defined-only", path], { stdout: "pipe" }).stdout.toString();
  const line = nm.split("\n").find((l) => l.endsWith(` ${symbol}`) && / [Tt] /.test(l));
  if (!line) throw new Error(`${symbol} not found in ${path}`);
  const vaddr = Number.parseInt(line.split(" ")[0]!, 16);
  const segs = Bun.spawnSync(["readelf", "-lW", path], { stdout: "pipe" }).stdout.toString();
  for (const l of segs.split("\n")) {
    const m = /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/.exec(l);
    if (!m) continue;
    const off = Number.parseInt(m[1]!, 16), va = Number.parseInt(m[2]!, 16), filesz = Number.parseInt(m[3]!, 16);
    if (vaddr >= va && vaddr < va + filesz) return vaddr - va + off;
  }
  throw new Error(`no LOAD segment holds ${symbol} (0x${vaddr.toString(16)}) in ${path}`);
}

/**
 * The ffi_hits fixture. With `private`, a copy in a fresh temp directory:
 * uprobes are keyed by inode, so every-process probes on a private copy see
 * only the processes this test starts, even when other test runs use the
 * shared cached binary at the same time.
 */
export function hitsFixture(opts: { private?: boolean } = {}): { path: string; offset: number; remove(): void } {
  const shared = compileFixture("ffi_hits");
  const offset = symbolFileOffset(shared, "hit");
  if (!opts.private) return { path: shared, offset, remove() {} };
  const dir = mkdtempSync(join(tmpdir(), "wraith-ffi-"));
  const path = join(dir, "ffi_hits");
  copyFileSync(shared, path);
  return { path, offset, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running interactive ffi_hits: `run(k)` makes it call hit() k more times. */
export interface HitsProcess {
  pid: number;
  /** Call hit() k times in the fixture; resolves when it has. Returns the total so far. */
  run(k: number): Promise<number>;
  stop(): Promise<void>;
}

export async function startHits(path: string): Promise<HitsProcess> {
  const proc = Bun.spawn([path], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    for (;;) {
      const nl = buffered.indexOf("\n");
      if (nl >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        return line;
      }
      const r = await Promise.race([reader.read(), Bun.sleep(10_000).then(() => null)]);
      if (r === null) throw new Error("ffi_hits did not answer in 10 s");
      if (r.done) throw new Error("ffi_hits exited");
      buffered += new TextDecoder().decode(r.value);
    }
  };
  const first = await nextLine();
  if (first !== "ready") throw new Error(`ffi_hits said '${first}'`);
  return {
    pid: proc.pid,
    async run(k: number) {
      proc.stdin.write(`${k}\n`);
      await proc.stdin.flush();
      const line = await nextLine();
      const m = /^ok (\d+)$/.exec(line);
      if (!m) throw new Error(`ffi_hits said '${line}'`);
      return Number(m[1]);
    },
    async stop() {
      try {
        proc.stdin.end();
      } catch {}
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(t);
    },
  };
}

/** Run `ffi_hits loop n` to completion. */
export function runLoop(path: string, n: number): void {
  const r = Bun.spawnSync([path, "loop", String(n)], { stdout: "pipe" });
  if (r.exitCode !== 0) throw new Error(`ffi_hits loop exited ${r.exitCode}`);
}

export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

export function u64(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

export function readU64(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, true);
}
