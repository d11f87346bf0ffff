// Parsers for llvm-dwarfdump and readelf output: the oracles the DWARF core
// tests compare every DIE against.

export interface DumpAttr {
  name: string;
  form: string;
  /** The text inside the outer parentheses, first line only. */
  text: string;
}

export interface DumpDie {
  offset: number;
  depth: number;
  tag: string;
  attrs: DumpAttr[];
}

/** `llvm-dwarfdump --debug-info --show-form` (or --debug-types) output → DIEs in order. */
export function parseDwarfdump(out: string): DumpDie[] {
  const dies: DumpDie[] = [];
  let cur: DumpDie | undefined;
  for (const line of out.split("\n")) {
    const m = /^0x([0-9a-f]+):( +)(DW_TAG_\w+|NULL)/.exec(line);
    if (m) {
      cur = undefined;
      if (m[3] === "NULL") continue;
      cur = { offset: parseInt(m[1]!, 16), depth: (m[2]!.length - 1) / 2, tag: m[3]!, attrs: [] };
      dies.push(cur);
      continue;
    }
    const a = /^\s+(DW_AT_\w+) \[(DW_FORM_\w+)\]\s+\((.*)$/.exec(line);
    if (a && cur) cur.attrs.push({ name: a[1]!, form: a[2]!, text: a[3]!.replace(/\)$/, "") });
  }
  return dies;
}

export interface ReadelfDie {
  depth: number;
  offset: number;
  abbrev: number;
}

/** `readelf --debug-dump=info` → (depth, offset, abbreviation number) per DIE. */
export function parseReadelfInfo(out: string): ReadelfDie[] {
  const dies: ReadelfDie[] = [];
  for (const m of out.matchAll(/^ <(\d+)><([0-9a-f]+)>: Abbrev Number: ([1-9]\d*)/gm)) dies.push({ depth: Number(m[1]), offset: parseInt(m[2]!, 16), abbrev: Number(m[3]) });
  return dies;
}

export function run(cmd: string[]): string {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}
