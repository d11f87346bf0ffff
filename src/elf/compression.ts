// Compressed debug sections.
//
// Two encodings exist in the wild:
//  - SHF_COMPRESSED (gABI): the section starts with an Elf64_Chdr giving the
//    algorithm (zlib or zstd) and the uncompressed size. This is what
//    `ld --compress-debug-sections=zlib|zstd` and `objcopy` produce today.
//  - Legacy GNU `.zdebug_*` sections: "ZLIB" + 8-byte big-endian size + zlib
//    stream. Old toolchains only, but cheap to support.
//
// Decompression is capped at the declared size (maxOutputLength) so a lying
// header cannot make us allocate more than it admits to, and the declared size
// itself is capped so it cannot ask for absurd amounts.

import { inflateSync, zstdDecompressSync } from "node:zlib";
import { readU64 } from "./bytes.ts";
import { ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD } from "./constants.ts";
import { ElfError, hex } from "./errors.ts";

export const CHDR_SIZE = 24;
/** Largest uncompressed section we agree to produce (1 GiB). */
export const MAX_DECOMPRESSED_SIZE = 1 << 30;

export interface CompressionHeader {
  /** ELFCOMPRESS_ZLIB or ELFCOMPRESS_ZSTD (others are rejected when decompressing). */
  type: number;
  /** Size of the uncompressed data. */
  size: number;
  /** Alignment of the uncompressed data. */
  addralign: number;
}

type Fail = (what: string) => ElfError;

export function parseCompressionHeader(raw: Uint8Array, fail: Fail): CompressionHeader {
  if (raw.length < CHDR_SIZE) throw fail(`compression header truncated (section is ${raw.length} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return { type: view.getUint32(0, true), size: readU64(view, 8), addralign: readU64(view, 16) };
}

/** Decompress an SHF_COMPRESSED section's raw bytes (Chdr + payload). */
export function decompressChdr(raw: Uint8Array, fail: Fail): Uint8Array {
  const chdr = parseCompressionHeader(raw, fail);
  const payload = raw.subarray(CHDR_SIZE);
  switch (chdr.type) {
    case ELFCOMPRESS_ZLIB:
      return inflate(payload, chdr.size, "zlib", fail);
    case ELFCOMPRESS_ZSTD:
      return inflate(payload, chdr.size, "zstd", fail);
    default:
      throw fail(`unknown compression type ${chdr.type} (expected 1 = zlib or 2 = zstd)`);
  }
}

/** True when a `.zdebug_*` section's bytes start with the legacy "ZLIB" magic. */
export function isLegacyZdebug(raw: Uint8Array): boolean {
  return raw.length >= 4 && raw[0] === 0x5a && raw[1] === 0x4c && raw[2] === 0x49 && raw[3] === 0x42;
}

/** Decompress a legacy `.zdebug_*` section: "ZLIB", u64 big-endian size, zlib stream. */
export function decompressZdebug(raw: Uint8Array, fail: Fail): Uint8Array {
  if (raw.length < 12) throw fail(`legacy ZLIB header truncated (section is ${raw.length} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = view.getUint32(4, false) * 0x1_0000_0000 + view.getUint32(8, false);
  return inflate(raw.subarray(12), size, "zlib", fail);
}

function inflate(payload: Uint8Array, size: number, algorithm: "zlib" | "zstd", fail: Fail): Uint8Array {
  if (size > MAX_DECOMPRESSED_SIZE) {
    throw fail(`declared uncompressed size ${hex(size)} exceeds the ${hex(MAX_DECOMPRESSED_SIZE)} limit`);
  }
  if (size === 0) return new Uint8Array(0);
  let out: Uint8Array;
  try {
    // maxOutputLength must be ≥ 1; a stream longer than declared fails here.
    out = algorithm === "zlib"
      ? inflateSync(payload, { maxOutputLength: size })
      : zstdDecompressSync(payload, { maxOutputLength: size });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw fail(`${algorithm} data does not decompress (${reason})`);
  }
  if (out.length !== size) {
    throw fail(`${algorithm} data decompresses to ${hex(out.length)} bytes, header says ${hex(size)}`);
  }
  // Return a plain Uint8Array view (Buffer is a subclass; callers need not know).
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
