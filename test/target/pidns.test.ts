// The pieces of src/target/pidns.ts that need no namespace of their own
// (test/e2e/pidns.test.ts builds real ones): device-number encoding and
// wraith's own place, checked against this machine.
import { afterAll, describe, expect, test } from "bun:test";
import { readlinkSync, statSync } from "node:fs";
import { kernelDev } from "../../src/target/devno.ts";
import { resolveProcess, wraithNs } from "../../src/target/pidns.ts";
import { INIT_PID_NS_INODE, nsInode } from "../../src/target/index.ts";

describe("kernelDev", () => {
  test("stat's encoding to the kernel's major << 20 | minor", () => {
    // major 0: what nsfs gets (an anonymous device); identical while minor < 256
    expect(kernelDev(4n)).toBe(4n);
    // minor 300 = 0x12c: stat packs its high bits at bit 20 (0x100 << 12), the kernel keeps minor whole
    expect(kernelDev(0x2cn | (0x100n << 12n))).toBe(300n);
    // major 8 minor 1 (/dev/sda1): stat 0x801
    expect(kernelDev(0x801n)).toBe((8n << 20n) | 1n);
  });
});

describe("wraith's PID namespace, run on the host", () => {
  test("own namespace from /proc/self/ns/pid; initial, and /proc shows it", () => {
    const me = wraithNs();
    const st = statSync("/proc/self/ns/pid", { bigint: true });
    expect(me.own).toEqual({ dev: st.dev, ino: st.ino });
    expect(me.initial).toBe(nsInode(readlinkSync("/proc/self/ns/pid")) === INIT_PID_NS_INODE);
    expect(me.initial).toBe(true);
    expect(me.procIsOwn).toBe(true);
    expect(me.procIsInitial).toBe(true);
  });

  test("a process of the initial namespace is filtered by host tgid without asking for the helper", () => {
    const plan = resolveProcess(process.pid, { input: process.pid, helper: () => { throw new Error("not needed"); } });
    expect(plan.filter).toEqual({ kind: "host", tgid: process.pid });
    expect(plan.process).toMatchObject({ input: process.pid, proc: process.pid, host: process.pid, container: process.pid, nspid: [process.pid] });
  });
});

describe("a process in a private PID namespace, seen from the host", () => {
  const u = Bun.spawn(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", "sleep", "60"]);
  afterAll(async () => {
    u.kill("SIGKILL"); // --kill-child: the namespaced sleep goes with it
    await u.exited;
  });

  async function inner(): Promise<number> {
    for (let i = 0; i < 400; i++) {
      const out = Bun.spawnSync(["ps", "-o", "pid=,comm=", "--ppid", String(u.pid)]).stdout.toString();
      const m = /^\s*(\d+)\s+sleep/m.exec(out);
      if (m) return Number(m[1]);
      await Bun.sleep(25);
    }
    throw new Error("the namespaced sleep did not start");
  }

  test("with the helper: namespace-aware on its own namespace, tgid 1 there", async () => {
    const pid = await inner();
    const ns = statSync(`/proc/${pid}/ns/pid`, { bigint: true });
    const plan = resolveProcess(pid, { input: pid, helper: () => true });
    expect(plan.process).toMatchObject({ proc: pid, host: pid, container: 1, nspid: [pid, 1] });
    expect(plan.filter).toEqual({ kind: "namespace", dev: kernelDev(ns.dev), ino: ns.ino, tgid: 1 });
  });

  test("without it: NSpid's explicit host PID, and the line says $pid shows host PIDs", async () => {
    const pid = await inner();
    const plan = resolveProcess(pid, { input: pid, helper: () => false });
    expect(plan.filter).toEqual({ kind: "host", tgid: pid });
    expect(plan.describe).toMatch(/filter: host tgid \d+ \(\$pid\/\$tid show host PIDs: this kernel lacks bpf_get_ns_current_pid_tgid/);
  });
});
