import { describe, expect, test } from "bun:test";
import { addressText, asciiBytes, bytesText, hexBytes, intBytes, markTruncated, readUnsigned } from "../../src/render/dump.ts";
import { renderConversion, renderDump } from "../../src/render/dump-value.ts";
import type { DumpSource, ObjectSource } from "../../src/codegen/plan.ts";

describe("byte views (GhostScope's {:x} {:X} {:s} {:p})", () => {
  test("hex: two digits per byte, one space between, case by conversion", () => {
    expect(hexBytes([0x0a, 0, 0, 0])).toBe("0a 00 00 00");
    expect(hexBytes([0xab, 0xcd], true)).toBe("AB CD");
    expect(hexBytes([])).toBe("");
  });
  test("ascii: stops at NUL, non-printables as \\xNN", () => {
    expect(asciiBytes([0x68, 0x69, 0x09, 0x7f, 0x20, 0x7e, 0x00, 0x41])).toBe("hi\\x09\\x7f ~");
    expect(asciiBytes([0x80, 0xff])).toBe("\\x80\\xff");
    expect(bytesText([0x41, 0x42], "s")).toBe("AB");
    expect(bytesText([0x41, 0x42], "X")).toBe("41 42");
  });
  test("addresses, truncation marker, integers", () => {
    expect(addressText(0x7ffe1234n)).toBe("0x7ffe1234");
    expect(addressText(-1n)).toBe("0xffffffffffffffff");
    expect(markTruncated("00 01", true)).toBe("00 01 <truncated>");
    expect(markTruncated("", true)).toBe("<truncated>");
    expect(markTruncated("ab", false)).toBe("ab");
    expect(Array.from(intBytes(-2n, 2))).toEqual([0xfe, 0xff]);
    expect(readUnsigned([0x78, 0x56, 0x34, 0x12])).toBe(0x12345678n);
  });
});

const VOIDP = { kind: "pointer", size: 8, target: { kind: "void" } } as ObjectSource["type"];
const INT = { kind: "base", name: "int", size: 4, encoding: 0x05 } as unknown as ObjectSource["type"];
const addrObj: ObjectSource = { from: "object", type: VOIDP, text: "&b", byteOffset: 0, size: 8, truncated: false, fields: { status: "a.status", addr: "a.addr", data: "a.data", readSize: 8 }, strs: [] };
const dump = (conversion: "x" | "X" | "s"): DumpSource => ({ from: "dump", text: "b", conversion, address: addrObj, cap: 8, fields: { status: "d.status", addr: "d.addr", want: "d.want", len: "d.len", data: "d.data" } });
const rec = (o: Record<string, number | bigint | Uint8Array>) => new Map(Object.entries(o));
const okAddr = { "a.status": 0, "a.addr": 0n, "a.data": new Uint8Array([0, 0x10, 0, 0, 0, 0, 0, 0]) };

describe("dumps from records", () => {
  test("bytes read, the cut at the cap marked", () => {
    const data = new Uint8Array([0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48]);
    expect(renderDump(dump("x"), rec({ ...okAddr, "d.status": 0, "d.addr": 0x1000n, "d.want": 4n, "d.len": 4, "d.data": data }))).toBe("41 42 43 44");
    expect(renderDump(dump("X"), rec({ ...okAddr, "d.status": 0, "d.addr": 0x1000n, "d.want": 16n, "d.len": 8, "d.data": data }))).toBe("41 42 43 44 45 46 47 48 <truncated>");
    // a string that ends inside what was read lost nothing
    const str = new Uint8Array([0x41, 0, 0, 0, 0, 0, 0, 0]);
    expect(renderDump(dump("s"), rec({ ...okAddr, "d.status": 0, "d.addr": 0x1000n, "d.want": 64n, "d.len": 8, "d.data": str }))).toBe("A");
    expect(renderDump(dump("x"), rec({ ...okAddr, "d.status": 0, "d.addr": 0x1000n, "d.want": -3n, "d.len": 0, "d.data": data }))).toBe("");
  });
  test("failures inline", () => {
    const none = new Uint8Array(8);
    expect(renderDump(dump("x"), rec({ ...okAddr, "d.status": 1, "d.addr": 0n, "d.want": 4n, "d.len": 4, "d.data": none }))).toBe("<null>");
    expect(renderDump(dump("x"), rec({ ...okAddr, "d.status": 2, "d.addr": 0x10000n, "d.want": 4n, "d.len": 4, "d.data": none }))).toBe("<read error at 0x10000>");
    expect(renderDump(dump("x"), rec({ "a.status": 2, "a.addr": 0x20n, "a.data": none, "d.status": 3, "d.addr": 0n, "d.want": 0n, "d.len": 0, "d.data": none }))).toBe("<read error at 0x20>");
    expect(renderDump({ ...dump("x"), constFail: "address", address: { ...addrObj, fields: undefined, constStatus: "optimizedOut" } }, rec({}))).toBe("<optimized out>");
  });
});

describe("conversions on a value's own bytes", () => {
  const int: ObjectSource = { from: "object", type: INT, text: "a", byteOffset: 0, size: 4, truncated: false, fields: { status: "v.status", addr: "v.addr", data: "v.data", readSize: 4 }, strs: [] };
  const v = rec({ "v.status": 0, "v.addr": 0n, "v.data": new Uint8Array([0x0a, 0, 0, 0, 0, 0, 0, 0]) });
  test("{:x} {:X} {:s} {:p} on an int", () => {
    expect(renderConversion("x", int, v)).toBe("0a 00 00 00");
    expect(renderConversion("X", { from: "const", value: 0xabn, type: { kind: "int", signed: false, bytes: 2 } }, v)).toBe("AB 00");
    expect(renderConversion("s", int, v)).toBe("\\x0a");
    expect(renderConversion("p", int, v)).toBe("0xa");
    expect(renderConversion("p", { from: "const", value: 4096n, type: { kind: "int", signed: false, bytes: 4 } }, v)).toBe("0x1000");
  });
  test("a failed read shows as for {}", () => {
    expect(renderConversion("x", int, rec({ "v.status": 2, "v.addr": 0x30n, "v.data": new Uint8Array(8) }))).toBe("<read error at 0x30>");
  });
});
