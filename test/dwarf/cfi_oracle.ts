// Oracle for the CFI tests: `readelf --debug-dump=frames-interp`, parsed into
// the rows it prints, so our unwind rows are checked against binutils.

// readelf exits 1 on files without DWARF debug info (libc) even though it
// printed the frames, so only missing output is a failure.
function readelfOutput(argv: string[]): string {
  const r = Bun.spawnSync(argv, { env: { ...process.env, LC_ALL: "C" }, stderr: "pipe" });
  const out = r.stdout.toString();
  if (r.exitCode !== 0 && !out.includes("Contents of the")) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
  return out;
}

export interface ReadelfFrameRow {
  loc: number;
  cfa: string;
  /** Column header ("rbx", "ra", …) → rule text ("c-16", "u", "exp", "" for blank). */
  registers: Map<string, string>;
}

export interface ReadelfFrameEntry {
  section: ".eh_frame" | ".debug_frame";
  offset: number;
  kind: "CIE" | "FDE";
  augmentation?: string;
  /** For FDEs. */
  cie?: number;
  start?: number;
  end?: number;
  rows: ReadelfFrameRow[];
}

// A rule is one token, except register rules, which print as "r15 (r15)".
const RULE = /^\S+(?: \(\S+\))?/;

function parseRow(line: string, columns: string[]): ReadelfFrameRow {
  const loc = parseInt(line.slice(0, 16), 16);
  let pos = 17;
  const take = (width: number): string => {
    if (line[pos] === " " || pos >= line.length) {
      pos += width;
      return "";
    }
    const m = RULE.exec(line.slice(pos));
    const tok = m ? m[0] : "";
    pos += Math.max(width, tok.length + 1);
    return tok;
  };
  const cfa = take(9);
  const registers = new Map<string, string>();
  for (const c of columns) registers.set(c, take(6));
  return { loc, cfa, registers };
}

export function readelfFrames(path: string): ReadelfFrameEntry[] {
  const out: ReadelfFrameEntry[] = [];
  let section: ReadelfFrameEntry["section"] = ".eh_frame";
  let current: ReadelfFrameEntry | undefined;
  let columns: string[] = [];
  for (const line of readelfOutput(["readelf", "-wF", path]).split("\n")) {
    const sec = /^Contents of the (\.eh_frame|\.debug_frame) section:/.exec(line);
    if (sec) { section = sec[1] as ReadelfFrameEntry["section"]; current = undefined; continue; }
    const cie = /^([0-9a-f]{8}) [0-9a-f]+ [0-9a-f]+ CIE "([^"]*)"/.exec(line);
    if (cie) {
      current = { section, offset: parseInt(cie[1], 16), kind: "CIE", augmentation: cie[2], rows: [] };
      out.push(current);
      continue;
    }
    const fde = /^([0-9a-f]{8}) [0-9a-f]+ [0-9a-f]+ FDE cie=([0-9a-f]+) pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (fde) {
      current = { section, offset: parseInt(fde[1], 16), kind: "FDE", cie: parseInt(fde[2], 16), start: parseInt(fde[3], 16), end: parseInt(fde[4], 16), rows: [] };
      out.push(current);
      continue;
    }
    if (/^\s+LOC\s+CFA/.test(line)) {
      columns = line.trim().split(/\s+/).slice(2);
      continue;
    }
    if (current && /^[0-9a-f]{16} /.test(line)) current.rows.push(parseRow(line, columns));
  }
  return out;
}
