import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";
import {
  describeExit,
  type Launched,
  launchStopped,
  processExists,
  readStat,
  resolveCommand,
  shellStatus,
  TargetError,
} from "../../src/target/index.ts";
import { waitFor } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "wraith-launch-"));
const launched: Launched[] = [];
afterAll(async () => {
  for (const l of launched) {
    l.kill();
    await l.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function launch(argv: string[], opts: Parameters<typeof launchStopped>[1] = {}): Promise<Launched> {
  const l = await launchStopped(argv, opts);
  launched.push(l);
  return l;
}

async function thrownAsync(f: () => Promise<unknown>): Promise<TargetError> {
  try {
    await f();
  } catch (e) {
    if (e instanceof TargetError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

async function text(s: ReadableStream<Uint8Array> | undefined): Promise<string> {
  return new Response(s).text();
}

const SH = realpathSync("/bin/sh");

describe("launchStopped", () => {
  test("stopped before the command runs; after resume the same PID is the command", async () => {
    const bin = compileFixture("target_probe");
    const marker = join(dir, "touched");
    const l = await launch([bin, "--touch", marker, "--exit", "3", "--wait"], { stdout: "pipe" });
    expect(l.path).toBe(bin);
    // stopped, still the launcher shell, and the command has done nothing
    expect(readStat(l.pid)!.state).toBe("T");
    expect(readlinkSync(`/proc/${l.pid}/exe`)).toBe(SH);
    await Bun.sleep(100);
    expect(existsSync(marker)).toBe(false);
    expect(readStat(l.pid)!.state).toBe("T");

    l.resume();
    await waitFor(() => existsSync(marker), 5000, "the command to run");
    expect(readlinkSync(`/proc/${l.pid}/exe`)).toBe(bin);
    expect(processExists(l.pid)).toBe(true);
    l.resume(); // idempotent
    l.kill("SIGTERM");
    expect(await l.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(await text(l.stdout)).toContain("ready\n");
  });

  test("argv reaches the command unchanged; exit code like a shell's", async () => {
    const args = ["a b", "$HOME", '"q"', "", "*", "-n", "back\\slash"];
    const l = await launch(["printf", "[%s]\\n", ...args], { stdout: "pipe" });
    l.resume();
    expect(await l.exited).toEqual({ code: 0, signal: null });
    expect(await text(l.stdout)).toBe(args.map((a) => `[${a}]\n`).join(""));

    const f = await launch(["/bin/sh", "-c", "exit 42"]);
    f.resume();
    const s = await f.exited;
    expect(s).toEqual({ code: 42, signal: null });
    expect(describeExit(s)).toBe("exit code 42");
    expect(shellStatus(s)).toBe(42);
  });

  test("death by signal is reported by name", async () => {
    const l = await launch(["/bin/sh", "-c", "kill -SEGV $$"]);
    l.resume();
    const s = await l.exited;
    expect(s).toEqual({ code: null, signal: "SIGSEGV" });
    expect(describeExit(s)).toBe("killed by SIGSEGV");
    expect(shellStatus(s)).toBe(139);
  });

  test("kill() while still stopped delivers the signal, the command never runs", async () => {
    const marker = join(dir, "never");
    const l = await launch([compileFixture("target_probe"), "--touch", marker]);
    l.kill("SIGTERM");
    expect(await l.exited).toEqual({ code: null, signal: "SIGTERM" });
    expect(existsSync(marker)).toBe(false);
    l.resume(); // harmless after exit
    l.kill();
  });

  test("stdin/stdout pipes, cwd and env", async () => {
    const l = await launch(["/bin/sh", "-c", 'read x; echo "$x $FOO $(pwd)"'], {
      stdin: "pipe",
      stdout: "pipe",
      cwd: dir,
      env: { PATH: process.env.PATH, FOO: "bar" },
    });
    l.resume();
    l.stdin!.write("hello\n");
    await l.stdin!.end();
    expect(await text(l.stdout)).toBe(`hello bar ${realpathSync(dir)}\n`);
    expect((await l.exited).code).toBe(0);
  });

  test("bad commands: clear errors, nothing spawned", async () => {
    const missing = await thrownAsync(() => launchStopped(["wraith-no-such-command"]));
    expect(missing.code).toBe("command-not-found");
    expect(missing.message).toBe(
      "wraith-no-such-command: command not found in PATH: check the spelling, or give a path such as ./wraith-no-such-command",
    );
    const noFile = await thrownAsync(() => launchStopped(["./nope"], { cwd: dir }));
    expect(noFile.code).toBe("command-not-found");
    expect(noFile.message).toBe("./nope: no such file: check the path (ls -l ./nope)");

    const sub = join(dir, "subdir");
    mkdirSync(sub, { recursive: true });
    const isDir = await thrownAsync(() => launchStopped([sub]));
    expect(isDir.code).toBe("is-directory");
    expect(isDir.message).toBe(`${sub}: ${sub} is a directory, not a program: give the path of an executable`);

    const plain = join(dir, "plain.txt");
    writeFileSync(plain, "not a program\n");
    chmodSync(plain, 0o644);
    const noExec = await thrownAsync(() => launchStopped([plain]));
    expect(noExec.code).toBe("not-executable");
    expect(noExec.message).toContain("is not executable: chmod +x");

    expect((await thrownAsync(() => launchStopped([]))).code).toBe("bad-argument");
  });
});

describe("resolveCommand", () => {
  test("PATH search like a shell", () => {
    expect(resolveCommand("sleep")).toBe(Bun.which("sleep")!);
    const a = join(dir, "pa");
    const b = join(dir, "pb");
    mkdirSync(a, { recursive: true });
    mkdirSync(b, { recursive: true });
    writeFileSync(join(a, "tool"), "#!/bin/sh\n");
    chmodSync(join(a, "tool"), 0o644); // not executable: skipped
    writeFileSync(join(b, "tool"), "#!/bin/sh\n");
    chmodSync(join(b, "tool"), 0o755);
    expect(resolveCommand("tool", { path: `${a}:${b}` })).toBe(join(b, "tool"));
    expect(resolveCommand("tool", { path: `:${b}`, cwd: b })).toBe(join(b, "tool")); // empty entry = cwd
    expect(resolveCommand("./tool", { cwd: b })).toBe(join(b, "tool"));
    // only a non-executable candidate: say so rather than "not found"
    let e: unknown;
    try {
      resolveCommand("tool", { path: a });
    } catch (x) {
      e = x;
    }
    expect((e as TargetError).code).toBe("not-executable");
  });
});

describe("wraith dying while the child is stopped", () => {
  const child = join(import.meta.dir, "launch_child.ts");

  async function start(mode: string) {
    const p = Bun.spawn([process.execPath, child, mode], { stdout: "pipe", stderr: "inherit" });
    const reader = p.stdout.getReader();
    let out = "";
    while (!/pid=\d+ state=\S+\n/.test(out)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`helper exited early: ${out}`);
      out += new TextDecoder().decode(value);
    }
    reader.releaseLock();
    const [, pid, state] = /pid=(\d+) state=(\S+)/.exec(out)!;
    expect(state).toBe("T"); // as the helper saw it before doing anything else
    return { p, pid: Number(pid) };
  }

  const gone = (pid: number) => {
    const st = readStat(pid);
    return st === null || st.state === "Z";
  };

  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    test(`${sig}: the stopped child is killed and wraith still dies of ${sig}`, async () => {
      const { p, pid } = await start("wait");
      p.kill(sig);
      await p.exited;
      expect(p.signalCode).toBe(sig);
      await waitFor(() => gone(pid), 5000, "the stopped child to go");
    });
  }

  test("process.exit(): the stopped child is killed", async () => {
    const { p, pid } = await start("exit");
    expect(await p.exited).toBe(0);
    await waitFor(() => gone(pid), 5000, "the stopped child to go");
  });

  test("an app's own SIGINT handler keeps control, the stopped child is still killed", async () => {
    const { p, pid } = await start("handled");
    p.kill("SIGINT");
    expect(await p.exited).toBe(7);
    await waitFor(() => gone(pid), 5000, "the stopped child to go");
  });
});
