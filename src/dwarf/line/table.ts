// The rows of a run line program, stored column by column in typed arrays.
// A large unit (the SQLite amalgamation: 231k rows) would otherwise cost an
// object per row — tens of megabytes and most of the run time — when a
// question usually needs a few hundred rows. Rows become LineRow objects only
// when asked for, one at a time.

import type { LineRow } from "./program.ts";

/**
 * A growable column of non-negative integers, stored as Uint32 until a value
 * does not fit (a malformed program can drive line or column anywhere);
 * then the column widens to Float64 so every value stays exact.
 */
class Column {
  data: Uint32Array | Float64Array;
  constructor(capacity: number) {
    this.data = new Uint32Array(capacity);
  }
  set(i: number, v: number): void {
    if (this.data instanceof Uint32Array && v >>> 0 !== v) this.data = Float64Array.from(this.data);
    this.data[i] = v;
  }
  grow(capacity: number): void {
    const d = new (this.data.constructor as new (n: number) => Uint32Array | Float64Array)(capacity);
    d.set(this.data);
    this.data = d;
  }
  trim(n: number): void {
    if (n < this.data.length) this.data = this.data.slice(0, n);
  }
}

const IS_STMT = 1;
const BASIC_BLOCK = 2;
const END_SEQUENCE = 4;
const PROLOGUE_END = 8;
const EPILOGUE_BEGIN = 16;

export class LineTable {
  count = 0;
  /** Addresses need up to 2^53 (the state machine rejects anything larger). */
  address: Float64Array;
  private readonly file: Column;
  private readonly line: Column;
  private readonly column: Column;
  private readonly discriminator: Column;
  private flags: Uint8Array;
  // op_index and isa are 0 on every target wraith runs on: kept only where not.
  private readonly opIndex = new Map<number, number>();
  private readonly isa = new Map<number, number>();

  constructor(capacity = 64) {
    capacity = Math.max(capacity, 4);
    this.address = new Float64Array(capacity);
    this.file = new Column(capacity);
    this.line = new Column(capacity);
    this.column = new Column(capacity);
    this.discriminator = new Column(capacity);
    this.flags = new Uint8Array(capacity);
  }

  push(r: LineRow): void {
    const i = this.count;
    if (i === this.address.length) this.grow(i * 2);
    this.count = i + 1;
    this.address[i] = r.address;
    this.file.set(i, r.file);
    this.line.set(i, r.line);
    this.column.set(i, r.column);
    this.discriminator.set(i, r.discriminator);
    this.flags[i] =
      (r.isStmt ? IS_STMT : 0) | (r.basicBlock ? BASIC_BLOCK : 0) | (r.endSequence ? END_SEQUENCE : 0) | (r.prologueEnd ? PROLOGUE_END : 0) | (r.epilogueBegin ? EPILOGUE_BEGIN : 0);
    if (r.opIndex !== 0) this.opIndex.set(i, r.opIndex);
    if (r.isa !== 0) this.isa.set(i, r.isa);
  }

  private grow(capacity: number): void {
    const a = new Float64Array(capacity);
    a.set(this.address);
    this.address = a;
    const f = new Uint8Array(capacity);
    f.set(this.flags);
    this.flags = f;
    for (const c of [this.file, this.line, this.column, this.discriminator]) c.grow(capacity);
  }

  /** Give back the unused capacity once the program has run. */
  trim(): void {
    this.address = this.address.slice(0, this.count);
    this.flags = this.flags.slice(0, this.count);
    for (const c of [this.file, this.line, this.column, this.discriminator]) c.trim(this.count);
  }

  // Single columns, for scans that need no whole row.
  fileAt(i: number): number {
    return this.file.data[i]!;
  }
  lineAt(i: number): number {
    return this.line.data[i]!;
  }
  isStmt(i: number): boolean {
    return (this.flags[i]! & IS_STMT) !== 0;
  }
  isEndSequence(i: number): boolean {
    return (this.flags[i]! & END_SEQUENCE) !== 0;
  }

  /** Row `i` as an object. */
  row(i: number): LineRow {
    const f = this.flags[i]!;
    return {
      address: this.address[i]!,
      opIndex: this.opIndex.get(i) ?? 0,
      file: this.file.data[i]!,
      line: this.line.data[i]!,
      column: this.column.data[i]!,
      isStmt: (f & IS_STMT) !== 0,
      basicBlock: (f & BASIC_BLOCK) !== 0,
      endSequence: (f & END_SEQUENCE) !== 0,
      prologueEnd: (f & PROLOGUE_END) !== 0,
      epilogueBegin: (f & EPILOGUE_BEGIN) !== 0,
      isa: this.isa.get(i) ?? 0,
      discriminator: this.discriminator.data[i]!,
    };
  }
}
