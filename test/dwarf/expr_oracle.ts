// The oracles for the expression and list tests: llvm-dwarfdump's
// --debug-info text (units, attributes with printed expressions and resolved
// lists, base types) and readelf's raw bytes of every block attribute. No DIE
// parser of ours is involved, so these tests stand apart from the unit reader.
import { ElfFile } from "../../src/elf/index.ts";
import type { ListContext } from "../../src/dwarf/lists.ts";
import { DwarfError } from "../../src/dwarf/reader.ts";
import type { BaseTypeInfo } from "../../src/dwarf/expr/index.ts";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";

export function run(argv: string[]): string {
  const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

export interface DumpUnit {
  offset: number;
  version: number;
  addressSize: number;
  offsetSize: 4 | 8;
  lowPc: number;
  addrBase?: number;
  loclistsBase?: number;
  rnglistsBase?: number;
}

export interface DumpAttr {
  unit: DumpUnit;
  die: number;
  tag: string;
  name: string;
  /** The text between the attribute's parentheses, lines joined with "\n". */
  text: string;
}

export interface Dump {
  units: DumpUnit[];
  attrs: DumpAttr[];
  /** Absolute DIE offset → base type. */
  baseTypes: Map<number, BaseTypeInfo & { name: string }>;
}

const ATE: Record<string, number> = {
  DW_ATE_address: 1, DW_ATE_boolean: 2, DW_ATE_float: 4, DW_ATE_signed: 5, DW_ATE_signed_char: 6,
  DW_ATE_unsigned: 7, DW_ATE_unsigned_char: 8, DW_ATE_UTF: 0x10,
};

export function llvmDebugInfo(path: string): Dump {
  const lines = run(["llvm-dwarfdump", "--debug-info", path]).split("\n");
  const units: DumpUnit[] = [];
  const attrs: DumpAttr[] = [];
  const baseTypes: Dump["baseTypes"] = new Map();
  let unit: DumpUnit | undefined;
  let die = 0;
  let tag = "";
  let current: DumpAttr | undefined;
  let base: { name?: string; encoding?: number; byteSize?: number } | undefined;
  const flushBase = (): void => {
    if (base && base.name !== undefined) baseTypes.set(die, { name: base.name, encoding: base.encoding ?? 0, byteSize: base.byteSize ?? 0 });
    base = undefined;
  };
  for (const line of lines) {
    const u = /^0x([0-9a-f]+): Compile Unit: .*format = DWARF(32|64), version = 0x([0-9a-f]+),.* addr_size = 0x([0-9a-f]+)/.exec(line);
    if (u) {
      flushBase();
      unit = { offset: parseInt(u[1], 16), version: parseInt(u[3], 16), addressSize: parseInt(u[4], 16), offsetSize: u[2] === "64" ? 8 : 4, lowPc: 0 };
      units.push(unit);
      current = undefined;
      continue;
    }
    const d = /^0x([0-9a-f]+):\s+(DW_TAG_\w+|NULL)/.exec(line);
    if (d) {
      flushBase();
      die = parseInt(d[1], 16);
      tag = d[2];
      if (tag === "DW_TAG_base_type") base = {};
      current = undefined;
      continue;
    }
    const a = /^\s+(DW_AT_\w+)\t\((.*)$/.exec(line);
    if (a && unit) {
      current = { unit, die, tag, name: a[1], text: a[2] };
      attrs.push(current);
      if (tag === "DW_TAG_compile_unit") {
        const hexValue = /^0x([0-9a-f]+)\)$/.exec(a[2]);
        const v = hexValue ? parseInt(hexValue[1], 16) : undefined;
        if (a[1] === "DW_AT_low_pc" && v !== undefined) unit.lowPc = v;
        if (a[1] === "DW_AT_addr_base") unit.addrBase = v;
        if (a[1] === "DW_AT_loclists_base") unit.loclistsBase = v;
        if (a[1] === "DW_AT_rnglists_base") unit.rnglistsBase = v;
      }
      if (base) {
        if (a[1] === "DW_AT_name") base.name = JSON.parse(a[2].slice(0, -1));
        if (a[1] === "DW_AT_encoding") base.encoding = ATE[a[2].slice(0, -1)];
        if (a[1] === "DW_AT_byte_size") base.byteSize = parseInt(a[2].slice(0, -1), 16);
      }
      continue;
    }
    if (current && line.trim() !== "") current.text += `\n${line.trim()}`;
    else current = undefined;
  }
  flushBase();
  for (const at of attrs) at.text = at.text.replace(/\)$/, "");
  return { units, attrs, baseTypes };
}

/** readelf's bytes of every block attribute, keyed `${dieOffset}:${DW_AT_name}`. */
export function readelfBlocks(path: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let die = 0;
  for (const line of run(["readelf", "--debug-dump=info", "-W", path]).split("\n")) {
    const d = /^\s*<\d+><([0-9a-f]+)>: Abbrev Number/.exec(line);
    if (d) {
      die = parseInt(d[1], 16);
      continue;
    }
    const a = /^\s*<[0-9a-f]+>\s+(DW_AT_\w+)\s*: (?:\(exprloc\) )?(\d+) byte block: ([0-9a-f ]*?)\s*(\t|$)/.exec(line);
    if (a) {
      const bytes = a[3] === "" ? [] : a[3].split(" ").map((b) => parseInt(b, 16));
      if (bytes.length !== parseInt(a[2], 10)) throw new Error(`readelf block length mismatch: ${line}`);
      out.set(`${die}:${a[1]}`, Uint8Array.from(bytes));
    }
  }
  return out;
}

/** Attributes whose block is a DWARF expression (not DW_AT_const_value data). */
export const EXPRESSION_ATTRIBUTES = new Set([
  "DW_AT_location", "DW_AT_frame_base", "DW_AT_call_value", "DW_AT_GNU_call_site_value", "DW_AT_call_target",
  "DW_AT_GNU_call_site_target", "DW_AT_call_data_value", "DW_AT_GNU_call_site_data_value", "DW_AT_call_data_location",
  "DW_AT_upper_bound", "DW_AT_lower_bound", "DW_AT_count", "DW_AT_data_member_location", "DW_AT_byte_size",
  "DW_AT_data_location", "DW_AT_vtable_elem_location", "DW_AT_static_link", "DW_AT_use_location", "DW_AT_string_length",
]);

/** The list context of a unit, from the dump's unit facts and the binary's sections. */
export function listContext(elf: ElfFile, unit: DumpUnit): ListContext {
  const addr = elf.debugSectionData(".debug_addr");
  return {
    version: unit.version,
    addressSize: unit.addressSize,
    offsetSize: unit.offsetSize,
    baseAddress: unit.lowPc,
    addrAt: addr && unit.addrBase !== undefined ? (i: number): bigint => debugAddr(addr, unit.addrBase!, unit.addressSize, i) : undefined,
    sections: {
      loc: elf.debugSectionData(".debug_loc"),
      loclists: elf.debugSectionData(".debug_loclists"),
      ranges: elf.debugSectionData(".debug_ranges"),
      rnglists: elf.debugSectionData(".debug_rnglists"),
    },
    loclistsBase: unit.loclistsBase,
    rnglistsBase: unit.rnglistsBase,
  };
}

function debugAddr(section: Uint8Array, base: number, size: number, index: number): bigint {
  const view = new DataView(section.buffer, section.byteOffset, section.byteLength);
  const at = base + index * size;
  if (at + size > section.byteLength) throw new DwarfError(`.debug_addr index ${index} out of range`);
  return size === 8 ? view.getBigUint64(at, true) : BigInt(view.getUint32(at, true));
}

/** The fixture matrix: gcc and clang × -O0/-O2 × DWARF 4/5, both fixtures. */
export const MATRIX: { label: string; build: () => string }[] = [];
for (const cc of ["gcc", "clang"] as const)
  for (const opt of ["-O0", "-O2"] as const)
    for (const dwarf of [4, 5] as const) {
      const o: CompileOptions = { cc, opt, dwarf };
      MATRIX.push({ label: `dwarf_expr_opt ${cc} ${opt} v${dwarf}`, build: () => compileFixture("dwarf_expr_opt", o) });
      MATRIX.push({ label: `dwarf_expr_more ${cc} ${opt} v${dwarf}`, build: () => compileFixture("dwarf_expr_more", { ...o, with: ["dwarf_expr_main"] }) });
    }

// ---------------------------------------------------------------------------
// llvm-dwarfdump 14 prints "<decoding error>" and the remaining bytes for the
// operations its table lacks; this renders our decoding the same way so the
// comparison still covers everything before the failure and the bytes after.

import { DW_OP, formatOp, type Op, type PrintOptions } from "../../src/dwarf/expr/index.ts";

export const UNKNOWN_TO_LLVM14 = new Set<number>([
  DW_OP.implicit_pointer, DW_OP.constx, DW_OP.const_type, DW_OP.deref_type, DW_OP.xderef_type, DW_OP.reinterpret,
  DW_OP.GNU_uninit, DW_OP.GNU_encoded_addr, DW_OP.GNU_implicit_pointer, DW_OP.GNU_const_type, DW_OP.GNU_regval_type,
  DW_OP.GNU_deref_type, DW_OP.GNU_convert, DW_OP.GNU_reinterpret, DW_OP.GNU_parameter_ref, DW_OP.GNU_variable_value,
]);

export function formatLikeLlvm14(ops: readonly Op[], bytes: Uint8Array, options: PrintOptions): string {
  if (bytes.length === 0) return "<empty>";
  // Flatten entry-value blocks as llvm's linear decoder sees them, with absolute offsets.
  const flat: { op: Op; start: number; end: number }[] = [];
  const walk = (list: readonly Op[], base: number): void => {
    for (const op of list) {
      flat.push({ op, start: base + op.start, end: base + op.end });
      if (op.kind === "entryValue") walk(op.ops, base + op.end - op.expression.length);
    }
  };
  walk(ops, 0);
  let out = "";
  // llvm 14 subtracts the distance from the block's start, not each op's size,
  // so a block of two or more operations never gets its ")" (our printer
  // closes it); reproduce that, wrapping like its uint32_t counter.
  let entryRemaining = 0;
  let blockStart = 0;
  for (const { op, start, end } of flat) {
    if (UNKNOWN_TO_LLVM14.has(op.code)) {
      out += "<decoding error>";
      for (let i = start; i < bytes.length; i++) out += ` ${bytes[i].toString(16).padStart(2, "0")}`;
      return out;
    }
    if (op.kind === "entryValue") {
      out += `${formatOp(op, options).slice(0, formatOp(op, options).indexOf("("))}(`;
      entryRemaining = op.expression.length;
      blockStart = end - op.expression.length;
      continue;
    }
    out += formatOp(op, options);
    if (entryRemaining) {
      entryRemaining = (entryRemaining - (end - blockStart)) >>> 0;
      if (entryRemaining === 0) out += ")";
    }
    if (end < bytes.length) out += ", ";
  }
  return out;
}

/** Print options for a unit of a dump: absolute base type offsets and names. */
export function printOptionsFor(dump: Dump, unit: DumpUnit): PrintOptions {
  return { unitOffset: unit.offset, baseTypeName: (rel) => dump.baseTypes.get(unit.offset + rel)?.name };
}
