import { describe, expect, test } from "bun:test";
import {
  AsmError,
  type Insn,
  type Item,
  ForbiddenHelper,
  R0, R1, R2, R10,
  add64, assemble, call, decode, exit, ja, jeq, jmp32, label, ld64, ldMapFd, ldx, mov64, st,
} from "../../src/codegen/asm/index.ts";

function asmError(f: () => unknown): AsmError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AsmError);
    return e as AsmError;
  }
  throw new Error("expected an AsmError");
}

describe("labels", () => {
  test("unknown label names the label and the instruction", () => {
    const e = asmError(() => assemble([mov64(R0, 0), jeq(R1, 0, "nowhere"), exit()]));
    expect(e.message).toBe('instruction 1: unknown label "nowhere"');
    expect(e.index).toBe(1);
  });

  test("duplicate label", () => {
    const e = asmError(() => assemble([label("a"), mov64(R0, 0), label("a"), exit()]));
    expect(e.message).toBe('instruction 2: duplicate label "a" (already defined at slot 0)');
  });

  test("empty label name", () => {
    expect(asmError(() => assemble([label(""), exit()])).message).toContain("empty label");
  });

  test("jump beyond 16 bits, forward and backward", () => {
    const body: Item[] = Array.from({ length: 40000 }, () => mov64(R0, 0));
    const fwd = asmError(() => assemble([ja("far"), ...body, label("far"), exit()]));
    expect(fwd.message).toBe('instruction 0: jump to "far" is 40000 slots away, beyond the 16-bit offset range -32768..32767');
    const back = asmError(() => assemble([label("top"), ...body, jmp32("JNE", R1, 0, "top"), exit()]));
    expect(back.message).toContain("is -40001 slots away");
    // LD_IMM64 counts as two slots: 16384 of them plus one more instruction is just out of range.
    const lds: Item[] = Array.from({ length: 16383 }, () => ld64(R1, 1));
    expect(() => assemble([ja("end"), ...lds, mov64(R0, 0), label("end"), exit()])).not.toThrow();
    expect(() => assemble([ja("end"), ...lds, ld64(R0, 0), label("end"), exit()])).toThrow(AsmError);
  });

  test("a target on something that is not a jump", () => {
    const bad: Insn = { ...call(5), target: "x" };
    expect(asmError(() => assemble([label("x"), bad])).message).toContain("is not a jump");
  });
});

describe("ranges", () => {
  test("immediates must be signed 32-bit", () => {
    expect(asmError(() => assemble([add64(R1, 0x80000000)])).message).toBe(
      "instruction 0: immediate 2147483648 out of range -2147483648..2147483647 (use -2147483648 for the same 32 bits)",
    );
    expect(asmError(() => assemble([mov64(R1, -0x80000001)])).message).toContain("out of range");
    expect(asmError(() => assemble([mov64(R1, 1.5)])).message).toBe("instruction 0: immediate 1.5 is not an integer");
    expect(asmError(() => assemble([st("u32", R10, -4, 2 ** 32)])).message).toContain("immediate 4294967296 out of range");
    expect(() => assemble([add64(R1, 0x7fffffff), add64(R1, -0x80000000)])).not.toThrow();
  });

  test("offsets must be signed 16-bit", () => {
    expect(asmError(() => assemble([ldx("u64", R0, R1, 32768)])).message).toBe(
      "instruction 0: offset 32768 out of range -32768..32767",
    );
    expect(asmError(() => assemble([exit(), jeq(R1, 0, -32769)])).message).toContain("instruction 1: offset -32769");
  });

  test("registers must be r0..r10", () => {
    const bad: Insn = { ...mov64(R1, R2), dst: 11 };
    expect(asmError(() => assemble([bad])).message).toBe("instruction 0: dst register r11 is not r0..r10");
    const bad2: Insn = { ...mov64(R1, R2), src: 12 };
    expect(asmError(() => assemble([bad2])).message).toBe("instruction 0: src register r12 is not r0..r10");
  });

  test("64-bit constants must fit in 64 bits", () => {
    expect(asmError(() => ld64(R1, 1n << 64n)).message).toContain("does not fit in 64 bits");
    expect(asmError(() => ld64(R1, -(1n << 63n) - 1n)).message).toContain("does not fit in 64 bits");
    expect(asmError(() => ld64(R1, 2 ** 60)).message).toContain("not a safe integer");
    expect(() => ld64(R1, (1n << 64n) - 1n)).not.toThrow();
  });

  test("map fds are 32-bit", () => {
    expect(asmError(() => assemble([ldMapFd(R1, 2 ** 31)])).message).toContain("immediate 2147483648 out of range");
  });
});

describe("invalid instructions", () => {
  test("unknown opcode", () => {
    expect(asmError(() => assemble([{ code: 0xff, dst: 0, src: 0, off: 0, imm: 0 }])).message).toContain(
      "invalid instruction (opcode 0xff",
    );
  });

  test("bad operand fields for a known opcode", () => {
    expect(() => assemble([{ ...mov64(R1, 5), src: 3 }])).toThrow(AsmError); // K form with a src register
    expect(() => assemble([{ ...exit(), imm: 1 }])).toThrow(AsmError);
    expect(() => assemble([{ ...mov64(R1, R2), off: 7 }])).toThrow(AsmError); // not a movsx width
    expect(() => assemble([{ ...mov64(R1, 0), imm2: 3 }])).toThrow(/imm2 is only valid on LD_IMM64/);
  });

  test("calls to helpers that write or signal are refused", () => {
    for (const [name, id] of Object.entries(ForbiddenHelper)) {
      expect(asmError(() => assemble([call(id), exit()])).message).toContain(`bpf_${name}`);
    }
  });
});

describe("decode", () => {
  test("length must be a multiple of 8", () => {
    expect(asmError(() => decode(new Uint8Array(12))).message).toContain("not a multiple of 8");
  });

  test("LD_IMM64 needs a well-formed second slot", () => {
    const one = assemble([ld64(R1, 5)]);
    expect(asmError(() => decode(one.subarray(0, 8))).message).toBe("instruction 0: LD_IMM64 is missing its second slot");
    const bad = one.slice();
    bad[8] = 0x07;
    expect(asmError(() => decode(bad)).message).toContain("instruction 1: second slot of LD_IMM64");
  });
});
