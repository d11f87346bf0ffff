// Runs the real dist/wraith binary (built by `npm test` before bun test) the
// way a user would, with a hard timeout so a hang fails the test instead of CI.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./fixtures.ts";

/** The binary under test: dist/wraith, or WRAITH_BIN (a binary built with WRAITH_OUT). */
export const WRAITH = process.env.WRAITH_BIN ?? join(ROOT, "dist/wraith");

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export function requireBinary(): void {
  if (!existsSync(WRAITH)) throw new Error(`${WRAITH} is missing: run 'bun run build.ts' (npm test does) first`);
}

export async function runWraith(
  args: string[],
  opts: { timeoutMs?: number; cwd?: string; env?: Record<string, string>; prefix?: string[] } = {},
): Promise<RunResult> {
  requireBinary();
  const proc = Bun.spawn([...(opts.prefix ?? []), WRAITH, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 30_000);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  return { code: proc.exitCode, signal: proc.signalCode === null ? null : String(proc.signalCode), stdout, stderr };
}

/** Start wraith in the background; resolves `ready` when its stderr says probes are attached. */
export function spawnWraith(args: string[], opts: { env?: Record<string, string> } = {}) {
  requireBinary();
  const proc = Bun.spawn([WRAITH, ...args], {
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  let stdout = "";
  const decoder = new TextDecoder();
  let onReady: (() => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    setTimeout(() => reject(new Error(`wraith not ready after 20 s; stderr: ${stderr}`)), 20_000);
  });
  const pump = async (stream: ReadableStream<Uint8Array>, which: "out" | "err") => {
    for await (const chunk of stream) {
      const s = decoder.decode(chunk, { stream: true });
      if (which === "out") stdout += s;
      else {
        stderr += s;
        if (/attached|tracing/i.test(stderr)) onReady?.();
      }
    }
  };
  const done = Promise.all([pump(proc.stdout, "out"), pump(proc.stderr, "err")]).then(() => proc.exited);
  return {
    proc,
    ready,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    async stop(signal: NodeJS.Signals = "SIGINT"): Promise<RunResult> {
      proc.kill(signal);
      const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await done;
      clearTimeout(t);
      return { code: proc.exitCode, signal: proc.signalCode === null ? null : String(proc.signalCode), stdout, stderr };
    },
  };
}
