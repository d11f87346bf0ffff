// The rows of a run line program, stored column by column in typed arrays.
// A large unit (the SQLite amalgamation: 231k rows) would otherwise cost an
// object per row — tens of megabytes and most of the run time — when a
// question usually needs a few hundred rows. Rows become LineRow objects only
// when asked for, one at a time.
//
// Columns grow in fixed-size chunks: the row count is unknown until the
// program has run, and growing one big array by copying leaves the old
// copies behind as garbage that peak memory pays for.

import type { LineRow } from "./program.ts";

const SHIFT = 14;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

type Chunk = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/**
 * A column of numbers, each chunk as narrow as its values allow: most
 * columns, files, discriminators fit a byte or two. A value that does not
 * fit widens its chunk (to Float64 in the end: a malformed program can drive
 * line or column anywhere, negative included, and every value stays exact).
 */
class Column {
  readonly chunks: Chunk[] = [];
  /** Largest value each chunk holds (values are integers: LEB128s and their sums). */
  private readonly limits: number[] = [];
  constructor(private readonly first: new (n: number) => Chunk) {}
  set(i: number, v: number): void {
    const c = i >>> SHIFT;
    if (c === this.chunks.length) this.add(new this.first(CHUNK));
    const limit = this.limits[c]!;
    if ((v < 0 || v > limit) && limit !== Infinity) this.widen(c, v);
    this.chunks[c]![i & MASK] = v;
  }
  get(i: number): number {
    return this.chunks[i >>> SHIFT]![i & MASK]!;
  }
  private add(chunk: Chunk): void {
    this.chunks.push(chunk);
    this.limits.push(limitOf(chunk));
  }
  private widen(c: number, v: number): void {
    const wider = v < 0 || v > 0xffffffff ? Float64Array : v > 0xffff ? Uint32Array : Uint16Array;
    const chunk = wider.from(this.chunks[c]!);
    this.chunks[c] = chunk;
    this.limits[c] = limitOf(chunk);
  }
}

function limitOf(chunk: Chunk): number {
  return chunk instanceof Uint8Array ? 0xff : chunk instanceof Uint16Array ? 0xffff : chunk instanceof Uint32Array ? 0xffffffff : Infinity;
}

const IS_STMT = 1;
const BASIC_BLOCK = 2;
const END_SEQUENCE = 4;
const PROLOGUE_END = 8;
const EPILOGUE_BEGIN = 16;

export class LineTable {
  count = 0;
  /** Addresses widen past 2^32 to Float64, exact up to 2^53 (the state machine rejects anything larger). */
  private readonly address = new Column(Uint32Array);
  private readonly file = new Column(Uint8Array);
  private readonly line = new Column(Uint16Array);
  private readonly column = new Column(Uint8Array);
  private readonly discriminator = new Column(Uint8Array);
  private readonly flags: Uint8Array[] = [];
  // op_index and isa are 0 on every target wraith runs on: kept only where not.
  private readonly opIndex = new Map<number, number>();
  private readonly isa = new Map<number, number>();

  push(r: LineRow): void {
    const i = this.count++;
    this.address.set(i, r.address);
    this.file.set(i, r.file);
    this.line.set(i, r.line);
    this.column.set(i, r.column);
    this.discriminator.set(i, r.discriminator);
    if ((i & MASK) === 0) this.flags.push(new Uint8Array(CHUNK));
    this.flags[i >>> SHIFT]![i & MASK] =
      (r.isStmt ? IS_STMT : 0) | (r.basicBlock ? BASIC_BLOCK : 0) | (r.endSequence ? END_SEQUENCE : 0) | (r.prologueEnd ? PROLOGUE_END : 0) | (r.epilogueBegin ? EPILOGUE_BEGIN : 0);
    if (r.opIndex !== 0) this.opIndex.set(i, r.opIndex);
    if (r.isa !== 0) this.isa.set(i, r.isa);
  }

  private flagsAt(i: number): number {
    return this.flags[i >>> SHIFT]![i & MASK]!;
  }

  // Single columns, for scans that need no whole row.
  addressAt(i: number): number {
    return this.address.get(i);
  }
  fileAt(i: number): number {
    return this.file.get(i);
  }
  lineAt(i: number): number {
    return this.line.get(i);
  }
  isStmt(i: number): boolean {
    return (this.flagsAt(i) & IS_STMT) !== 0;
  }
  isEndSequence(i: number): boolean {
    return (this.flagsAt(i) & END_SEQUENCE) !== 0;
  }

  /** Row `i` as an object. */
  row(i: number): LineRow {
    const f = this.flagsAt(i);
    return {
      address: this.address.get(i),
      opIndex: this.opIndex.get(i) ?? 0,
      file: this.file.get(i),
      line: this.line.get(i),
      column: this.column.get(i),
      isStmt: (f & IS_STMT) !== 0,
      basicBlock: (f & BASIC_BLOCK) !== 0,
      endSequence: (f & END_SEQUENCE) !== 0,
      prologueEnd: (f & PROLOGUE_END) !== 0,
      epilogueBegin: (f & EPILOGUE_BEGIN) !== 0,
      isa: this.isa.get(i) ?? 0,
      discriminator: this.discriminator.get(i),
    };
  }
}
