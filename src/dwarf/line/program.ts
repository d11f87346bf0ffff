// The line number state machine (DWARF 5 §6.2.2, §6.2.5): runs a program's
// opcodes and produces its rows (into a columnar LineTable, see table.ts).
// Sequences (runs of rows ending in DW_LNE_end_sequence) are recorded as row
// index ranges.

import { DW_LNE } from "../constants.ts";
import { Reader } from "../reader.ts";
import { type LineFile, type LineProgramHeader, makeFile } from "./header.ts";
import { LineTable } from "./table.ts";
import { type AddressWindow, WindowedRows } from "./window.ts";

export interface LineRow {
  address: number;
  /** VLIW operation index within the instruction at `address` (0 on x86). */
  opIndex: number;
  /** The file register as stored (1-based before DWARF 5, 0-based from 5); see LineProgram.file. */
  file: number;
  line: number;
  column: number;
  isStmt: boolean;
  basicBlock: boolean;
  endSequence: boolean;
  prologueEnd: boolean;
  epilogueBegin: boolean;
  isa: number;
  discriminator: number;
}

export interface LineSequence {
  /** Address of the first row (kept or not, in a windowed run). */
  start: number;
  /** Address of the end_sequence row: one past the last byte covered. */
  end: number;
  /** Index of the first row in LineProgram.rows() (and the LineTable). */
  firstRow: number;
  /** Index of the end_sequence row. */
  endRow: number;
}

export interface ExecutedProgram {
  rows: LineTable;
  sequences: LineSequence[];
  /** Files added by DW_LNE_define_file (DWARF 2–4), after the header's. */
  definedFiles: LineFile[];
  /** Set when the run kept only the rows that answer questions about this range (window.ts). */
  window?: AddressWindow;
  /** A windowed run found a sequence whose addresses go backwards: it cannot be used. */
  unusable?: boolean;
  /** Sequences by start address, computed on first use. */
  sorted?: LineSequence[];
}

/** Run the program; with `window`, keep only the rows window.ts describes. */
export function runProgram(header: LineProgramHeader, program: Uint8Array, compDir: string | undefined, window?: AddressWindow): ExecutedProgram {
  const r = new Reader(program, ".debug_line", 0, header.programOffset);
  const { minimumInstructionLength: minLen, maximumOperationsPerInstruction: maxOps, lineBase, lineRange, opcodeBase } = header;
  const rows = new LineTable();
  const sink = window ? new WindowedRows(window, rows) : rows;
  const sequences: LineSequence[] = [];
  const definedFiles: LineFile[] = [];
  let seqFirst = 0;
  let seqStart: number | undefined;

  const fresh = (): LineRow => ({
    address: 0, opIndex: 0, file: 1, line: 1, column: 0, isStmt: header.defaultIsStmt, basicBlock: false,
    endSequence: false, prologueEnd: false, epilogueBegin: false, isa: 0, discriminator: 0,
  });
  let s = fresh();

  const advance = (operationAdvance: number, at: number) => {
    if (maxOps === 1) s.address += minLen * operationAdvance;
    else {
      const ops = s.opIndex + operationAdvance;
      s.address += minLen * Math.floor(ops / maxOps);
      s.opIndex = ops % maxOps;
    }
    if (!Number.isSafeInteger(s.address) || s.address < 0) r.fail(`address 0x${s.address.toString(16)} out of range`, at);
  };
  // Opcodes and their LEB128 operands are read straight from the bytes: a big
  // unit has hundreds of thousands. Anything unusual (long LEB128s, the end of
  // the program, extended opcodes) goes through the checked Reader at `pos`.
  const bytes = program;
  let pos = 0;
  const uleb = (): number => {
    const b = bytes[pos];
    if (b !== undefined && b < 0x80) {
      pos++;
      return b;
    }
    r.pos = pos;
    const v = r.uleb();
    pos = r.pos;
    return v;
  };
  // Up to four bytes (±2^27) by arithmetic: a big unit's line advances often
  // take three (the amalgamation jumps across 250k lines).
  const sleb = (): number => {
    let v = 0;
    for (let i = 0, shift = 0; i < 4; i++, shift += 7) {
      const b = bytes[pos + i];
      if (b === undefined) break;
      v |= (b & 0x7f) << shift;
      if (b < 0x80) {
        pos += i + 1;
        shift += 7;
        return b & 0x40 ? v - 2 ** shift : v;
      }
    }
    r.pos = pos;
    const slow = r.sleb();
    pos = r.pos;
    return slow;
  };
  const emit = () => {
    seqStart ??= s.address;
    sink.push(s);
    s.basicBlock = false;
    s.prologueEnd = false;
    s.epilogueBegin = false;
    s.discriminator = 0;
  };

  const n = bytes.length;
  while (pos < n) {
    const at = pos;
    const op = bytes[pos++]!;
    if (op >= opcodeBase) {
      const adjusted = op - opcodeBase;
      const operationAdvance = Math.floor(adjusted / lineRange);
      // The usual case inline (one operation per instruction, address in range); advance() otherwise.
      const next = s.address + minLen * operationAdvance;
      if (maxOps === 1 && next <= Number.MAX_SAFE_INTEGER) s.address = next;
      else advance(operationAdvance, at);
      s.line += lineBase + (adjusted % lineRange);
      emit();
      continue;
    }
    // Literal case values (DW_LNS_*): the switch becomes a jump table even
    // before the optimizing JITs, which a one-shot run mostly never reaches.
    switch (op) {
      case 0 /* DW_LNS.extended_op */: {
        const len = uleb();
        if (len === 0) break; // nothing to do, and nothing to skip
        r.pos = pos;
        const body = r.sub(len);
        pos = r.pos;
        const sub = body.u8();
        switch (sub) {
          case DW_LNE.end_sequence:
            s.endSequence = true;
            emit();
            sequences.push({ start: seqStart!, end: s.address, firstRow: seqFirst, endRow: rows.count - 1 });
            seqFirst = rows.count;
            seqStart = undefined;
            s = fresh();
            break;
          case DW_LNE.set_address:
            // The operand's size is whatever the length says (normally the address size).
            s.address = body.address(body.remaining);
            s.opIndex = 0;
            break;
          case DW_LNE.define_file: {
            const name = body.cstr();
            const file = makeFile(header, name, body.uleb(), compDir);
            file.modificationTime = body.uleb();
            file.size = body.uleb();
            definedFiles.push(file);
            break;
          }
          case DW_LNE.set_discriminator:
            s.discriminator = body.uleb();
            break;
          default:
            break; // unknown extended opcodes are skipped by their length
        }
        break;
      }
      case 1 /* DW_LNS.copy */: emit(); break;
      case 2 /* DW_LNS.advance_pc */: advance(uleb(), at); break;
      case 3 /* DW_LNS.advance_line */: s.line += sleb(); break;
      case 4 /* DW_LNS.set_file */: s.file = uleb(); break;
      case 5 /* DW_LNS.set_column */: {
        const b = bytes[pos];
        if (b !== undefined && b < 0x80) {
          pos++;
          s.column = b;
        } else s.column = uleb();
        break;
      }
      case 6 /* DW_LNS.negate_stmt */: s.isStmt = !s.isStmt; break;
      case 7 /* DW_LNS.set_basic_block */: s.basicBlock = true; break;
      case 8 /* DW_LNS.const_add_pc */: advance(Math.floor((255 - opcodeBase) / lineRange), at); break;
      case 9 /* DW_LNS.fixed_advance_pc */:
        r.pos = pos;
        s.address += r.u16();
        pos = r.pos;
        s.opIndex = 0;
        break;
      case 10 /* DW_LNS.set_prologue_end */: s.prologueEnd = true; break;
      case 11 /* DW_LNS.set_epilogue_begin */: s.epilogueBegin = true; break;
      case 12 /* DW_LNS.set_isa */: s.isa = uleb(); break;
      default:
        // A standard opcode this reader does not know (opcode_base > 13): skip its LEB128 operands.
        for (let i = 0; i < header.standardOpcodeLengths[op - 1]; i++) uleb();
    }
  }
  // Rows after the last end_sequence belong to no sequence (a truncated program); they are kept as rows only.
  if (sink instanceof WindowedRows) return { rows, sequences, definedFiles, window, unusable: !sink.monotonic };
  return { rows, sequences, definedFiles };
}
