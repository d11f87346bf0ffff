// Small process-level libc calls the runtime may want (signals, parent-death
// signal for launched commands).
import { FfiError } from "./errors.ts";
import { C, errno } from "./libc.ts";

export const PR_SET_PDEATHSIG = 1;

export function getpid(): number {
  return C().getpid();
}

/** kill(2); throws FfiError (ESRCH, EPERM) on failure. */
export function kill(pid: number, signal: number): void {
  if (C().kill(pid, signal) < 0) throw new FfiError(`sending signal ${signal} to pid ${pid}`, errno());
}

/** prctl(2) with integer arguments; throws FfiError on failure. */
export function prctl(option: number, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
  const r = C().prctl(option, a2, a3, a4, a5);
  if (r < 0) throw new FfiError(`prctl(${option})`, errno());
  return r;
}

const CLOCK_MONOTONIC = 1;
const timespec = new BigInt64Array(2);

/**
 * CLOCK_MONOTONIC in nanoseconds: the clock bpf_ktime_get_ns() reads, so event
 * timestamps can be placed on the wall clock. (Bun's process.hrtime counts
 * from process start, not on this clock.)
 */
export function monotonicNs(): bigint {
  if (C().clock_gettime(CLOCK_MONOTONIC, timespec) < 0) throw new FfiError("clock_gettime(CLOCK_MONOTONIC)", errno());
  return timespec[0]! * 1_000_000_000n + timespec[1]!;
}
