// A line number program (one per compilation unit, found through
// DW_AT_stmt_list): header parsed when opened, rows run on first use.
// Answers address → row, (file, line) → addresses, and where a breakpoint on
// a function lands after its prologue.

import { DwarfError } from "../reader.ts";
import { type LineFile, type LineProgramHeader, type LineProgramOptions, directoryPath, parseHeader } from "./header.ts";
import { pathHasSuffix } from "./paths.ts";
import { type ExecutedProgram, type LineRow, type LineSequence, runProgram } from "./program.ts";
import { type PrologueHints, prologueEndIn } from "./prologue.ts";

export { type LineFile, type LineProgramHeader, type LineProgramOptions } from "./header.ts";
export { type LineRow, type LineSequence } from "./program.ts";
export { joinPath, pathHasSuffix, tidyPath } from "./paths.ts";
export { type PrologueHints, framePointerSetupLength, isLlvmProducer } from "./prologue.ts";

/** The answer to "which addresses does FILE:LINE have?". */
export type LineLookup =
  /** Addresses of is_stmt rows for `line` (the requested line, or the next line with code, as gdb does). */
  | { kind: "found"; file: string; requestedLine: number; line: number; addresses: number[] }
  /** More than one distinct file matches the suffix: the caller must ask with a longer one. */
  | { kind: "ambiguous"; candidates: string[] }
  | { kind: "noFile" }
  /** The file is known, but no code follows the line in it. */
  | { kind: "noCode"; file: string; requestedLine: number };

export class LineProgram {
  private executed?: ExecutedProgram;
  /** A run that kept only one range's rows (window.ts); at most one is made before the full run. */
  private windowed?: ExecutedProgram;
  private rowObjects?: LineRow[];

  private constructor(
    readonly header: LineProgramHeader,
    /** The opcodes, zero-copy. */
    readonly program: Uint8Array,
    readonly options: LineProgramOptions,
  ) {}

  /** Parse the header of the program at `offset` (DW_AT_stmt_list) in `.debug_line`'s bytes. */
  static parse(section: Uint8Array, offset: number, options: LineProgramOptions = {}): LineProgram {
    const { header, program } = parseHeader(section, offset, options);
    return new LineProgram(header, program, options);
  }

  get version(): number {
    return this.header.version;
  }

  private run(): ExecutedProgram {
    if (!this.executed) {
      this.executed = runProgram(this.header, this.program, this.options.compDir);
      this.windowed = undefined;
    }
    return this.executed;
  }

  /**
   * A run that answers questions about addresses in [lo, hi): the full one
   * if made, else a windowed run over that range. `mayWindow`: make a
   * windowed run if there is none yet (the first function asked about);
   * a second range needs the full run anyway.
   */
  private runFor(lo: number, hi: number, mayWindow: boolean): ExecutedProgram {
    if (this.executed) return this.executed;
    const w = this.windowed;
    if (w?.window && lo >= w.window.lo && hi <= w.window.hi) return w;
    if (mayWindow && !w) {
      const run = runProgram(this.header, this.program, this.options.compDir, { lo, hi });
      this.windowed = run;
      if (!run.unusable) return run;
    }
    return this.run();
  }

  /** Every row in program order (as objects: the queries below avoid this). */
  rows(): readonly LineRow[] {
    if (!this.rowObjects) {
      const t = this.run().rows;
      this.rowObjects = Array.from({ length: t.count }, (_, i) => t.row(i));
    }
    return this.rowObjects;
  }

  /** Number of rows. */
  get rowCount(): number {
    return this.run().rows.count;
  }

  sequences(): readonly LineSequence[] {
    return this.run().sequences;
  }

  /**
   * The file a row's file register names: file_names[i] in DWARF 5 (0 is the
   * primary source), file_names[i-1] before it; then any DW_LNE_define_file
   * entries. DWARF 2–4 programs that were never run have no defined files yet.
   */
  file(index: number): LineFile | undefined {
    const files = this.header.files;
    const i = this.header.version >= 5 ? index : index - 1;
    if (i < 0) return undefined;
    if (i < files.length) return files[i];
    return (this.executed ?? this.windowed)?.definedFiles[i - files.length];
  }

  /** All files: the header's, then those defined by the program. */
  files(): LineFile[] {
    return [...this.header.files, ...this.run().definedFiles];
  }

  /** Full path of the file a row names ("?" for a bad index, which readelf also tolerates). */
  filePath(index: number): string | undefined {
    // Any run has seen every DW_LNE_define_file.
    if (!this.windowed) this.run();
    return this.file(index)?.path;
  }

  /** A directory entry made absolute (DWARF 2–4: 0 is comp_dir). */
  directory(index: number): string | undefined {
    return directoryPath(this.header, index, this.options.compDir);
  }

  /** The sequence covering `address` (the one starting closest below it, if several do). */
  sequenceFor(address: number): LineSequence | undefined {
    return sequenceIn(this.runFor(address, address + 1, false), address);
  }

  /** Index of the last row at or below `address` in its sequence in `run`, or -1. */
  private coveringRowIndex(run: ExecutedProgram, address: number): number {
    const seq = sequenceIn(run, address);
    if (!seq) return -1;
    const t = run.rows;
    let lo = seq.firstRow;
    let hi = seq.endRow; // the end_sequence row never covers anything
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t.addressAt(mid) <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1 >= seq.firstRow ? lo - 1 : -1;
  }

  /**
   * The rows covering `address`: every row at the greatest row address ≤
   * `address` in its sequence (compilers often emit several rows at one
   * address, e.g. an empty line's and the next line's).
   */
  rowsFor(address: number): LineRow[] {
    const run = this.runFor(address, address + 1, false);
    const i = this.coveringRowIndex(run, address);
    if (i < 0) return [];
    const t = run.rows;
    const at = t.addressAt(i);
    let first = i;
    const seq = sequenceIn(run, address)!;
    while (first > seq.firstRow && t.addressAt(first - 1) === at) first--;
    const out: LineRow[] = [];
    for (let j = first; j <= i; j++) out.push(t.row(j));
    return out;
  }

  /** The row in force at `address` (the last of rowsFor, as addr2line and llvm-symbolizer choose). */
  lineAt(address: number): LineRow | undefined {
    const run = this.runFor(address, address + 1, false);
    const i = this.coveringRowIndex(run, address);
    return i < 0 ? undefined : run.rows.row(i);
  }

  /** Distinct full paths of files whose path ends with `suffix` on component boundaries. */
  filesMatching(suffix: string): string[] {
    const out = new Set<string>();
    for (const f of this.files()) if (pathHasSuffix(f.path, suffix)) out.add(f.path);
    return [...out];
  }

  /**
   * Addresses of FILE:LINE, from is_stmt rows. A line without code moves to
   * the next line that has some in the same file (gdb's `break FILE:N`).
   * Each address is listed once, even if several rows share it.
   */
  addressesFor(fileSuffix: string, line: number): LineLookup {
    const paths = this.filesMatching(fileSuffix);
    if (paths.length === 0) return { kind: "noFile" };
    if (paths.length > 1) return { kind: "ambiguous", candidates: paths.sort() };
    const path = paths[0];
    const t = this.run().rows;
    let best: number | undefined;
    const fileIsPath = new Map<number, boolean>();
    const inFile = (f: number) => {
      let v = fileIsPath.get(f);
      if (v === undefined) fileIsPath.set(f, (v = this.file(f)?.path === path));
      return v;
    };
    const wanted = (i: number) => !t.isEndSequence(i) && t.isStmt(i) && inFile(t.fileAt(i));
    for (let i = 0; i < t.count; i++) {
      const l = t.lineAt(i);
      if (l < line || !wanted(i)) continue;
      if (best === undefined || l < best) best = l;
      if (best === line) break;
    }
    if (best === undefined) return { kind: "noCode", file: path, requestedLine: line };
    const addresses = new Set<number>();
    for (let i = 0; i < t.count; i++) if (t.lineAt(i) === best && wanted(i)) addresses.add(t.addressAt(i));
    return { kind: "found", file: path, requestedLine: line, line: best, addresses: [...addresses].sort((a, b) => a - b) };
  }

  /**
   * Where `break FUNC` stops for a function spanning [lowPc, highPc): the
   * first prologue_end row, else the end of the function's first line; with
   * hints about the producer and code, gdb's finer choices. See prologue.ts.
   */
  prologueEnd(lowPc: number, highPc: number, hints: PrologueHints = {}): number {
    if (highPc <= lowPc) throw new DwarfError(`empty function range 0x${lowPc.toString(16)}..0x${highPc.toString(16)}`);
    // Only the function's rows of its sequence matter: a windowed run keeps just those.
    const run = this.runFor(lowPc, highPc, true);
    const seq = sequenceIn(run, lowPc);
    if (!seq) return lowPc;
    const t = run.rows;
    const fnRows: LineRow[] = [];
    for (let i = seq.firstRow; i < seq.endRow; i++) {
      const a = t.addressAt(i);
      if (a >= lowPc && a < highPc) fnRows.push(t.row(i));
    }
    return prologueEndIn(fnRows, lowPc, highPc, hints);
  }
}

/** The sequence of `run` covering `address` (the one starting closest below it, if several do). */
function sequenceIn(run: ExecutedProgram, address: number): LineSequence | undefined {
  // Sorted by start; those of discarded code (address 0 tombstones) included.
  const seqs = (run.sorted ??= [...run.sequences].sort((a, b) => a.start - b.start || a.end - b.end));
  let lo = 0;
  let hi = seqs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid].start <= address) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) if (address < seqs[i].end) return seqs[i];
  return undefined;
}
