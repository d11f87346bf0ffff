// A spinner on stderr for setup steps that take long enough to be noticed
// (reading a large binary's DWARF, compiling hundreds of probe sites), on a
// terminal only. Nothing is drawn for a step that ends within DELAY_MS, so
// fast runs never flicker.
//
// Why it is driven by ticks and not by a timer: wraith's slow steps are
// synchronous (DWARF parsing, codegen, loading programs through libbpf) and
// block the event loop for their whole length, so a setInterval spinner
// would never get to draw. Instead each step reports progress at its natural
// points (a probe site found, a probe site compiled), the start of a step is
// one such point too, and each of them redraws the line when wraith has been
// busy and silent for DELAY_MS and the last frame is FRAME_MS old. Busy means
// inside a step or between steps that follow each other closely (a script's
// trace points are resolved and compiled one after the other), so a setup
// made of many short steps shows up as well as one long step. Blocking work
// with no ticks (one long call with no hook) draws nothing while it runs: it
// shows no progress because it reports none.
//
// The line is erased before anything else is written to the terminal (status
// lines, events, errors): Status and the event writer call clear() first,
// which also restarts the delay, and a step always erases its line when it
// ends, thrown or not.

/** A step shows up once it has run this long. */
const DELAY_MS = 300;
/** At most one frame this often, however fast the ticks come. */
const FRAME_MS = 80;
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** Return to column 0 and erase the line. */
const ERASE = "\r\x1b[2K";

export interface ProgressIo {
  write(s: string): void;
  now(): number;
  /** Terminal width: the line is cut to fit, since a wrapped line cannot be erased with \r. */
  columns(): number;
}

const stderrIo: ProgressIo = {
  write: (s) => void process.stderr.write(s),
  now: () => performance.now(),
  columns: () => process.stderr.columns || 80,
};

/** Report progress through a step: `done` of `total` units, or just another unit. */
export type Tick = (done?: number) => void;

export class Progress {
  private label: string | undefined;
  private total: number | undefined;
  /** When the current busy, silent stretch began: the first step after a pause, or the last output. */
  private busySince: number | undefined;
  private lastStepEnd = -Infinity;
  private lastFrame = -Infinity;
  private frame = 0;
  private drawn = false;

  constructor(
    private readonly enabled: boolean,
    private readonly io: ProgressIo = stderrIo,
  ) {}

  /** Spinner on stderr when it is a terminal and status lines are wanted (not --no-status, not TERM=dumb). */
  static forStderr(statusWanted: boolean): Progress {
    return new Progress(statusWanted && !!process.stderr.isTTY && process.env.TERM !== "dumb");
  }

  /**
   * Run `work` as one step labelled `label` (what is being done, e.g.
   * "compiling 277 probe sites"); `total` makes ticks show `done/total`.
   * A step inside another shows its own label until it ends.
   */
  step<T>(label: string, work: (tick: Tick) => T, total?: number): T {
    const outer = { label: this.label, total: this.total };
    const now = this.io.now();
    // A step long after the last one (a library loaded while tracing) starts a new stretch.
    if (this.busySince === undefined || (outer.label === undefined && now - this.lastStepEnd > DELAY_MS)) this.busySince = now;
    this.label = label;
    this.total = total;
    try {
      this.tick(undefined, true);
      return work((done) => this.tick(done));
    } finally {
      this.erase();
      this.label = outer.label;
      this.total = outer.total;
      this.lastStepEnd = this.io.now();
    }
  }

  /** Before other output: erase the spinner line, if one is drawn, and restart the delay (the user just read something). */
  clear(): void {
    this.erase();
    this.busySince = this.io.now();
  }

  private erase(): void {
    if (!this.drawn) return;
    this.io.write(ERASE);
    this.drawn = false;
  }

  /** `newLabel`: a step's first tick draws at once, so the previous step's erased line is replaced without a gap. */
  private tick(done?: number, newLabel = false): void {
    if (!this.enabled || this.label === undefined || this.busySince === undefined) return;
    const now = this.io.now();
    if (now - this.busySince < DELAY_MS || (!newLabel && now - this.lastFrame < FRAME_MS)) return;
    this.lastFrame = now;
    const glyph = FRAMES[this.frame++ % FRAMES.length]!;
    const count = done === undefined ? "" : this.total === undefined ? ` (${done})` : ` (${done}/${this.total})`;
    const text = `${glyph} ${this.label}${count}`;
    // Leave the last column free: writing into it makes some terminals wrap early.
    const width = Math.max(10, this.io.columns() - 1);
    const chars = [...text];
    this.io.write(ERASE + (chars.length > width ? chars.slice(0, width - 1).join("") + "…" : text));
    this.drawn = true;
  }
}
