// A C value's captured bytes + its DWARF type → the text gdb's `print`
// shows (gdb 13, default print settings, `set print pretty off`, LC_ALL=C),
// and → typed JSON.
//
// API
//
//   formatValue(v, opts?) → string   what gdb prints after "$1 = "
//   jsonValue(v) → unknown           typed JSON (see below)
//
//   CapturedValue = {
//     type       the value's CType (src/dwarf/types)
//     status     "ok" | "nullPointer" | "readError" | "optimizedOut" | "offsetsUnavailable" | "truncated"
//     bytes      the object's bytes as read; shorter than sizeof when a read cap cut it
//     address?   where the object lives (gdb prints flexible/zero-length array members as their address)
//     errorAddress?  the faulting address for readError / nullPointer
//     pointees?  extra reads keyed by member path: "" = the value itself, ".name", "[2]",
//                ".a.b[1].c" (anonymous struct/union members add nothing to the path:
//                their fields are reached as in C). For a pointer to a character type,
//                the bytes read at the pointer (up to a NUL, or cut at a cap: set
//                `truncated`); for a flexible `char x[]` member, the bytes at its address;
//                for a top-level C++ reference, the referent's bytes.
//   }
//   opts = { language?: "c" | "c++", maxDepth?: number (default 8, gdb's `print max-depth`),
//            symbolize?: (address) => "sym" | "sym+off" | undefined  (gdb's `<sym+off>` after pointers) }
//
// What is printed, as gdb does:
//   integers in decimal at every width (128-bit too); 1-byte integer types (char, signed/
//   unsigned char, int8_t, uint8_t…) as `65 'A'`; wchar_t/char16_t/char32_t as `65 L'A'`;
//   bool as true/false (other values as numbers); enums by enumerator name, unknown values
//   as numbers, and "flag" enums (every enumerator ≥ 0 with at most one bit set) as
//   `(A | B)` / `(A | unknown: 0x8)` / `0`; floats as "%.Ng" (value-float.ts); pointers
//   as `0x…` plus ` <sym>` when `symbolize` knows the address, prefixed `(type *) ` at the
//   top level except for plain `char *`; pointers to character types followed by the
//   string (value-chars.ts; `<read error at 0x…>` where gdb says `<error: Cannot access
//   memory at address 0x…>`); char arrays as strings (one trailing NUL dropped); arrays as
//   `{1, 2, 3}` with runs of more than 10 equal elements folded into `x <repeats N times>`
//   and at most 200 elements per array, then `...`; structs and unions as
//   `{a = 1, {anon = 2}, b = {…}}`, `{<No data fields>}` when empty; bitfields by value;
//   function pointers as `0x401136 <tick>`; aggregates deeper than maxDepth as `{...}`.
//   C++: base classes as `{<Base> = {…}, d = 2}`, `enum class` enumerators qualified
//   (`Mode::On`), references as `(int &) @0x…: 5` at the top level (the referent's bytes
//   are pointees[""]) and `@0x…` inside aggregates, decltype(nullptr) as `0`. Static data
//   members where gdb puts them (`set print static-members on`): `static n = 2`, each read
//   as its own object (`statics`, keyed by staticMemberKey), `<optimized out>` when only
//   declared, and a static of a class already being shown as gdb's `<same as static
//   member of an already seen type>`; `<not read>` when the probe did not read it.
//
// Failures (our wording, never a made-up value):
//   <optimized out>   <read error at 0x10>   <null>   <offsets unavailable>
//   Truncation (bytes shorter than the type): the parts that were read print normally; the
//   first member/element the cut reaches prints its own partial text (a scalar, or
//   nothing at all: `<truncated>`), and any members/elements after it become `...`:
//     {a = 1, b = <truncated>, ...}     {1, 2, <truncated>...}     "abc"... <truncated>
//   A string cut by a cap before gdb's 200-character limit reads `"abc"... <truncated>`.
//
// JSON (jsonValue): integers as numbers, beyond ±2^53 as decimal strings; chars as numbers;
//   bool as true/false; floats as numbers (inf/nan as strings; long double as a number
//   only when a double holds it exactly, else gdb's text); enums as {value, name} or
//   {value, flags: [...], unknown?} or {value}; pointers as "0x…" strings; pointers to
//   characters as {address, string?, truncated?, error?}; char arrays as the string up to
//   the first NUL; other arrays as arrays; structs/unions as objects (anonymous members'
//   fields merged in); failures as {"error": "optimized_out" | "read_error" |
//   "null_pointer" | "offsets_unavailable" | "truncated", address?}.

import { DW_ATE } from "../dwarf/constants.ts";
import { type ArrayType, type CType, type EnumType, languageOf, type Member, type StructType, sizeOf, staticMemberKey, stripTypedefs, typeName } from "../dwarf/types/index.ts";
import { charLiteral, formatString, PRINT_MAX, REPEAT_THRESHOLD } from "./value-chars.ts";
import { floatExactAsNumber, floatFormatFor, floatToNumber, formatFloat } from "./value-float.ts";

export type ValueStatus = "ok" | "nullPointer" | "readError" | "optimizedOut" | "offsetsUnavailable" | "truncated";

export interface Pointee {
  status: ValueStatus;
  bytes: Uint8Array;
  /** The read stopped at a cap before a NUL was found. */
  truncated?: boolean;
  errorAddress?: bigint;
  /** A C++ reference's referent read as an object: its own pointees (strings of its `char *` members). */
  pointees?: Map<string, Pointee>;
}

export interface CapturedValue {
  type: CType;
  status: ValueStatus;
  /** The object's bytes as read (may be shorter than sizeof when truncated by a cap). */
  bytes: Uint8Array;
  /** The object's address, when known. */
  address?: bigint;
  /** For readError / nullPointer. */
  errorAddress?: bigint;
  /** Extra reads the tracer made for pointees, keyed by member path (see the file header). */
  pointees?: Map<string, Pointee>;
  /** C++ static data members shown inside the value, each its own object, by staticMemberKey. */
  statics?: Map<string, CapturedValue>;
  /** Why the probe could not read it (a static member no uprobe can reach). */
  reason?: string;
}

export interface FormatOptions {
  language?: "c" | "c++";
  /** Aggregates nested deeper than this print as `{...}` (gdb's `print max-depth`). Default 8. */
  maxDepth?: number;
  /** A symbol for an address: "main", "g_arr+8"; printed as ` <…>` after pointer values. */
  symbolize?: (address: bigint) => string | undefined;
}

export const DEFAULT_MAX_DEPTH = 8;
const MAX_CHAIN = 64;

// ---- shared helpers ----------------------------------------------------------------------------

function readLE(bytes: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
  return v;
}

function hex(a: bigint): string {
  return "0x" + a.toString(16);
}

function statusText(status: ValueStatus, errorAddress?: bigint): string {
  switch (status) {
    case "optimizedOut":
      return "<optimized out>";
    case "readError":
      return errorAddress === undefined ? "<read error>" : `<read error at ${hex(errorAddress)}>`;
    case "nullPointer":
      return "<null>";
    case "offsetsUnavailable":
      return "<offsets unavailable>";
    case "truncated":
      return "<truncated>";
    case "ok":
      return "";
  }
}

/** Peel qualifiers only (gdb's cv-variants share the name and code of their type). */
function peelQualifiers(t: CType): CType {
  for (let i = 0; i < MAX_CHAIN && t.kind === "qualified"; i++) t = t.target;
  return t;
}

function isSignedBase(t: CType): boolean {
  const s = stripTypedefs(t);
  if (s.kind === "base") return s.encoding === DW_ATE.signed || s.encoding === DW_ATE.signed_char;
  if (s.kind === "enum") return enumIsSigned(s);
  return false;
}

function enumIsSigned(e: EnumType): boolean {
  if (e.underlying) {
    const u = stripTypedefs(e.underlying);
    if (u.kind === "base") return u.encoding === DW_ATE.signed || u.encoding === DW_ATE.signed_char;
  }
  return e.enumerators.some((x) => x.value < 0n);
}

function enumSize(e: EnumType): number {
  return e.size ?? (e.underlying ? (sizeOf(e.underlying) ?? 4) : 4);
}

/** Character classes gdb prints as characters: its c_textual_element_type. */
type CharKind = { prefix: string; width: number; signed: boolean };

function textualKind(t: CType): CharKind | undefined {
  // Typedef names gdb recognises on the way down: wchar_t, char16_t, char32_t.
  let cur = t;
  let prefix: string | undefined;
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (cur.kind === "typedef") {
      if (prefix === undefined) {
        if (cur.name === "wchar_t") prefix = "L";
        else if (cur.name === "char16_t") prefix = "u";
        else if (cur.name === "char32_t") prefix = "U";
      }
      cur = cur.target;
    } else if (cur.kind === "qualified") cur = cur.target;
    else break;
  }
  if (cur.kind !== "base") return undefined;
  const signed = cur.encoding === DW_ATE.signed || cur.encoding === DW_ATE.signed_char;
  if (prefix !== undefined && (cur.encoding === DW_ATE.signed || cur.encoding === DW_ATE.unsigned || cur.encoding === DW_ATE.signed_char || cur.encoding === DW_ATE.unsigned_char || cur.encoding === DW_ATE.UTF))
    return { prefix, width: cur.size, signed };
  if (cur.encoding === DW_ATE.UTF) return { prefix: cur.size === 1 ? "u8" : cur.size === 2 ? "u" : "U", width: cur.size, signed: false };
  if (cur.size === 1 && (cur.encoding === DW_ATE.signed || cur.encoding === DW_ATE.unsigned || cur.encoding === DW_ATE.signed_char || cur.encoding === DW_ATE.unsigned_char))
    return { prefix: "", width: 1, signed };
  return undefined;
}

function popcount(v: bigint): number {
  let n = 0;
  for (; v > 0n; v &= v - 1n) n++;
  return n;
}

export function isFlagEnum(e: EnumType): boolean {
  return e.enumerators.every((x) => x.value >= 0n && popcount(x.value) <= 1);
}

interface EnumParts {
  name?: string;
  flags?: string[];
  unknown?: bigint;
}

/** An enumerator as gdb names it: C++ `enum class` enumerators are qualified (`Mode::On`). */
function enumeratorName(e: EnumType, name: string): string {
  if (!e.scoped) return name;
  const scope = e.die?.qualifiedName() ?? e.name;
  return scope ? `${scope}::${name}` : name;
}

function enumParts(e: EnumType, value: bigint, size: number): EnumParts {
  const exact = e.enumerators.find((x) => x.value === value);
  if (exact) return { name: enumeratorName(e, exact.name) };
  if (!isFlagEnum(e)) return {};
  let rest = value < 0n ? BigInt.asUintN(size * 8, value) : value;
  const flags: string[] = [];
  for (const x of e.enumerators) {
    if ((rest & x.value) !== 0n) {
      flags.push(enumeratorName(e, x.name));
      rest &= ~x.value;
    }
  }
  return { flags, unknown: rest !== 0n ? rest : undefined };
}

function enumText(e: EnumType, value: bigint, size: number): string {
  const p = enumParts(e, value, size);
  if (p.name !== undefined) return p.name;
  if (!p.flags) return value.toString();
  if (p.flags.length === 0 && p.unknown === undefined) return "0";
  const items = [...p.flags];
  if (p.unknown !== undefined) items.push(`unknown: ${hex(p.unknown)}`);
  return `(${items.join(" | ")})`;
}

/** Bits [bitOffset, bitOffset+bitSize) of `bytes` from `base` (little-endian), as an integer. */
function extractBits(bytes: Uint8Array, base: number, bitOffset: number, bitSize: number, signed: boolean): bigint | undefined {
  const first = base + Math.floor(bitOffset / 8);
  const last = base + Math.floor((bitOffset + bitSize - 1) / 8);
  if (last >= bytes.length) return undefined;
  const raw = readLE(bytes, first, last - first + 1) >> BigInt(bitOffset % 8);
  const v = BigInt.asUintN(bitSize, raw);
  return signed ? BigInt.asIntN(bitSize, v) : v;
}

function isAggregate(t: CType): boolean {
  const s = stripTypedefs(t);
  return s.kind === "struct" || (s.kind === "array" && !textualKind(s.element));
}

function dataMembers(s: StructType): Member[] {
  return s.members.filter((m) => !m.isStatic);
}

function arrayCount(a: ArrayType, available: number): number | undefined {
  if (a.count !== undefined) return a.count;
  if (!a.variableLength) return undefined;
  const es = sizeOf(a.element);
  return es ? Math.floor(available / es) : undefined;
}

// ---- text ---------------------------------------------------------------------------------------

/** What the printers of one value share: its static members, and those shown so far (gdb's dont_print_statmem). */
interface StaticsShown {
  statics?: Map<string, CapturedValue>;
  seen: string[];
}

class Printer {
  readonly maxDepth: number;
  truncated = false;

  constructor(
    readonly v: CapturedValue,
    readonly opts: FormatOptions,
    readonly shown: StaticsShown = { statics: v.statics, seen: [] },
  ) {
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  private sym(addr: bigint): string {
    if (addr === 0n || !this.opts.symbolize) return "";
    const s = this.opts.symbolize(addr);
    return s ? ` <${s}>` : "";
  }

  /** The value of type `t` whose bytes start at `off` in the captured bytes. */
  value(t: CType, off: number, path: string, recurse: number, top: boolean): string {
    const bytes = this.v.bytes;
    const s = stripTypedefs(t);
    const size = sizeOf(t);
    const complete = size !== undefined && off + size <= bytes.length;
    switch (s.kind) {
      case "struct":
        return this.struct(s, off, path, recurse);
      case "array":
        return this.array(s, off, path, recurse);
      case "void":
        return "<void>";
      case "function":
        return "{" + typeName(t, { language: this.opts.language }) + "}";
      case "unspecified": {
        // decltype(nullptr): gdb prints the integer. DWARF gives it no size: use what was read.
        const n = Math.min(size ?? bytes.length - off, 8);
        return n > 0 ? readLE(bytes, off, n).toString() : "<unknown type>";
      }
      case "unknown":
        return "<unknown type>";
      default:
        break;
    }
    if (!complete) {
      this.truncated = true;
      return "<truncated>";
    }
    switch (s.kind) {
      case "base":
        return this.base(t, s.encoding, s.name, s.size, off);
      case "enum": {
        const n = enumSize(s);
        const raw = readLE(bytes, off, n);
        const val = enumIsSigned(s) ? BigInt.asIntN(n * 8, raw) : raw;
        return enumText(s, val, n);
      }
      case "pointer":
        return this.pointer(t, s.size, s.target, off, path, top);
      case "reference": {
        const addr = readLE(bytes, off, s.size);
        const prefix = top ? `(${typeName(t, { language: this.opts.language })}) ` : "";
        // gdb shows what a reference refers to only at the top level; members show `@0x…`.
        const p = top ? this.v.pointees?.get(path) : undefined;
        let referent = "";
        if (p) {
          const sub = new Printer({ type: s.target, status: p.status, bytes: p.bytes, errorAddress: p.errorAddress, pointees: p.pointees }, this.opts, this.shown);
          referent = ": " + sub.top(recurse);
        }
        return `${prefix}@${hex(addr)}${referent}`;
      }
      case "ptrmem":
        return this.raw(off, size!);
      default:
        return "<unknown type>";
    }
  }

  /** The whole captured value, honouring its status. */
  top(recurse = 0): string {
    const v = this.v;
    if (v.status !== "ok" && v.status !== "truncated") return statusText(v.status, v.errorAddress);
    const text = this.value(v.type, 0, "", recurse, recurse === 0);
    if (v.status === "truncated" && !this.truncated && !text.endsWith("<truncated>")) return text + " <truncated>";
    return text;
  }

  private raw(off: number, size: number): string {
    return hex(readLE(this.v.bytes, off, size));
  }

  /** An integer/char/bool value already extracted (from bytes or bits), printed by its type. */
  scalarFromInt(t: CType, val: bigint): string {
    const s = stripTypedefs(t);
    if (s.kind === "enum") return enumText(s, val, enumSize(s));
    if (s.kind === "base" && s.encoding === DW_ATE.boolean) return val === 0n ? "false" : val === 1n ? "true" : val.toString();
    const ck = textualKind(t);
    if (ck) return `${val} ${charLiteral(Number(BigInt.asUintN(ck.width * 8, val)), ck.prefix)}`;
    return val.toString();
  }

  private base(t: CType, encoding: number, name: string, size: number, off: number): string {
    const bytes = this.v.bytes;
    switch (encoding) {
      case DW_ATE.float: {
        const f = floatFormatFor(size, name);
        return f ? formatFloat(bytes, off, f) : this.raw(off, size);
      }
      case DW_ATE.complex_float: {
        const half = size / 2;
        const f = floatFormatFor(half, name.replace(/complex/, "").trim());
        if (!f) return this.raw(off, size);
        return `${formatFloat(bytes, off, f)} + ${formatFloat(bytes, off + half, f)}i`;
      }
      case DW_ATE.boolean:
      case DW_ATE.signed:
      case DW_ATE.signed_char:
      case DW_ATE.unsigned:
      case DW_ATE.unsigned_char:
      case DW_ATE.UTF: {
        const raw = readLE(bytes, off, size);
        const signed = encoding === DW_ATE.signed || encoding === DW_ATE.signed_char;
        return this.scalarFromInt(t, signed ? BigInt.asIntN(size * 8, raw) : raw);
      }
      case DW_ATE.address:
        return this.raw(off, size);
      default:
        return this.raw(off, size);
    }
  }

  private pointer(t: CType, size: number, target: CType, off: number, path: string, top: boolean): string {
    const addr = readLE(this.v.bytes, off, size);
    let prefix = "";
    if (top) {
      const outer = peelQualifiers(t);
      // gdb leaves the type out for an unnamed pointer to (cv-)char, wchar_t, char16_t or char32_t.
      const tgt = outer.kind === "pointer" ? peelQualifiers(outer.target) : undefined;
      const tname = tgt?.kind === "base" || tgt?.kind === "typedef" ? tgt.name : undefined;
      const plainChar = tname === "char" || tname === "wchar_t" || tname === "char16_t" || tname === "char32_t";
      if (!plainChar) prefix = `(${typeName(t, { language: this.opts.language })}) `;
    }
    const text = hex(addr) + this.sym(addr);
    if (stripTypedefs(target).kind === "function") return prefix + text;
    const ck = textualKind(target);
    if (!ck || addr === 0n) return prefix + text;
    const p = this.v.pointees?.get(path);
    if (!p) return prefix + text;
    return `${prefix}${text} ${this.pointedString(p, ck)}`;
  }

  /** The string read at a character pointer, as gdb's val_print_string shows it. */
  private pointedString(p: Pointee, ck: CharKind): string {
    if (p.status === "optimizedOut" || p.status === "offsetsUnavailable" || p.status === "nullPointer") return statusText(p.status, p.errorAddress);
    const units = toUnits(p.bytes, ck.width);
    const nul = units.indexOf(0);
    const limit = PRINT_MAX;
    if (nul >= 0 && nul <= limit) return formatString(units.slice(0, nul), { prefix: ck.prefix });
    const failed = p.status === "readError";
    if (units.length > limit) {
      // gdb fetched `limit` characters without a NUL and peeked at the next one.
      const more = units[limit] !== 0;
      return formatString(units.slice(0, limit), { prefix: ck.prefix, ellipsis: more });
    }
    if (failed) {
      const err = statusText("readError", p.errorAddress);
      return units.length === 0 ? err : formatString(units, { prefix: ck.prefix }) + err;
    }
    // The read stopped (at a cap) before a NUL: more characters may follow.
    this.truncated = true;
    return formatString(units, { prefix: ck.prefix, ellipsis: true }) + " <truncated>";
  }

  private depthExceeded(recurse: number): boolean {
    return recurse >= this.maxDepth;
  }

  /** `inStatic`: the value of a static member, whose own statics stay counted as seen (gdb's dont_print_statmem = 1). */
  private struct(s: StructType, off: number, path: string, recurse: number, inStatic = false): string {
    if (s.incomplete) return "<incomplete type>";
    if (this.depthExceeded(recurse)) return "{...}";
    const seenBefore = this.shown.seen.length;
    const text = this.structFields(s, off, path, recurse);
    // Statics shown inside an ordinary value are forgotten after it (gdb pops them), so siblings show them again.
    if (!inStatic) this.shown.seen.length = seenBefore;
    return text;
  }

  private structFields(s: StructType, off: number, path: string, recurse: number): string {
    const bytes = this.v.bytes;
    const items: string[] = [];
    let cut = false;
    for (const b of s.bases) {
      if (b.bitOffset === undefined) continue;
      const bt = stripTypedefs(b.type);
      const name = bt.kind === "struct" ? (bt.name ?? "") : typeName(b.type, { language: this.opts.language });
      const boff = off + b.bitOffset / 8;
      const bsize = sizeOf(b.type) ?? 0;
      if (boff + bsize > bytes.length) {
        cut = true;
        this.truncated = true;
        items.push(`<${name}> = ${this.value(b.type, boff, path, recurse + 1, false)}`);
        break;
      }
      items.push(`<${name}> = ${this.value(b.type, boff, path, recurse + 1, false)}`);
    }
    const members = s.members;
    let i = 0;
    for (; !cut && i < members.length; i++) {
      const m = members[i]!;
      if (m.isStatic) {
        items.push(`static ${m.name ?? ""} = ${this.staticMember(s, m, recurse)}`);
        continue;
      }
      const label = m.name !== undefined ? `${m.name} = ` : "";
      const mpath = m.name !== undefined ? `${path}.${m.name}` : path;
      if (m.bitOffset === undefined) {
        items.push(label + "<unknown offset>");
        continue;
      }
      if (m.bitSize !== undefined) {
        const v = extractBits(bytes, off, m.bitOffset, m.bitSize, isSignedBase(m.type));
        if (v === undefined) {
          cut = true;
          this.truncated = true;
          items.push(label + "<truncated>");
        } else items.push(label + this.scalarFromInt(m.type, v));
        continue;
      }
      const moff = off + Math.floor(m.bitOffset / 8);
      const mt = stripTypedefs(m.type);
      if (mt.kind === "array" && (mt.count === undefined || mt.count === 0) && !mt.variableLength) {
        items.push(label + this.flexibleArray(mt, moff, mpath));
        continue;
      }
      const msize = sizeOf(m.type);
      if (msize === undefined || moff + msize > bytes.length) {
        cut = true;
        this.truncated = true;
        items.push(label + this.value(m.type, moff, mpath, recurse + 1, false));
        continue;
      }
      items.push(label + this.value(m.type, moff, mpath, recurse + 1, false));
    }
    if (cut && i < members.length) items.push("...");
    if (items.length === 0) return "{<No data fields>}";
    return `{${items.join(", ")}}`;
  }

  /** A static data member: its own object, printed as gdb's cp_print_static_field does. */
  private staticMember(s: StructType, m: Member, recurse: number): string {
    const key = staticMemberKey(s, m);
    const sv = this.shown.statics?.get(key);
    if (!sv) return "<not read>";
    if (sv.reason) return `<unavailable: ${sv.reason}>`;
    if (sv.status !== "ok" && sv.status !== "truncated") return statusText(sv.status, sv.errorAddress);
    const t = stripTypedefs(sv.type);
    const sub = new Printer(sv, this.opts, this.shown);
    if (t.kind === "struct" || t.kind === "array") {
      // A static of a class already being shown (itself, or through a static array of it): gdb stops there.
      if (this.shown.seen.includes(key)) return "<same as static member of an already seen type>";
      this.shown.seen.push(key);
      if (t.kind === "struct") return sub.struct(t, 0, "", recurse + 1, true);
    }
    return sub.value(sv.type, 0, "", recurse + 1, false);
  }

  /** gdb prints a flexible (or zero-length) array member as the address it starts at. */
  private flexibleArray(a: ArrayType, moff: number, path: string): string {
    if (this.v.address === undefined) return "<unknown address>";
    const addr = this.v.address + BigInt(moff);
    let text = hex(addr) + this.sym(addr);
    const ck = textualKind(a.element);
    const p = this.v.pointees?.get(path);
    if (ck && p) text += " " + this.pointedString(p, ck);
    return text;
  }

  private array(a: ArrayType, off: number, path: string, recurse: number): string {
    const bytes = this.v.bytes;
    const available = Math.max(0, bytes.length - off);
    const count = arrayCount(a, available);
    if (count === undefined) return this.v.address !== undefined ? hex(this.v.address + BigInt(off)) : "<unknown address>";
    const esize = sizeOf(a.element) ?? 0;
    const ck = textualKind(a.element);
    if (ck && esize === ck.width) return this.charArray(ck, off, count);
    if (this.depthExceeded(recurse)) return "{...}";
    if (count === 0 || esize === 0) return "{}";
    const items: string[] = [];
    let printed = 0;
    let i = 0;
    for (; i < count && printed < PRINT_MAX; i++) {
      const eoff = off + i * esize;
      const epath = `${path}[${i}]`;
      if (eoff + esize > bytes.length) {
        this.truncated = true;
        items.push(this.value(a.element, eoff, epath, recurse + 1, false));
        i++;
        break;
      }
      let rep = i + 1;
      while (rep < count && off + (rep + 1) * esize <= bytes.length && sameBytes(bytes, eoff, off + rep * esize, esize)) rep++;
      const reps = rep - i;
      const text = this.value(a.element, eoff, epath, recurse + 1, false);
      if (reps > REPEAT_THRESHOLD) {
        items.push(`${text} <repeats ${reps} times>`);
        i = rep - 1;
        printed += REPEAT_THRESHOLD;
      } else {
        items.push(text);
        printed++;
      }
    }
    let s = `{${items.join(", ")}`;
    if (i < count) s += "...";
    return s + "}";
  }

  private charArray(ck: CharKind, off: number, count: number): string {
    const bytes = this.v.bytes;
    const avail = Math.max(0, Math.min(count, Math.floor((bytes.length - off) / ck.width)));
    const units = toUnits(bytes.subarray(off, off + avail * ck.width), ck.width);
    if (avail < count) {
      this.truncated = true;
      return formatString(units, { prefix: ck.prefix, ellipsis: true }) + " <truncated>";
    }
    // One trailing NUL is not shown (gdb's non-verbose C strings).
    const n = units.length > 0 && units[units.length - 1] === 0 ? units.length - 1 : units.length;
    return formatString(units.slice(0, n), { prefix: ck.prefix });
  }
}

function sameBytes(b: Uint8Array, x: number, y: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

function toUnits(bytes: Uint8Array, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + width <= bytes.length; i += width) out.push(Number(readLE(bytes, i, width)));
  return out;
}

/** gdb `print` text of a captured value (without the "$1 = "). */
export function formatValue(v: CapturedValue, opts: FormatOptions = {}): string {
  // Types from a C++ unit print as C++ (`ns::Widget *`, no `class` keyword) unless told otherwise.
  if (opts.language === undefined) {
    const lang = languageOfType(v.type);
    if (lang === "c++") opts = { ...opts, language: lang };
  }
  return new Printer(v, opts).top();
}

/** The language of the unit the type (or the first type it refers to with a DIE) comes from. */
function languageOfType(t: CType): "c" | "c++" | undefined {
  for (let i = 0, cur: CType | undefined = t; cur && i < MAX_CHAIN; i++) {
    if (cur.die) return languageOf(cur.die);
    cur = "target" in cur ? cur.target : undefined;
  }
  return undefined;
}

// ---- JSON ---------------------------------------------------------------------------------------

const JSON_MAX_DEPTH = 64;

function jsonInt(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

function jsonError(status: ValueStatus, address?: bigint): Record<string, unknown> {
  const name: Record<ValueStatus, string> = {
    ok: "ok",
    nullPointer: "null_pointer",
    readError: "read_error",
    optimizedOut: "optimized_out",
    offsetsUnavailable: "offsets_unavailable",
    truncated: "truncated",
  };
  return address === undefined ? { error: name[status] } : { error: name[status], address: hex(address) };
}

function decodeText(units: number[], width: number): string {
  if (width === 1) return new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(units));
  return String.fromCodePoint(...units.map((u) => (u > 0x10ffff ? 0xfffd : u)));
}

class JsonBuilder {
  constructor(readonly v: CapturedValue) {}

  top(): unknown {
    const v = this.v;
    if (v.status !== "ok" && v.status !== "truncated") return jsonError(v.status, v.errorAddress);
    return this.value(v.type, 0, "", 0);
  }

  private intFromType(t: CType, val: bigint): unknown {
    const s = stripTypedefs(t);
    if (s.kind === "enum") {
      const p = enumParts(s, val, enumSize(s));
      if (p.name !== undefined) return { value: jsonInt(val), name: p.name };
      if (p.flags) return p.unknown === undefined ? { value: jsonInt(val), flags: p.flags } : { value: jsonInt(val), flags: p.flags, unknown: jsonInt(p.unknown) };
      return { value: jsonInt(val) };
    }
    if (s.kind === "base" && s.encoding === DW_ATE.boolean) return val === 0n ? false : val === 1n ? true : jsonInt(val);
    return jsonInt(val);
  }

  value(t: CType, off: number, path: string, depth: number): unknown {
    const bytes = this.v.bytes;
    const s = stripTypedefs(t);
    if (depth > JSON_MAX_DEPTH) return { error: "too_deep" };
    if (s.kind === "struct") return this.struct(s, off, path, depth);
    if (s.kind === "array") return this.array(s, off, path, depth);
    const size = sizeOf(t);
    if (size === undefined || s.kind === "void" || s.kind === "function" || s.kind === "unknown") return null;
    if (off + size > bytes.length) return jsonError("truncated");
    switch (s.kind) {
      case "base": {
        if (s.encoding === DW_ATE.float) {
          const f = floatFormatFor(s.size, s.name);
          if (!f) return hex(readLE(bytes, off, size));
          if (f.bytes > 8 && !floatExactAsNumber(bytes, off, f)) {
            const n = floatToNumber(bytes, off, f);
            return typeof n === "string" ? n : formatFloat(bytes, off, f);
          }
          return floatToNumber(bytes, off, f);
        }
        if (s.encoding === DW_ATE.complex_float) {
          const f = floatFormatFor(size / 2, s.name.replace(/complex/, "").trim());
          return f ? { real: floatToNumber(bytes, off, f), imag: floatToNumber(bytes, off + size / 2, f) } : hex(readLE(bytes, off, size));
        }
        const raw = readLE(bytes, off, size);
        const signed = s.encoding === DW_ATE.signed || s.encoding === DW_ATE.signed_char;
        return this.intFromType(t, signed ? BigInt.asIntN(size * 8, raw) : raw);
      }
      case "enum": {
        const n = enumSize(s);
        const raw = readLE(bytes, off, n);
        return this.intFromType(t, enumIsSigned(s) ? BigInt.asIntN(n * 8, raw) : raw);
      }
      case "pointer": {
        const addr = readLE(bytes, off, s.size);
        const ck = stripTypedefs(s.target).kind === "function" ? undefined : textualKind(s.target);
        if (!ck) return hex(addr);
        const p = this.v.pointees?.get(path);
        if (addr === 0n || !p) return { address: hex(addr), string: null };
        return { address: hex(addr), ...this.pointedString(p, ck.width) };
      }
      case "reference":
        return hex(readLE(bytes, off, s.size));
      default:
        return hex(readLE(bytes, off, size));
    }
  }

  private pointedString(p: Pointee, width: number): Record<string, unknown> {
    const units = toUnits(p.bytes, width);
    const nul = units.indexOf(0);
    if (nul >= 0) return { string: decodeText(units.slice(0, nul), width) };
    const out: Record<string, unknown> = { string: decodeText(units, width) };
    if (p.status === "readError") out.error = jsonError("readError", p.errorAddress);
    else if (p.status !== "ok" && p.status !== "truncated") out.error = jsonError(p.status, p.errorAddress);
    else out.truncated = true;
    return out;
  }

  private struct(s: StructType, off: number, path: string, depth: number): unknown {
    if (s.incomplete) return null;
    const out: Record<string, unknown> = {};
    this.fill(out, s, off, path, depth);
    return out;
  }

  private fill(out: Record<string, unknown>, s: StructType, off: number, path: string, depth: number): void {
    const bytes = this.v.bytes;
    for (const m of dataMembers(s)) {
      if (m.bitOffset === undefined) continue;
      if (m.bitSize !== undefined) {
        const v = extractBits(bytes, off, m.bitOffset, m.bitSize, isSignedBase(m.type));
        if (m.name !== undefined) out[m.name] = v === undefined ? jsonError("truncated") : this.intFromType(m.type, v);
        continue;
      }
      const moff = off + Math.floor(m.bitOffset / 8);
      const mt = stripTypedefs(m.type);
      if (m.name === undefined) {
        if (mt.kind === "struct") this.fill(out, mt, moff, path, depth + 1);
        continue;
      }
      const mpath = `${path}.${m.name}`;
      if (mt.kind === "array" && (mt.count === undefined || mt.count === 0) && !mt.variableLength) {
        const ck = textualKind(mt.element);
        const p = this.v.pointees?.get(mpath);
        out[m.name] = ck && p ? this.pointedString(p, ck.width).string : this.v.address !== undefined ? hex(this.v.address + BigInt(moff)) : null;
        continue;
      }
      out[m.name] = this.value(m.type, moff, mpath, depth + 1);
    }
  }

  private array(a: ArrayType, off: number, path: string, depth: number): unknown {
    const bytes = this.v.bytes;
    const available = Math.max(0, bytes.length - off);
    const count = arrayCount(a, available);
    if (count === undefined) return [];
    const esize = sizeOf(a.element) ?? 0;
    const ck = textualKind(a.element);
    if (ck && esize === ck.width) {
      const avail = Math.max(0, Math.min(count, Math.floor(available / esize)));
      const units = toUnits(bytes.subarray(off, off + avail * esize), esize);
      const nul = units.indexOf(0);
      if (nul >= 0) return decodeText(units.slice(0, nul), esize);
      return avail < count ? { string: decodeText(units, esize), truncated: true } : decodeText(units, esize);
    }
    const out: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const eoff = off + i * esize;
      if (eoff + esize > bytes.length) {
        out.push(isAggregate(a.element) && eoff < bytes.length ? this.value(a.element, eoff, `${path}[${i}]`, depth + 1) : jsonError("truncated"));
        break;
      }
      out.push(this.value(a.element, eoff, `${path}[${i}]`, depth + 1));
    }
    return out;
  }
}

/** Typed JSON for a captured value (see the file header). */
export function jsonValue(v: CapturedValue): unknown {
  return new JsonBuilder(v).top();
}
