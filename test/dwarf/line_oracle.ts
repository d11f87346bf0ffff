// Oracles for the line-table tests: llvm-dwarfdump --debug-line (every row
// with every register), readelf -wL (decoded rows with file names) and gdb's
// `break FUNC` (where a function breakpoint lands).

export function runTool(argv: string[]): string {
  const r = Bun.spawnSync(argv, { env: { ...process.env, LC_ALL: "C" }, stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

export interface DumpRow {
  address: number;
  line: number;
  column: number;
  file: number;
  isa: number;
  discriminator: number;
  flags: Set<string>;
}

export interface DumpTable {
  offset: number;
  version: number;
  includeDirectories: string[];
  fileNames: { name: string; dirIndex: number }[];
  rows: DumpRow[];
}

/** `llvm-dwarfdump --debug-line`: one table per line program. */
export function dwarfdumpLines(path: string): DumpTable[] {
  const tables: DumpTable[] = [];
  let t: DumpTable | undefined;
  let pendingName: string | undefined;
  for (const line of runTool(["llvm-dwarfdump", "--debug-line", path]).split("\n")) {
    let m = /^debug_line\[0x([0-9a-f]+)\]/.exec(line);
    if (m) {
      t = { offset: parseInt(m[1], 16), version: 0, includeDirectories: [], fileNames: [], rows: [] };
      tables.push(t);
      continue;
    }
    if (!t) continue;
    if ((m = /^\s+version: (\d+)/.exec(line))) t.version = Number(m[1]);
    else if ((m = /^include_directories\[\s*\d+\] = "(.*)"$/.exec(line))) t.includeDirectories.push(m[1]);
    else if ((m = /^\s+name: "(.*)"$/.exec(line))) pendingName = m[1];
    else if ((m = /^\s+dir_index: (\d+)/.exec(line)) && pendingName !== undefined) {
      t.fileNames.push({ name: pendingName, dirIndex: Number(m[1]) });
      pendingName = undefined;
    } else if ((m = /^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$/.exec(line))) {
      t.rows.push({
        address: parseInt(m[1], 16), line: Number(m[2]), column: Number(m[3]), file: Number(m[4]),
        isa: Number(m[5]), discriminator: Number(m[6]), flags: new Set(m[7].trim().split(/\s+/).filter(Boolean)),
      });
    }
  }
  return tables;
}

export interface DecodedLine {
  file: string;
  line: number;
  address: number;
  stmt: boolean;
}

/** `readelf -wL`: rows as (file name, line, address, is_stmt); end-of-sequence rows ("-") skipped. */
export function readelfDecodedLines(path: string): DecodedLine[] {
  const out: DecodedLine[] = [];
  for (const line of runTool(["readelf", "-wL", path]).split("\n")) {
    const m = /^(\S+)\s+(\d+)\s+0x([0-9a-f]+)(?:\s+\d+)?(\s+x)?\s*$/.exec(line);
    if (m) out.push({ file: m[1], line: Number(m[2]), address: parseInt(m[3], 16), stmt: !!m[4] });
  }
  return out;
}

export interface GdbBreak {
  /** Every location of the breakpoint (out-of-line copy and inlined copies). */
  addresses: number[];
  file?: string;
  line?: number;
}

/**
 * `gdb -batch -ex 'break F' … -ex 'info breakpoints'`: where each function
 * breakpoint lands, all locations included (undefined if gdb refused).
 */
export function gdbBreaks(path: string, functions: string[]): Map<string, GdbBreak | undefined> {
  const args = ["gdb", "-batch", "-nx"];
  for (const f of functions) args.push("-ex", `break ${f}`);
  args.push("-ex", "info breakpoints", path);
  const r = Bun.spawnSync(args, { env: { ...process.env, LC_ALL: "C" }, stderr: "pipe" });
  const byNumber = new Map<number, GdbBreak>();
  const at = (n: number) => {
    let b = byNumber.get(n);
    if (!b) byNumber.set(n, (b = { addresses: [] }));
    return b;
  };
  for (const l of r.stdout.toString().split("\n")) {
    // "1       breakpoint     keep y   0x… in f at file:line" or "1.2   y   0x… in f at file:line"
    const m = /^(\d+)(?:\.\d+)?\s+(?:breakpoint\s+keep\s+)?y\s+0x([0-9a-f]+) in \S+(?: at (.*):(\d+))?/.exec(l);
    if (!m) continue;
    const b = at(Number(m[1]));
    b.addresses.push(parseInt(m[2], 16));
    if (m[3] && b.file === undefined) { b.file = m[3]; b.line = Number(m[4]); }
  }
  const out = new Map<string, GdbBreak | undefined>();
  functions.forEach((f, i) => out.set(f, byNumber.get(i + 1)));
  return out;
}
