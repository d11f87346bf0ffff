// What the shared-library e2e tests compare: gdb's values at a function of
// the deterministic shlib_app fixture, keyed by the call's argument, and
// wraith's JSON events reduced to pid and formatted values.
import { expect } from "bun:test";
import { gdbRun } from "../oracle/gdb.ts";

/** gdb's values at the first `hits` calls of `spec` in `app`, keyed by the first expression (the argument). */
export function gdbByArg(app: string, spec: string, exprs: string[], hits: number): Map<string, string[]> {
  const run = gdbRun(app, [{ spec, exprs, hits }], [String(hits), "1"], { capFactor: 1, settings: ["set breakpoint pending on"], timeoutMs: 90_000 });
  const out = new Map<string, string[]>();
  for (const h of run.hits.get(spec) ?? []) out.set(h.values[0]!, h.values);
  expect(out.size).toBe(hits);
  return out;
}

/** wraith's JSON event lines (other lines skipped): pid and the formatted values. */
export function events(stdout: string): { pid: number; values: string[] }[] {
  return stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => {
    const e = JSON.parse(l);
    return { pid: e.pid, values: e.items.map((i: { formatted_value: string }) => i.formatted_value) };
  });
}
