// Keeping only the rows that answer questions about one address range.
// `break FUNC` needs the rows of one function and the line at one address in
// it; the SQLite amalgamation's unit has 231k rows, of which a function has a
// few hundred. The program is still run from the start (line programs have
// no random access), but a windowed run stores, per sequence:
//   - the rows whose address lies in [lo, hi),
//   - the rows at the greatest address below lo (the row covering lo, with
//     every row sharing its address, as rowsFor reports them),
//   - the end_sequence row,
// so row indices within a sequence stay contiguous and the lookups in
// index.ts work on it unchanged for any address in [lo, hi). Sequences
// themselves are all recorded, with their true start and end.

import type { LineRow } from "./program.ts";
import type { LineTable } from "./table.ts";

export interface AddressWindow {
  lo: number;
  hi: number;
}

export class WindowedRows {
  // The rows at the greatest address below lo seen so far in this sequence, reused objects.
  private readonly below: LineRow[] = [];
  private belowCount = 0;
  private last = -Infinity;
  /** False once a sequence's addresses go backwards: the window cannot stand in for the whole table then. */
  monotonic = true;

  constructor(
    readonly window: AddressWindow,
    private readonly rows: LineTable,
  ) {}

  push(r: LineRow): void {
    const a = r.address;
    if (a < this.last) this.monotonic = false;
    this.last = a;
    const { lo, hi } = this.window;
    if (a < lo && !r.endSequence) {
      if (this.belowCount > 0 && this.below[0]!.address !== a) this.belowCount = 0;
      const copy = this.below[this.belowCount];
      if (copy) copyRow(copy, r);
      else this.below.push({ ...r });
      this.belowCount++;
      return;
    }
    this.flushBelow();
    if (a < hi || r.endSequence) this.rows.push(r);
    if (r.endSequence) this.last = -Infinity;
  }

  private flushBelow(): void {
    for (let i = 0; i < this.belowCount; i++) this.rows.push(this.below[i]!);
    this.belowCount = 0;
  }
}

function copyRow(to: LineRow, from: LineRow): void {
  to.address = from.address;
  to.opIndex = from.opIndex;
  to.file = from.file;
  to.line = from.line;
  to.column = from.column;
  to.isStmt = from.isStmt;
  to.basicBlock = from.basicBlock;
  to.endSequence = from.endSequence;
  to.prologueEnd = from.prologueEnd;
  to.epilogueBegin = from.epilogueBegin;
  to.isa = from.isa;
  to.discriminator = from.discriminator;
}
