// Step 3: what to print at each hit — variables visible at the probe
// (multi-select, with their types) and any further expressions the user
// types (p->name, a[2]), each compiled at the probe before it is accepted.
import * as clack from "@clack/prompts";
import pc from "picocolors";
import { oneShotScript } from "../oneshot.ts";
import { ask } from "./prompt.ts";
import { scriptProblem } from "./check.ts";
import { printablesAt } from "./variables.ts";
import type { WizardTarget } from "./choose-target.ts";
import type { WizardProbe } from "./choose-probe.ts";

export async function chooseValues(target: WizardTarget, probe: WizardProbe): Promise<string[]> {
  const printables = printablesAt(probe.sites);
  const nameWidth = Math.min(32, Math.max(...printables.map((p) => p.name.length)));
  const typeWidth = Math.min(40, Math.max(...printables.map((p) => p.type.length)));
  const where = probe.sites.length === 1 ? probe.pattern : `${probe.pattern} (${probe.sites.length} sites)`;
  const chosen = await ask(
    clack.multiselect<string>({
      message: `Values to print at ${where} (space selects, enter confirms)`,
      options: printables.map((p) => ({ value: p.name, label: `${p.name.padEnd(nameWidth)}  ${p.type.padEnd(typeWidth)}  ${pc.dim(p.kind)}` })),
      required: false,
      maxItems: 14,
    }),
  );
  const prints = [...chosen];
  for (;;) {
    const extra = await ask(
      clack.text({
        // No placeholder: clack shows it as the answer when the input is left empty.
        message: "Another expression to print? (e.g. p.name, a[2], *q; empty: done)",
        validate: (v) => {
          const t = (v ?? "").trim();
          return t === "" ? undefined : scriptProblem(oneShotScript([probe.pattern], [...prints, t]), target, probe.sites, t);
        },
      }),
    );
    const t = (extra ?? "").trim();
    if (t === "") return prints;
    prints.push(t);
  }
}
