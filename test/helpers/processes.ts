// Long-running fixture processes for tests that attach to something alive.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

export interface Running {
  pid: number;
  exited: Promise<number>;
  kill(): void;
}

/** Start a fixture and wait until it has printed its first line (it is past exec and running). */
export async function startProcess(argv: string[], env?: Record<string, string>): Promise<Running> {
  const proc = Bun.spawn(argv, { env: { ...process.env, ...env }, stdout: "pipe", stderr: "inherit", stdin: "ignore" });
  const reader = proc.stdout.getReader();
  const first = await Promise.race([reader.read(), Bun.sleep(10_000).then(() => null)]);
  if (first === null) {
    proc.kill("SIGKILL");
    throw new Error(`${argv[0]} printed nothing in 10 s`);
  }
  // Keep draining so the fixture never blocks on a full pipe.
  (async () => { while (!(await reader.read()).done); })().catch(() => {});
  return { pid: proc.pid, exited: proc.exited, kill: () => proc.kill("SIGKILL") };
}

/** The byte at `file`'s file offset as process `pid` sees it in memory (0xcc while a uprobe sits there). */
export function byteInProcess(pid: number, file: string, fileOffset: number): number {
  for (const line of readFileSync(`/proc/${pid}/maps`, "utf8").split("\n")) {
    const f = line.split(/\s+/);
    if (f[5] !== file) continue;
    const [lo, hi] = f[0]!.split("-").map((x) => parseInt(x, 16)) as [number, number];
    const mapOffset = parseInt(f[2]!, 16);
    if (fileOffset < mapOffset || fileOffset >= mapOffset + (hi - lo)) continue;
    const fd = openSync(`/proc/${pid}/mem`, "r");
    try {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, lo + fileOffset - mapOffset);
      return b[0]!;
    } finally {
      closeSync(fd);
    }
  }
  throw new Error(`${file} offset 0x${fileOffset.toString(16)} is not mapped in pid ${pid}`);
}
