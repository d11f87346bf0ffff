// Long-running fixture processes for tests that attach to something alive.
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
