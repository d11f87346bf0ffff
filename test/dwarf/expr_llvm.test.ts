// Every DWARF expression in the fixture matrix (gcc/clang × -O0/-O2 × DWARF
// 4/5) decodes and prints exactly as llvm-dwarfdump prints it: inline
// expressions (bytes from readelf) and every entry of every location list
// (bytes from our list reader). Then every one of them is classified, and the
// tally of plan kinds is printed.
import { describe, expect, test } from "bun:test";
import { ElfFile } from "../../src/elf/index.ts";
import { decodeExpression, classify, opName, planProblems, type Op, type ReadPlan } from "../../src/dwarf/expr/index.ts";
import { readLocationList } from "../../src/dwarf/lists.ts";
import { EXPRESSION_ATTRIBUTES, MATRIX, formatLikeLlvm14, listContext, llvmDebugInfo, printOptionsFor, readelfBlocks, type Dump, type DumpUnit } from "./expr_oracle.ts";

const ENC = (u: DumpUnit) => ({ addressSize: u.addressSize, offsetSize: u.offsetSize, version: u.version });
const hex16 = (n: number): string => `0x${n.toString(16).padStart(16, "0")}`;

/** Plan kinds across the whole matrix, and the unsupported reasons. */
const tally = new Map<string, number>();
const reasons = new Map<string, number>();
let sequences = 0;
/** Distinct opcode sequences (operands ignored) → lowerable? */
const shapes = new Map<string, boolean>();

function count(plan: ReadPlan, ops: readonly Op[]): void {
  sequences++;
  const shape = (list: readonly Op[]): string => list.map((o) => (o.kind === "entryValue" ? `${opName(o.code)}(${shape(o.ops)})` : opName(o.code))).join(" ");
  shapes.set(shape(ops), planProblems(plan).length === 0);
  const problems = planProblems(plan);
  const key = problems.length ? "unsupported" : plan.kind === "memory" && JSON.stringify(plan, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes("tlsAddress") ? "memory (tls)" : plan.kind;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  for (const p of problems) reasons.set(`${p.op}: ${p.reason.replace(/0x[0-9a-f]+/g, "…")}`, (reasons.get(`${p.op}: ${p.reason.replace(/0x[0-9a-f]+/g, "…")}`) ?? 0) + 1);
}

function baseTypeLookup(dump: Dump, unit: DumpUnit) {
  return (rel: number) => dump.baseTypes.get(unit.offset + rel);
}

describe.each(MATRIX)("$label", ({ build }) => {
  const path = build();
  const elf = ElfFile.open(path);
  const dump = llvmDebugInfo(path);
  const blocks = readelfBlocks(path);

  test("inline expressions print as llvm-dwarfdump prints them", () => {
    let checked = 0;
    for (const a of dump.attrs) {
      if (!EXPRESSION_ATTRIBUTES.has(a.name)) continue;
      const bytes = blocks.get(`${a.die}:${a.name}`);
      if (!bytes) continue; // a list, a constant or a reference
      const addrAt = listContext(elf, a.unit).addrAt;
      const ops: Op[] = decodeExpression(bytes, ENC(a.unit), { addrAt: addrAt ? (i) => BigInt(addrAt(i)) : undefined });
      expect(formatLikeLlvm14(ops, bytes, printOptionsFor(dump, a.unit)), `DIE 0x${a.die.toString(16)} ${a.name}`).toBe(a.text);
      if (a.name === "DW_AT_location" || a.name === "DW_AT_frame_base") count(classify(ops, { baseType: baseTypeLookup(dump, a.unit) }), ops);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  test("every location list entry matches llvm-dwarfdump's resolved list", () => {
    let lists = 0;
    for (const a of dump.attrs) {
      const m = /^(?:indexed \(0x([0-9a-f]+)\) loclist = )?0x([0-9a-f]+): ?\n/.exec(a.text);
      if (!m || !EXPRESSION_ATTRIBUTES.has(a.name)) continue;
      const ctx = listContext(elf, a.unit);
      const ref = m[1] !== undefined ? { index: parseInt(m[1], 16) } : { offset: parseInt(m[2], 16) };
      const list = readLocationList(ctx, ref);
      expect(list.offset).toBe(parseInt(m[2], 16));
      const expected = a.text.split("\n").slice(1);
      const actual = list.entries.map((e) => {
        const ops = decodeExpression(e.expr, ENC(a.unit), { addrAt: ctx.addrAt ? (i) => BigInt(ctx.addrAt!(i)) : undefined });
        if (a.name === "DW_AT_location") count(classify(ops, { baseType: baseTypeLookup(dump, a.unit) }), ops);
        return `[${hex16(e.start)}, ${hex16(e.end)}): ${formatLikeLlvm14(ops, e.expr, printOptionsFor(dump, a.unit))}`;
      });
      expect(actual, `DIE 0x${a.die.toString(16)} ${a.name}`).toEqual(expected);
      lists++;
    }
    if (/-O2/.test(path) || /O2/.test(path)) expect(lists).toBeGreaterThan(10);
  });
});

test("coverage across the matrix (lowerable vs unsupported)", () => {
  const rows = [...tally].sort((a, b) => b[1] - a[1]);
  const unsupported = tally.get("unsupported") ?? 0;
  console.log(`classified ${sequences} location expressions: ${sequences - unsupported} lowerable, ${unsupported} unsupported`);
  const lowerableShapes = [...shapes.values()].filter(Boolean).length;
  console.log(`distinct opcode sequences: ${shapes.size}: ${lowerableShapes} lowerable, ${shapes.size - lowerableShapes} unsupported`);
  for (const [k, n] of rows) console.log(`  ${k.padEnd(14)} ${n}`);
  console.log("unsupported reasons:");
  for (const [k, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${k}`);
  expect(sequences).toBeGreaterThan(500);
});
