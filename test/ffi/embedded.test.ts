// The embedded-libbpf fallback: with WRAITH_FORCE_EMBEDDED_LIBBPF=1 the loader
// skips the system library and loads libz, libelf and libbpf from
// .cache/embed (staged here from the system's real files, as build.ts does)
// through memfds. Runs in child processes so this process's own libbpf
// (already the system one) does not interfere.
import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/fixtures.ts";

const EMBED = join(ROOT, ".cache/embed");
const CHILD = join(import.meta.dir, "embedded-child.ts");
const BUN = process.execPath;
const SONAMES = ["libz.so.1", "libelf.so.1", "libbpf.so.1"];
const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64"];

beforeAll(() => {
  mkdirSync(EMBED, { recursive: true });
  for (const soname of SONAMES) {
    const found = LIB_DIRS.map((d) => join(d, soname)).find((p) => existsSync(p));
    if (!found) throw new Error(`${soname} is not installed`);
    const real = realpathSync(found);
    const dest = join(EMBED, soname);
    if (existsSync(dest) && statSync(dest).size === statSync(real).size) continue;
    const tmp = `${dest}.tmp${process.pid}`;
    copyFileSync(real, tmp);
    renameSync(tmp, dest); // atomic: build.ts may stage the same files concurrently
  }
});

interface ChildReport {
  info?: { source: string; path: string; version: string };
  lookup?: number[];
  ringbuf?: number;
  maps?: string[];
  error?: string;
}

function run(argv: string[], env: Record<string, string>): ChildReport {
  const r = Bun.spawnSync(argv, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe", cwd: tmpdir() });
  const line = r.stdout.toString().trim().split("\n").pop() ?? "";
  if (!line.startsWith("{")) throw new Error(`child failed (${r.exitCode}): ${r.stderr.toString()}`);
  return JSON.parse(line) as ChildReport;
}

function expectEmbedded(r: ChildReport): void {
  expect(r.error).toBeUndefined();
  expect(r.info!.source).toBe("embedded");
  expect(r.info!.path).toMatch(/^\/proc\/self\/fd\/\d+ \(\/memfd:libbpf\.so\.1 \(deleted\)\)$/);
  expect(r.info!.version).toMatch(/^1\.\d+$/);
  expect(r.lookup).toEqual([7, 0, 0, 0]);
  expect(r.ringbuf).toBe(0);
  // All three come from memfds; no system copy was mapped: libbpf's DT_NEEDED
  // libelf.so.1/libz.so.1 were satisfied by SONAME from the loaded copies.
  const maps = r.maps!;
  for (const s of SONAMES) expect(maps).toContain(`/memfd:${s} (deleted)`);
  expect(maps.filter((m) => !m.startsWith("/memfd:"))).toEqual([]);
}

describe("embedded libbpf fallback", () => {
  test("from source: WRAITH_FORCE_EMBEDDED_LIBBPF=1 loads the .cache/embed copies via memfds", () => {
    expectEmbedded(run([BUN, CHILD], { WRAITH_FORCE_EMBEDDED_LIBBPF: "1" }));
  });

  test("without the variable the system libbpf is used", () => {
    const r = run([BUN, CHILD], { WRAITH_FORCE_EMBEDDED_LIBBPF: "" });
    expect(r.error).toBeUndefined();
    expect(r.info!.source).toBe("system");
    expect(r.info!.path).toMatch(/^\/.*libbpf\.so\.1/);
    expect(r.maps!.some((m) => m.startsWith("/memfd:"))).toBe(false);
  });

  test("compiled with bun build --compile, the libraries travel inside the executable", () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-embed-"));
    try {
      const exe = join(dir, "embedded-child");
      const b = Bun.spawnSync([BUN, "build", "--compile", CHILD, "--outfile", exe], { stdout: "pipe", stderr: "pipe", cwd: ROOT });
      if (b.exitCode !== 0) throw new Error(`bun build --compile failed: ${b.stderr.toString()}`);
      expectEmbedded(run([exe], { WRAITH_FORCE_EMBEDDED_LIBBPF: "1" }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
