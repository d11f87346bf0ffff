// Links to separate debug information.
//
// .gnu_debuglink: the debug file's name (NUL-terminated, padded to 4 bytes)
// followed by the CRC-32 of the whole debug file, which debuggers check before
// trusting it. .gnu_debugaltlink (dwz): the supplementary file's name followed
// by its build-id.

import { toHex } from "./notes.ts";
import type { ElfError } from "./errors.ts";

export interface DebugLink {
  fileName: string;
  /** CRC-32 of the debug file's contents (see crc32). */
  crc: number;
}

export interface DebugAltLink {
  fileName: string;
  /** Build-id of the supplementary debug file, as lowercase hex. */
  buildId: string;
}

const utf8 = new TextDecoder("utf-8");

export function parseDebugLink(bytes: Uint8Array, fail: (what: string) => ElfError): DebugLink {
  const nul = bytes.indexOf(0);
  if (nul < 0) throw fail(".gnu_debuglink has no NUL-terminated file name");
  const crcOffset = (nul + 4) & ~3; // name + NUL, padded to 4
  if (crcOffset + 4 > bytes.length) throw fail(`.gnu_debuglink is ${bytes.length} bytes, too short for its CRC`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { fileName: utf8.decode(bytes.subarray(0, nul)), crc: view.getUint32(crcOffset, true) };
}

export function parseDebugAltLink(bytes: Uint8Array, fail: (what: string) => ElfError): DebugAltLink {
  const nul = bytes.indexOf(0);
  if (nul < 0) throw fail(".gnu_debugaltlink has no NUL-terminated file name");
  return { fileName: utf8.decode(bytes.subarray(0, nul)), buildId: toHex(bytes.subarray(nul + 1)) };
}

// CRC-32 as .gnu_debuglink uses it: the reflected IEEE 802.3 polynomial
// (0xEDB88320), initial value and final xor 0xFFFFFFFF — the same function as
// zlib's crc32, so `crc32(readFileSync(debugFile))` is what to compare.
let table: Uint32Array | undefined;
function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of `bytes`. Pass a previous result as `crc` to continue over data
 * fed in pieces: crc32(b, crc32(a)) === crc32(a ++ b).
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTable();
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
