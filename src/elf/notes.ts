// ELF notes (SHT_NOTE sections, PT_NOTE segments): a sequence of
// { namesz, descsz, type, name (padded), desc (padded) } records. The build-id
// (owner "GNU", type NT_GNU_BUILD_ID) is how a binary is matched to its
// separate debug file and how a module is identified across processes.

import { hex } from "./errors.ts";
import type { ElfError } from "./errors.ts";

export interface ElfNote {
  /** Owner name without its terminating NUL, e.g. "GNU". */
  name: string;
  type: number;
  /** Zero-copy view of the descriptor bytes. */
  desc: Uint8Array;
}

const latin1 = new TextDecoder("latin1");

/**
 * Parse a note area. `align` is the area's alignment: 8-byte notes exist
 * (e.g. .note.gnu.property on x86-64); everything else pads to 4.
 */
export function parseNotes(bytes: Uint8Array, align: number, fail: (what: string) => ElfError): ElfNote[] {
  const pad = align === 8 ? 8 : 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notes: ElfNote[] = [];
  let off = 0;
  // Each iteration consumes at least 12 bytes, so this terminates.
  while (off + 12 <= bytes.length) {
    const namesz = view.getUint32(off, true);
    const descsz = view.getUint32(off + 4, true);
    const type = view.getUint32(off + 8, true);
    const nameStart = off + 12;
    // Padding aligns the descriptor and the next note relative to the area's
    // start (the 12-byte header counts), which matters for 8-byte notes.
    const descStart = off + roundUp(12 + namesz, pad);
    const end = descStart + roundUp(descsz, pad);
    if (descStart + descsz > bytes.length) {
      throw fail(`note at ${hex(off)} (name ${namesz} bytes, descriptor ${descsz} bytes) runs past the end of its note area`);
    }
    let nameEnd = nameStart + namesz;
    if (namesz > 0 && bytes[nameEnd - 1] === 0) nameEnd--;
    notes.push({ name: latin1.decode(bytes.subarray(nameStart, nameEnd)), type, desc: bytes.subarray(descStart, descStart + descsz) });
    off = end;
  }
  return notes;
}

function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
