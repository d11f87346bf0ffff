// formatValue and jsonValue beyond what gdb can show: failure statuses,
// truncation by a read cap, the depth limit, strings cut before a NUL, and
// the typed JSON form. (gdb-equal printing is value_gdb.test.ts.)
import { describe, expect, test } from "bun:test";
import { DW_ATE } from "../../src/dwarf/constants.ts";
import type { ArrayType, BaseType, CType, EnumType, Member, PointerType, StructType, TypedefType } from "../../src/dwarf/types/index.ts";
import { type CapturedValue, formatValue, jsonValue } from "../../src/render/value.ts";
import { formatString } from "../../src/render/value-chars.ts";
import { BINARY64, formatFloat, formatG } from "../../src/render/value-float.ts";

const base = (name: string, size: number, encoding: number): BaseType => ({ kind: "base", name, size, encoding });
const INT = base("int", 4, DW_ATE.signed);
const UINT = base("unsigned int", 4, DW_ATE.unsigned);
const LONG = base("long", 8, DW_ATE.signed);
const ULONG = base("unsigned long", 8, DW_ATE.unsigned);
const CHAR = base("char", 1, DW_ATE.signed_char);
const BOOL = base("_Bool", 1, DW_ATE.boolean);
const DOUBLE = base("double", 8, DW_ATE.float);
const LDOUBLE = base("long double", 16, DW_ATE.float);
const ptr = (target: CType): PointerType => ({ kind: "pointer", size: 8, target });
const arr = (element: CType, count: number | undefined): ArrayType => ({ kind: "array", element, count, variableLength: false, vector: false });
const member = (name: string | undefined, type: CType, byteOffset: number, bitSize?: number, bitOffset?: number): Member =>
  ({ name, type, bitOffset: bitOffset ?? byteOffset * 8, bitSize, artificial: false, isStatic: false }) as unknown as Member;
const struct = (name: string | undefined, size: number, members: Member[], keyword: "struct" | "union" = "struct"): StructType => ({
  kind: "struct",
  keyword,
  name,
  size,
  incomplete: false,
  members,
  bases: [],
});
const typedef = (name: string, target: CType): TypedefType => ({ kind: "typedef", name, target });
const enumT = (name: string, values: [string, bigint][]): EnumType => ({
  kind: "enum",
  name,
  size: 4,
  underlying: UINT,
  scoped: false,
  incomplete: false,
  enumerators: values.map(([n, value]) => ({ name: n, value })),
});

function le(value: bigint, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) out.push(Number((BigInt.asUintN(size * 8, value) >> BigInt(8 * i)) & 0xffn));
  return out;
}
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());
const ok = (type: CType, b: Uint8Array, extra: Partial<CapturedValue> = {}): CapturedValue => ({ type, status: "ok", bytes: b, ...extra });
const str = (s: string) => new TextEncoder().encode(s + "\0");

const POINT = struct("point", 8, [member("x", INT, 0), member("y", INT, 4)]);
const NODE = struct("node", 24, [member("value", INT, 0), member("name", ptr(CHAR), 8), member("next", LONG, 16)]);

describe("statuses", () => {
  test("failures print our wording, never a value", () => {
    expect(formatValue({ type: INT, status: "optimizedOut", bytes: new Uint8Array() })).toBe("<optimized out>");
    expect(formatValue({ type: INT, status: "readError", bytes: new Uint8Array(), errorAddress: 0x10n })).toBe("<read error at 0x10>");
    expect(formatValue({ type: INT, status: "readError", bytes: new Uint8Array() })).toBe("<read error>");
    expect(formatValue({ type: POINT, status: "nullPointer", bytes: new Uint8Array(), errorAddress: 0n })).toBe("<null>");
    expect(formatValue({ type: INT, status: "offsetsUnavailable", bytes: new Uint8Array() })).toBe("<offsets unavailable>");
  });

  test("a string read that fails shows where", () => {
    const v = ok(ptr(CHAR), bytes(le(0x10n, 8)), { pointees: new Map([["", { status: "readError" as const, bytes: new Uint8Array(), errorAddress: 0x10n }]]) });
    expect(formatValue(v)).toBe("0x10 <read error at 0x10>");
    const partial = ok(ptr(CHAR), bytes(le(0x1000n, 8)), {
      pointees: new Map([["", { status: "readError" as const, bytes: new TextEncoder().encode("abc"), errorAddress: 0x1003n }]]),
    });
    expect(formatValue(partial)).toBe('0x1000 "abc"<read error at 0x1003>');
  });

  test("a char pointer whose string was not captured prints its address only", () => {
    expect(formatValue(ok(ptr(CHAR), bytes(le(0x4006f4n, 8))))).toBe("0x4006f4");
    expect(formatValue(ok(ptr(CHAR), bytes(le(0n, 8))))).toBe("0x0");
  });

  test("JSON failure statuses are explicit", () => {
    expect(jsonValue({ type: INT, status: "optimizedOut", bytes: new Uint8Array() })).toEqual({ error: "optimized_out" });
    expect(jsonValue({ type: INT, status: "readError", bytes: new Uint8Array(), errorAddress: 0x10n })).toEqual({ error: "read_error", address: "0x10" });
    expect(jsonValue({ type: INT, status: "nullPointer", bytes: new Uint8Array() })).toEqual({ error: "null_pointer" });
    expect(jsonValue({ type: INT, status: "offsetsUnavailable", bytes: new Uint8Array() })).toEqual({ error: "offsets_unavailable" });
  });
});

describe("truncation", () => {
  test("a scalar cut short", () => {
    expect(formatValue({ type: LONG, status: "truncated", bytes: bytes([1, 2, 3]) })).toBe("<truncated>");
  });

  test("a struct cut inside a member: earlier members print, the cut one is marked, later ones become ...", () => {
    const S = struct("s", 16, [member("a", INT, 0), member("b", LONG, 4), member("c", INT, 12)]);
    const v: CapturedValue = { type: S, status: "truncated", bytes: bytes(le(7n, 4), [1, 2]) };
    expect(formatValue(v)).toBe("{a = 7, b = <truncated>, ...}");
    expect(jsonValue(v)).toEqual({ a: 7, b: { error: "truncated" }, c: { error: "truncated" } });
  });

  test("nested structs carry the cut down", () => {
    const R = struct("rect", 16, [member("tl", POINT, 0), member("br", POINT, 8)]);
    const v: CapturedValue = { type: R, status: "truncated", bytes: bytes(le(1n, 4), le(2n, 4), le(3n, 4)) };
    expect(formatValue(v)).toBe("{tl = {x = 1, y = 2}, br = {x = 3, y = <truncated>}}");
  });

  test("an array cut: complete elements, then the cut", () => {
    const v: CapturedValue = { type: arr(INT, 8), status: "truncated", bytes: bytes(le(1n, 4), le(2n, 4), le(3n, 4), [9]) };
    expect(formatValue(v)).toBe("{1, 2, 3, <truncated>...}");
    expect(jsonValue(v)).toEqual([1, 2, 3, { error: "truncated" }]);
  });

  test("a char array cut", () => {
    const v: CapturedValue = { type: arr(CHAR, 64), status: "truncated", bytes: new TextEncoder().encode("abcdef") };
    expect(formatValue(v)).toBe('"abcdef"... <truncated>');
    expect(jsonValue(v)).toEqual({ string: "abcdef", truncated: true });
  });

  test("a string cut by the cap before gdb's 200-character limit is marked; beyond it, it is what gdb shows", () => {
    const cut = ok(ptr(CHAR), bytes(le(0x1000n, 8)), { pointees: new Map([["", { status: "ok" as const, bytes: new TextEncoder().encode("x".repeat(5) + "abc"), truncated: true }]]) });
    expect(formatValue(cut)).toBe('0x1000 "xxxxxabc"... <truncated>');
    const long = ok(ptr(CHAR), bytes(le(0x1000n, 8)), { pointees: new Map([["", { status: "ok" as const, bytes: new TextEncoder().encode("ab".repeat(128)), truncated: true }]]) });
    expect(formatValue(long)).toBe(`0x1000 "${"ab".repeat(100)}"...`);
    expect(jsonValue(cut)).toEqual({ address: "0x1000", string: "xxxxxabc", truncated: true });
  });

  test("status truncated with nothing visibly missing still says so", () => {
    expect(formatValue({ type: INT, status: "truncated", bytes: bytes(le(5n, 4)) })).toBe("5 <truncated>");
  });
});

describe("depth limit", () => {
  const chain = (n: number): CType => (n === 0 ? INT : struct(`s${n}`, 4, [member("in", chain(n - 1), 0)]));

  test("default 8: deeper aggregates print as {...}", () => {
    const v = ok(chain(10), bytes(le(42n, 4)));
    expect(formatValue(v)).toBe("{in = ".repeat(8) + "{...}" + "}".repeat(8));
    expect(formatValue(v, { maxDepth: 20 })).toBe("{in = ".repeat(10) + "42" + "}".repeat(10));
    expect(formatValue(v, { maxDepth: 0 })).toBe("{...}");
  });

  test("JSON has no depth limit for finite values", () => {
    const v = ok(chain(10), bytes(le(42n, 4)));
    let j = jsonValue(v) as Record<string, unknown>;
    for (let i = 0; i < 10; i++) j = j.in as Record<string, unknown>;
    expect(j as unknown).toBe(42);
  });
});

describe("jsonValue", () => {
  test("integers: numbers, and strings beyond 2^53", () => {
    expect(jsonValue(ok(INT, bytes(le(-42n, 4))))).toBe(-42);
    expect(jsonValue(ok(ULONG, bytes(le(2n ** 64n - 1n, 8))))).toBe("18446744073709551615");
    expect(jsonValue(ok(LONG, bytes(le(-(2n ** 60n), 8))))).toBe("-1152921504606846976");
    expect(jsonValue(ok(LONG, bytes(le(2n ** 53n - 1n, 8))))).toBe(9007199254740991);
    expect(jsonValue(ok(CHAR, bytes([65])))).toBe(65);
  });

  test("bool, float, long double", () => {
    expect(jsonValue(ok(BOOL, bytes([1])))).toBe(true);
    expect(jsonValue(ok(BOOL, bytes([0])))).toBe(false);
    expect(jsonValue(ok(BOOL, bytes([2])))).toBe(2);
    const d = new Uint8Array(8);
    new DataView(d.buffer).setFloat64(0, 0.1, true);
    expect(jsonValue(ok(DOUBLE, d))).toBe(0.1);
    new DataView(d.buffer).setFloat64(0, Number.NEGATIVE_INFINITY, true);
    expect(jsonValue(ok(DOUBLE, d))).toBe("-inf");
    new DataView(d.buffer).setFloat64(0, Number.NaN, true);
    expect(jsonValue(ok(DOUBLE, d))).toBe("nan");
    // x87 1.5: mantissa 0xC000000000000000, exponent 0x3fff.
    const ld = bytes(le(0xc000000000000000n, 8), le(0x3fffn, 2), [0, 0, 0, 0, 0, 0]);
    expect(jsonValue(ok(LDOUBLE, ld))).toBe(1.5);
    expect(formatValue(ok(LDOUBLE, ld))).toBe("1.5");
    // x87 0.1 is not a double: keep gdb's digits.
    const tenth = bytes(le(0xcccccccccccccccdn, 8), le(0x3ffbn, 2), [0, 0, 0, 0, 0, 0]);
    expect(jsonValue(ok(LDOUBLE, tenth))).toBe("0.100000000000000000001");
  });

  test("enums: name, flags, or bare value", () => {
    const E = enumT("color", [
      ["RED", 0n],
      ["GREEN", 1n],
    ]);
    expect(jsonValue(ok(E, bytes(le(1n, 4))))).toEqual({ value: 1, name: "GREEN" });
    const F = enumT("flags", [
      ["A", 1n],
      ["B", 2n],
      ["C", 4n],
    ]);
    expect(jsonValue(ok(F, bytes(le(3n, 4))))).toEqual({ value: 3, flags: ["A", "B"] });
    expect(jsonValue(ok(F, bytes(le(9n, 4))))).toEqual({ value: 9, flags: ["A"], unknown: 8 });
    expect(formatValue(ok(F, bytes(le(9n, 4))))).toBe("(A | unknown: 0x8)");
    const N = enumT("n", [
      ["ONE", 1n],
      ["THREE", 3n],
    ]);
    expect(jsonValue(ok(N, bytes(le(2n, 4))))).toEqual({ value: 2 });
  });

  test("structs as objects (anonymous members merged), arrays as arrays, char arrays as strings", () => {
    const inner = struct(undefined, 8, [member("b", INT, 0), member("c", INT, 4)]);
    const S = struct("s", 32, [member("a", INT, 0), member(undefined, inner, 4), member("name", arr(CHAR, 8), 12), member("v", arr(INT, 3), 20)]);
    const v = ok(S, bytes(le(1n, 4), le(2n, 4), le(3n, 4), [...new TextEncoder().encode("bob"), 0, 0, 0, 0, 0], le(4n, 4), le(5n, 4), le(6n, 4)));
    expect(jsonValue(v)).toEqual({ a: 1, b: 2, c: 3, name: "bob", v: [4, 5, 6] });
    expect(formatValue(v)).toBe('{a = 1, {b = 2, c = 3}, name = "bob\\000\\000\\000\\000", v = {4, 5, 6}}');
  });

  test("pointers as hex strings; char pointers with their string", () => {
    expect(jsonValue(ok(ptr(INT), bytes(le(0x7ffd1234n, 8))))).toBe("0x7ffd1234");
    const node = ok(NODE, bytes(le(5n, 4), [0, 0, 0, 0], le(0x4000n, 8), le(0n, 8)), { pointees: new Map([[".name", { status: "ok" as const, bytes: str("héllo") }]]) });
    expect(jsonValue(node)).toEqual({ value: 5, name: { address: "0x4000", string: "héllo" }, next: 0 });
    expect(formatValue(node)).toBe('{value = 5, name = 0x4000 "h\\303\\251llo", next = 0}');
    const nul = ok(ptr(CHAR), bytes(le(0n, 8)));
    expect(jsonValue(nul)).toEqual({ address: "0x0", string: null });
  });

  test("bitfields", () => {
    const B = struct("b", 4, [member("a", UINT, 0, 3, 0), member("s", INT, 0, 5, 3), member("f", BOOL, 0, 1, 8)]);
    // a = 5, s = -3 (0b11101), f = 1  →  bits: 101 | 11101 << 3 | 1 << 8
    const raw = 5n | (0b11101n << 3n) | (1n << 8n);
    const v = ok(B, bytes(le(raw, 4)));
    expect(formatValue(v)).toBe("{a = 5, s = -3, f = true}");
    expect(jsonValue(v)).toEqual({ a: 5, s: -3, f: true });
  });
});

describe("pieces", () => {
  test("top-level pointer prefixes: none for char *, typedef names kept", () => {
    expect(formatValue(ok(ptr(INT), bytes(le(0x10n, 8))))).toBe("(int *) 0x10");
    expect(formatValue(ok(typedef("intp", ptr(INT)), bytes(le(0x10n, 8))))).toBe("(intp) 0x10");
    const s = ok(ptr(CHAR), bytes(le(0x10n, 8)), { pointees: new Map([["", { status: "ok" as const, bytes: str("hi") }]]) });
    expect(formatValue(s)).toBe('0x10 "hi"');
    expect(formatValue(s, { symbolize: (a) => (a === 0x10n ? "buf" : undefined) })).toBe('0x10 <buf> "hi"');
  });

  test("flexible array members need the object's address", () => {
    const F = struct("flex", 4, [member("len", INT, 0), member("data", arr(INT, undefined), 4)]);
    expect(formatValue(ok(F, bytes(le(2n, 4))))).toBe("{len = 2, data = <unknown address>}");
    expect(formatValue(ok(F, bytes(le(2n, 4)), { address: 0x1000n }))).toBe("{len = 2, data = 0x1004}");
  });

  test("%g exactly, as glibc", () => {
    expect(formatG(false, 1n, 0, 17)).toBe("1");
    expect(formatG(false, 3n, -1, 17)).toBe("1.5");
    expect(formatG(true, 0n, 0, 17)).toBe("-0");
    expect(formatG(false, 1n, 100, 17)).toBe("1.2676506002282294e+30");
    expect(formatG(false, 1n, -20, 17)).toBe("9.5367431640625e-07");
    expect(formatG(false, 1n, -14, 17)).toBe("6.103515625e-05");
    expect(formatG(false, 1n, -13, 17)).toBe("0.0001220703125");
    // ties go to even: 0.125 at 2 digits → 0.12; 0.375 → 0.38
    expect(formatG(false, 1n, -3, 2)).toBe("0.12");
    expect(formatG(false, 3n, -3, 2)).toBe("0.38");
    const d = new Uint8Array(8);
    for (const x of [0.1, 1 / 3, 1e300, 5e-324, 123456789, 1e16, 2 ** 60, -1.25e-7]) {
      new DataView(d.buffer).setFloat64(0, x, true);
      expect(Number(formatFloat(d, 0, BINARY64))).toBe(x);
    }
  });

  test("string layout: runs, the 200-character limit, escapes", () => {
    const u = (s: string) => [...s].map((c) => c.charCodeAt(0));
    expect(formatString(u(""))).toBe('""');
    expect(formatString(u("a".repeat(11)))).toBe("'a' <repeats 11 times>");
    expect(formatString(u("a".repeat(10)))).toBe('"aaaaaaaaaa"');
    expect(formatString(u(`x${"y".repeat(12)}'"`))).toBe(`"x", 'y' <repeats 12 times>, "'\\""`);
    expect(formatString(u("z".repeat(300)))).toBe("'z' <repeats 300 times>");
    expect(formatString(u("ab".repeat(150)))).toBe(`"${"ab".repeat(100)}"...`);
  });
});
