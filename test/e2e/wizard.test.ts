// The wizard driven through a real pseudo-terminal: wraith runs in a
// detached tmux session (its own server socket), keys go in with send-keys
// and the screen comes back with capture-pane. A user's path end to end:
//   - a running process picked by typing its PID, a function by name, two
//     variables (their types shown), one typed expression (a wrong one first:
//     its error shows inline), no condition, plain output → the equivalent
//     command and script, then live events with the right values, and Ctrl-C
//     ends with the summary and the process exiting 0;
//   - a binary by path and a source line, with json output;
//   - Ctrl-C at the first prompt cancels cleanly (exit 130, no stack trace);
//   - without a terminal, `wraith` prints help and `wraith wizard` refuses.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";
import { startProcess, type Running } from "../helpers/processes.ts";
import { requireBinary, runWraith, WRAITH } from "../helpers/wraith.ts";

// A server of our own on a socket of our own, removed at the end (tmux leaves the file behind).
const SOCKET = join(tmpdir(), `wraith-wizard-test-${process.pid}.tmux`);
const sessions: string[] = [];
const live: Running[] = [];
let bin: string;

function tmux(...args: string[]): string {
  const r = Bun.spawnSync(["tmux", "-S", SOCKET, ...args], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`tmux ${args.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString();
}

/** Start wraith with no arguments in a 200x50 pane; the pane stays after it exits and says how it exited. */
function startWizard(name: string): string {
  const session = `${name}-${process.pid}`;
  const cmd = `${WRAITH}; echo "wizard exit status: $?"`;
  tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", "bash", "-c", cmd, ";", "set-option", "-t", session, "remain-on-exit", "on");
  sessions.push(session);
  return session;
}

/** Everything the pane shows, scrollback included. */
function screen(session: string): string {
  return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", session);
}

/** Poll the screen until `ok` holds (20 s deadline: the wizard never got there). */
async function until(session: string, what: string, ok: (s: string) => boolean): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = screen(session);
    if (ok(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
    await Bun.sleep(50);
  }
}
const seen = (session: string, re: RegExp) => until(session, String(re), (s) => re.test(s));
const count = (s: string, needle: string) => s.split(needle).length - 1;

function keys(session: string, ...k: string[]): void {
  tmux("send-keys", "-t", session, ...k);
}
function type(session: string, text: string): void {
  tmux("send-keys", "-t", session, "-l", text);
}

async function exited(session: string): Promise<number> {
  const s = await until(session, "wraith to exit", (t) => /wizard exit status: \d+/.test(t));
  expect(tmux("display-message", "-p", "-t", session, "#{pane_dead}").trim()).toBe("1");
  return Number(/wizard exit status: (\d+)/.exec(s)![1]);
}

/** Plain event lines `serve round=R served=S o.item=0x… "tea"` with the values the fixture computes. */
function checkEvents(s: string, re: RegExp): number {
  const items = ["tea", "cake", "soup"];
  const events = [...s.matchAll(re)];
  for (const m of events) {
    const round = Number(m[1]);
    // served holds the ids (10 × round) of every earlier call: serve has not added this one yet.
    expect(Number(m[2])).toBe(5 * round * (round - 1));
    if (m[3] !== undefined) expect(m[3]).toBe(items[round % 3]!);
  }
  return events.length;
}

beforeAll(() => {
  requireBinary();
  if (!Bun.which("tmux")) throw new Error("tmux is missing: bash .ci/setup installs it");
  bin = compileFixture("wizard_orders");
});
afterAll(() => {
  for (const s of sessions) Bun.spawnSync(["tmux", "-S", SOCKET, "kill-session", "-t", s], { stderr: "ignore" });
  Bun.spawnSync(["tmux", "-S", SOCKET, "kill-server"], { stderr: "ignore" });
  rmSync(SOCKET, { force: true });
  for (const p of live) p.kill();
});

describe("wraith wizard on a terminal", () => {
  test("process → function → two variables and an expression → plain output: the command, then live events until Ctrl-C", async () => {
    const target = await startProcess([bin]);
    live.push(target);
    const pid = String(target.pid);
    const t = startWizard("process");

    await seen(t, /What do you want to trace\?/);
    keys(t, "Enter"); // a running process
    await seen(t, /Find the process/);
    type(t, pid);
    keys(t, "Enter");
    const list = await seen(t, new RegExp(`process(es)? matching '${pid}': choose one`));
    expect(list).toMatch(new RegExp(`^│\\s+●\\s+${pid}  root\\s+${bin}$`, "m")); // the exact PID ranks first
    keys(t, "Enter");
    // Several modules with debug info (libc's debug package installed): the executable is offered first.
    const next = await until(t, "the module or probe prompt", (s) => /Functions from which module\?|Probe where\?/.test(s));
    if (/Functions from which module\?/.test(next)) {
      expect(next).toMatch(/●\s+wizard_orders\S* \(the executable\)/);
      keys(t, "Enter");
    }
    await seen(t, /Probe where\?/);
    keys(t, "Enter"); // a function
    await seen(t, /Find the function/);
    type(t, "serve");
    keys(t, "Enter");
    const fns = await seen(t, /1 function matching 'serve': choose one/);
    expect(fns).toMatch(/serve\s+wizard_orders\.c:12/);
    keys(t, "Enter");

    const vars = await seen(t, /Values to print at serve/);
    expect(vars).toMatch(/◻ o\s+struct order \*\s+parameter/);
    expect(vars).toMatch(/◻ round\s+int\s+parameter/);
    expect(vars).toMatch(/◻ served\s+long\s+global/);
    keys(t, "Down", "Space", "Down", "Space", "Enter"); // round, served

    await seen(t, /Another expression to print\?/);
    type(t, "o.nope");
    keys(t, "Enter");
    await seen(t, /struct order has no member nope/);
    keys(t, "C-u");
    type(t, "o.item");
    keys(t, "Enter");
    await until(t, "the second expression prompt", (s) => count(s, "Another expression to print?") >= 2);
    keys(t, "Enter"); // done
    await seen(t, /Only when…/);
    keys(t, "Enter"); // every hit
    await seen(t, /Output format/);
    keys(t, "Down", "Enter"); // plain

    const shown = await seen(t, /wraith: tracing pid \d+/);
    expect(shown).toContain(`wraith trace --pid ${pid} --func serve --print round --print served --print o.item --script-output plain`);
    expect(shown).toContain(`wraith -p ${pid} --script-output plain -s 'trace serve { print "serve round={} served={} o.item={}", round, served, o.item; }'`);
    const eventRe = /^serve round=(\d+) served=(\d+) o\.item=0x[0-9a-f]+ "(\w+)"$/gm;
    const live3 = await until(t, "three events", (s) => [...s.matchAll(eventRe)].length >= 3);
    expect(checkEvents(live3, eventRe)).toBeGreaterThanOrEqual(3);

    keys(t, "C-c");
    const code = await exited(t);
    const end = screen(t);
    expect(code).toBe(0);
    const summary = /wraith: (\d+) events, 0 lost/.exec(end);
    expect(summary).not.toBeNull();
    expect(checkEvents(end, eventRe)).toBe(Number(summary![1]));
    expect(end).not.toMatch(/error|    at /);
    target.kill(); // the next test traces the binary: every process running it would report
  });

  test("binary by path → source line → json: events from the process running it", async () => {
    const target = await startProcess([bin]);
    live.push(target);
    const t = startWizard("binary");

    await seen(t, /What do you want to trace\?/);
    keys(t, "Down", "Enter"); // a binary or library
    await seen(t, /Path of the binary or shared library/);
    type(t, "/nonexistent/prog");
    keys(t, "Enter");
    await seen(t, /\/nonexistent\/prog: no such file/);
    keys(t, "C-u");
    type(t, bin);
    keys(t, "Enter");
    await seen(t, /Probe where\?/);
    keys(t, "Down", "Enter"); // a source line
    await seen(t, /Source line/);
    type(t, "wizard_orders.c:14"); // served += o->id;
    keys(t, "Enter");
    const vars = await seen(t, /Values to print at wizard_orders\.c:14/);
    expect(vars).toMatch(/◻ round\s+int\s+parameter/);
    keys(t, "Down", "Space", "Down", "Space", "Enter"); // round, served
    await seen(t, /Another expression to print\?/);
    keys(t, "Enter");
    await seen(t, /Only when…/);
    type(t, "round % 2 ==");
    keys(t, "Enter");
    await seen(t, /'round % 2 ==' is incomplete/);
    type(t, " 0");
    keys(t, "Enter");
    await seen(t, /Output format/);
    keys(t, "Down", "Down", "Enter"); // json

    const shown = await seen(t, /wraith: tracing /);
    expect(shown).toContain(`wraith trace --target ${bin} --func wizard_orders.c:14 --print round --print served --if 'round % 2 == 0' --json`);
    const jsonRe = /^\{.*"content":"wizard_orders\.c:14 round=(\d+) served=(\d+)".*\}$/gm;
    const got = await until(t, "three JSON events", (s) => [...s.matchAll(jsonRe)].length >= 3);
    for (const m of got.matchAll(jsonRe)) {
      expect(Number(m[1]) % 2).toBe(0);
      expect(JSON.parse(m[0]).pid).toBe(target.pid);
    }
    expect(checkEvents(got, jsonRe)).toBeGreaterThanOrEqual(3);
    keys(t, "C-c");
    expect(await exited(t)).toBe(0);
    expect(screen(t)).toMatch(/wraith: \d+ events, 0 lost/);
  });

  test("Ctrl-C at the first prompt cancels cleanly", async () => {
    const t = startWizard("cancel");
    await seen(t, /What do you want to trace\?/);
    keys(t, "C-c");
    expect(await exited(t)).toBe(130);
    const s = screen(t);
    expect(s).toMatch(/Cancelled: nothing was traced\./);
    expect(s).not.toMatch(/error|    at /);
  });
});

describe("wraith without a terminal", () => {
  test("no arguments prints the help (exit 0) instead of prompting", async () => {
    const r = await runWraith([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:/m);
    expect(r.stdout).not.toMatch(/What do you want to trace/);
  });

  test("wraith wizard says it needs a terminal (exit 2, one line)", async () => {
    const r = await runWraith(["wizard"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      "wraith: error: the wizard needs a terminal on stdin and stdout; without one, use -s SCRIPT or 'wraith trace' (see wraith --help)",
    ]);
  });
});
