// Every operation the decoder knows, printed by llvm-dwarfdump 14 and by us.
// The expressions are assembled into a synthetic DWARF 5 object (one unit,
// a base type, one variable per expression), so operations no compiler in
// the matrix emits (bregx, skip, bra, pick, call_ref, bit_piece, …) are
// checked against the real tool too.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeExpression, formatOps, type Op } from "../../src/dwarf/expr/index.ts";
import { formatLikeLlvm14, run, UNKNOWN_TO_LLVM14 } from "./expr_oracle.ts";
import { scratchDir } from "../elf/readelf.ts";

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const le = (v: bigint, n: number): number[] => Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

// Unit layout: 12-byte header, CU DIE (abbrev 1 + "synthetic\0"), then the base type DIE.
const BASE_TYPE = 12 + 1 + 10;

const EXPRESSIONS: number[][] = [
  [0x03, ...le(0x4018n, 8)],
  [0x06], [0x08, 0xff], [0x09, 0xfd], [0x0a, 0x34, 0x12], [0x0b, 0xfe, 0xff], [0x0c, ...le(0xdeadbeefn, 4)], [0x0d, ...le(-2n, 4)],
  [0x0e, ...le(0x1122334455667788n, 8)], [0x0f, ...le(-5n, 8)], [0x10, ...uleb(624485)], [0x11, ...sleb(-123456)], [0x11, ...sleb(77)],
  [0x30, 0x12, 0x14, 0x15, 0x02, 0x16, 0x17, 0x13],
  [0x31, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x24, 0x25, 0x26, 0x27],
  [0x31, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e],
  [0x31, 0x28, 0x03, 0x00, 0x2f, 0x01, 0x00, 0x96, 0x2f, 0xfd, 0xff],
  [0x23, ...uleb(300)],
  Array.from({ length: 32 }, (_, i) => 0x30 + i),
  Array.from({ length: 32 }, (_, i) => 0x50 + i),
  Array.from({ length: 32 }, (_, i) => [0x70 + i, ...sleb(i * 7 - 100)]).flat(),
  ...[5, 16, 17, 32, 33, 41, 49, 50, 51, 52, 53, 54, 55, 58, 59, 67, 82, 118, 125, 200].map((r) => [0x90, ...uleb(r)]),
  [0x92, ...uleb(7), ...sleb(8)], [0x92, ...uleb(200), ...sleb(-4)], [0x92, ...uleb(17), ...sleb(0)],
  [0x91, ...sleb(-20)], [0x91, ...sleb(0)], [0x91, ...sleb(1000)],
  [0x55, 0x93, 0x04, 0x54, 0x93, 0x04], [0x93, 0x08], [0x30, 0x94, 0x04], [0x30, 0x30, 0x95, 0x08], [0x30, 0x30, 0x18],
  [0x97], [0x98, 0x34, 0x12], [0x99, ...le(0x12345n, 4)], [0x9a, ...le(0x40n, 4)], [0x30, 0x9b], [0x9c], [0x55, 0x9d, 0x20, 0x08],
  [0x9e, 0x03, 0x01, 0x02, 0x03], [0x9e, 0x00], [0x31, 0x9f],
  [0xa1, 0x05], [0xa3, 0x01, 0x55, 0x9f], [0xa3, 0x03, 0x75, 0x00, 0x06, 0x9f], [0x70, 0x00, 0xa3, 0x01, 0x54, 0x22, 0x9f],
  [0x75, 0x00, 0xa8, ...uleb(BASE_TYPE), 0x9f], [0x31, 0xa8, 0x00], [0xa5, 0x05, ...uleb(BASE_TYPE), 0x9f], [0xa5, 0x11, ...uleb(BASE_TYPE)],
  [0x30, 0xe0], [0xfb, 0x03], [0xfc, 0x03], [0xf3, 0x01, 0x54, 0x9f],
  // Operations llvm-dwarfdump 14 does not decode: it prints "<decoding error>" and the bytes.
  [0xa0, ...le(0x40n, 4), ...sleb(-8)], [0x55, 0x93, 0x04, 0xa0, ...le(0x80n, 4), 0x00, 0x93, 0x04], [0xa2, 0x02, 0x9b],
  [0xa4, ...uleb(BASE_TYPE), 0x04, 1, 0, 0, 0, 0x9f], [0x75, 0x00, 0xa6, 0x04, ...uleb(BASE_TYPE)], [0x30, 0xa7, 0x04, ...uleb(BASE_TYPE)],
  [0x31, 0xa9, ...uleb(BASE_TYPE)], [0x55, 0xf0], [0xf2, ...le(0x40n, 4), 0x04], [0xf4, ...uleb(BASE_TYPE), 0x01, 0x07, 0x9f],
  [0xf5, 0x05, ...uleb(BASE_TYPE)], [0x30, 0xf6, 0x04, ...uleb(BASE_TYPE)], [0x31, 0xf7, ...uleb(BASE_TYPE)], [0x31, 0xf9, ...uleb(BASE_TYPE)],
  [0xfa, ...le(0x33n, 4)], [0xfd, ...le(0x40n, 4)], [0xa3, 0x03, 0xf5, 0x05, ...uleb(BASE_TYPE), 0x9f],
];

function assemble(): string {
  const info: number[] = [];
  info.push(5, 0, 0x01, 8, 0, 0, 0, 0); // version 5, DW_UT_compile, address size 8, abbrev offset 0
  info.push(1, ...new TextEncoder().encode("synthetic"), 0);
  if (info.length + 4 !== BASE_TYPE) throw new Error("layout");
  info.push(2, ...new TextEncoder().encode("int"), 0, 0x05, 4); // base type "int", DW_ATE_signed, 4 bytes
  for (const e of EXPRESSIONS) info.push(3, ...uleb(e.length), ...e);
  info.push(0);
  const abbrev = [
    1, 0x11, 1, 0x03, 0x08, 0, 0, // compile_unit, children: name/string
    2, 0x24, 0, 0x03, 0x08, 0x3e, 0x0b, 0x0b, 0x0b, 0, 0, // base_type: name, encoding, byte_size
    3, 0x34, 0, 0x02, 0x18, 0, 0, // variable: location/exprloc
    0,
  ];
  const bytes = (b: number[]): string => b.map((x) => `.byte ${x}`).join("\n");
  const s = `.section .debug_abbrev,"",@progbits\n${bytes(abbrev)}\n.section .debug_info,"",@progbits\n.long ${info.length}\n${bytes(info)}\n`;
  const dir = scratchDir();
  writeFileSync(join(dir, "ops.s"), s);
  run(["as", "-o", join(dir, "ops.o"), join(dir, "ops.s")]);
  return join(dir, "ops.o");
}

test("every operation prints as llvm-dwarfdump 14 prints it", () => {
  const dump = run(["llvm-dwarfdump", "--debug-info", assemble()]);
  const printed = [...dump.matchAll(/DW_AT_location\t\((.*)\)\n/g)].map((m) => m[1]);
  expect(printed.length).toBe(EXPRESSIONS.length);
  const options = { baseTypeName: (o: number) => (o === BASE_TYPE ? "int" : undefined) };
  let decodingErrors = 0;
  EXPRESSIONS.forEach((e, i) => {
    const bytes = Uint8Array.from(e);
    const ops = decodeExpression(bytes, { addressSize: 8, offsetSize: 4, version: 5 });
    expect(formatLikeLlvm14(ops, bytes, options), `expression ${i}: ${e.map((b) => b.toString(16)).join(" ")}`).toBe(printed[i]);
    if (printed[i].includes("<decoding error>")) decodingErrors++;
    // Our own spelling never fails.
    expect(formatOps(ops, options)).not.toContain("error");
  });
  expect(decodingErrors).toBe(EXPRESSIONS.filter((e) => flatCodes(decodeExpression(Uint8Array.from(e), { addressSize: 8, offsetSize: 4, version: 5 })).some((c) => UNKNOWN_TO_LLVM14.has(c))).length);
});

function flatCodes(ops: readonly Op[]): number[] {
  return ops.flatMap((op) => (op.kind === "entryValue" ? [op.code, ...flatCodes(op.ops)] : [op.code]));
}

test("our spelling of the operations llvm-dwarfdump 14 cannot decode", () => {
  const enc = { addressSize: 8, offsetSize: 4 as const, version: 5 };
  const print = (b: number[]): string => formatOps(decodeExpression(Uint8Array.from(b), enc), { unitOffset: 0, baseTypeName: (o) => (o === 0x2a ? "long" : undefined) });
  expect(print([0xa0, ...le(0x5fcn, 4), ...sleb(-8)])).toBe("DW_OP_implicit_pointer 0x5fc -8");
  expect(print([0xf2, ...le(0x62bn, 4), 0x00])).toBe("DW_OP_GNU_implicit_pointer 0x62b +0");
  expect(print([0xa2, 0x02, 0x9b])).toBe("DW_OP_constx 0x2, DW_OP_form_tls_address");
  expect(print([0xf5, 0x11, 0x2a])).toBe('DW_OP_GNU_regval_type XMM0 (0x0000002a) "long"');
  expect(print([0xf7, 0x34])).toBe("DW_OP_GNU_convert (0x00000034)");
  expect(print([0xa4, 0x2a, 0x02, 0x01, 0x00])).toBe('DW_OP_const_type (0x0000002a) "long" 0x2 0x01 0x00');
  expect(print([0xa6, 0x08, 0x2a])).toBe('DW_OP_deref_type 0x8 (0x0000002a) "long"');
  expect(print([0xfa, ...le(0x33n, 4)])).toBe("DW_OP_GNU_parameter_ref 0x33");
  expect(print([0xfd, ...le(0x40n, 4)])).toBe("DW_OP_GNU_variable_value 0x40");
  expect(print([0x55, 0xf0])).toBe("DW_OP_reg5 RDI, DW_OP_GNU_uninit");
});
