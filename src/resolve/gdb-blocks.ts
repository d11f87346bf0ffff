// Which DIEs gdb turns into blocks, and where gdb 13 says a block starts.
//
// gdb's DWARF reader (dwarf2/read.c) builds a block for a DW_TAG_subprogram or
// DW_TAG_inlined_subroutine only when dwarf2_get_pc_bounds finds valid bounds:
// low_pc < high_pc, or a DW_AT_ranges list with at least one non-empty range
// (dwarf2_ranges_process drops empty ones). read_func_scope returns early
// otherwise, so neither the copy nor anything nested in it becomes a symbol
// `break` can find: gcc's empty inlined copies (low_pc == high_pc, or only
// empty ranges) have no breakpoint location. A lexical block with no bounds
// at all is transparent; one with invalid bounds drops its children
// (read_lexical_block_scope).
//
// A block's entry (block::entry_pc in gdb ≤ 15) is its start when it is one
// range, else the start of the first range in list order. DW_AT_entry_pc is
// not read at all before gdb 16.
import { DW_AT, DW_TAG, type Die } from "../dwarf/index.ts";

const FUNCTION_TAGS = new Set<number>([DW_TAG.subprogram, DW_TAG.inlined_subroutine]);
const LEXICAL_TAGS = new Set<number>([DW_TAG.lexical_block, DW_TAG.try_block, DW_TAG.catch_block]);

/** gdb's entry address of the block `d` describes, or undefined when gdb makes no block (or symbol) of it. */
export function gdbBlockEntry(d: Die): number | undefined {
  const first = d.ranges()[0]; // non-empty ranges in list order, or [low, high) when low < high
  if (!first) return undefined;
  for (let p = d.parent(); p; p = p.parent()) {
    if (FUNCTION_TAGS.has(p.tag) && p.ranges().length === 0) return undefined;
    if (LEXICAL_TAGS.has(p.tag) && (p.has(DW_AT.high_pc) || p.has(DW_AT.ranges)) && p.ranges().length === 0) return undefined;
  }
  return first.begin;
}
