// Random and mutated expressions: decoding either succeeds or throws a
// DwarfError; classification and printing of anything that decodes never
// throw and never hang (skip/branch loops are bounded).
import { expect, test } from "bun:test";
import { classify, decodeExpression, formatOps, planProblems } from "../../src/dwarf/expr/index.ts";
import { DwarfError } from "../../src/dwarf/reader.ts";

const ENC = { addressSize: 8, offsetSize: 4 as const, version: 5 };
let seed = 0x5eed;
const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);

function exercise(bytes: Uint8Array): "ok" | "error" {
  let ops;
  try {
    ops = decodeExpression(bytes, ENC, { addrAt: (i) => BigInt(i) * 8n });
  } catch (e) {
    if (!(e instanceof DwarfError)) throw e;
    return "error";
  }
  formatOps(ops);
  const plan = classify(ops, { baseType: (o) => (o % 3 === 0 ? { encoding: 0x05, byteSize: (o % 8) + 1 } : o % 3 === 1 ? { encoding: 0x04, byteSize: 8 } : undefined) });
  for (const p of planProblems(plan)) expect(p.op).toMatch(/^DW_OP_|^DW_AT_/);
  return "ok";
}

test("random byte strings", () => {
  const seen = { ok: 0, error: 0 };
  for (let round = 0; round < 20000; round++) {
    const bytes = new Uint8Array(1 + rand(24));
    for (let i = 0; i < bytes.length; i++) bytes[i] = rand(256);
    seen[exercise(bytes)]++;
  }
  expect(seen.ok).toBeGreaterThan(1000);
  expect(seen.error).toBeGreaterThan(1000);
});

test("random sequences of valid opcodes with small operands", () => {
  // Biased towards decodable input, so the classifier sees deep stacks, skips and branches.
  const simple = [0x06, 0x12, 0x13, 0x14, 0x16, 0x17, 0x19, 0x1a, 0x1c, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x24, 0x25, 0x26, 0x29, 0x2e, 0x9c, 0x9f, 0x96, 0xe0, 0x31, 0x37, 0x55, 0x61];
  for (let round = 0; round < 20000; round++) {
    const out: number[] = [];
    const n = 1 + rand(12);
    for (let i = 0; i < n; i++) {
      switch (rand(8)) {
        case 0: out.push(0x70 + rand(32), rand(128)); break; // bregN
        case 1: out.push(0x2f, rand(256), rand(2) ? 0xff : 0x00); break; // skip
        case 2: out.push(0x28, rand(8), 0x00); break; // bra
        case 3: out.push(0x93, 1 + rand(8)); break; // piece
        case 4: out.push(0xa3, 1, 0x50 + rand(32)); break; // entry_value(regN)
        case 5: out.push(0xa8, rand(64)); break; // convert
        default: out.push(simple[rand(simple.length)]);
      }
    }
    exercise(Uint8Array.from(out));
  }
});

test("every truncation of long valid expressions", () => {
  const full = Uint8Array.from([
    0x03, 1, 2, 3, 4, 5, 6, 7, 8, 0x0e, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0x80, 0x80, 0x01, 0x92, 0x07, 0x7f, 0x9e, 0x03, 1, 2, 3,
    0xa3, 0x03, 0x75, 0x00, 0x06, 0xa0, 1, 2, 3, 4, 0x05, 0xa4, 0x30, 0x02, 1, 2, 0x9d, 0x08, 0x00, 0x2f, 0x00, 0x00,
  ]);
  expect(exercise(full)).toBe("ok");
  for (let n = 0; n < full.length; n++) exercise(full.subarray(0, n));
});

test("huge lengths and counts", () => {
  // implicit_value of 2^32 bytes, piece of 2^60 bytes, an over-long ULEB.
  expect(exercise(Uint8Array.from([0x9e, 0x80, 0x80, 0x80, 0x80, 0x10, 1]))).toBe("error");
  expect(exercise(Uint8Array.from([0x55, 0x93, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]))).toBe("error");
  expect(exercise(Uint8Array.from([0x10, ...new Array(20).fill(0x80), 0x01]))).toBe("error");
});

test("DW_OP_dup doubling cannot build an exponential tree", () => {
  const bytes = [0x75, 0x00];
  for (let i = 0; i < 60; i++) bytes.push(0x12, 0x22); // dup, plus: 2^60 leaves if written out
  bytes.push(0x9f);
  const start = performance.now();
  const plan = classify(decodeExpression(Uint8Array.from(bytes), ENC));
  expect(plan.kind).toBe("unsupported");
  if (plan.kind === "unsupported") expect(plan.reason).toMatch(/grows beyond/);
  expect(performance.now() - start).toBeLessThan(100);
});
