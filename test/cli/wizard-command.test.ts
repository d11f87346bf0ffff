// The wizard shows "the same from the command line": both commands it prints,
// split by a real shell and parsed by wraith's own parseArgs, must give the
// exact script and options the wizard runs — with quotes, $ specials and
// C++ signatures that need quoting.
import { describe, expect, test } from "bun:test";
import { parseArgs } from "../../src/cli/args.ts";
import { oneShotScript } from "../../src/cli/oneshot.ts";
import { oneShotCommand, scriptCommand, scriptOf, shellQuote, type WizardPlan } from "../../src/cli/wizard/command.ts";
import type { WizardTarget } from "../../src/cli/wizard/choose-target.ts";

/** The words bash makes of a command line (the leading sudo/wraith dropped). */
function words(cmd: string): string[] {
  const r = Bun.spawnSync(["bash", "-c", `set -- ${cmd}; printf '%s\\0' "$@"`], { stdout: "pipe" });
  expect(r.exitCode).toBe(0);
  const w = r.stdout.toString().split("\0").slice(0, -1);
  return w.slice(w.indexOf("wraith") + 1);
}

const module = { name: "/srv/app", readPath: "/srv/app", attachPath: "/srv/app" };
const lib = { name: "/usr/lib/libfoo.so.1", readPath: "/usr/lib/libfoo.so.1", attachPath: "/usr/lib/libfoo.so.1" };
const targets: Record<string, WizardTarget> = {
  process: { pid: 4242, module, searchModules: [module], linked: [module] },
  "process library": { pid: 4242, module: lib, targetPath: lib.name, searchModules: [lib], linked: [module, lib] },
  binary: { module, targetPath: "/srv/my app", searchModules: [module], linked: [module] },
};
const plans: Omit<WizardPlan, "target">[] = [
  { pattern: "serve", prints: ["round", "served"], output: "plain" },
  { pattern: "main.c:42", prints: [], output: "pretty" },
  { pattern: "ns::Widget::resize(int, int)", prints: ["this.w", "$pid"], cond: "w > 3 && $tid != 0", output: "jsonl" },
  { pattern: "handle", prints: ['req.path == "it\'s"', "a[2]"], cond: `starts_with(req.path, "/api's")`, output: "plain" },
];

describe("the commands the wizard prints", () => {
  for (const [kind, target] of Object.entries(targets)) {
    for (const p of plans) {
      const plan = { ...p, target };
      test(`${kind}: ${p.pattern} — wraith trace … parses to the script the wizard runs`, () => {
        const cmd = parseArgs(words(oneShotCommand(plan)));
        if (cmd.kind !== "trace") throw new Error(`parsed as ${cmd.kind}`);
        expect(oneShotScript(cmd.funcs, cmd.prints, cmd.cond)).toBe(scriptOf(plan));
        expect([cmd.opts.pid, cmd.opts.target, cmd.opts.output]).toEqual([target.pid, target.targetPath, plan.output]);
      });
      test(`${kind}: ${p.pattern} — wraith -s … carries the same script`, () => {
        const cmd = parseArgs(words(scriptCommand(plan)));
        if (cmd.kind !== "run") throw new Error(`parsed as ${cmd.kind}`);
        expect(cmd.opts.scriptText).toBe(scriptOf(plan));
        expect([cmd.opts.pid, cmd.opts.target, cmd.opts.output]).toEqual([target.pid, target.targetPath, plan.output]);
      });
    }
  }

  test("words that need no quotes stay bare", () => {
    expect(shellQuote("--print")).toBe("--print");
    expect(shellQuote("/a/b.c:12")).toBe("/a/b.c:12");
    expect(shellQuote("$pid")).toBe("'$pid'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
