// Our opcode fields, pseudo kinds and helper ids must equal the kernel's
// UAPI header. A tiny C program prints the header's values; we compare.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AluOp, AtomicOp, Class, ForbiddenHelper, Helper, JmpOp, Mode, Pseudo, PseudoCall, SizeCode, Src,
} from "../../src/codegen/asm/index.ts";

const HEADER = "/usr/include/linux/bpf.h";
const CC = Bun.which("cc") ?? Bun.which("gcc");

// Names that only exist in newer headers than some distributions ship.
const V4_ONLY = new Set(["BPF_MEMSX"]);

function expectedPairs(): [string, number][] {
  const pairs: [string, number][] = [];
  for (const [k, v] of Object.entries(Class)) pairs.push([`BPF_${k}`, v]);
  pairs.push(["BPF_K", Src.K], ["BPF_X", Src.X]);
  for (const [k, v] of Object.entries(AluOp)) pairs.push([`BPF_${k}`, v]);
  for (const [k, v] of Object.entries(JmpOp)) pairs.push([`BPF_${k}`, v]);
  pairs.push(["BPF_B", SizeCode.u8], ["BPF_H", SizeCode.u16], ["BPF_W", SizeCode.u32], ["BPF_DW", SizeCode.u64]);
  for (const [k, v] of Object.entries(Mode)) pairs.push([`BPF_${k}`, v]);
  pairs.push(["BPF_FETCH", AtomicOp.FETCH], ["BPF_XCHG", AtomicOp.XCHG], ["BPF_CMPXCHG", AtomicOp.CMPXCHG]);
  for (const [k, v] of Object.entries(Pseudo)) pairs.push([`BPF_PSEUDO_${k}`, v]);
  pairs.push(["BPF_PSEUDO_CALL", PseudoCall.CALL], ["BPF_PSEUDO_KFUNC_CALL", PseudoCall.KFUNC]);
  for (const [k, v] of Object.entries({ ...Helper, ...ForbiddenHelper })) pairs.push([`BPF_FUNC_${k}`, v]);
  return pairs;
}

describe.if(existsSync(HEADER) && CC !== null)("constants agree with include/uapi/linux/bpf.h", () => {
  test("opcode fields, pseudo kinds and helper ids", () => {
    const pairs = expectedPairs();
    const body = pairs
      .map(([name]) =>
        V4_ONLY.has(name)
          ? `#ifdef ${name}\n  printf("${name} %d\\n", (int)(${name}));\n#endif`
          : `  printf("${name} %d\\n", (int)(${name}));`,
      )
      .join("\n");
    const src = `#include <stdio.h>\n#include <linux/bpf.h>\nint main(void) {\n${body}\n  return 0;\n}\n`;
    const dir = mkdtempSync(join(tmpdir(), "wraith-uapi-"));
    try {
      writeFileSync(join(dir, "u.c"), src);
      const cc = Bun.spawnSync([CC!, "-o", join(dir, "u"), join(dir, "u.c")]);
      expect(cc.stderr.toString()).toBe("");
      const out = Bun.spawnSync([join(dir, "u")]).stdout.toString();
      const got = new Map(
        out.trim().split("\n").map((l) => {
          const [n, v] = l.split(" ");
          return [n!, Number(v)] as const;
        }),
      );
      for (const [name, value] of pairs) {
        if (!got.has(name)) {
          expect(V4_ONLY.has(name)).toBe(true);
          continue;
        }
        expect({ name, value: got.get(name) }).toEqual({ name, value });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
