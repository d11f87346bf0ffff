// Classification of hand-built expressions: one or more per plan kind, the
// arithmetic of the symbolic stack machine, frame base and CFA substitution,
// typed operations, and the unsupported cases naming their operation.
import { describe, expect, test } from "bun:test";
import {
  classify, decodeExpression, formatValue, frameBaseValue, planExpression, planProblems, planUses, ptRegsOffset,
  withFrame, x86RegisterName, type ReadPlan, type Value,
} from "../../src/dwarf/expr/index.ts";
import { DwarfError } from "../../src/dwarf/reader.ts";

const ENC = { addressSize: 8, offsetSize: 4 as const, version: 5 };
const plan = (bytes: number[], options: Parameters<typeof planExpression>[2] = {}): ReadPlan => planExpression(Uint8Array.from(bytes), ENC, options);
const fmt = (v: Value): string => formatValue(v, (r) => x86RegisterName(r) ?? `reg${r}`);
const BASE_TYPES = new Map([
  [0x30, { encoding: 0x05, byteSize: 4 }], // int
  [0x37, { encoding: 0x07, byteSize: 8 }], // unsigned long
  [0x40, { encoding: 0x04, byteSize: 8 }], // double
  [0x48, { encoding: 0x08, byteSize: 1 }], // unsigned char
]);
const baseType = (o: number) => BASE_TYPES.get(o);

/** A plan as short text, for compact expectations. */
function show(p: ReadPlan): string {
  switch (p.kind) {
    case "register": return `register ${x86RegisterName(p.reg)}`;
    case "memory": return `memory ${fmt(p.address)}`;
    case "value": return `value ${fmt(p.value)}`;
    case "implicit": return `implicit ${[...p.bytes].join(",")}`;
    case "pieces": return `pieces [${p.pieces.map((x) => `${x.sizeBits}b${x.bitOffset ? `@${x.bitOffset}` : ""}: ${show(x.plan)}`).join("; ")}]`;
    case "optimizedOut": return "optimizedOut";
    case "entryValue": return `entryValue(at entry: ${show(p.atEntry)})`;
    case "unsupported": return `unsupported ${p.op}: ${p.reason}`;
  }
}

describe("plan kinds", () => {
  test("register", () => {
    expect(show(plan([0x55]))).toBe("register RDI"); // DW_OP_reg5
    expect(show(plan([0x90, 0x0f]))).toBe("register R15"); // DW_OP_regx 15
  });

  test("memory: frame base, CFA, register + offset, static address", () => {
    expect(show(plan([0x91, 0x6c]))).toBe("memory frame_base-20"); // DW_OP_fbreg -20
    expect(show(plan([0x9c]))).toBe("memory cfa"); // DW_OP_call_frame_cfa
    expect(show(plan([0x77, 0x08]))).toBe("memory rsp+8"); // DW_OP_breg7 RSP+8
    expect(show(plan([0x03, 0x18, 0x40, 0, 0, 0, 0, 0, 0]))).toBe("memory module+0x4018"); // DW_OP_addr
    expect(show(plan([0xa1, 0x01], { addrAt: (i) => 0x4000n + BigInt(i) * 8n }))).toBe("memory module+0x4008"); // DW_OP_addrx
    // A pointer chain: *(rdi+16) + 8, then the object there.
    expect(show(plan([0x75, 0x10, 0x06, 0x23, 0x08]))).toBe("memory *(u64)(rdi+16)+8");
    expect(show(plan([0x75, 0x10, 0x94, 0x04]))).toBe("memory *(u32)(rdi+16)");
  });

  test("memory: TLS", () => {
    const p = plan([0x0e, 8, 0, 0, 0, 0, 0, 0, 0, 0xe0]); // DW_OP_const8u 8, DW_OP_GNU_push_tls_address
    expect(show(p)).toBe("memory tls(0x8)");
    expect(planUses(p, (v) => v.kind === "tlsAddress")).toBe(true);
  });

  test("value: stack values with arithmetic", () => {
    expect(show(plan([0x71, 0x00, 0x31, 0x24, 0x9f]))).toBe("value (rdx << 0x1)"); // breg1 RDX+0, lit1, shl, stack_value
    expect(show(plan([0x75, 0x28, 0x9f]))).toBe("value rdi+40");
    expect(show(plan([0x37, 0x9f]))).toBe("value 0x7");
    expect(show(plan([0x75, 0x00, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x1a, 0x9f]))).toBe("value (rdi & 0xffffffff)");
    // Constants fold; additions merge.
    expect(show(plan([0x33, 0x34, 0x1e, 0x9f]))).toBe("value 0xc");
    expect(show(plan([0x77, 0x08, 0x23, 0x08, 0x38, 0x1c, 0x9f]))).toBe("value rsp+8");
    // Stack manipulation.
    expect(show(plan([0x75, 0x00, 0x74, 0x00, 0x16, 0x1c, 0x9f]))).toBe("value (rsi - rdi)"); // swap
    expect(show(plan([0x75, 0x00, 0x12, 0x1e, 0x9f]))).toBe("value (rdi * rdi)"); // dup
    expect(show(plan([0x31, 0x32, 0x33, 0x17, 0x13, 0x13, 0x9f]))).toBe("value 0x3"); // rot: 1 2 3 → 3 1 2
    expect(show(plan([0x31, 0x32, 0x14, 0x9f]))).toBe("value 0x1"); // over
    expect(show(plan([0x31, 0x32, 0x33, 0x15, 0x02, 0x9f]))).toBe("value 0x1"); // pick 2
    expect(show(plan([0x75, 0x00, 0x1f, 0x20, 0x9f]))).toBe("value ~-rdi");
    // Signed and unsigned shifts and comparisons stay as operations.
    expect(show(plan([0x75, 0x00, 0x33, 0x26, 0x9f]))).toBe("value (rdi >>s 0x3)");
    expect(show(plan([0x75, 0x00, 0x30, 0x2d, 0x9f]))).toBe("value (rdi < 0x0)");
  });

  test("value: skip and branch on constants are followed", () => {
    // lit1, bra +2 → skips "lit5, skip"; lands on lit7.
    expect(show(plan([0x31, 0x28, 0x02, 0x00, 0x35, 0x9f, 0x37, 0x9f]))).toBe("value 0x7");
    expect(show(plan([0x30, 0x28, 0x02, 0x00, 0x35, 0x9f]))).toBe("value 0x5");
    expect(show(plan([0x2f, 0x01, 0x00, 0x96, 0x36, 0x9f]))).toBe("value 0x6");
  });

  test("implicit", () => {
    expect(show(plan([0x9e, 0x04, 1, 2, 3, 4]))).toBe("implicit 1,2,3,4");
  });

  test("pieces: registers, values, holes, memory, xmm", () => {
    // gcc: struct pair { int a; int b; } with b a constant.
    expect(show(plan([0x55, 0x93, 0x04, 0x37, 0x9f, 0x93, 0x04]))).toBe("pieces [32b: register RDI; 32b: value 0x7]");
    // clang: a hole then a register.
    expect(show(plan([0x93, 0x08, 0x54, 0x93, 0x08]))).toBe("pieces [64b: optimizedOut; 64b: register RSI]");
    expect(show(plan([0x91, 0x70, 0x93, 0x04, 0x9d, 0x04, 0x02]))).toBe("pieces [32b: memory frame_base-16; 4b@2: optimizedOut]");
    // struct mixed { double d; int i; } in XMM2 and RDI: the xmm piece alone is unsupported.
    const p = plan([0x63, 0x93, 0x08, 0x55, 0x93, 0x08]);
    expect(show(p)).toBe("pieces [64b: unsupported DW_OP_reg19: value in xmm register XMM2, which pt_regs does not hold; 64b: register RDI]");
    expect(planProblems(p).map((x) => x.op)).toEqual(["DW_OP_reg19"]);
  });

  test("optimizedOut", () => {
    expect(show(plan([]))).toBe("optimizedOut");
  });

  test("entryValue: readable only at the function's entry", () => {
    expect(show(plan([0xa3, 0x01, 0x55, 0x9f]))).toBe("entryValue(at entry: value rdi)");
    expect(show(plan([0xf3, 0x01, 0x54, 0x31, 0x22, 0x9f]))).toBe("entryValue(at entry: value rsi+1)");
    // The memory an entry-value pointer pointed to, read now.
    expect(show(plan([0xa3, 0x01, 0x55, 0x06, 0x9f]))).toBe("entryValue(at entry: value *(u64)(rdi))");
    // An expression block: breg5 0, deref_size 4.
    expect(show(plan([0xa3, 0x04, 0x75, 0x00, 0x94, 0x04, 0x9f]))).toBe("entryValue(at entry: value *(u32)(rdi))");
    expect(show(plan([0xa3, 0x01, 0x61, 0x9f]))).toBe("unsupported DW_OP_reg17: value in xmm register XMM0, which pt_regs does not hold");
  });

  test("unsupported names the operation", () => {
    const cases: [number[], string][] = [
      [[0x61], "DW_OP_reg17"],
      [[0x81, 0x00], "DW_OP_breg17"],
      [[0xa0, 0x40, 0, 0, 0, 0x00], "DW_OP_implicit_pointer"],
      [[0xf2, 0x40, 0, 0, 0, 0x00], "DW_OP_GNU_implicit_pointer"],
      [[0xfa, 0x33, 0, 0, 0], "DW_OP_GNU_parameter_ref"],
      [[0xfd, 0x40, 0, 0, 0], "DW_OP_GNU_variable_value"],
      [[0x98, 0x10, 0x00], "DW_OP_call2"],
      [[0x99, 0x10, 0, 0, 0], "DW_OP_call4"],
      [[0x9a, 0x10, 0, 0, 0], "DW_OP_call_ref"],
      [[0x97], "DW_OP_push_object_address"],
      [[0x30, 0x30, 0x18], "DW_OP_xderef"],
      [[0x75, 0x00, 0x28, 0x00, 0x00, 0x9f], "DW_OP_bra"],
      [[0x2f, 0xfd, 0xff], "DW_OP_skip"], // an endless loop
      [[0x22], "DW_OP_plus"], // stack underflow
      [[0x55, 0x23, 0x01], "DW_OP_plus_uconst"], // a register location must end the piece
      [[0x75, 0x00, 0x94, 0x10], "DW_OP_deref_size"], // 16 bytes do not fit
      [[0xa1, 0x00], "DW_OP_addrx"], // no .debug_addr
      [[0xa2, 0x00, 0x9b], "DW_OP_constx"],
      [[0x75, 0x00, 0xa8, 0x40], "DW_OP_convert"], // to double
      [[0x75, 0x00, 0xa8, 0x19], "DW_OP_convert"], // unknown type
      [[0xa5, 0x11, 0x40], "DW_OP_regval_type"], // xmm
      [[0x55, 0x93, 0x04, 0x54], "DW_OP_reg4"], // location after the last piece
      [[0x96], "DW_OP_nop"], // no location
    ];
    for (const [bytes, op] of cases) {
      const p = plan(bytes, { baseType });
      expect(p.kind, bytes.join(" ")).toBe("unsupported");
      if (p.kind === "unsupported") {
        expect(p.op, bytes.join(" ")).toBe(op);
        expect(p.reason.length).toBeGreaterThan(5);
      }
    }
  });
});

describe("typed operations with base types", () => {
  test("integer conversions lower to extensions", () => {
    expect(show(plan([0x75, 0x00, 0xa8, 0x30, 0x9f], { baseType }))).toBe("value sext32(rdi)");
    expect(show(plan([0x75, 0x00, 0xf7, 0x48, 0x9f], { baseType }))).toBe("value zext8(rdi)");
    expect(show(plan([0x75, 0x00, 0xa8, 0x37, 0x9f], { baseType }))).toBe("value rdi"); // 64-bit unsigned: no-op
    expect(show(plan([0xa5, 0x05, 0x30, 0x9f], { baseType }))).toBe("value sext32(rdi)");
    expect(show(plan([0x75, 0x00, 0xa6, 0x04, 0x30, 0x9f], { baseType }))).toBe("value sext32(*(s32)(rdi))");
    expect(show(plan([0xa4, 0x30, 0x04, 0xfe, 0xff, 0xff, 0xff, 0x9f], { baseType }))).toBe("value -0x2");
    expect(show(plan([0x31, 0xa8, 0x00, 0x9f]))).toBe("value 0x1"); // convert to the generic type
  });
  test("without base type information they are unsupported", () => {
    expect(plan([0x75, 0x00, 0xa8, 0x30, 0x9f]).kind).toBe("unsupported");
  });
});

describe("frame base and CFA", () => {
  test("frameBaseValue: register contents, or an address", () => {
    const fb = (b: number[]) => frameBaseValue(decodeExpression(Uint8Array.from(b), ENC));
    expect(fmt(fb([0x56]) as Value)).toBe("rbp"); // clang -O0: DW_OP_reg6
    expect(fmt(fb([0x9c]) as Value)).toBe("cfa"); // gcc: DW_OP_call_frame_cfa
    expect(fmt(fb([0x77, 0x08]) as Value)).toBe("rsp+8");
    expect((fb([0x61]) as { kind: string }).kind).toBe("unsupported");
    expect((fb([0x31, 0x9f]) as { kind: string }).kind).toBe("unsupported");
  });

  test("withFrame substitutes and folds", () => {
    // gcc -O0: fbreg -20 with frame base = CFA, CFA = rbp+16 after the prologue.
    const p = withFrame(plan([0x91, 0x6c]), { frameBase: { kind: "cfa" } });
    expect(show(p)).toBe("memory cfa-20");
    expect(show(withFrame(p, { cfa: { kind: "binary", operator: "plus", left: { kind: "register", reg: 6 }, right: { kind: "const", value: 16n } } }))).toBe("memory rbp-4");
    // Or passed up front.
    expect(show(plan([0x91, 0x6c], { frameBase: { kind: "register", reg: 6 } }))).toBe("memory rbp-20");
    expect(planUses(plan([0x91, 0x6c]), (v) => v.kind === "frameBase")).toBe(true);
    expect(planUses(p, (v) => v.kind === "frameBase")).toBe(false);
  });
});

describe("registers", () => {
  test("pt_regs offsets follow arch/x86/include/uapi/asm/ptrace.h", () => {
    const layout = ["r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss"];
    const dwarf: Record<string, number> = { rax: 0, rdx: 1, rcx: 2, rbx: 3, rsi: 4, rdi: 5, rbp: 6, rsp: 7, r8: 8, r9: 9, r10: 10, r11: 11, r12: 12, r13: 13, r14: 14, r15: 15, rip: 16, eflags: 49, cs: 51, ss: 52 };
    for (const [name, reg] of Object.entries(dwarf)) expect(ptRegsOffset(reg), name).toBe(layout.indexOf(name) * 8);
    for (let xmm = 17; xmm <= 32; xmm++) expect(ptRegsOffset(xmm)).toBeUndefined();
  });
});

describe("malformed", () => {
  test("truncated operands are DwarfErrors", () => {
    for (const bytes of [[0x03, 0x01], [0x08], [0x0e, 1, 2], [0x10, 0x80], [0x91], [0x92, 0x07], [0x9e, 0x05, 1], [0xa3, 0x05, 0x55], [0x2f, 0x00], [0x28, 0x10, 0x00], [0xff], [0xf1, 0x00]])
      expect(() => plan(bytes), bytes.join(" ")).toThrow(DwarfError);
  });
  test("branches outside the expression are DwarfErrors", () => {
    expect(() => plan([0x2f, 0x10, 0x00])).toThrow(/outside the expression/);
    expect(() => plan([0x2f, 0xf0, 0xff])).toThrow(/outside the expression/);
  });
  test("entry values nested without end are refused", () => {
    const nested: number[] = [0x55];
    for (let i = 0; i < 10; i++) nested.unshift(0xa3, nested.length);
    expect(() => plan(nested)).toThrow(DwarfError);
  });
});

test("classify accepts decoded ops directly", () => {
  const ops = decodeExpression(Uint8Array.from([0x77, 0x10]), ENC);
  expect(show(classify(ops, { cfa: { kind: "register", reg: 7 } }))).toBe("memory rsp+16");
});
