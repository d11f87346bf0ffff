import { afterAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import {
  INIT_PID_NS_INODE,
  listProcesses,
  modules,
  nsInode,
  parseStat,
  pidViews,
  processExists,
  processInfo,
  readMaps,
  TargetError,
  tracePathFor,
  waitForExit,
} from "../../src/target/index.ts";
import { waitFor } from "./helpers.ts";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) {
    try {
      c();
    } catch {
      // already gone
    }
  }
});

function spawn(argv: string[]) {
  const p = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  cleanups.push(() => p.kill("SIGKILL"));
  return p;
}

function thrown(f: () => unknown): TargetError {
  try {
    f();
  } catch (e) {
    if (e instanceof TargetError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

/** A PID that nobody uses (pid_max is at most 2^22). */
const NO_PID = 4194303;

describe("parseStat", () => {
  test("comm with spaces and parentheses", () => {
    const s = parseStat("123 (a) b (c)) S 1 123 123 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 98765 0 0\n");
    expect(s).toMatchObject({ pid: 123, comm: "a) b (c)", state: "S", ppid: 1, flags: 4194560, startTime: 98765n });
  });
});

describe("processInfo", () => {
  test("fields agree with ps", async () => {
    const p = spawn(["sleep", "30"]);
    // exec'd and asleep, so the state cannot change between our read and ps's
    await waitFor(
      () => readlinkSync(`/proc/${p.pid}/exe`).endsWith("/sleep") && processInfo(p.pid).state === "S",
      5000,
      "sleep to exec and block",
    );
    const info = processInfo(p.pid);
    const ps = Bun.spawnSync(["ps", "-o", "pid=,ppid=,ruid=,ruser=,euid=,stat=,comm=,nlwp=", "-p", String(p.pid)])
      .stdout.toString()
      .trim()
      .split(/\s+/);
    expect(info.pid).toBe(Number(ps[0]));
    expect(info.ppid).toBe(Number(ps[1]));
    expect(info.ppid).toBe(process.pid);
    expect(info.uid).toBe(Number(ps[2]));
    expect(info.user).toBe(ps[3]!);
    expect(info.euid).toBe(Number(ps[4]));
    expect(info.state).toBe(ps[5]![0]!);
    expect(info.comm).toBe(ps[6]!);
    expect(info.threads).toBe(Number(ps[7]));
    expect(info.cmdline).toEqual(["sleep", "30"]);
    expect(info.exe).toBe(readlinkSync(`/proc/${p.pid}/exe`));
    expect(info.exeDeleted).toBe(false);
    expect(info.kernelThread).toBe(false);
    expect(info.nspid).toEqual([p.pid]);
    expect(info.pidNsInode).toBe(nsInode(readlinkSync("/proc/self/ns/pid")));
    expect(info.pidNsInode).toBe(statSync(`/proc/${p.pid}/ns/pid`).ino);
    expect(processExists(p.pid)).toBe(true);
  });

  test("missing PID: exact message; processExists false", () => {
    const e = thrown(() => processInfo(NO_PID));
    expect(e.code).toBe("no-process");
    expect(e.pid).toBe(NO_PID);
    expect(e.message).toBe(`no process with PID ${NO_PID}: check the PID (ps -p ${NO_PID}) or start the program first`);
    expect(processExists(NO_PID)).toBe(false);
    expect(thrown(() => processInfo(0)).code).toBe("bad-argument");
    expect(thrown(() => processInfo(-5)).code).toBe("bad-argument");
    expect(processExists(0)).toBe(false);
  });

  test("a thread ID is not a process: the error names the process", () => {
    const tids = readdirSync(`/proc/${process.pid}/task`).map(Number).filter((t) => t !== process.pid);
    expect(tids.length).toBeGreaterThan(0); // Bun runs helper threads
    const tid = tids[0]!;
    expect(processExists(tid)).toBe(false);
    const e = thrown(() => processInfo(tid));
    expect(e.code).toBe("no-process");
    expect(e.message).toBe(`PID ${tid} is a thread of process ${process.pid}, not a process: use -p ${process.pid}`);
  });

  test("a zombie counts as exited", async () => {
    // sh forks `true`, then execs sleep, which never reaps it.
    const p = spawn(["/bin/sh", "-c", "true & exec sleep 30"]);
    let zombie = 0;
    await waitFor(() => {
      const kids = Bun.spawnSync(["ps", "-o", "pid=,stat=", "--ppid", String(p.pid)]).stdout.toString().trim();
      const m = /^(\d+)\s+Z/m.exec(kids);
      if (m) zombie = Number(m[1]);
      return zombie !== 0;
    }, 5000, "a zombie");
    expect(processExists(zombie)).toBe(false);
    const e = thrown(() => processInfo(zombie));
    expect(e.code).toBe("exited");
    expect(e.message).toContain(`zombie waiting for its parent ${p.pid}`);
    expect(thrown(() => readMaps(zombie)).code).toBe("exited");
  });

  test("permission problems are reported as such", () => {
    // Read PID 1's maps as nobody: EACCES.
    const script = `
      import { readMaps, TargetError } from "${import.meta.dir}/../../src/target/index.ts";
      try { readMaps(1); console.log("no error"); }
      catch (e) { console.log(e instanceof TargetError ? e.code + ": " + e.message : String(e)); }`;
    const r = Bun.spawnSync(
      ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script],
      { stderr: "pipe", env: { ...process.env, HOME: "/tmp" } },
    );
    const out = r.stdout.toString().trim();
    if (r.exitCode !== 0 && out === "") {
      console.warn(`skipping: cannot run bun as nobody here: ${r.stderr.toString().slice(0, 200)}`);
      return;
    }
    expect(out).toBe(
      "permission: permission denied reading /proc/1/maps: run wraith as root (sudo) or as the process owner with CAP_SYS_PTRACE",
    );
  });
});

describe("listProcesses", () => {
  test("user processes only, including ourselves", () => {
    const all = listProcesses();
    const pids = all.map((p) => p.pid);
    expect(pids).toContain(process.pid);
    expect(pids).not.toContain(2); // kthreadd
    expect(all.every((p) => !p.kernelThread)).toBe(true);
    expect(all.every((p) => p.state !== "Z")).toBe(true);
    // every kernel thread is left out: ppid 2 means a kthread
    const kthreads = readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .filter((n) => {
        try {
          return parseStat(readFileSync(`/proc/${n}/stat`, "utf8")).ppid === 2;
        } catch {
          return false;
        }
      })
      .map(Number);
    expect(kthreads.length).toBeGreaterThan(0);
    for (const k of kthreads) expect(pids).not.toContain(k);
    const self = all.find((p) => p.pid === process.pid)!;
    expect(self.exe).toBe(readlinkSync("/proc/self/exe"));
  });

  test("robust against processes exiting while it runs", async () => {
    // Churn short-lived processes while listing repeatedly.
    const churn = spawn(["/bin/sh", "-c", "while :; do /bin/true & /bin/true & wait; done"]);
    for (let i = 0; i < 20; i++) expect(() => listProcesses()).not.toThrow();
    churn.kill("SIGKILL");
    await churn.exited;
  });
});

describe("PID namespaces", () => {
  test("NSpid has two entries for a process in a child PID namespace", async () => {
    // --kill-child: the namespaced sleep dies with unshare when the test kills it
    const u = spawn(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sleep", "30"]);
    // unshare forks: the sleep is unshare's child, PID 1 in the new namespace.
    let inner = 0;
    await waitFor(() => {
      const out = Bun.spawnSync(["ps", "-o", "pid=,comm=", "--ppid", String(u.pid)]).stdout.toString();
      const m = /^\s*(\d+)\s+sleep/m.exec(out);
      if (m) inner = Number(m[1]);
      return inner !== 0;
    }, 5000, "the namespaced sleep");
    cleanups.push(() => process.kill(inner, "SIGKILL"));
    const info = processInfo(inner);
    expect(info.nspid.length).toBe(2);
    expect(info.nspid).toEqual([inner, 1]);
    const ours = nsInode(readlinkSync("/proc/self/ns/pid"));
    expect(info.pidNsInode).not.toBe(ours);
    expect(processInfo(u.pid).nspid).toEqual([u.pid]); // unshare itself stays in ours

    const v = pidViews(inner);
    expect(v).toMatchObject({ procPid: inner, innermostPid: 1, nspid: [inner, 1], sameNsAsUs: false });
    expect(v.hostPid).toBe(ours === INIT_PID_NS_INODE ? inner : null);
    expect(pidViews(process.pid).sameNsAsUs).toBe(true);

    // --mount-proc gives it its own mount namespace: attach through /proc/PID/root.
    const tp = tracePathFor(inner, "/usr/bin/sleep");
    expect(tp).toBe(`/proc/${inner}/root/usr/bin/sleep`);
    expect(statSync(tp).ino).toBe(statSync("/usr/bin/sleep").ino);
    // its maps are readable from here and its modules' bytes open via the prefix
    const exe = modules(inner).find((m) => m.path.endsWith("/sleep"))!;
    expect(exe.openPath).toBe(`/proc/${inner}/root${exe.path}`);
    expect(exe.bias).not.toBeNull();
  });

  test("tracePathFor: same root and mount namespace → the path itself", () => {
    expect(tracePathFor(process.pid, "/usr/lib/x86_64-linux-gnu/libc.so.6")).toBe("/usr/lib/x86_64-linux-gnu/libc.so.6");
    expect(thrown(() => tracePathFor(NO_PID, "/bin/true")).code).toBe("no-process");
    expect(thrown(() => tracePathFor(process.pid, "relative")).code).toBe("bad-argument");
  });

  test("tracePathFor: a chrooted process (same mount namespace, other root)", async () => {
    const p = spawn(["chroot", "/usr", "/bin/sleep", "30"]);
    await waitFor(() => {
      try {
        return readlinkSync(`/proc/${p.pid}/root`) === "/usr";
      } catch {
        return false;
      }
    }, 5000, "chroot");
    expect(tracePathFor(p.pid, "/bin/sleep")).toBe(`/proc/${p.pid}/root/bin/sleep`);
  });
});

describe("waitForExit", () => {
  test("notices a process that is not our child exiting", async () => {
    // sh starts a background sleep, prints its PID and exits: the sleep is
    // reparented away from us, so we cannot wait() for it.
    const r = Bun.spawnSync(["/bin/sh", "-c", "sleep 0.4 >/dev/null 2>&1 & echo $!"]);
    const pid = Number(r.stdout.toString().trim());
    expect(processExists(pid)).toBe(true);
    expect(processInfo(pid).ppid).not.toBe(process.pid);
    const t0 = Date.now();
    await waitForExit(pid, { intervalMs: 20 });
    const dt = Date.now() - t0;
    expect(dt).toBeGreaterThan(200);
    expect(dt).toBeLessThan(3000);
    expect(processExists(pid)).toBe(false);
  });

  test("resolves at once for a missing PID; abort rejects", async () => {
    await waitForExit(NO_PID);
    const p = spawn(["sleep", "30"]);
    const ac = new AbortController();
    const w = waitForExit(p.pid, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error("stop waiting")), 50);
    expect(w).rejects.toThrow("stop waiting");
    await w.catch(() => {});
  });

  test("a killed child of ours is noticed too", async () => {
    const p = spawn(["sleep", "30"]);
    const w = waitForExit(p.pid, { intervalMs: 10 });
    setTimeout(() => p.kill("SIGTERM"), 50);
    await w;
    expect(processExists(p.pid)).toBe(false);
  });
});
