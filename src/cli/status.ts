// Progress and status lines on stderr; data never goes here. `say` lines can
// be silenced with --no-status; `always` lines (warnings, the summary) cannot.
export class Status {
  constructor(private readonly enabled: boolean) {}

  say(line: string): void {
    if (this.enabled) process.stderr.write(line + "\n");
  }

  always(line: string): void {
    process.stderr.write(line + "\n");
  }
}
