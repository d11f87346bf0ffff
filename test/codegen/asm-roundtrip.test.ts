import { describe, expect, test } from "bun:test";
import {
  type Item,
  Helper,
  LD_IMM64,
  Program,
  R0, R1, R2, R3, R6, R10,
  add64, assemble, call, decode, disassemble, exit, formatProgram, imm64Value, jeq, jne, label, layout,
  ld64, ldMapFd, ldMapValue, mov64, resolve, stx, withComment,
} from "../../src/codegen/asm/index.ts";
import { allFormsRaw, labelledProgram } from "./all-forms.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("encoding", () => {
  test("struct bpf_insn layout, little-endian", () => {
    expect(hex(assemble([mov64(R1, R10)]))).toBe("bfa1000000000000");
    expect(hex(assemble([add64(R1, -8)]))).toBe("07010000f8ffffff");
    expect(hex(assemble([stx("u32", R10, -4, R1)]))).toBe("631afcff00000000");
    expect(hex(assemble([call(Helper.get_current_pid_tgid)]))).toBe("850000000e000000");
    expect(hex(assemble([exit()]))).toBe("9500000000000000");
    expect(hex(assemble([jeq(R1, 0, 3)]))).toBe("1501030000000000");
  });

  test("LD_IMM64 takes two slots", () => {
    expect(hex(assemble([ld64(R1, 0x0123456789abcdefn)]))).toBe("18010000efcdab89" + "0000000067452301");
    expect(hex(assemble([ldMapFd(R1, 7)]))).toBe("1811000007000000" + "0000000000000000");
    expect(hex(assemble([ldMapValue(R2, 5, 16)]))).toBe("1822000005000000" + "0000000010000000");
    expect(imm64Value(ld64(R1, 0xfedcba9876543210n))).toBe(BigInt.asIntN(64, 0xfedcba9876543210n));
    expect(imm64Value(ld64(R1, -2))).toBe(-2n);
  });
});

describe("round trip", () => {
  test("decode(assemble(p)) equals the instructions, for every form", () => {
    const insns = allFormsRaw();
    const bytes = assemble(insns);
    const slots = insns.reduce((n, i) => n + (i.code === LD_IMM64 ? 2 : 1), 0);
    expect(bytes.length).toBe(slots * 8);
    expect(decode(bytes)).toStrictEqual(insns);
    expect(resolve(insns)).toStrictEqual(insns);
  });

  test("every form has a valid text (no <unknown>)", () => {
    for (const line of disassemble(allFormsRaw())) expect(line).not.toBe("<unknown>");
  });

  test("decode accepts a subarray at an odd byte offset", () => {
    const bytes = assemble([mov64(R1, R10), exit()]);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(decode(shifted.subarray(3))).toStrictEqual([mov64(R1, R10), exit()]);
  });
});

describe("labels", () => {
  test("forward and backward, across LD_IMM64, into imm for gotol and local calls", () => {
    const { items, expect: want } = labelledProgram();
    const resolved = resolve(items);
    for (const w of want) expect({ index: w.index, value: resolved[w.index]![w.field] }).toEqual({ index: w.index, value: w.value });
    expect(decode(assemble(items))).toStrictEqual(resolved);
    const { labels, size } = layout(items);
    expect(Object.fromEntries(labels)).toEqual({ start: 0, loop: 5, end: 12, also_end: 12, sub: 14 });
    expect(size).toBe(16);
  });

  test("a label at the very end is a valid target", () => {
    const items: Item[] = [jne(R1, 0, "out"), mov64(R0, 1), label("out")];
    expect(resolve(items)[0]!.off).toBe(1);
  });

  test("resolved instructions carry no targets or comments", () => {
    const items: Item[] = [withComment(jeq(R1, 0, "x"), "hello"), label("x"), exit()];
    expect(resolve(items)).toStrictEqual([{ code: 0x15, dst: 1, src: 0, off: 0, imm: 0 }, exit()]);
  });
});

describe("Program builder", () => {
  test("chained methods build the same items as the constructors", () => {
    const p = new Program()
      .mov(R6, R1)
      .mov(R1, R10)
      .add(R1, -8)
      .call("get_current_pid_tgid")
      .jeq(R0, 0, "out")
      .ld64(R2, 1n << 40n)
      .label("out")
      .mov(R0, 0)
      .exit();
    const plain: Item[] = [
      mov64(R6, R1), mov64(R1, R10), add64(R1, -8), call(14), jeq(R0, 0, "out"), ld64(R2, 1n << 40n),
      label("out"), mov64(R0, 0), exit(),
    ];
    expect(p.items).toStrictEqual(plain);
    expect(p.assemble()).toEqual(assemble(plain));
    expect(p.slots).toBe(9);
    expect(p.disassemble()).toEqual([
      "r6 = r1", "r1 = r10", "r1 += -8", "call 14", "if r0 == 0 goto +2", "r2 = 1099511627776 ll", "r0 = 0", "exit",
    ]);
  });

  test("newLabel gives fresh names", () => {
    const p = new Program();
    const a = p.newLabel("fail"), b = p.newLabel("fail");
    expect(a).not.toBe(b);
  });

  test("formatProgram lists labels, slots, targets, helper names and comments", () => {
    const p = new Program()
      .label("entry")
      .mov(R1, R10)
      .comment("buffer on the stack")
      .add(R1, -8)
      .ldMapFd(R2, 3)
      .call("probe_read_user")
      .jne(R0, 0, "fail")
      .mov(R0, 1)
      .exit()
      .label("fail")
      .mov(R0, 0)
      .exit();
    const text = formatProgram(p);
    expect(text.split("\n").map((l) => l.replace(/\s+/g, " ").trim())).toEqual([
      "entry:",
      "0: r1 = r10",
      "1: r1 += -8 ; buffer on the stack",
      "2: ld_pseudo r2, 1, 3",
      "4: call 112 ; bpf_probe_read_user",
      "5: if r0 != 0 goto +2 <fail>",
      "6: r0 = 1",
      "7: exit",
      "fail:",
      "8: r0 = 0",
      "9: exit",
    ]);
    expect(p.toString()).toBe(text);
  });

  test("emit accepts plain constructors and applies a pending comment", () => {
    const p = new Program().comment("a").emit(mov64(R3, 1), exit());
    expect(p.items[0]!.comment).toBe("a");
    expect(p.items[1]!.comment).toBeUndefined();
  });
});
