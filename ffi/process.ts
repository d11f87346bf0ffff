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
