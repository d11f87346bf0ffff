// sysmon's BPF handlers keep a load-bias map exact by themselves (no follow
// logic, no /proc reads by wraith here): a real process that wraith follows
// gets entries when ld.so maps libc and when the kernel maps the executable,
// its forked child has the parent's before it runs, the child's exec replaces
// them with the new image's, and exits delete them. Every value is compared
// with the load bias computed from that process's /proc/PID/maps.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapLookup } from "../../ffi/index.ts";
import { biasKey, ModuleBiasTable } from "../../src/runtime/bias.ts";
import { modules } from "../../src/target/index.ts";
import { Sysmon } from "../../src/target/sysmon.ts";

// Forks at once; the child stops itself (it has its parent's address space
// and has mapped nothing of its own), then, continued, execs sleep. The
// parent prints the child's pid and waits for a line on stdin.
const FORKER = `
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	pid_t c = fork();
	if (c == 0) {
		raise(SIGSTOP);
		execl("/bin/sleep", "sleep", "30", (char *)0);
		_exit(127);
	}
	printf("%d\\n", c);
	fflush(stdout);
	char b[8];
	return read(0, b, sizeof b) < 0;
}
`;

let dir: string;
let exe: string;
let libc: string;
const cleanup: (() => void)[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wraith-sysmon-bias-"));
  exe = join(dir, "forker");
  writeFileSync(`${exe}.c`, FORKER);
  const cc = Bun.spawnSync(["gcc", "-O0", "-o", exe, `${exe}.c`], { stderr: "pipe" });
  expect(cc.stderr.toString()).toBe("");
  libc = realpathSync(Bun.spawnSync(["gcc", "-print-file-name=libc.so.6"]).stdout.toString().trim());
});
afterAll(() => {
  for (const c of cleanup.reverse()) c();
  rmSync(dir, { recursive: true, force: true });
});

const LIBC = 0;
const EXE = 1;

/** The bias the map holds for (pid, module), or undefined. */
function entry(table: ModuleBiasTable, pid: number, module: number): bigint | undefined {
  const v = mapLookup(table.fd, biasKey(pid, module));
  return v ? new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0, true) : undefined;
}

/** The bias of `path` in `pid` from its /proc/PID/maps (as fillBiasTable would write it). */
function procBias(pid: number, path: string): bigint | undefined {
  const m = modules(pid).find((m) => m.path === path);
  return m?.bias === null || m?.bias === undefined ? undefined : BigInt.asUintN(64, m.bias);
}

function state(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0];
  } catch {
    return undefined; // gone
  }
}

/** Poll until `done` (fails after 20 s: what it waited for never happened). */
async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

describe("sysmon keeps load biases in the kernel", () => {
  test("mmap and exec write them, fork copies them, exec replaces them, exit deletes them", async () => {
    const sysmon = Sysmon.start({ mappings: true });
    cleanup.push(() => sysmon.close());
    const table = new ModuleBiasTable([
      { id: LIBC, name: libc, readPath: libc },
      { id: EXE, name: exe, readPath: exe },
    ]);
    cleanup.push(() => table.close());
    expect(sysmon.keepBiases(table.fd, 2, table.rules())).toBe(true);
    sysmon.watchFile(statSync(exe, { bigint: true }).ino);

    const parent = Bun.spawn([exe], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    cleanup.push(() => parent.kill("SIGKILL"));
    const reader = parent.stdout.getReader();
    const line = new TextDecoder().decode((await reader.read()).value).trim();
    const child = Number(line);
    expect(child).toBeGreaterThan(0);
    let childAlive = true; // once killed, its PID may be someone else's: never signal it again
    cleanup.push(() => childAlive && process.kill(child, "SIGKILL"));
    await until("the child to stop", () => state(child) === "T");

    // The parent: libc written by the mmap ld.so made, the executable by exec; both exact.
    const parentLibc = procBias(parent.pid, libc);
    expect(parentLibc).toBeDefined();
    expect(entry(table, parent.pid, LIBC)).toBe(parentLibc!);
    expect(entry(table, parent.pid, EXE)).toBe(procBias(parent.pid, exe)!);
    // The child, which has mapped nothing itself: its parent's, copied at fork.
    expect(entry(table, child, LIBC)).toBe(parentLibc!);
    expect(entry(table, child, EXE)).toBe(procBias(parent.pid, exe)!);

    // Continued, it execs sleep: the old image's entries go, and libc's comes back, where ld.so put it now.
    process.kill(child, "SIGCONT");
    await until("sleep to have libc's code mapped and its entry written", () => {
      const maps = readFileSync(`/proc/${child}/maps`, "utf8");
      return / r-xp .*libc\.so\.6$/m.test(maps) && entry(table, child, LIBC) !== undefined && entry(table, child, LIBC) !== parentLibc;
    });
    expect(realpathSync(`/proc/${child}/exe`)).toBe(realpathSync("/bin/sleep"));
    expect(entry(table, child, LIBC)).toBe(procBias(child, libc)!);
    expect(entry(table, child, EXE)).toBeUndefined();

    // Exits: the exit handler deletes (a zombie has gone through it).
    process.kill(child, "SIGKILL");
    childAlive = false;
    await until("the child to exit", () => state(child) === "Z" || state(child) === undefined);
    expect(entry(table, child, LIBC)).toBeUndefined();
    parent.stdin.write("end\n");
    parent.stdin.end();
    expect(await parent.exited).toBe(0);
    expect(table.size).toBe(0);
  }, 60_000);
});
