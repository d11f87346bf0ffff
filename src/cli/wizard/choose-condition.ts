// Step 4: an optional condition, compiled at the probe before it is accepted.
import * as clack from "@clack/prompts";
import { oneShotScript } from "../oneshot.ts";
import { ask } from "./prompt.ts";
import { scriptProblem } from "./check.ts";
import type { WizardTarget } from "./choose-target.ts";
import type { WizardProbe } from "./choose-probe.ts";

export async function chooseCondition(target: WizardTarget, probe: WizardProbe, prints: string[]): Promise<string | undefined> {
  const cond = await ask(
    clack.text({
      message: `Only when… (a condition such as ${example(prints)}; empty: every hit)`,
      validate: (v) => {
        const t = (v ?? "").trim();
        return t === "" ? undefined : scriptProblem(oneShotScript([probe.pattern], prints, t), target, probe.sites, t);
      },
    }),
  );
  const t = (cond ?? "").trim();
  return t === "" ? undefined : t;
}

function example(prints: string[]): string {
  const v = prints.find((p) => !p.startsWith("$"));
  return v ? `${v} > 3` : "$tid == 1234";
}
