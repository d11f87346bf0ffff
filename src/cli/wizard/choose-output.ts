// Step 5: how events are printed.
import * as clack from "@clack/prompts";
import type { OutputMode } from "../args.ts";
import { ask } from "./prompt.ts";

export async function chooseOutput(): Promise<OutputMode> {
  return ask(
    clack.select<OutputMode>({
      message: "Output format",
      options: [
        { value: "pretty", label: "pretty", hint: "timestamp, process and colours" },
        { value: "plain", label: "plain", hint: "the printed line only" },
        { value: "jsonl", label: "json", hint: "one JSON object per event" },
      ],
    }),
  );
}
