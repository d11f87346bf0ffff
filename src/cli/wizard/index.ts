// `wraith` on a terminal (or `wraith wizard`): a guided way to a first trace.
// Each step is one file; this one runs them in order, shows the command line
// that does the same (so the user learns the CLI), and then traces through
// the one pipeline (runScript) until Ctrl-C, which ends with its summary.
import * as clack from "@clack/prompts";
import { effectiveCaps, hasCap, CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN } from "../../../ffi/index.ts";
import { defaultOptions } from "../args.ts";
import { ExitCode, WraithError } from "../errors.ts";
import { runScript } from "../run.ts";
import { chooseTarget } from "./choose-target.ts";
import { chooseProbe } from "./choose-probe.ts";
import { chooseValues } from "./choose-values.ts";
import { chooseCondition } from "./choose-condition.ts";
import { chooseOutput } from "./choose-output.ts";
import { oneShotCommand, scriptCommand, scriptOf, type WizardPlan } from "./command.ts";
import { CANCELLED_EXIT, WizardCancelled } from "./prompt.ts";

export { CANCELLED_EXIT } from "./prompt.ts";

export async function runWizard(): Promise<number> {
  if (!process.stdin.isTTY || !process.stdout.isTTY)
    throw new WraithError("the wizard needs a terminal on stdin and stdout; without one, use -s SCRIPT or 'wraith trace' (see wraith --help)", ExitCode.USAGE);
  clack.intro("wraith: trace a function's values in a live program (Esc or Ctrl-C cancels)");
  let plan: WizardPlan;
  try {
    if (!privileged()) clack.log.warn("tracing needs root (or CAP_BPF and CAP_PERFMON): the wizard will show the command, run it with sudo");
    const target = await chooseTarget();
    const probe = await chooseProbe(target);
    const prints = await chooseValues(target, probe);
    const cond = await chooseCondition(target, probe, prints);
    const output = await chooseOutput();
    plan = { target, pattern: probe.pattern, prints, cond, output };
  } catch (e) {
    if (!(e instanceof WizardCancelled)) throw e;
    clack.cancel("Cancelled: nothing was traced.");
    return CANCELLED_EXIT;
  }
  clack.log.info(`The same from the command line:\n${oneShotCommand(plan)}\n\nor as a script:\n${scriptCommand(plan)}`);
  clack.outro("Tracing until Ctrl-C…");
  const opts = { ...defaultOptions(), pid: plan.target.pid, target: plan.target.targetPath, output: plan.output };
  return runScript(opts, { name: "<wizard>", text: scriptOf(plan) });
}

function privileged(): boolean {
  const caps = effectiveCaps();
  return hasCap(caps, CAP_SYS_ADMIN) || (hasCap(caps, CAP_BPF) && hasCap(caps, CAP_PERFMON));
}
