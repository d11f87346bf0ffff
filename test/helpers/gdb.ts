// gdb as the oracle: what it answers for a binary without running it
// (breakpoint addresses, info scope, info line, ptype). Expectations come from
// gdb at test time, never from hard-coded numbers.

/** Run gdb -batch with these commands; stdout and stderr together. */
export function gdbBatch(bin: string, commands: string[]): string {
  const args = ["gdb", "-batch", "-nx", "-iex", "set width 0", "-iex", "set height 0", "-iex", "set print demangle on"];
  for (const c of commands) args.push("-ex", c);
  args.push(bin);
  const r = Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe", env: { ...process.env, LC_ALL: "C" } });
  return r.stdout.toString() + r.stderr.toString();
}

export interface GdbBreakpoint {
  /** Module-relative address of the first location. */
  address: number;
  /** Every location's address (several for inlined functions and split lines). */
  addresses: number[];
  locations: number;
  file?: string;
  line?: number;
}

/** Where `break SPEC` would stop: "Breakpoint 1 at 0x1140: file t.c, line 8." or "… (3 locations)". */
export function gdbBreakpoint(bin: string, spec: string): GdbBreakpoint | undefined {
  const out = gdbBatch(bin, [`break ${spec}`, "info breakpoints"]);
  const one = /Breakpoint 1 at 0x([0-9a-f]+)(?:: file (.+), line (\d+)\.)?/.exec(out);
  if (!one) return undefined;
  const many = /\((\d+) locations\)/.exec(out);
  const addresses = many ? [...out.matchAll(/^1\.\d+\s+\S+\s+(?:\S+\s+)?0x([0-9a-f]+)/gm)].map((m) => parseInt(m[1]!, 16)) : [parseInt(one[1]!, 16)];
  return { address: addresses[0]!, addresses, locations: many ? Number(many[1]) : 1, file: one[2], line: one[3] ? Number(one[3]) : undefined };
}

/**
 * `break SPEC` for many specs in one gdb run: spec → every location's address
 * (absent when gdb cannot set the breakpoint).
 */
export function gdbBreakpoints(bin: string, specs: string[]): Map<string, number[]> {
  // A marker after each `break` splits gdb's answers, so a failed one cannot shift the numbering.
  const out = gdbBatch(bin, [...specs.flatMap((s) => [`break ${s}`, "echo @@wraith@@\\n"]), "info breakpoints"]);
  const answers = out.split("@@wraith@@\n");
  const numberOf = new Map<number, string>();
  specs.forEach((spec, i) => {
    const m = /^Breakpoint (\d+) at /m.exec(answers[i] ?? "");
    if (m) numberOf.set(Number(m[1]), spec);
  });
  const table = answers[specs.length] ?? "";
  const result = new Map<string, number[]>();
  for (const m of table.matchAll(/^(\d+)(?:\.\d+)?\s+(?:breakpoint\s+keep\s+y\s+|y\s+)?(?:<MULTIPLE>\s*)?(0x[0-9a-f]+)?/gm)) {
    const spec = numberOf.get(Number(m[1]));
    if (!m[2] || spec === undefined) continue;
    const list = result.get(spec) ?? [];
    list.push(parseInt(m[2], 16));
    result.set(spec, list);
  }
  return result;
}

/** `info scope SPEC`: symbol name → gdb's description of its location. */
export function gdbInfoScope(bin: string, spec: string): Map<string, string> {
  const out = gdbBatch(bin, [`info scope ${spec}`]);
  const symbols = new Map<string, string>();
  // Entries start with "Symbol NAME is …" and may continue on following lines (complex DWARF expressions).
  const parts = out.split(/^Symbol /m).slice(1);
  for (const p of parts) {
    const m = /^(\S+) is ([\s\S]*?)(?:, length \d+\.)?\s*$/.exec(p.trim());
    if (m) symbols.set(m[1]!, m[2]!.replace(/\s+/g, " ").trim());
  }
  return symbols;
}

export interface GdbLine {
  line: number;
  file: string;
  start: number;
  end: number;
}

/** `info line SPEC`: "Line 7 of "f.c" starts at address 0x1139 <tick> and ends at 0x1140 <tick+7>." (one per location). */
export function gdbInfoLine(bin: string, spec: string): GdbLine[] {
  const out = gdbBatch(bin, [`info line ${spec}`]);
  const lines: GdbLine[] = [];
  for (const m of out.matchAll(/Line (\d+) of "([^"]+)"\s+starts at address 0x([0-9a-f]+)[^\n]*?and ends at 0x([0-9a-f]+)/g))
    lines.push({ line: Number(m[1]), file: m[2]!, start: parseInt(m[3]!, 16), end: parseInt(m[4]!, 16) });
  return lines;
}

/** `ptype /o EXPR` exactly as gdb prints it. */
export function gdbPtypeOffsets(bin: string, expr: string): string {
  return gdbBatch(bin, [`ptype /o ${expr}`]).trimEnd();
}
