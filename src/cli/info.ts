// `wraith info …`: what the debug info says, without attaching anything.
// The same resolution the tracer uses, printed for people.
import { isAbsolute, resolve as resolvePath } from "node:path";
import { formatCfaRule, formatRegisterRule, x86_64RegisterName as regName } from "../dwarf/cfi/index.ts";
import { DW_TAG, type Die } from "../dwarf/index.ts";
import { formatSignature } from "../dwarf/demangle/signature.ts";
import { languageOf } from "../dwarf/types/index.ts";
import { signatureOf } from "../resolve/function-names.ts";
import { DebugInfo } from "../resolve/debuginfo.ts";
import { cfaAt, describePlan } from "../resolve/location.ts";
import { functionLabel, placesFor } from "../resolve/places.ts";
import { scopeAt } from "../resolve/scope.ts";
import { parseLocationSpec } from "../resolve/spec.ts";
import { formatValue } from "../dwarf/expr/index.ts";
import type { InfoWhat, RunOptions } from "./args.ts";
import { ExitCode, WraithError } from "./errors.ts";
import { functionSignature, ptypeByName, typeNameOf } from "../resolve/types.ts";

const hex = (n: number) => `0x${n.toString(16)}`;

export function runInfo(what: InfoWhat, arg: string | undefined, opts: RunOptions): number {
  const path = binaryPath(opts);
  const info = DebugInfo.open(path, { debugFile: opts.debugFile });
  const out: string[] = [];
  switch (what) {
    case "functions":
      out.push(...functions(info, arg, opts.count));
      break;
    case "line":
      out.push(...lines(info, arg!));
      break;
    case "scope":
      out.push(...scope(info, arg!));
      break;
    case "cfa":
      out.push(...cfa(info, arg!));
      break;
    case "type":
      out.push(ptypeByName(info, arg!));
      break;
  }
  process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
  return ExitCode.OK;
}

function binaryPath(opts: RunOptions): string {
  if (opts.target !== undefined) return isAbsolute(opts.target) ? opts.target : resolvePath(process.cwd(), opts.target);
  return `/proc/${opts.pid}/exe`;
}

function functions(info: DebugInfo, pattern: string | undefined, limit?: number): string[] {
  let re: RegExp | undefined;
  try {
    re = pattern === undefined ? undefined : new RegExp(pattern);
  } catch {
    throw new WraithError(`bad regular expression '${pattern}'`, ExitCode.USAGE);
  }
  const rows: { file: string; line: number; text: string }[] = [];
  for (const unit of info.dwarf.compileUnits()) {
    for (let i = 1; i < unit.dieCount; i++) {
      const d = unit.dieByIndex(i);
      if (d.tag !== DW_TAG.subprogram || (d.lowPc() === undefined && d.ranges().length === 0)) continue;
      const name = functionLabel(d.origin() ?? d);
      if (re && !re.test(name)) continue;
      rows.push({ file: info.declFile(d) ?? "??", line: d.declLine() ?? d.origin()?.declLine() ?? 0, text: declarationOf(info, d, name) });
    }
  }
  rows.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.text.localeCompare(b.text));
  // One row per function, as gdb lists them: a C++ constructor or destructor has several copies (C1/C2, D0/D1).
  const lines = [...new Set(rows.map((r) => `${r.file}:${r.line}:\t${r.text}`))];
  return lines.slice(0, limit ?? lines.length);
}

/**
 * A function as gdb's `info functions` lists it: C as declared
 * (`static int f(const struct p *);`), C++ with the demangled name and
 * parameters (`bool ns::Widget::operator==(ns::Widget const&) const;`).
 */
function declarationOf(info: DebugInfo, d: Die, name: string): string {
  const c = functionSignature(info, d, name);
  if (languageOf(d) !== "c++") return c;
  const marker = "\u0000";
  const head = functionSignature(info, d, marker);
  return `${head.slice(0, head.indexOf(marker))}${formatSignature(signatureOf(info, d))};`;
}

function lines(info: DebugInfo, spec: string): string[] {
  const s = parseLocationSpec(spec);
  if (s.kind !== "line") throw new WraithError(`wraith info line takes FILE:LINE, not '${spec}'`, ExitCode.USAGE);
  return placesFor(info, s).map((p) => {
    const chain = scopeAt(info.dwarf, undefined, p.address).chain;
    const inlined = [...chain].reverse().find((d) => d.tag === DW_TAG.inlined_subroutine);
    const where = inlined ? `${functionLabel(inlined.origin())} inlined into ${functionLabel(p.fn)}` : functionLabel(p.fn);
    return `Line ${p.line} of "${p.file}" at ${hex(p.address)} in ${where}`;
  });
}

function scope(info: DebugInfo, spec: string): string[] {
  const out: string[] = [];
  for (const p of placesFor(info, parseLocationSpec(spec))) {
    const s = scopeAt(info.dwarf, info.cfi, p.address);
    const row = info.lineProgram(s.chain[0]?.unit ?? info.dwarf.unitForAddress(p.address)!)?.lineAt(p.address);
    const src = row ? ` ${info.lineProgram(s.chain[0]!.unit)?.filePath(row.file) ?? "??"}:${row.line}` : "";
    const c = cfaAt(info.cfi, p.address);
    out.push(`Scope at ${hex(p.address)} in ${functionLabel(s.fn)}${src}${c ? ` (CFA ${formatValue(c, regName)})` : ""}:`);
    for (const v of s.variables) {
      const expr = v.location.expression ? ` [${v.location.expression}]` : "";
      out.push(`  ${v.kind} ${v.name}: ${typeNameOf(info, v.decl)}, ${describePlan(v.location.plan)}${expr}`);
    }
    if (s.variables.length === 0) out.push("  (no variables)");
  }
  return out;
}

function cfa(info: DebugInfo, spec: string): string[] {
  return placesFor(info, parseLocationSpec(spec)).map((p) => {
    const row = info.cfi.unwindRowAt(p.address);
    if (!row) return `${hex(p.address)}: no call frame information`;
    const regs = [...row.registers.entries()].map(([r, rule]) => `${regName(r)}=${formatRegisterRule(rule)}`).join(" ");
    return `${hex(p.address)} in ${functionLabel(p.fn)}: CFA=${formatCfaRule(row.cfa)}${regs ? ` ${regs}` : ""}`;
  });
}
