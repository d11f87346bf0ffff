// Byte views for format specifiers, as GhostScope's docs/scripting.md defines
// them: `{:x}` / `{:X}` print bytes as two-digit hex (lower / upper case)
// separated by one space; `{:s}` prints bytes as ASCII up to the first NUL,
// with anything outside 0x20..0x7e as `\xNN`; `{:p}` prints an address as
// `0x` + lowercase hex. A value cut short by the read cap gets ` <truncated>`.

/** `0a 00 00 00` ({:x}) or `0A 00 00 00` ({:X}). */
export function hexBytes(bytes: ArrayLike<number>, upper = false): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const h = bytes[i]!.toString(16).padStart(2, "0");
    out += (i ? " " : "") + (upper ? h.toUpperCase() : h);
  }
  return out;
}

/** ASCII up to the first NUL; other non-printables as `\xNN` (lowercase). */
export function asciiBytes(bytes: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c === 0) break;
    out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : "\\x" + c.toString(16).padStart(2, "0");
  }
  return out;
}

/** Whether `{:s}` stops inside these bytes (a NUL ends the string before the cap could cut it). */
export function hasNul(bytes: ArrayLike<number>): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0) return true;
  return false;
}

/** An address as `{:p}` prints it. */
export function addressText(a: bigint): string {
  return "0x" + BigInt.asUintN(64, a).toString(16);
}

/** Bytes under a conversion: hex for x/X, ASCII for s. */
export function bytesText(bytes: ArrayLike<number>, conversion: "x" | "X" | "s"): string {
  return conversion === "s" ? asciiBytes(bytes) : hexBytes(bytes, conversion === "X");
}

/** GhostScope's truncation marker: ` <truncated>` after the bytes (no leading space when there are none). */
export function markTruncated(text: string, truncated: boolean): string {
  if (!truncated) return text;
  return text ? `${text} <truncated>` : "<truncated>";
}

/** Little-endian bytes of an integer `size` bytes wide (two's complement). */
export function intBytes(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let u = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++, u >>= 8n) out[i] = Number(u & 0xffn);
  return out;
}

/** Unsigned little-endian integer of up to 8 bytes. */
export function readUnsigned(bytes: ArrayLike<number>, size = bytes.length): bigint {
  let v = 0n;
  for (let i = Math.min(size, bytes.length) - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}
