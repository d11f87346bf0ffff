// Where gdb's `break FUNC` stops: past the prologue, found from the line table.
//
// gdb 13 on x86-64 decides in this order (symtab.c skip_prologue_sal and
// amd64-tdep.c amd64_skip_prologue, as observed on gcc 12 / clang 14 output):
//  1. A row flagged prologue_end inside the function wins (clang emits them),
//     but only one in the file of the function's entry row: gdb searches
//     the line table of that file alone.
//  2. LLVM-produced code: the end of the function's first line-table "line"
//     (the next row at a higher address, skipping on while rows stay within
//     the first line's address span and line numbers do not go backwards).
//  3. Other producers: gdb trusts neither the line table nor skipping at all
//     when the unit has location lists (gcc ≥ 4.5 makes them exact from the
//     first instruction: "locations valid"); otherwise it decodes
//     `push %rbp; mov %rsp,%rbp` and, if found, moves on to the next row
//     boundary after it.
// Callers that know nothing of producer or code get rule 1, then rule 2,
// which is the classic line-table heuristic and what gdb does at -O0.

import type { LineRow } from "./program.ts";

export interface PrologueHints {
  /** DW_AT_producer of the unit ("GNU C17 12.2.0 …", "Debian clang version 14…"). */
  producer?: string;
  /** The unit has location lists and comes from gcc ≥ 4.5 (gdb's `locations_valid`). */
  locationsValid?: boolean;
  /** The function's machine code from lowPc on (at least its first few bytes). */
  code?: Uint8Array;
}

export function isLlvmProducer(producer: string | undefined): boolean {
  return producer !== undefined && /\bclang\b|\bflang\b|LLVM/i.test(producer);
}

/** Address of the first row after the one covering `pc` whose address is higher (gdb's sal.end). */
function nextRowAddress(fnRows: LineRow[], pc: number, highPc: number): number {
  for (const r of fnRows) if (r.address > pc) return r.address;
  return highPc;
}

/** The row covering `pc` (last row at the greatest address ≤ pc). */
function rowAt(fnRows: LineRow[], pc: number): LineRow | undefined {
  let found: LineRow | undefined;
  for (const r of fnRows) {
    if (r.address > pc) break;
    found = r;
  }
  return found;
}

/** Rule 2: gdb's skip_prologue_using_sal, as applied to one function's rows. */
function endOfFirstLine(fnRows: LineRow[], lowPc: number, highPc: number): number {
  const first = rowAt(fnRows, lowPc);
  if (!first || first.line === 0) return lowPc;
  // Two rows for different lines at the entry address: the compiler says there is no prologue.
  const atEntry = fnRows.filter((r) => r.address === lowPc);
  if (atEntry.length > 1 && atEntry[atEntry.length - 1].line !== 0 && atEntry.some((r) => r !== atEntry[atEntry.length - 1])) return lowPc;
  // gdb's scan onward from here only continues through rows whose range ends
  // inside the first line's, which a sorted sequence never has.
  return nextRowAddress(fnRows, lowPc, highPc);
}

/** Length of `push %rbp; mov %rsp,%rbp` (after an optional endbr64) at the start of `code`, or 0. */
export function framePointerSetupLength(code: Uint8Array): number {
  let i = 0;
  if (code[0] === 0xf3 && code[1] === 0x0f && code[2] === 0x1e && code[3] === 0xfa) i = 4; // endbr64
  if (code[i] !== 0x55) return 0; // push %rbp
  i++;
  // mov %rsp,%rbp in either encoding: 48 89 e5 / 48 8b ec
  if (code[i] === 0x48 && ((code[i + 1] === 0x89 && code[i + 2] === 0xe5) || (code[i + 1] === 0x8b && code[i + 2] === 0xec))) return i + 3;
  return 0;
}

/** `fnRows`: the rows of the sequence holding lowPc that lie in [lowPc, highPc), in order, without end_sequence. */
export function prologueEndIn(fnRows: LineRow[], lowPc: number, highPc: number, hints: PrologueHints = {}): number {
  if (fnRows.length === 0) return lowPc;
  // gdb looks for prologue_end only among rows of the file the entry row names.
  const entryFile = rowAt(fnRows, lowPc)?.file ?? fnRows[0].file;
  const marked = fnRows.find((r) => r.prologueEnd && r.file === entryFile);
  if (marked) return marked.address;
  const knowsProducer = hints.producer !== undefined;
  if (!knowsProducer || isLlvmProducer(hints.producer)) return Math.max(lowPc, endOfFirstLine(fnRows, lowPc, highPc));
  if (hints.locationsValid) return lowPc;
  if (!hints.code) return endOfFirstLine(fnRows, lowPc, highPc);
  const setup = framePointerSetupLength(hints.code);
  if (setup === 0) return lowPc;
  const pc = lowPc + setup;
  const covering = rowAt(fnRows, pc);
  // Mid-line: continue to the next line-table boundary if it is still inside the function.
  if (covering && covering.address !== pc) {
    const next = nextRowAddress(fnRows, pc, highPc);
    if (next < highPc) return next;
  }
  return pc;
}
