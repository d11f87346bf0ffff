// The one error type the ELF reader throws. Everything that can go wrong with
// a file — not ELF, wrong class, truncated, a table pointing outside the file —
// surfaces as an ElfError whose message is a single line naming the file and
// what was wrong, so the CLI can print it as-is.

export class ElfError extends Error {
  override name = "ElfError";
  constructor(message: string) {
    // Messages may quote bytes from the file; keep them on one line.
    super(message.replace(/[\r\n]+/g, " "));
  }
}

/** Format a number as 0x-prefixed hex, the way readelf and our messages show offsets. */
export function hex(n: number | bigint): string {
  return "0x" + n.toString(16);
}
