// Progress and status lines on stderr; data never goes here. `say` lines can
// be silenced with --no-status; `always` lines (warnings, the summary) cannot.
// Slow setup steps run through `step`, which shows a spinner on a terminal
// (progress.ts); every line written here erases the spinner first.
import { Progress, type Tick } from "./progress.ts";

export class Status {
  readonly progress: Progress;

  constructor(private readonly enabled: boolean) {
    this.progress = Progress.forStderr(enabled);
  }

  say(line: string): void {
    if (this.enabled) this.always(line);
  }

  always(line: string): void {
    this.progress.clear();
    process.stderr.write(line + "\n");
  }

  /** Run one setup step, with a spinner saying `label` if it is still running after a moment (see progress.ts). */
  step<T>(label: string, work: (tick: Tick) => T, total?: number): T {
    return this.progress.step(label, work, total);
  }
}
