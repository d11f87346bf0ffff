// LineTable (src/dwarf/line/table.ts): columnar rows in narrow chunks that
// widen when a value does not fit; every value must come back exact.
import { expect, test } from "bun:test";
import { LineTable } from "../../src/dwarf/line/table.ts";
import type { LineRow } from "../../src/dwarf/line/index.ts";

const base: LineRow = { address: 0, opIndex: 0, file: 1, line: 1, column: 0, isStmt: true, basicBlock: false, endSequence: false, prologueEnd: false, epilogueBegin: false, isa: 0, discriminator: 0 };

test("values of every width, negative and up to 2^53, across chunk boundaries", () => {
  const t = new LineTable();
  const rows: LineRow[] = [];
  const vals = [0, 1, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, -1, -70000, 3];
  for (const v of vals) rows.push({ ...base, address: Math.abs(v), line: v, column: v, file: v, discriminator: v, opIndex: v & 3, isa: v & 1 });
  for (let i = 0; i < 40000; i++) rows.push({ ...base, address: 0x1000 + i, line: i % 300, isStmt: i % 2 === 0, prologueEnd: i % 7 === 0, endSequence: i % 11 === 0, basicBlock: i % 3 === 0, epilogueBegin: i % 5 === 0 });
  rows.push({ ...base, line: -5, column: 2 ** 40 });
  for (const r of rows) t.push(r);
  expect(t.count).toBe(rows.length);
  for (let i = 0; i < rows.length; i++) {
    expect(t.row(i)).toEqual(rows[i]!);
    expect([t.addressAt(i), t.lineAt(i), t.fileAt(i), t.isStmt(i), t.isEndSequence(i)]).toEqual([rows[i]!.address, rows[i]!.line, rows[i]!.file, rows[i]!.isStmt, rows[i]!.endSequence]);
  }
});
