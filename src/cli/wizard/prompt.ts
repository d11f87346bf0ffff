// The wizard's prompts: @clack/prompts with cancellation turned into one
// exception (so every step can simply await), and a searchable list. The
// installed @clack/prompts (0.11) has no autocomplete prompt, so "searchable"
// is a text filter followed by a select of what matches.
import * as clack from "@clack/prompts";
import { ExitCode } from "../errors.ts";

/** Ctrl-C or Esc in a prompt: the wizard stops, prints why, and exits with this code (as a shell does for Ctrl-C). */
export const CANCELLED_EXIT = ExitCode.CANCELLED;

export class WizardCancelled extends Error {
  override name = "WizardCancelled";
}

/** The answer to a prompt, or WizardCancelled when the user cancelled it. */
export async function ask<T>(answer: Promise<T | symbol>): Promise<T> {
  const v = await answer;
  if (clack.isCancel(v)) throw new WizardCancelled("cancelled");
  return v as T;
}

export interface Choice<T> {
  value: T;
  /** Everything worth seeing: clack shows a hint only on the focused row. */
  label: string;
  /** What the filter matches against (lower case); the label when absent. */
  search?: string;
}

const AGAIN = Symbol("search again");
/** Rows in a select at once; the rest scroll. */
const ROWS = 12;

/**
 * Pick one of many: ask for a filter (empty lists everything), then select
 * among the matches, with a last row to search again. `rank` orders the
 * matches (best first) when plain substring order is not enough.
 */
export async function searchSelect<T>(opts: {
  what: string;
  filterMessage: string;
  choices: Choice<T>[];
  rank?: (query: string, c: Choice<T>) => number;
}): Promise<T> {
  for (;;) {
    // No placeholder: clack shows it as the answer when the input is left empty.
    const query = (await ask(clack.text({ message: `${opts.filterMessage} (empty: all ${opts.choices.length})` }))) ?? "";
    const q = query.trim().toLowerCase();
    let matches = opts.choices.filter((c) => (c.search ?? c.label.toLowerCase()).includes(q));
    if (opts.rank) matches = matches.map((c, i) => ({ c, i, r: opts.rank!(q, c) })).sort((a, b) => b.r - a.r || a.i - b.i).map((x) => x.c);
    if (matches.length === 0) {
      clack.log.warn(`no ${opts.what} matches '${query.trim()}'; try part of the name`);
      continue;
    }
    const picked = await ask<T | typeof AGAIN>(
      clack.select<T | typeof AGAIN>({
        message: `${matches.length} ${opts.what}${matches.length === 1 ? "" : "s"}${q ? ` matching '${query.trim()}'` : ""}: choose one`,
        options: [
          ...matches.map((c) => ({ value: c.value, label: c.label }) as clack.Option<T | typeof AGAIN>),
          { value: AGAIN, label: "↩ search again" } as clack.Option<T | typeof AGAIN>,
        ],
        maxItems: ROWS,
      }),
    );
    if (picked !== AGAIN) return picked as T;
  }
}

/** Show a spinner while `work` runs (it may be synchronous: the first frame is drawn before it starts). */
export async function withSpinner<T>(message: string, work: () => T, done?: (r: T) => string): Promise<T> {
  const s = clack.spinner();
  s.start(message);
  await new Promise((r) => setTimeout(r, 0));
  try {
    const r = work();
    s.stop(done ? done(r) : message.replace(/…$/, ""));
    return r;
  } catch (e) {
    s.stop(`${message.replace(/…$/, "")}: failed`, 1);
    throw e;
  }
}
