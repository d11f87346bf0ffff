// Array element counts from DW_AT_upper_bound/DW_AT_count in every form gcc
// and clang use (dataN bounds ≥ 128 included), checked against gdb's whatis.
import { describe, expect, test } from "bun:test";
import { DwarfFile } from "../../src/dwarf/index.ts";
import { TypeModel, stripTypedefs, typeName } from "../../src/dwarf/types/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { gdbBatch } from "../helpers/gdb.ts";

const NAMES = ["g_a1", "g_a128", "g_a200", "g_a250", "g_a256", "g_a40000", "g_c255", "g_zero.items", "g_flex.data"];
const MATRIX = (["gcc", "clang"] as const).flatMap((cc) => ([4, 5] as const).map((dwarf) => ({ cc, dwarf })));

describe.each(MATRIX)("array bounds $cc -gdwarf-$dwarf", ({ cc, dwarf }) => {
  test("whatis equals gdb's for every array", () => {
    const bin = compileFixture("render_bounds", { cc, dwarf });
    const file = DwarfFile.open(bin);
    const model = new TypeModel(file);
    const script: string[] = [];
    for (const n of NAMES) script.push("echo @@@\\n", `whatis ${n}`);
    const gdb = gdbBatch(bin, script).split("@@@\n").slice(1).map((s) => s.trim());
    const ours = NAMES.map((n) => {
      const [v, m] = n.split(".");
      let t = model.typeOf(file.findVariables(v!)[0]!);
      if (m) {
        const s = stripTypedefs(t);
        if (s.kind !== "struct") throw new Error(`${v} is not a struct`);
        t = s.members.find((x) => x.name === m)!.type;
      }
      return `type = ${typeName(t)}`;
    });
    expect(ours).toEqual(gdb);
  });
});
