// Floating-point values as gdb prints them.
//
// gdb formats a float with the host's printf "%.Ng", where N is the number
// of decimal digits that always round-trip the format plus one:
// floor(mantissa bits × log10 2) + 2 — 9 for float, 17 for double, 21 for
// the x87 80-bit long double, 36 for _Float128, 5 for _Float16. Infinities
// are `inf`/`-inf`, NaNs `nan(0xMANTISSA)` with their raw mantissa field in
// hex (`-nan(…)` when the sign bit is set), and x87 encodings the FPU itself
// rejects (a clear integer bit with a non-zero exponent) `<invalid float value>`.
//
// "%.Ng" is done exactly here (BigInt arithmetic on the binary value, ties
// to even, as glibc does), so results do not depend on JavaScript's own
// double formatting and long doubles keep all their digits.

export interface FloatFormat {
  /** Exponent field width. */
  expBits: number;
  /** Stored mantissa field width (for x87, including the explicit integer bit). */
  mantBits: number;
  /** x87 extended: the integer bit is stored, not implied. */
  explicitInt: boolean;
  /** Storage size in bytes that holds the encoding (x87: 10 of the 16). */
  bytes: number;
}

export const BINARY16: FloatFormat = { expBits: 5, mantBits: 10, explicitInt: false, bytes: 2 };
export const BINARY32: FloatFormat = { expBits: 8, mantBits: 23, explicitInt: false, bytes: 4 };
export const BINARY64: FloatFormat = { expBits: 11, mantBits: 52, explicitInt: false, bytes: 8 };
export const X87_EXTENDED: FloatFormat = { expBits: 15, mantBits: 64, explicitInt: true, bytes: 10 };
export const BINARY128: FloatFormat = { expBits: 15, mantBits: 112, explicitInt: false, bytes: 16 };

/** The format gdb (x86-64) uses for a DW_ATE_float base type of this size and name. */
export function floatFormatFor(size: number, name: string): FloatFormat | undefined {
  switch (size) {
    case 2:
      return BINARY16;
    case 4:
      return BINARY32;
    case 8:
      return BINARY64;
    case 10:
      return X87_EXTENDED;
    case 12:
    case 16:
      return /float128|_Float128|__ieee128|_Float64x/.test(name) && !/long double/.test(name) ? BINARY128 : X87_EXTENDED;
    default:
      return undefined;
  }
}

/** Little-endian unsigned integer of `n` bytes at `off`. */
function readLE(bytes: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i] ?? 0);
  return v;
}

/** Decimal digits gdb prints for a format: "%.{N}g". */
export function floatPrecision(f: FloatFormat): number {
  const significand = f.mantBits + (f.explicitInt ? 0 : 1);
  return Math.floor(significand * 0.30103) + 2;
}

export type DecodedFloat =
  | { kind: "finite"; negative: boolean; mantissa: bigint; exp2: number }
  | { kind: "inf"; negative: boolean }
  | { kind: "nan"; negative: boolean; payload: bigint }
  | { kind: "invalid" };

/** Split an encoding into sign, integer mantissa and binary exponent: value = ±mantissa × 2^exp2. */
export function decodeFloat(bytes: Uint8Array, off: number, f: FloatFormat): DecodedFloat {
  const raw = readLE(bytes, off, f.bytes);
  const total = BigInt(f.expBits + f.mantBits + 1);
  const negative = ((raw >> (total - 1n)) & 1n) === 1n;
  const exp = Number((raw >> BigInt(f.mantBits)) & ((1n << BigInt(f.expBits)) - 1n));
  const mant = raw & ((1n << BigInt(f.mantBits)) - 1n);
  const maxExp = (1 << f.expBits) - 1;
  const bias = (1 << (f.expBits - 1)) - 1;
  if (f.explicitInt) {
    const intBit = (mant >> BigInt(f.mantBits - 1)) & 1n;
    if (exp !== 0 && intBit === 0n) return { kind: "invalid" };
    if (exp === maxExp) {
      const fraction = mant & ((1n << BigInt(f.mantBits - 1)) - 1n);
      return fraction === 0n ? { kind: "inf", negative } : { kind: "nan", negative, payload: mant };
    }
    return { kind: "finite", negative, mantissa: mant, exp2: (exp === 0 ? 1 : exp) - bias - (f.mantBits - 1) };
  }
  if (exp === maxExp) return mant === 0n ? { kind: "inf", negative } : { kind: "nan", negative, payload: mant };
  if (exp === 0) return { kind: "finite", negative, mantissa: mant, exp2: 1 - bias - f.mantBits };
  return { kind: "finite", negative, mantissa: mant | (1n << BigInt(f.mantBits)), exp2: exp - bias - f.mantBits };
}

/** gdb's text for a float encoding at `off`. */
export function formatFloat(bytes: Uint8Array, off: number, f: FloatFormat): string {
  const d = decodeFloat(bytes, off, f);
  switch (d.kind) {
    case "invalid":
      return "<invalid float value>";
    case "inf":
      return d.negative ? "-inf" : "inf";
    case "nan":
      return `${d.negative ? "-" : ""}nan(0x${d.payload.toString(16)})`;
    case "finite":
      return formatG(d.negative, d.mantissa, d.exp2, floatPrecision(f));
  }
}

const POW10: bigint[] = [1n];
function pow10(n: number): bigint {
  while (POW10.length <= n) POW10.push(POW10[POW10.length - 1]! * 10n);
  return POW10[n]!;
}

/** Is mantissa × 2^exp2 ≥ 10^x? (exact) */
function atLeastPow10(mantissa: bigint, exp2: number, x: number): boolean {
  let num = mantissa;
  let den = 1n;
  if (exp2 >= 0) num <<= BigInt(exp2);
  else den <<= BigInt(-exp2);
  if (x >= 0) den *= pow10(x);
  else num *= pow10(-x);
  return num >= den;
}

/** round(mantissa × 2^exp2 × 10^scale), ties to even. */
function scaledRound(mantissa: bigint, exp2: number, scale: number): bigint {
  let num = mantissa;
  let den = 1n;
  if (exp2 >= 0) num <<= BigInt(exp2);
  else den <<= BigInt(-exp2);
  if (scale >= 0) num *= pow10(scale);
  else den *= pow10(-scale);
  const q = num / den;
  const r2 = (num % den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** C's printf("%.{precision}g") of ±mantissa × 2^exp2, computed exactly. */
export function formatG(negative: boolean, mantissa: bigint, exp2: number, precision: number): string {
  const sign = negative ? "-" : "";
  const p = Math.max(precision, 1);
  if (mantissa === 0n) return sign + "0";
  // Decimal exponent estimate from the bit length, then corrected exactly.
  const bits = mantissa.toString(2).length;
  let x = Math.floor((bits - 1 + exp2) * Math.LOG10E * Math.LN2);
  while (!atLeastPow10(mantissa, exp2, x)) x--;
  while (atLeastPow10(mantissa, exp2, x + 1)) x++;
  let digits = scaledRound(mantissa, exp2, p - 1 - x);
  if (digits >= pow10(p)) {
    // Rounding carried into a new digit (9.99… → 10.0…).
    digits /= 10n;
    x++;
  }
  let s = digits.toString().padStart(p, "0");
  if (x < -4 || x >= p) {
    // Exponential style: d.ddd…e±XX, trailing zeros removed.
    const frac = s.slice(1).replace(/0+$/, "");
    const e = Math.abs(x).toString().padStart(2, "0");
    return `${sign}${s[0]}${frac ? "." + frac : ""}e${x < 0 ? "-" : "+"}${e}`;
  }
  // Fixed style with p - 1 - x fraction digits, trailing zeros removed.
  if (x >= 0) {
    const int = s.slice(0, x + 1);
    const frac = s.slice(x + 1).replace(/0+$/, "");
    return `${sign}${int}${frac ? "." + frac : ""}`;
  }
  s = "0".repeat(-x - 1) + s;
  const frac = s.replace(/0+$/, "");
  return `${sign}0.${frac}`;
}

/** A float encoding as a JavaScript number (exact for binary16/32/64; rounded for wider formats), or a string for inf/nan/invalid. */
export function floatToNumber(bytes: Uint8Array, off: number, f: FloatFormat): number | string {
  const d = decodeFloat(bytes, off, f);
  switch (d.kind) {
    case "invalid":
      return "invalid";
    case "inf":
      return d.negative ? "-inf" : "inf";
    case "nan":
      return d.negative ? "-nan" : "nan";
    case "finite": {
      const v = Number(d.mantissa) * 2 ** d.exp2;
      // Multiply in two steps when 2^exp2 alone underflows or overflows a double.
      const safe = Number.isFinite(v) && (v !== 0 || d.mantissa === 0n) ? v : Number(d.mantissa) * 2 ** Math.ceil(d.exp2 / 2) * 2 ** Math.floor(d.exp2 / 2);
      return d.negative ? -safe : safe;
    }
  }
}

/** Whether a finite encoding converts to a double without loss (then JSON can carry it as a number). */
export function floatExactAsNumber(bytes: Uint8Array, off: number, f: FloatFormat): boolean {
  const d = decodeFloat(bytes, off, f);
  if (d.kind !== "finite") return false;
  const n = floatToNumber(bytes, off, f);
  if (typeof n !== "number" || !Number.isFinite(n)) return false;
  // Re-derive the exact rational and compare to the double's.
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, Math.abs(n), true);
  const back = decodeFloat(b, 0, BINARY64);
  if (back.kind !== "finite") return false;
  return sameRational(d.mantissa, d.exp2, back.mantissa, back.exp2);
}

function sameRational(m1: bigint, e1: number, m2: bigint, e2: number): boolean {
  if (m1 === 0n || m2 === 0n) return m1 === m2;
  const e = Math.min(e1, e2);
  return m1 << BigInt(e1 - e) === m2 << BigInt(e2 - e);
}
