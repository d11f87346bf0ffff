// info scope against gdb: for every function of the DWARF fixture across
// gcc/clang × -O0/-O2 × DWARF 4/5, the probe address is gdb's `break FUNC`
// address, the variables are the ones gdb lists, and each location at that
// PC says what gdb's description (or its location-list entry for the PC) says.
import { describe, expect, test } from "bun:test";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { gdbBatch, gdbBreakpoint } from "../helpers/gdb.ts";
import { DebugInfo } from "../../src/resolve/debuginfo.ts";
import { placesFor } from "../../src/resolve/places.ts";
import { scopeAt, type ScopeVariable } from "../../src/resolve/scope.ts";
import { x86RegisterName } from "../../src/dwarf/expr/index.ts";

const MATRIX: CompileOptions[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const) for (const dwarf of [4, 5] as const) MATRIX.push({ cc, opt, dwarf, with: ["dwarf_core2"] });

/** gdb's per-symbol text from `info scope`, keyed by name (labels dropped). */
function gdbScope(bin: string, fn: string): Map<string, string> {
  const out = gdbBatch(bin, [`info scope ${fn}`]);
  const m = new Map<string, string>();
  for (const part of out.split(/^Symbol /m).slice(1)) {
    const name = part.split(" ")[0]!;
    const desc = part.slice(name.length + 4).replace(/, length \d+\.\s*$/s, "").trim();
    if (!desc.startsWith("a label")) m.set(name, desc);
  }
  return m;
}

/** The description that applies at `pc`: a multi-location's range entry, or the whole text. */
function atPc(desc: string, pc: number): string {
  if (!desc.startsWith("multi-location:")) return desc;
  for (const m of desc.matchAll(/Range 0x([0-9a-f]+)-0x([0-9a-f]+): ([\s\S]*?)(?=\n\s*(?:Base address|Range)|$)/g)) {
    if (pc >= parseInt(m[1]!, 16) && pc < parseInt(m[2]!, 16)) return m[3]!.trim();
  }
  return "optimized out";
}

function agrees(v: ScopeVariable, gdb: string): string | undefined {
  const plan = v.location.plan;
  const ops = (s: string) => [...s.matchAll(/DW_OP_\w+/g)].map((m) => m[0]).join(" ");
  let m: RegExpExecArray | null;
  gdb = gdb.replace(/\.$/, "");
  if (gdb === "optimized out") return plan.kind === "optimizedOut" ? undefined : `gdb: optimized out, ours: ${plan.kind}`;
  if ((m = /^a variable in \$(\w+)$/.exec(gdb)))
    return plan.kind === "register" && x86RegisterName(plan.reg)?.toLowerCase() === m[1] ? undefined : `gdb: register ${m[1]}, ours: ${JSON.stringify(plan)}`;
  if ((m = /static storage at address 0x([0-9a-f]+)/.exec(gdb)))
    return plan.kind === "memory" && plan.address.kind === "moduleAddress" && plan.address.address === BigInt(`0x${m[1]}`) ? undefined : `gdb: static 0x${m[1]}, ours ${plan.kind}`;
  if ((m = /^(?:the constant|a constant with value) (-?\d+)/.exec(gdb))) return plan.kind === "value" || plan.kind === "implicit" ? undefined : `gdb: constant ${m[1]}, ours ${plan.kind}`;
  if (gdb.includes("DW_OP_")) return ops(gdb) === ops(v.location.expression) ? undefined : `gdb: ${ops(gdb)}, ours: ${v.location.expression}`;
  if (/^a variable at frame base reg \$(\w+) offset/.test(gdb)) return plan.kind === "memory" ? undefined : `gdb: frame-base memory, ours ${plan.kind}`;
  return `unrecognized gdb description: ${gdb}`;
}

describe("info scope agrees with gdb", () => {
  for (const o of MATRIX) {
    test(`${o.cc} ${o.opt} DWARF ${o.dwarf}`, () => {
      const bin = compileFixture("dwarf_core", o);
      const info = DebugInfo.open(bin);
      const names = [...new Set(Bun.spawnSync(["nm", "--defined-only", bin]).stdout.toString().split("\n").map((l) => l.split(" ")).filter((f) => /^[tT]$/.test(f[1] ?? "")).map((f) => f[2]!))];
      const fns = names.filter((n) => info.functionsNamed(n).length > 0 && !n.includes("."));
      expect(fns.length).toBeGreaterThanOrEqual(3);
      const problems: string[] = [];
      for (const fn of fns) {
        const [place] = placesFor(info, { kind: "function", name: fn });
        const bp = gdbBreakpoint(bin, fn)!;
        if (place!.address !== bp.address) problems.push(`${fn}: break at 0x${place!.address.toString(16)}, gdb 0x${bp.address.toString(16)}`);
        const gdb = gdbScope(bin, fn);
        const ours = scopeAt(info.dwarf, info.cfi, place!.address).variables.filter((v) => v.kind !== "global" && v.kind !== "file static");
        expect(new Set(ours.map((v) => v.name))).toEqual(new Set(gdb.keys()));
        for (const v of ours) {
          const why = agrees(v, atPc(gdb.get(v.name)!, place!.address));
          if (why) problems.push(`${fn}.${v.name}: ${why}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
