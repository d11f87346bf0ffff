// disassemble() must print exactly what llvm-objdump prints (whitespace
// normalized) for every instruction LLVM 14 can decode; the rest is checked
// against literal text in newer LLVM's syntax.
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import {
  type Insn,
  LD_IMM64,
  R0, R1, R2, R3, R10,
  assemble, atomic, bswap, decode, disassemble, insnText, jaLong, jset, jset32, ldxs, mod32, mod64,
  movsx32, movsx64, resolve, sdiv32, sdiv64, smod32, smod64, st,
} from "../../src/codegen/asm/index.ts";
import { allFormsRaw, labelledProgram, misprintedByLlvm14, needsAlu32, unknownToLlvm14 } from "./all-forms.ts";
import { LLVM_OBJDUMP, llvmDisassemble } from "./bpf-elf.ts";

const haveObjdump = existsSync(LLVM_OBJDUMP);

/** Slot index of each instruction. */
function slotsOf(insns: Insn[]): number[] {
  let s = 0;
  return insns.map((i) => {
    const at = s;
    s += i.code === LD_IMM64 ? 2 : 1;
    return at;
  });
}

describe.if(haveObjdump)("agreement with llvm-objdump", () => {
  const insns = allFormsRaw();
  const bytes = assemble(insns);
  const slots = slotsOf(insns);
  const plain = llvmDisassemble(bytes);
  const alu32 = llvmDisassemble(bytes, "+alu32");

  test("objdump sees one line per instruction", () => {
    expect([...plain.keys()]).toEqual(slots);
    expect([...alu32.keys()]).toEqual(slots);
  });

  test("default syntax: every form LLVM 14 decodes", () => {
    const ours = disassemble(bytes);
    const mismatches: string[] = [];
    let compared = 0;
    insns.forEach((i, k) => {
      const theirs = plain.get(slots[k]!)!;
      if (unknownToLlvm14(i)) {
        // Our list of LLVM 14 gaps must be accurate: it really prints <unknown>.
        if (theirs !== "<unknown>") mismatches.push(`${k}: expected LLVM 14 to fail, got "${theirs}"`);
        return;
      }
      if (misprintedByLlvm14(i)) {
        // LLVM 14 ignores `off` here; it must print what we print for off = 0.
        const legacy = insnText({ ...i, off: 0 });
        if (theirs !== legacy) mismatches.push(`${k}: expected LLVM 14 to print "${legacy}", got "${theirs}"`);
        return;
      }
      if (needsAlu32(i)) return; // LLVM 14 decodes these only with +alu32 (below)
      compared++;
      if (ours[k] !== theirs) mismatches.push(`${k}: ours "${ours[k]}" llvm "${theirs}"`);
    });
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(150);
  });

  test("--mattr=+alu32 syntax (w registers for narrow loads, stores and 32-bit atomics)", () => {
    const ours = disassemble(bytes, { alu32: true });
    const mismatches: string[] = [];
    insns.forEach((i, k) => {
      if (unknownToLlvm14(i) || misprintedByLlvm14(i)) return;
      const theirs = alu32.get(slots[k]!)!;
      if (ours[k] !== theirs) mismatches.push(`${k}: ours "${ours[k]}" llvm "${theirs}"`);
    });
    expect(mismatches).toEqual([]);
  });

  test("resolved labels print the same offsets objdump computes", () => {
    const { items } = labelledProgram();
    const code = assemble(items);
    const resolved = resolve(items);
    const theirs = llvmDisassemble(code);
    const ours = disassemble(code);
    slotsOf(resolved).forEach((slot, k) => {
      if (unknownToLlvm14(resolved[k]!) || misprintedByLlvm14(resolved[k]!)) return;
      expect(ours[k]).toBe(theirs.get(slot)!);
    });
    expect(ours).toEqual(disassemble(items));
  });

  test("bytes llvm-objdump does not understand print as <unknown> here too", () => {
    const junk = new Uint8Array([0xff, 0, 0, 0, 0, 0, 0, 0, 0x8f, 0x21, 0, 0, 0, 0, 0, 0]);
    expect(disassemble(junk)).toEqual(["<unknown>", "<unknown>"]);
    const theirs = llvmDisassemble(junk);
    expect([...theirs.values()]).toEqual(["<unknown>", "<unknown>"]);
  });
});

describe("text of forms newer than LLVM 14", () => {
  test.each([
    ["r1 s/= r2", sdiv64(R1, R2)],
    ["r1 s/= -3", sdiv64(R1, -3)],
    ["w1 s/= w2", sdiv32(R1, R2)],
    ["r1 s%= 7", smod64(R1, 7)],
    ["w3 s%= w0", smod32(R3, R0)],
    ["r1 %= r2", mod64(R1, R2)],
    ["w1 %= -5", mod32(R1, -5)],
    ["r1 = (s8)r2", movsx64(R1, R2, 8)],
    ["r1 = (s32)r2", movsx64(R1, R2, 32)],
    ["w1 = (s16)w2", movsx32(R1, R2, 16)],
    ["r1 = bswap16 r1", bswap(R1, 16)],
    ["r3 = bswap64 r3", bswap(R3, 64)],
    ["r0 = *(s8 *)(r1 + 2)", ldxs("u8", R0, R1, 2)],
    ["r0 = *(s32 *)(r10 - 4)", ldxs("u32", R0, R10, -4)],
    ["*(u32 *)(r10 - 4) = -77", st("u32", R10, -4, -77)],
    ["*(u64 *)(r1 + 0) = 5", st("u64", R1, 0, 5)],
    ["if r1 & 8 goto +3", jset(R1, 8, 3)],
    ["if w1 & w2 goto -3", jset32(R1, R2, -3)],
    ["gotol +100000", jaLong(100000)],
    ["lock *(u32 *)(r1 - 16) += w2", atomic("add", "u32", R1, -16, R2)],
  ] as [string, Insn][])("%s", (text, i) => {
    expect(insnText(i)).toBe(text);
    expect(decode(assemble([i]))).toStrictEqual([i]);
  });
});
