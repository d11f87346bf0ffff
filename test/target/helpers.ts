// Shared helpers for the target/ tests: run a fixture and collect the
// addresses it prints, and independent oracles (nm, readelf) for symbols and
// segments.
import type { Subprocess } from "bun";
import type { ElfSegments, PtLoad } from "../../src/target/index.ts";

export interface Probe {
  proc: Subprocess<"ignore", "pipe", "inherit">;
  pid: number;
  addrs: Record<string, bigint>;
  stop(): Promise<void>;
}

/** Start `argv`, read "name=0xADDR" lines until "ready". */
export async function startProbe(argv: string[]): Promise<Probe> {
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  const dec = new TextDecoder();
  let text = "";
  const deadline = Date.now() + 10000;
  while (!text.split("\n").includes("ready")) {
    if (Date.now() > deadline) throw new Error(`probe ${argv[0]} not ready: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`probe ${argv[0]} exited before ready: ${text}`);
    text += dec.decode(value, { stream: true });
  }
  reader.releaseLock();
  const addrs: Record<string, bigint> = {};
  for (const line of text.split("\n")) {
    const m = /^(\w+)=(?:0x)?([0-9a-f]+)$/.exec(line);
    if (m) addrs[m[1]!] = BigInt("0x" + m[2]);
  }
  return {
    proc,
    pid: proc.pid,
    addrs,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** Symbol values from `nm` (link-time addresses). */
export function nmSymbols(path: string): Map<string, bigint> {
  const r = Bun.spawnSync(["nm", path]);
  if (r.exitCode !== 0) throw new Error(`nm ${path} failed`);
  const out = new Map<string, bigint>();
  for (const line of r.stdout.toString().split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length === 3) out.set(f[2]!, BigInt("0x" + f[0]));
  }
  return out;
}

/** PT_LOAD segments from `readelf -lW`: an oracle independent of src/target/phdrs.ts. */
export function readelfSegments(path: string): ElfSegments | null {
  const r = Bun.spawnSync(["readelf", "-lW", path], { stderr: "pipe" });
  if (r.exitCode !== 0) return null;
  const text = r.stdout.toString();
  const pLoads: PtLoad[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== "LOAD") continue;
    pLoads.push({ offset: BigInt(f[1]!), vaddr: BigInt(f[2]!), filesz: BigInt(f[4]!), memsz: BigInt(f[5]!) });
  }
  const type = /Elf file type is EXEC/.test(text) ? "exec" : /Elf file type is DYN/.test(text) ? "dyn" : "other";
  return { type, pLoads };
}

export async function waitFor(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}
