// The line number state machine (DWARF 5 §6.2.2, §6.2.5): runs a program's
// opcodes and produces its rows (into a columnar LineTable, see table.ts).
// Sequences (runs of rows ending in DW_LNE_end_sequence) are recorded as row
// index ranges.

import { DW_LNE, DW_LNS } from "../constants.ts";
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
  const sleb = (): number => {
    const b0 = bytes[pos];
    if (b0 !== undefined && b0 < 0x80) {
      pos++;
      return b0 & 0x40 ? b0 - 0x80 : b0;
    }
    const b1 = bytes[pos + 1];
    if (b0 !== undefined && b1 !== undefined && b1 < 0x80) {
      pos += 2;
      const v = (b0 & 0x7f) | (b1 << 7);
      return b1 & 0x40 ? v - 0x4000 : v;
    }
    r.pos = pos;
    const v = r.sleb();
    pos = r.pos;
    return v;
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
      advance(Math.floor(adjusted / lineRange), at);
      s.line += lineBase + (adjusted % lineRange);
      emit();
      continue;
    }
    switch (op) {
      case DW_LNS.extended_op: {
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
      case DW_LNS.copy: emit(); break;
      case DW_LNS.advance_pc: advance(uleb(), at); break;
      case DW_LNS.advance_line: s.line += sleb(); break;
      case DW_LNS.set_file: s.file = uleb(); break;
      case DW_LNS.set_column: s.column = uleb(); break;
      case DW_LNS.negate_stmt: s.isStmt = !s.isStmt; break;
      case DW_LNS.set_basic_block: s.basicBlock = true; break;
      case DW_LNS.const_add_pc: advance(Math.floor((255 - opcodeBase) / lineRange), at); break;
      case DW_LNS.fixed_advance_pc:
        r.pos = pos;
        s.address += r.u16();
        pos = r.pos;
        s.opIndex = 0;
        break;
      case DW_LNS.set_prologue_end: s.prologueEnd = true; break;
      case DW_LNS.set_epilogue_begin: s.epilogueBegin = true; break;
      case DW_LNS.set_isa: s.isa = uleb(); break;
      default:
        // A standard opcode this reader does not know (opcode_base > 13): skip its LEB128 operands.
        for (let i = 0; i < header.standardOpcodeLengths[op - 1]; i++) uleb();
    }
  }
  // Rows after the last end_sequence belong to no sequence (a truncated program); they are kept as rows only.
  if (sink instanceof WindowedRows) return { rows, sequences, definedFiles, window, unusable: !sink.monotonic };
  return { rows, sequences, definedFiles };
}
