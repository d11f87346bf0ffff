// PID namespaces, built for real with `unshare --pid --fork --mount-proc`:
// wraith on the host with the target in a private namespace, wraith and the
// target in one namespace, a nested namespace, a target outside wraith's
// namespace, -t and a launched command inside a namespace. Every PID an event
// shows is checked against NSpid read from /proc and against the PIDs the
// fixture itself passes to beat(getpid(), gettid()).
import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { compileFixture } from "../helpers/fixtures.ts";
import { startProcess, type Running } from "../helpers/processes.ts";
import { runWraith, WRAITH } from "../helpers/wraith.ts";

const BIN = compileFixture("pidns_beat");
/** $pid $tid $host_pid $input_pid and the fixture's own getpid() / gettid(). */
const SCRIPT = 'trace beat { print "{} {} {} {} {} {}", $pid, $tid, $host_pid, $input_pid, pid, tid; }';
/** The same without $input_pid (-t and a launched command have none): five values. */
const SCRIPT_NO_INPUT = 'trace beat { print "{} {} {} {} {}", $pid, $tid, $host_pid, pid, tid; }';

const shells: NsShell[] = [];
const live: Running[] = [];
afterAll(async () => {
  live.forEach((p) => p.kill());
  // SIGKILL to unshare: --kill-child kills the namespace's init, and with it every process of that namespace and of nested ones.
  for (const s of shells) s.proc.kill("SIGKILL");
  await Promise.all(shells.map((s) => s.proc.exited));
});

interface Event {
  pid: number;
  tid: number;
  /** $pid $tid $host_pid $input_pid getpid() gettid() */
  values: number[];
}

function events(stdout: string): Event[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l))
    .map((e) => ({ pid: e.pid, tid: e.tid, values: e.items[0].values }));
}

function nspid(pid: number): number[] {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("NSpid:"))!;
  return line.slice(6).trim().split(/\s+/).map(Number);
}

/** Processes below `root` in our /proc whose executable is `exe`. */
function descendantsRunning(root: number, exe: string): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {}
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) {
    const p = todo.pop()!;
    for (const c of children.get(p) ?? []) {
      todo.push(c);
      try {
        if (readlinkSync(`/proc/${c}/exe`) === exe) out.push(c);
      } catch {}
    }
  }
  return out;
}

/**
 * Shell functions for the scripts: `execed PID` waits until PID runs the
 * fixture (past exec); `find_beat` waits for a process of this /proc that
 * runs it and sets T to its PID.
 */
const PRELUDE =
  'execed() { while [ "$(readlink /proc/$1/exe)" != "$B" ]; do sleep 0.02; done; }; ' +
  'find_beat() { T=; while [ -z "$T" ]; do for p in /proc/[0-9]*; do [ "$(readlink $p/exe)" = "$B" ] && T=${p#/proc/}; done; [ -z "$T" ] && sleep 0.02; done; }; ';

interface NsShell {
  proc: ReturnType<typeof Bun.spawn>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with stdout once it matches `re`; fails after 60 s. */
  until(re: RegExp): Promise<string>;
}

/**
 * `sh -c script` as PID 1 of a new PID namespace (with its own /proc unless
 * mountProc is false). $W is the wraith binary, $B the fixture, $S the
 * script. Scripts end by printing DONE and sleeping, so the namespace (and
 * the processes a test inspects from here) lives until afterAll kills it.
 */
function nsShell(script: string, opts: { mountProc?: boolean; env?: Record<string, string> } = {}): NsShell {
  const argv = ["unshare", "--pid", "--fork", ...(opts.mountProc === false ? [] : ["--mount-proc"]), "--kill-child", "sh", "-c", PRELUDE + script];
  const proc = Bun.spawn(argv, {
    env: { ...process.env, NO_COLOR: "1", W: WRAITH, B: BIN, S: SCRIPT, ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  let err = "";
  const decoder = new TextDecoder();
  (async () => { for await (const c of proc.stdout) out += decoder.decode(c, { stream: true }); })().catch(() => {});
  (async () => { for await (const c of proc.stderr) err += decoder.decode(c, { stream: true }); })().catch(() => {});
  const shell: NsShell = {
    proc,
    stdout: () => out,
    stderr: () => err,
    async until(re) {
      for (let waited = 0; !re.test(out); waited += 50) {
        if (waited > 60_000 || proc.exitCode !== null) throw new Error(`namespace shell: no ${re} in stdout: ${out}\nstderr: ${err}`);
        await Bun.sleep(50);
      }
      return out;
    },
  };
  shells.push(shell);
  return shell;
}

/** The fixture below an unshare'd shell, as our /proc sees it (exactly one). */
function beatBelow(shell: NsShell): number {
  const found = descendantsRunning(shell.proc.pid, BIN);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("PID namespaces", () => {
  test("wraith on the host, target in a private namespace: -p takes the host PID, $pid is the namespace's", async () => {
    const shell = nsShell('"$B" > /dev/null & execed $!; echo STARTED; sleep 600');
    await shell.until(/STARTED/);
    const host = beatBelow(shell);
    const views = nspid(host);
    expect(views).toHaveLength(2);
    expect(views[0]).toBe(host);
    const inner = views[1]!;

    const dry = await runWraith(["--dry-run", "--details", "-p", String(host), "-s", SCRIPT]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(new RegExp(`pid views: input ${host} proc ${host} host ${host} ns ${inner} \\(pidns \\d+\\); filter: namespace-aware \\(tgid ${inner} in pidns \\d+\\)`));

    const r = await runWraith(["--json", "--count", "3", "-p", String(host), "-s", SCRIPT], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const evs = events(r.stdout);
    expect(evs).toHaveLength(3);
    for (const e of evs) {
      // single-threaded: tid = pid in every view
      expect(e.values).toEqual([inner, inner, host, host, inner, inner]);
      expect([e.pid, e.tid]).toEqual([inner, inner]); // the event header shows $pid/$tid's view
    }
  });

  test("a host process: host tgid filter, every view the same number", async () => {
    const p = await startProcess([BIN]);
    live.push(p);
    expect(nspid(p.pid)).toEqual([p.pid]);
    const dry = await runWraith(["--dry-run", "--details", "-p", String(p.pid), "-s", SCRIPT]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(new RegExp(`pid views: input ${p.pid} proc ${p.pid} host ${p.pid} ns ${p.pid} \\(pidns \\d+, initial\\); filter: host tgid ${p.pid}`));
    const r = await runWraith(["--json", "--count", "2", "-p", String(p.pid), "-s", SCRIPT], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    for (const e of events(r.stdout)) expect(e.values).toEqual([p.pid, p.pid, p.pid, p.pid, p.pid, p.pid]);
  });

  test("wraith and the target inside one namespace: -p takes the namespace's PID", async () => {
    const shell = nsShell(
      '"$B" > /dev/null & T=$!; execed $T; echo "TARGET $T"; grep NSpid /proc/$T/status; ' +
        '"$W" --json --count 3 -v -p $T -s "$S"; echo "RC $?"; echo DONE; sleep 600',
    );
    const out = await shell.until(/DONE/);
    const target = Number(/TARGET (\d+)/.exec(out)![1]);
    // Inside, its own /proc: NSpid has the one entry of this namespace.
    expect(out).toMatch(new RegExp(`NSpid:\\s+${target}\\n`));
    expect(out).toMatch(/RC 0/);
    const host = beatBelow(shell);
    expect(nspid(host)).toEqual([host, target]);
    expect(shell.stderr()).toMatch(new RegExp(`pid views: input ${target} proc ${target} host unknown ns ${target} \\(pidns \\d+\\); filter: namespace-aware`));
    const evs = events(out);
    expect(evs).toHaveLength(3);
    for (const e of evs) {
      expect(e.values).toEqual([target, target, host, target, target, target]);
      expect([e.pid, e.tid]).toEqual([target, target]);
    }
  });

  test("nested namespace: wraith in the outer one, $pid is the innermost PID", async () => {
    const shell = nsShell(
      'unshare --pid --fork --mount-proc --kill-child "$B" > /dev/null & find_beat; echo "TARGET $T"; grep NSpid /proc/$T/status; ' +
        '"$W" --json --count 3 -v -p $T -s "$S"; echo "RC $?"; echo DONE; sleep 600',
    );
    const out = await shell.until(/DONE/);
    const outer = Number(/TARGET (\d+)/.exec(out)![1]);
    expect(out).toMatch(/RC 0/);
    const host = beatBelow(shell);
    const views = nspid(host);
    expect(views).toHaveLength(3);
    expect(views.slice(0, 2)).toEqual([host, outer]);
    const inner = views[2]!;
    // The outer /proc shows the chain from the outer namespace down.
    expect(out).toMatch(new RegExp(`NSpid:\\s+${outer}\\s+${inner}\\n`));
    expect(shell.stderr()).toMatch(new RegExp(`pid views: input ${outer} proc ${outer} host unknown ns ${inner} \\(pidns \\d+\\); filter: namespace-aware \\(tgid ${inner} in pidns \\d+\\)`));
    const evs = events(out);
    expect(evs).toHaveLength(3);
    for (const e of evs) expect(e.values).toEqual([inner, inner, host, outer, inner, inner]);
  });

  test("a target outside wraith's namespace fails fast, exit 3, saying why", async () => {
    const p = await startProcess([BIN]);
    live.push(p);
    const shell = nsShell(
      `if [ -e /proc/${p.pid} ]; then echo VISIBLE; else echo HIDDEN; fi; ` +
        `"$W" -p ${p.pid} -s "$S" --count 1; echo "RC $?"; echo DONE; sleep 600`,
    );
    const out = await shell.until(/DONE/);
    // What we can honestly assert: the number names no process in that namespace's /proc, and wraith
    // refuses. (Were the number taken inside, -p would mean that namespace's process: its PID as seen there.)
    expect(out).toMatch(/HIDDEN/);
    expect(out).toMatch(/RC 3/);
    const lines = shell.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^wraith: error: no process with PID ${p.pid} in wraith's PID namespace \\(\\d+\\): -p takes the PID as seen where wraith runs`));
  });

  test("inside a namespace whose /proc is not mounted: -p and a launch refuse to guess, exit 3", async () => {
    // unshare without --mount-proc: the host's /proc, so $! (a namespace PID) names some other host process there.
    const shell = nsShell(
      '"$B" > /dev/null & T=$!; "$W" -p $T -s "$S" --count 1; echo "RC $?"; ' +
        '"$W" -s "$S" --count 1 --args "$B"; echo "RC $?"; echo DONE; sleep 600',
      { mountProc: false },
    );
    const out = await shell.until(/DONE/);
    expect(out.match(/RC \d+/g)).toEqual(["RC 3", "RC 3"]);
    const lines = shell.stderr().trim().split("\n");
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^wraith: error: wraith runs in PID namespace \d+ but its \/proc shows another namespace's PIDs .*cannot be mapped safely/);
  });

  test("-t inside a namespace: only that namespace's processes, $pid in its view", async () => {
    // A host process runs the same file: its uprobe hits must not be recorded.
    const other = await startProcess([BIN]);
    live.push(other);
    const shell = nsShell(
      '"$B" > /dev/null & T=$!; execed $T; echo "TARGET $T"; ' +
        '"$W" --json --count 5 -v -t "$B" -s "$S"; echo "RC $?"; echo DONE; sleep 600',
      { env: { S: SCRIPT_NO_INPUT } },
    );
    const out = await shell.until(/DONE/);
    const target = Number(/TARGET (\d+)/.exec(out)![1]);
    expect(out).toMatch(/RC 0/);
    expect(shell.stderr()).toMatch(/pid views: wraith in pidns \d+; filter: namespace-aware \(processes of pidns \d+ only\)/);
    const host = beatBelow(shell);
    expect(nspid(host)).toEqual([host, target]);
    const evs = events(out);
    expect(evs).toHaveLength(5);
    for (const e of evs) expect(e.values).toEqual([target, target, host, target, target]);
    // and the host's copy was running the probed code all along
    expect(readFileSync(`/proc/${other.pid}/status`, "utf8")).toMatch(/State:\s+[RS]/);
  });

  test("-- launch inside a namespace: $pid is the PID wraith's namespace gave the child", async () => {
    const shell = nsShell('"$W" --json --count 3 -v -s "$S" --args "$B"; echo "RC $?"; echo DONE; sleep 600', { env: { S: SCRIPT_NO_INPUT } });
    const out = await shell.until(/DONE/);
    expect(out).toMatch(/RC 0/);
    const launched = Number(/launched .* as pid (\d+)/.exec(shell.stderr())![1]);
    expect(shell.stderr()).toMatch(new RegExp(`pid views: launched proc ${launched} host unknown ns ${launched} \\(pidns \\d+\\); filter: namespace-aware`));
    const evs = events(out);
    expect(evs).toHaveLength(3);
    for (const e of evs) {
      expect(e.values.slice(0, 2)).toEqual([launched, launched]);
      expect(e.values.slice(3)).toEqual([launched, launched]);
      expect(e.values[2]).toBeGreaterThan(0);
    }
  });
});
