// sysmon against real processes: the embedded BPF object loads on this
// kernel, and exec, fork, exit and the executable mapping of a dlopen'ed
// library are reported with the right host PIDs, only for what is watched.
// (The tests run in the initial PID namespace, so host PIDs are ours.)
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { basename } from "node:path";
import { compileFixture, compileSharedLibrary, type SharedLibrary } from "../helpers/fixtures.ts";
import { Sysmon, type SysmonEvent } from "../../src/target/sysmon.ts";

let plugin: SharedLibrary;
let loader: string;
let sysmon: Sysmon | undefined;
const children: { kill(): void }[] = [];

beforeAll(() => {
  plugin = compileSharedLibrary("sysmon_plugin", "smplugin");
  loader = compileFixture("sysmon_dlopen", { flags: ["-ldl"] });
});
afterEach(() => {
  sysmon?.close();
  sysmon = undefined;
});
afterAll(() => {
  for (const c of children) c.kill();
});

/** Poll until `done` holds for the events so far (or fail after 10 s: nothing came). */
async function collect(s: Sysmon, done: (events: SysmonEvent[]) => boolean): Promise<SysmonEvent[]> {
  const events: SysmonEvent[] = [];
  const deadline = Date.now() + 10_000;
  while (!done(events)) {
    if (Date.now() > deadline) throw new Error(`sysmon: expected events did not arrive; got ${JSON.stringify(events, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    events.push(...s.poll(50));
    await Bun.sleep(1);
  }
  return events;
}

function spawnPiped(argv: string[]) {
  const p = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  children.push({ kill: () => p.kill("SIGKILL") });
  return p;
}

describe("sysmon", () => {
  test("a process that execs a watched file: exec with its path, the dlopen'ed library's mapping, exit — all with its pid", async () => {
    sysmon = Sysmon.start({ mappings: true });
    const loaderIno = statSync(loader, { bigint: true }).ino;
    const pluginIno = statSync(plugin.path, { bigint: true }).ino;
    sysmon.watchFile(loaderIno);
    const p = spawnPiped([loader, plugin.path, "20", "1000000"]);
    const pid = p.pid;
    // Until it waits on stdin: exec'd and its startup libraries mapped.
    let events = await collect(sysmon, (es) => es.some((e) => e.kind === "exec" && e.tgid === pid));
    p.stdin.write("go\n");
    p.stdin.flush();
    events = events.concat(await collect(sysmon, (es) => es.some((e) => e.kind === "mmap" && e.file.inode === pluginIno)));
    p.kill("SIGKILL");
    await p.exited;
    events = events.concat(await collect(sysmon, (es) => es.some((e) => e.kind === "exit")));

    const exec = events.find((e) => e.kind === "exec")!;
    expect(exec).toMatchObject({ kind: "exec", tgid: pid, pid, path: loader, comm: basename(loader).slice(0, 15) });
    expect(exec.kind === "exec" && exec.file.inode).toBe(loaderIno);

    const lib = events.find((e) => e.kind === "mmap" && e.file.inode === pluginIno)!;
    expect(lib).toMatchObject({ kind: "mmap", tgid: pid, pid, name: "libsmplugin.so" });
    if (lib.kind !== "mmap") throw new Error("unreachable");
    expect(lib.prot & 4).toBe(4); // PROT_EXEC

    expect(events.filter((e) => e.kind === "exit")).toEqual([expect.objectContaining({ kind: "exit", tgid: pid })]);
    // Everything reported was about that process: nothing else on the machine is watched.
    expect(new Set(events.map((e) => e.tgid))).toEqual(new Set([pid]));
  });

  test("the library's mapping is reported at the address /proc/PID/maps shows for it", async () => {
    sysmon = Sysmon.start({ mappings: true });
    const pluginIno = statSync(plugin.path, { bigint: true }).ino;
    const p = spawnPiped([loader, plugin.path, "20", "1000000"]);
    // Watch by pid this time (as -p does): the process is already running.
    const reader = p.stdout.getReader();
    await reader.read(); // "ready"
    sysmon.watchProcess(p.pid);
    p.stdin.write("go\n");
    p.stdin.flush();
    const events = await collect(sysmon, (es) => es.some((e) => e.kind === "mmap" && e.file.inode === pluginIno));
    const lib = events.find((e) => e.kind === "mmap" && e.file.inode === pluginIno)!;
    if (lib.kind !== "mmap") throw new Error("unreachable");
    const line = (await Bun.file(`/proc/${p.pid}/maps`).text()).split("\n").find((l) => l.startsWith(lib.addr.toString(16) + "-"));
    expect(line).toBeDefined();
    expect(line!).toMatch(/ r-xp .*\/libsmplugin\.so$/);
    expect(BigInt("0x" + line!.split(/\s+/)[2]!)).toBe(lib.pgoff * 4096n);
    p.kill("SIGKILL");
    await p.exited;
  });

  test("fork of a watched process: fork (child, parent), the child's exec and exit, the parent's exit; unwatched processes are not reported; no mappings unless asked", async () => {
    sysmon = Sysmon.start();
    const sh = spawnPiped(["/bin/sh", "-c", "read a; /bin/true; read b"]);
    sysmon.watchProcess(sh.pid);
    const stranger = Bun.spawn(["/bin/true"]); // not watched: must not appear
    await stranger.exited;
    sh.stdin.write("1\n");
    sh.stdin.flush();
    let events = await collect(sysmon, (es) => es.some((e) => e.kind === "exit"));
    sh.stdin.write("2\n");
    sh.stdin.flush();
    await sh.exited;
    events = events.concat(await collect(sysmon, (es) => es.some((e) => e.kind === "exit" && e.tgid === sh.pid)));

    const fork = events.find((e) => e.kind === "fork");
    expect(fork).toMatchObject({ kind: "fork", parent: sh.pid });
    const child = fork!.tgid;
    expect(child).not.toBe(sh.pid);
    expect(fork!.pid).toBe(child);
    // (sh's own exec may be reported too: Bun.spawn can return before the child's execve.)
    expect(events.find((e) => e.kind === "exec" && e.tgid === child)).toMatchObject({ kind: "exec", pid: child, path: "/bin/true", comm: "true" });
    expect(events.filter((e) => e.kind === "exit").map((e) => e.tgid)).toEqual([child, sh.pid]);
    expect(events.some((e) => e.tgid === stranger.pid)).toBe(false);
    // /bin/true's ld.so mapped libc: reported only by a sysmon started with { mappings: true }.
    expect(events.filter((e) => e.kind === "mmap")).toEqual([]);
    expect(sysmon.lost()).toBe(0);
  });
});
