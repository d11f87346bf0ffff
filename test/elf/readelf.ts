// Oracles for the ELF tests: run binutils (readelf, objcopy) and parse what
// they print, so our reader is checked against an independent implementation.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const LIBC = "/lib/x86_64-linux-gnu/libc.so.6";

export function run(argv: string[]): string {
  const r = Bun.spawnSync(argv, { env: { ...process.env, LC_ALL: "C" }, stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), "wraith-elf-"));
}

const h = (s: string) => parseInt(s, 16);

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  addr: number;
  offset: number;
  size: number;
  entsize: number;
  flags: string;
  link: number;
  info: number;
  align: number;
}

/** `readelf -SW` */
export function readelfSections(path: string): ReadelfSection[] {
  const out: ReadelfSection[] = [];
  const re =
    /^\s*\[\s*(\d+)\]\s+(\S+)?\s+([A-Z_0-9+]+)\s+([0-9a-f]{16})\s+([0-9a-f]{6,})\s+([0-9a-f]{6,})\s+([0-9a-f]{2,})\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$/;
  for (const line of run(["readelf", "-SW", path]).split("\n")) {
    const m = re.exec(line);
    if (!m) continue;
    out.push({
      index: Number(m[1]),
      name: m[2] ?? "",
      type: m[3]!,
      addr: h(m[4]!),
      offset: h(m[5]!),
      size: h(m[6]!),
      entsize: h(m[7]!),
      flags: m[8]!,
      link: Number(m[9]),
      info: Number(m[10]),
      align: Number(m[11]),
    });
  }
  return out;
}

export interface ReadelfSegment {
  type: string;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: string;
  align: number;
}

/** `readelf -lW` */
export function readelfSegments(path: string): { segments: ReadelfSegment[]; interpreter?: string } {
  const segments: ReadelfSegment[] = [];
  let interpreter: string | undefined;
  const re = /^\s+(\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+([RWE ]{3})\s+0x([0-9a-f]+)$/;
  for (const line of run(["readelf", "-lW", path]).split("\n")) {
    const interp = /\[Requesting program interpreter: (.*)\]/.exec(line);
    if (interp) interpreter = interp[1];
    const m = re.exec(line);
    if (!m) continue;
    segments.push({
      type: m[1]!,
      offset: h(m[2]!),
      vaddr: h(m[3]!),
      paddr: h(m[4]!),
      filesz: h(m[5]!),
      memsz: h(m[6]!),
      flags: m[7]!,
      align: h(m[8]!),
    });
  }
  return { segments, interpreter };
}

export interface ReadelfSymbol {
  index: number;
  value: number;
  size: number;
  type: string;
  bind: string;
  vis: string;
  ndx: string;
  /** As printed, version suffix included, " (N)" import index removed. */
  name: string;
}

/** `readelf -sW`, split by table (".symtab", ".dynsym"). */
export function readelfSymbols(path: string): Map<string, ReadelfSymbol[]> {
  const tables = new Map<string, ReadelfSymbol[]>();
  let current: ReadelfSymbol[] | undefined;
  const re = /^\s*(\d+):\s+([0-9a-f]{16})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/;
  for (const line of run(["readelf", "-sW", path]).split("\n")) {
    const t = /^Symbol table '([^']+)'/.exec(line);
    if (t) {
      current = [];
      tables.set(t[1]!, current);
      continue;
    }
    const m = re.exec(line);
    if (!m || !current) continue;
    const size = m[3]!.startsWith("0x") ? h(m[3]!.slice(2)) : Number(m[3]);
    current.push({
      index: Number(m[1]),
      value: h(m[2]!),
      size,
      type: m[4]!,
      bind: m[5]!,
      vis: m[6]!,
      ndx: m[7]!,
      name: m[8]!.replace(/ \(\d+\)$/, ""),
    });
  }
  return tables;
}

/** Build-id from `readelf -n`. */
export function readelfBuildId(path: string): string | undefined {
  return /Build ID: ([0-9a-f]+)/.exec(run(["readelf", "-n", path]))?.[1];
}

/** Raw bytes of a section from `readelf -x` (the hex dump columns). */
export function readelfHexDump(path: string, section: string): Uint8Array {
  const hexText: string[] = [];
  for (const line of run(["readelf", "-x", section, path]).split("\n")) {
    const m = /^\s+0x[0-9a-f]+ ((?:[0-9a-f]{2,8} ){1,4})/.exec(line);
    if (m) hexText.push(m[1]!.replace(/ /g, ""));
  }
  const s = hexText.join("");
  return Uint8Array.from({ length: s.length / 2 }, (_, i) => h(s.slice(2 * i, 2 * i + 2)));
}

/** `readelf -d` lines as [tag name, rest]. */
export function readelfDynamic(path: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of run(["readelf", "-dW", path]).split("\n")) {
    const m = /^\s+0x[0-9a-f]+\s+\((\w+)\)\s+(.*)$/.exec(line);
    if (m) out.push([m[1]!, m[2]!]);
  }
  return out;
}
