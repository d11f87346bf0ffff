// The line program of a compilation unit: DW_AT_stmt_list on the unit's root
// DIE, with comp_dir, name and string sections taken from the unit.

import { DW_AT } from "../constants.ts";
import type { Unit } from "../unit.ts";
import { LineProgram } from "./index.ts";

/** Undefined when the unit has no line table (no DW_AT_stmt_list or no .debug_line). */
export function lineProgramForUnit(unit: Unit): LineProgram | undefined {
  const root = unit.root();
  const stmt = root.attr(DW_AT.stmt_list);
  if (!stmt) return undefined;
  // DWARF 2/3 store the offset as data4/data8, later versions as sec_offset.
  const offset = stmt.kind === "secOffset" ? stmt.offset : stmt.kind === "constant" ? stmt.value : undefined;
  const section = unit.owner.section(".debug_line");
  if (offset === undefined || !section) return undefined;
  return LineProgram.parse(section, offset, {
    compDir: root.string(DW_AT.comp_dir),
    compName: root.string(DW_AT.name),
    addressSize: unit.addressSize,
    lineStr: unit.owner.section(".debug_line_str"),
    str: unit.owner.section(".debug_str"),
    strx: (i) => unit.string({ kind: "strx", form: 0x1a, index: i }) ?? "",
  });
}
