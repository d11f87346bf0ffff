// What the wizard built, as the user could have typed it: the one-shot
// `wraith trace` command and the same trace as a script. The script text is
// oneShotScript's, the one the wizard then runs, so the two never differ.
import type { OutputMode } from "../args.ts";
import { oneShotScript } from "../oneshot.ts";
import type { WizardTarget } from "./choose-target.ts";

export interface WizardPlan {
  target: WizardTarget;
  pattern: string;
  prints: string[];
  cond?: string;
  output: OutputMode;
}

/** Quote for a POSIX shell only when needed. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function scriptOf(plan: WizardPlan): string {
  return oneShotScript([plan.pattern], plan.prints, plan.cond);
}

function prefix(): string[] {
  return process.geteuid?.() === 0 ? ["wraith"] : ["sudo", "wraith"];
}

function targetFlags(t: WizardTarget, long: boolean): string[] {
  const out: string[] = [];
  if (t.pid !== undefined) out.push(long ? "--pid" : "-p", String(t.pid));
  if (t.targetPath !== undefined) out.push(long ? "--target" : "-t", t.targetPath);
  return out;
}

function outputFlags(o: OutputMode): string[] {
  return o === "pretty" ? [] : o === "jsonl" ? ["--json"] : ["--script-output", o];
}

export function oneShotCommand(plan: WizardPlan): string {
  const args = [...prefix(), "trace", ...targetFlags(plan.target, true), "--func", plan.pattern];
  for (const p of plan.prints) args.push("--print", p);
  if (plan.cond !== undefined) args.push("--if", plan.cond);
  args.push(...outputFlags(plan.output));
  return args.map(shellQuote).join(" ");
}

export function scriptCommand(plan: WizardPlan): string {
  return [...prefix(), ...targetFlags(plan.target, false), ...outputFlags(plan.output), "-s", scriptOf(plan)].map(shellQuote).join(" ");
}
