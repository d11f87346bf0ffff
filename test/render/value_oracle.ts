// gdb as the oracle for formatValue: stop the render_values fixture at its
// BREAK marker in stop_here, and for every g_*/s_*/l_*/p_* variable ask gdb
// for `print v`, the raw bytes (`x/Nxb &v`), the address, the string bytes
// behind every character pointer (`x/201xb p`) and the symbol gdb shows for
// every pointer (`output (void *) p`). All of it comes from one gdb run per
// binary; the test then builds CapturedValues with our own DWARF types.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DW_TAG, type Die, DwarfFile } from "../../src/dwarf/index.ts";
import { type CType, TypeModel, languageOf, sizeOf, stripTypedefs } from "../../src/dwarf/types/index.ts";
import type { CapturedValue, Pointee } from "../../src/render/value.ts";
import { FIXTURES } from "../helpers/fixtures.ts";

export interface OracleVar {
  name: string;
  type: CType;
  language: "c" | "c++";
  /** gdb's `print` text after "$N = ". */
  gdb: string;
  /** Extra `print` texts under `set print max-depth N`. */
  depths: Map<number, string>;
  value: CapturedValue;
}

export interface OracleRun {
  vars: OracleVar[];
  symbols: Map<bigint, string>;
  /** gdb's raw output, for diagnostics. */
  raw: string;
}

const NAME = /^(g_|s_|l_|p_)/;
const DEPTH_PROBES: Record<string, number[]> = { g_deep: [0, 1, 2, 3], g_matrix: [0, 1], g_rect: [1], g_cube: [1, 2], g_points: [1], g_names: [0, 1] };

/** The line of the BREAK marker in the fixture. */
function breakLine(source: string): number {
  const lines = readFileSync(join(FIXTURES, source), "utf8").split("\n");
  const i = lines.findIndex((l) => l.includes("/* BREAK */"));
  if (i < 0) throw new Error("fixture has no BREAK marker");
  return i + 1;
}

function isTextual(t: CType): boolean {
  const s = stripTypedefs(t);
  if (s.kind !== "base") return false;
  if (s.size === 1 && s.encoding !== 2 /* boolean */ && s.encoding !== 4 /* float */) return true;
  if (s.encoding === 0x10 /* UTF: char16_t, char32_t */) return true;
  // wchar_t (typedef int) pointers print strings too.
  let c: CType = t;
  for (let i = 0; i < 16 && (c.kind === "typedef" || c.kind === "qualified"); i++) {
    if (c.kind === "typedef" && /^(wchar_t|char16_t|char32_t)$/.test(c.name)) return true;
    c = c.target;
  }
  return false;
}

function charWidth(t: CType): number {
  return sizeOf(t) ?? 1;
}

interface PointerPath {
  path: string;
  textual: boolean;
  width: number;
  /** A flexible/zero-length array member: its address is what gdb shows. */
  flexible: boolean;
  /** A top-level C++ reference: gdb prints the referent (this many bytes). */
  referent?: number;
}

/** Every pointer (and flexible array member) inside a value of type t, by C access path. */
function pointerPaths(t: CType, path: string, out: PointerPath[], depth = 0): void {
  if (depth > 12) return;
  const s = stripTypedefs(t);
  if (s.kind === "reference" && depth === 0) {
    out.push({ path, textual: false, width: 1, flexible: false, referent: sizeOf(s.target) ?? 0 });
  } else if (s.kind === "pointer") {
    const target = s.target;
    const fn = stripTypedefs(target).kind === "function";
    out.push({ path, textual: !fn && isTextual(target), width: charWidth(target), flexible: false });
  } else if (s.kind === "struct") {
    for (const m of s.members) {
      if (m.isStatic || m.bitSize !== undefined) continue;
      const mp = m.name !== undefined ? `${path}.${m.name}` : path;
      const mt = stripTypedefs(m.type);
      if (mt.kind === "array" && (mt.count === undefined || mt.count === 0)) {
        out.push({ path: mp, textual: isTextual(mt.element), width: charWidth(mt.element), flexible: true });
        continue;
      }
      pointerPaths(m.type, mp, out, depth + 1);
    }
  } else if (s.kind === "array" && s.count !== undefined && !isTextual(s.element)) {
    for (let i = 0; i < Math.min(s.count, 210); i++) {
      const before = out.length;
      pointerPaths(s.element, `${path}[${i}]`, out, depth + 1);
      if (out.length === before) break; // no pointers in this element type
    }
  }
}

function variables(file: DwarfFile, model: TypeModel): { name: string; type: CType; language: "c" | "c++" }[] {
  const out: { name: string; type: CType; language: "c" | "c++" }[] = [];
  const seen = new Set<string>();
  const add = (d: Die) => {
    const name = d.name();
    if (!name || !NAME.test(name) || seen.has(name) || d.isDeclaration()) return;
    seen.add(name);
    out.push({ name, type: model.typeOf(d), language: languageOf(d) });
  };
  const walk = (d: Die) => {
    for (const c of d.children()) {
      if (c.tag === DW_TAG.variable || c.tag === DW_TAG.formal_parameter) add(c);
      else if (c.tag === DW_TAG.lexical_block) walk(c);
    }
  };
  for (const unit of file.compileUnits()) {
    for (const d of unit.root().children()) {
      if (d.tag === DW_TAG.variable) add(d);
      if (d.tag === DW_TAG.subprogram && d.name() === "stop_here") walk(d);
    }
  }
  return out;
}

/** gdb -batch with stderr merged into stdout in order (error messages stay next to their command). */
function gdbInOrder(bin: string, commands: string[]): string {
  const args = ["gdb", "-batch", "-nx", "-iex", "set width 0", "-iex", "set height 0"];
  for (const c of commands) args.push("-ex", c);
  args.push(bin);
  const r = Bun.spawnSync(["sh", "-c", 'exec "$@" 2>&1', "sh", ...args], { stdout: "pipe", env: { ...process.env, LC_ALL: "C" } });
  return r.stdout.toString();
}

function parseX(text: string): { bytes: number[]; error?: bigint } {
  const bytes: number[] = [];
  let error: bigint | undefined;
  for (const line of text.split("\n")) {
    const m = line.includes("Cannot access") ? null : /^0x[0-9a-f]+(?: <[^>]*>)?:\s*(.*)$/.exec(line);
    if (m) for (const b of m[1]!.matchAll(/0x([0-9a-f]{2})\b/g)) bytes.push(parseInt(b[1]!, 16));
    const e = /Cannot access memory at address (0x[0-9a-f]+)/.exec(line);
    if (e) error = BigInt(e[1]!);
  }
  return { bytes, error };
}

export function runOracle(bin: string, source = "render_values.c"): OracleRun {
  const file = DwarfFile.open(bin);
  const model = new TypeModel(file);
  const vars = variables(file, model);
  const cmds = [`break ${source}:${breakLine(source)}`, "run"];
  const plans = vars.map((v) => {
    const ptrs: PointerPath[] = [];
    pointerPaths(v.type, "", ptrs);
    // decltype(nullptr) has no DWARF size; it is pointer-sized.
    return { ...v, size: sizeOf(v.type) ?? (stripTypedefs(v.type).kind === "unspecified" ? 8 : 0), ptrs };
  });
  for (const p of plans) {
    cmds.push(`echo @@@V ${p.name}\\n`, `print ${p.name}`);
    for (const d of DEPTH_PROBES[p.name] ?? []) cmds.push(`echo @@@D ${d}\\n`, `set print max-depth ${d}`, `print ${p.name}`, "set print max-depth 20");
    cmds.push("echo @@@B\\n");
    if (p.size > 0) cmds.push(`x/${p.size}xb &${p.name}`);
    cmds.push("echo @@@A\\n", `output/x (unsigned long)&${p.name}`, "echo \\n");
    for (const q of p.ptrs) {
      const expr = `${p.name}${q.path}`;
      if (q.referent !== undefined) {
        cmds.push(`echo @@@P ${q.path}\\n`, `x/${q.referent}xb &${expr}`);
        continue;
      }
      if (q.textual) cmds.push(`echo @@@P ${q.path}\\n`, `x/${201 * q.width}xb ${expr}`);
      cmds.push(`echo @@@S\\n`, q.flexible ? `output (void *)&${expr}` : `output (void *)(${expr})`, "echo \\n");
    }
  }
  cmds.push("echo @@@END\\n", "kill");
  const raw = gdbInOrder(bin, cmds);
  const symbols = new Map<bigint, string>();
  for (const m of raw.matchAll(/^\(void \*\) (0x[0-9a-f]+) <([^>\n]+)>$/gm)) symbols.set(BigInt(m[1]!), m[2]!);
  const chunks = raw.split(/^@@@V /m).slice(1);
  const out: OracleVar[] = [];
  for (const chunk of chunks) {
    const name = chunk.slice(0, chunk.indexOf("\n"));
    const plan = plans.find((p) => p.name === name);
    if (!plan) continue;
    const sections = chunk.split(/^@@@/m);
    const head = sections[0]!;
    const pm = /^\$\d+ = (.*)$/m.exec(head);
    if (!pm) continue; // gdb could not print it (e.g. no symbol): nothing to compare
    const depths = new Map<number, string>();
    let bytes: number[] = [];
    let address: bigint | undefined;
    const pointees = new Map<string, Pointee>();
    for (const sec of sections.slice(1)) {
      const nl = sec.indexOf("\n");
      const tag = sec.slice(0, nl);
      const body = sec.slice(nl + 1);
      if (tag.startsWith("D ")) {
        const dm = /^\$\d+ = (.*)$/m.exec(body);
        if (dm) depths.set(Number(tag.slice(2)), dm[1]!);
      } else if (tag === "B") bytes = parseX(body).bytes;
      else if (tag === "A") {
        const am = /0x[0-9a-f]+/.exec(body);
        if (am) address = BigInt(am[0]);
      } else if (tag.startsWith("P ")) {
        const path = tag.slice(2);
        const x = parseX(body);
        pointees.set(path, {
          status: x.error !== undefined ? "readError" : "ok",
          bytes: Uint8Array.from(x.bytes),
          errorAddress: x.error,
        });
      } else if (tag === "P") {
        const x = parseX(body);
        pointees.set("", { status: x.error !== undefined ? "readError" : "ok", bytes: Uint8Array.from(x.bytes), errorAddress: x.error });
      }
    }
    // A reference's own bytes are the referent's address (gdb's &ref).
    if (stripTypedefs(plan.type).kind === "reference" && address !== undefined) {
      bytes = [];
      for (let i = 0n; i < 8n; i++) bytes.push(Number((address >> (8n * i)) & 0xffn));
    }
    out.push({
      name,
      type: plan.type,
      language: plan.language,
      gdb: pm[1]!,
      depths,
      value: { type: plan.type, status: "ok", bytes: Uint8Array.from(bytes), address, pointees },
    });
  }
  return { vars: out, symbols, raw };
}
