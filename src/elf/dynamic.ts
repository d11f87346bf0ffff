// The dynamic section (Elf64_Dyn: 16-byte tag/value pairs up to DT_NULL):
// which libraries a module needs, its soname, and the flags that tell a PIE
// from a shared library.

import { readCString } from "./bytes.ts";
import type { ElfError } from "./errors.ts";
import { hex } from "./errors.ts";
import { DT_NULL } from "./constants.ts";

export const DYN_SIZE = 16;

export interface DynamicEntry {
  /** d_tag, e.g. DT_NEEDED. */
  tag: number;
  /** d_val / d_ptr. */
  value: number;
}

/** Decode entries up to (not including) DT_NULL, or to the end of the bytes. */
export function parseDynamic(bytes: Uint8Array): DynamicEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: DynamicEntry[] = [];
  for (let o = 0; o + DYN_SIZE <= bytes.length; o += DYN_SIZE) {
    const tag = view.getUint32(o, true) + view.getUint32(o + 4, true) * 0x1_0000_0000;
    if (tag === DT_NULL) break;
    entries.push({ tag, value: view.getUint32(o + 8, true) + view.getUint32(o + 12, true) * 0x1_0000_0000 });
  }
  return entries;
}

/** A dynamic string (DT_NEEDED, DT_SONAME, …) from the dynamic string table. */
export function dynamicString(strings: Uint8Array, offset: number, what: string, fail: (w: string) => ElfError): string {
  const s = readCString(strings, offset);
  if (s === undefined) throw fail(`${what} string offset ${hex(offset)} is outside the dynamic string table (size ${hex(strings.length)})`);
  return s;
}
