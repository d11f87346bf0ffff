import { describe, expect, test } from "bun:test";
import { DW_AT, DW_FORM, DW_TAG, dwName, formName, tagName } from "../../src/dwarf/constants.ts";
import { asSigned, asUnsigned, type FormContext, formFixedSize, readFormValue, skipForm } from "../../src/dwarf/forms.ts";
import { DwarfError, Reader } from "../../src/dwarf/reader.ts";

const ctx5: FormContext = { version: 5, addressSize: 8, offsetSize: 4, unitOffset: 0x100 };
const ctx2: FormContext = { version: 2, addressSize: 4, offsetSize: 4, unitOffset: 0 };
const ctx64: FormContext = { version: 4, addressSize: 8, offsetSize: 8, unitOffset: 0 };

function rd(bytes: number[]): Reader {
  return new Reader(new Uint8Array(bytes), ".debug_info");
}

describe("constants", () => {
  test("values and names", () => {
    expect(DW_TAG.subprogram).toBe(0x2e);
    expect(DW_AT.linkage_name).toBe(0x6e);
    expect(DW_FORM.GNU_str_index).toBe(0x1f02);
    expect(tagName(0x2e)).toBe("DW_TAG_subprogram");
    expect(formName(0x1f21)).toBe("DW_FORM_GNU_strp_alt");
    expect(dwName("AT", 0x2007)).toBe("DW_AT_MIPS_linkage_name");
    expect(tagName(0x7777)).toBe("DW_TAG_unknown_0x7777");
  });
});

describe("readFormValue", () => {
  // Each case: form, context, bytes, expected value, and the bytes consumed.
  const cases: [string, number, FormContext, number[], object][] = [
    ["addr 8", DW_FORM.addr, ctx5, [0x10, 0x32, 0x54, 0x76, 0, 0, 0, 0], { kind: "address", value: 0x76543210 }],
    ["addr 4", DW_FORM.addr, ctx2, [1, 2, 3, 4], { kind: "address", value: 0x04030201 }],
    ["addrx1", DW_FORM.addrx1, ctx5, [7], { kind: "addrx", index: 7 }],
    ["addrx3", DW_FORM.addrx3, ctx5, [1, 2, 3], { kind: "addrx", index: 0x030201 }],
    ["GNU_addr_index", DW_FORM.GNU_addr_index, ctx5, [0x80, 1], { kind: "addrx", index: 128 }],
    ["data1", DW_FORM.data1, ctx5, [0xff], { kind: "constant", signedness: "unknown", size: 1, value: 255 }],
    ["data2", DW_FORM.data2, ctx5, [0x34, 0x12], { kind: "constant", size: 2, value: 0x1234 }],
    ["udata", DW_FORM.udata, ctx5, [0xe5, 0x8e, 0x26], { kind: "constant", signedness: "unsigned", value: 624485 }],
    ["sdata", DW_FORM.sdata, ctx5, [0xc0, 0xbb, 0x78], { kind: "constant", signedness: "signed", value: -123456 }],
    ["flag", DW_FORM.flag, ctx5, [1], { kind: "flag", value: true }],
    ["flag_present", DW_FORM.flag_present, ctx5, [], { kind: "flag", value: true }],
    ["ref4", DW_FORM.ref4, ctx5, [0x20, 0, 0, 0], { kind: "ref", offset: 0x120 }],
    ["ref_udata", DW_FORM.ref_udata, ctx5, [0x05], { kind: "ref", offset: 0x105 }],
    ["ref_addr v2", DW_FORM.ref_addr, ctx2, [0x44, 0, 0, 0], { kind: "refAddr", offset: 0x44 }],
    ["ref_addr dwarf64", DW_FORM.ref_addr, ctx64, [0x44, 0, 0, 0, 0, 0, 0, 0], { kind: "refAddr", offset: 0x44 }],
    ["ref_sig8", DW_FORM.ref_sig8, ctx5, [1, 0, 0, 0, 0, 0, 0, 0x80], { kind: "refSig8", signature: 0x8000000000000001n }],
    ["string", DW_FORM.string, ctx5, [0x68, 0x69, 0], { kind: "string", value: "hi" }],
    ["strp", DW_FORM.strp, ctx5, [9, 0, 0, 0], { kind: "strp", offset: 9 }],
    ["strp dwarf64", DW_FORM.strp, ctx64, [9, 0, 0, 0, 0, 0, 0, 0], { kind: "strp", offset: 9 }],
    ["line_strp", DW_FORM.line_strp, ctx5, [3, 0, 0, 0], { kind: "lineStrp", offset: 3 }],
    ["strx2", DW_FORM.strx2, ctx5, [2, 1], { kind: "strx", index: 0x102 }],
    ["GNU_strp_alt", DW_FORM.GNU_strp_alt, ctx5, [3, 0, 0, 0], { kind: "strpSup", offset: 3 }],
    ["GNU_ref_alt", DW_FORM.GNU_ref_alt, ctx5, [3, 0, 0, 0], { kind: "refSup", offset: 3 }],
    ["sec_offset", DW_FORM.sec_offset, ctx5, [0x10, 0, 0, 0], { kind: "secOffset", offset: 0x10 }],
    ["loclistx", DW_FORM.loclistx, ctx5, [2], { kind: "loclistx", index: 2 }],
    ["rnglistx", DW_FORM.rnglistx, ctx5, [3], { kind: "rnglistx", index: 3 }],
    ["exprloc", DW_FORM.exprloc, ctx5, [2, 0x91, 0x68], { kind: "exprloc", offset: 1 }],
    ["block1", DW_FORM.block1, ctx5, [1, 0xaa], { kind: "block", offset: 1 }],
    ["indirect → data1", DW_FORM.indirect, ctx5, [0x0b, 0x2a], { kind: "constant", form: DW_FORM.data1, value: 42 }],
  ];
  for (const [name, form, ctx, bytes, want] of cases) {
    test(name, () => {
      const r = rd(bytes);
      expect(readFormValue(r, form, ctx)).toMatchObject(want);
      expect(r.pos).toBe(bytes.length);
      const s = rd(bytes);
      skipForm(s, form, ctx);
      expect(s.pos).toBe(bytes.length);
      const fixed = formFixedSize(form, ctx);
      if (fixed !== undefined) expect(fixed).toBe(bytes.length);
    });
  }

  test("64-bit constants stay exact", () => {
    const v = readFormValue(rd([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), DW_FORM.data8, ctx5);
    if (v.kind !== "constant") throw new Error("kind");
    expect(asUnsigned(v)).toBe(0xffffffffffffffffn);
    expect(asSigned(v)).toBe(-1n);
    const u = readFormValue(rd([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), DW_FORM.udata, ctx5);
    if (u.kind !== "constant") throw new Error("kind");
    expect(u.big).toBe(0xffffffffffffffffn);
    const d4 = readFormValue(rd([0xfe, 0xff, 0xff, 0xff]), DW_FORM.data4, ctx5);
    if (d4.kind !== "constant") throw new Error("kind");
    expect(asSigned(d4)).toBe(-2n);
  });

  test("implicit_const comes from the abbreviation", () => {
    const r = rd([]);
    expect(readFormValue(r, DW_FORM.implicit_const, ctx5, -5n)).toMatchObject({ kind: "constant", signedness: "signed", value: -5 });
    expect(() => readFormValue(r, DW_FORM.implicit_const, ctx5)).toThrow(DwarfError);
  });

  test("malformed values are DwarfErrors", () => {
    expect(() => readFormValue(rd([0x99]), 0x99, ctx5)).toThrow(/unknown attribute form DW_FORM_unknown_0x99/);
    expect(() => skipForm(rd([0x99]), 0x99, ctx5)).toThrow(DwarfError);
    expect(() => readFormValue(rd([5, 1]), DW_FORM.block1, ctx5)).toThrow(DwarfError);
    expect(() => readFormValue(rd([0x68, 0x69]), DW_FORM.string, ctx5)).toThrow(/unterminated/);
    expect(() => skipForm(rd([0x80, 0x80]), DW_FORM.udata, ctx5)).toThrow(/unterminated/);
    expect(() => readFormValue(rd([0x16, 0x16, 0x16, 0x16, 0x16, 0x16, 0x0b, 1]), DW_FORM.indirect, ctx5)).toThrow(/nested/);
    expect(() => readFormValue(rd([0x21]), DW_FORM.indirect, ctx5)).toThrow(DwarfError);
  });
});
