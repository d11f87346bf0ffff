// Characters and strings as gdb prints them (C language, host charset ASCII,
// i.e. gdb run under LC_ALL=C — bytes ≥ 0x80 are never printed raw):
//
//   a char          65 'A'   10 '\n'   0 '\000'   -1 '\377'   39 '\''
//   a string        "tab\there \"q\""        ('"' and '\\' escaped; '\'' not)
//   runs > 10       "xy", 'a' <repeats 20 times>, "z"
//   element limit   200 characters, then `...` after the closing quote
//
// Escapes: \a \b \f \n \r \t \v by name, other non-printables as three
// octal digits (\033, \177, \377); wide values above 0777 as \xHEX, after
// which a following hex digit is escaped too so the escape stays unambiguous.

/** gdb's `print repeats` default: runs longer than this are folded. */
export const REPEAT_THRESHOLD = 10;
/** gdb's `print elements` default. */
export const PRINT_MAX = 200;

const NAMED: Record<number, string> = { 7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v" };

function isPrintable(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * One character inside `quote` ('\'' or '"'). `state.needEscape` carries
 * "the previous character was a hex escape" between calls.
 */
export function escapeChar(c: number, quote: string, state: { needEscape: boolean } = { needEscape: false }): string {
  if (isPrintable(c) && !(state.needEscape && isHexDigit(c))) {
    state.needEscape = false;
    const ch = String.fromCharCode(c);
    return ch === quote || ch === "\\" ? "\\" + ch : ch;
  }
  const named = NAMED[c];
  if (named) {
    state.needEscape = false;
    return named;
  }
  if (c <= 0o777) {
    state.needEscape = false;
    return "\\" + c.toString(8).padStart(3, "0");
  }
  state.needEscape = true;
  return "\\x" + c.toString(16);
}

/** The quoted character literal: `'A'`, `L'A'`. */
export function charLiteral(c: number, prefix = ""): string {
  return `${prefix}'${escapeChar(c, "'")}'`;
}

/**
 * A string of code units as gdb's generic string printer lays it out:
 * runs longer than the repeat threshold become `'c' <repeats N times>`
 * segments, the rest quoted runs, joined by ", ". Whole runs are taken
 * while fewer than `limit` characters have been taken; if any remain (or
 * `ellipsis` is forced) `...` follows.
 */
export function formatString(units: ArrayLike<number>, opts: { prefix?: string; ellipsis?: boolean; limit?: number } = {}): string {
  const prefix = opts.prefix ?? "";
  const limit = opts.limit ?? PRINT_MAX;
  const n = units.length;
  if (n === 0 && !opts.ellipsis) return `${prefix}""`;
  const parts: string[] = [];
  let open = false; // inside a quoted run
  let cur = "";
  const state = { needEscape: false };
  let i = 0;
  let taken = 0;
  while (i < n && taken < limit) {
    const c = units[i]!;
    let j = i + 1;
    while (j < n && units[j] === c) j++;
    const reps = j - i;
    if (reps > REPEAT_THRESHOLD) {
      if (open) {
        parts.push(`${prefix}"${cur}"`);
        open = false;
        cur = "";
      }
      parts.push(`${prefix}'${escapeChar(c, "'")}' <repeats ${reps} times>`);
      state.needEscape = false;
    } else {
      if (!open) {
        open = true;
        cur = "";
        state.needEscape = false;
      }
      for (let k = 0; k < reps; k++) cur += escapeChar(c, '"', state);
    }
    taken += reps;
    i = j;
  }
  if (open) parts.push(`${prefix}"${cur}"`);
  let s = parts.length ? parts.join(", ") : `${prefix}""`;
  if (i < n || opts.ellipsis) s += "...";
  return s;
}
