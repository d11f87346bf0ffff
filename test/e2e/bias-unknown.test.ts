// A global of another module read in a process whose load bias of that
// module wraith cannot know: every way of reading it says so, the same way.
//
// The scenario is real, not staged: wraith runs inside a private PID
// namespace (`unshare --pid --fork --mount-proc`) with the target beside it.
// Its /proc shows only the namespace, so the host tgid the probes key the
// bias map by is unknown and no entry can be written (the run's pid-views
// line says "host unknown"). The executable's own globals still read through
// the probed instruction's address; the library's cannot. A plain print, an
// arithmetic expression, a runtime index, a format argument and an `if`
// condition (GhostScope's ExprError soft-abort: the then-branch is skipped,
// an `else if` continues) must all report the missing load bias, never a
// read error at 0. The same script on the host reads real values.
import { afterAll, describe, expect, test } from "bun:test";
import { compileFixture, compileSharedLibrary } from "../helpers/fixtures.ts";
import { startProcess, type Running } from "../helpers/processes.ts";
import { runWraith, WRAITH } from "../helpers/wraith.ts";

const SCRIPT = `trace app_step {
  print foo_private;
  print foo_private + 1;
  print foo_config.name[i];
  print "{} {}", foo_private * 2, i;
  if foo_private > 0 { print "then"; } else if app_global > 0 { print "B"; } else { print "C"; }
}`;

const spawned: ReturnType<typeof Bun.spawn>[] = [];
const live: Running[] = [];
afterAll(async () => {
  live.forEach((p) => p.kill());
  // --kill-child: killing unshare kills the namespace's init and every process in it.
  for (const s of spawned) s.kill("SIGKILL");
  await Promise.all(spawned.map((s) => s.exited));
});

interface Item {
  kind: string;
  name?: string;
  formatted_value?: string;
  content?: string;
}

function events(stdout: string): Item[][] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l).items as Item[]);
}

/** Runs `script` as PID 1 of a new PID namespace with its own /proc; resolves when it prints DONE (or fails after 60 s). */
async function inNamespace(script: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const proc = Bun.spawn(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sh", "-c", script], {
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  spawned.push(proc);
  let out = "";
  let err = "";
  const d = new TextDecoder();
  (async () => { for await (const c of proc.stdout) out += d.decode(c, { stream: true }); })().catch(() => {});
  (async () => { for await (const c of proc.stderr) err += d.decode(c, { stream: true }); })().catch(() => {});
  for (let waited = 0; !/DONE/.test(out); waited += 50) {
    if (waited > 60_000 || proc.exitCode !== null) throw new Error(`namespace shell: no DONE in stdout: ${out}\nstderr: ${err}`);
    await Bun.sleep(50);
  }
  return { stdout: out, stderr: err };
}

describe("a library global whose load bias is unknown for the process", () => {
  const lib = compileSharedLibrary("shlib_foo", "shfoo");
  const app = compileFixture("shlib_app", { flags: lib.linkFlags });

  test("wraith inside a PID namespace: plain, computed, indexed, formatted and conditional reads all say the load bias is unknown", async () => {
    const { stdout, stderr } = await inNamespace(
      // The app prints "ready" once it runs main, so its libraries are mapped before wraith reads /proc.
      'R=$(mktemp); "$A" 1000000 20 > $R & T=$!; while ! grep -q ready $R; do sleep 0.02; done; rm -f $R; ' +
        '"$W" --json --count 2 -v -p $T -s "$S"; echo "RC $?"; echo DONE; sleep 600',
      { A: app, W: WRAITH, S: SCRIPT },
    );
    expect(stdout).toMatch(/RC 0/);
    // Why there is no entry: the host view of the target's PID is unknown inside the namespace.
    expect(stderr).toMatch(/pid views: input \d+ proc \d+ host unknown/);
    const evs = events(stdout);
    expect(evs).toHaveLength(2);
    const unknown = /^<unavailable: load bias of \S*libshfoo\.so unknown for this process>$/;
    for (const items of evs) {
      expect(items.map((x) => x.kind)).toEqual(["variable", "variable", "variable", "formatted_text", "expr_error", "text"]);
      const [plain, sum, indexed, formatted, cond, branch] = items;
      expect(plain!.formatted_value).toMatch(unknown);
      expect(sum!.formatted_value).toMatch(unknown);
      expect(indexed!.formatted_value).toMatch(unknown);
      expect(formatted!.content).toMatch(/^<unavailable: load bias of \S*libshfoo\.so unknown for this process> \d+$/);
      expect(cond!.content).toMatch(/^ExprError: foo_private > 0 \(load bias of \S*libshfoo\.so unknown for this process\)$/);
      // Soft-abort: "then" skipped, the else-if chain continues (app_global is the executable's own, readable).
      expect(branch!.content).toBe("B");
    }
    expect(stdout).not.toContain("read error");
  }, 90_000);

  test("the same script on the host reads the values (the bias is known there)", async () => {
    const p = await startProcess([app, "1000000", "20"]);
    live.push(p);
    const r = await runWraith(["--json", "--count", "2", "-p", String(p.pid), "-s", SCRIPT], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const evs = events(r.stdout);
    expect(evs).toHaveLength(2);
    for (const items of evs) {
      const [plain, sum, , formatted, then] = items;
      const v = Number(plain!.formatted_value);
      expect(Number.isInteger(v)).toBe(true);
      expect(Number(sum!.formatted_value)).toBe(v + 1);
      expect(formatted!.content).toMatch(new RegExp(`^${v * 2} \\d+$`));
      expect(then).toEqual({ kind: "text", content: "then" });
    }
    expect(r.stdout).not.toContain("unavailable");
    expect(r.stdout).not.toContain("ExprError");
  }, 60_000);
});
