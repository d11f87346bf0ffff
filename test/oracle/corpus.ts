// The value corpus: probe points in test/fixtures/values_main.c and
// values_other.c and the expressions to print at each. Every expression is
// valid in both GhostScope's syntax (`.` through pointers, no `->`, no char or
// float literals) and gdb's `print`. Build the program with
//   compileFixture(CORPUS_MAIN, { cc, opt, dwarf, with: CORPUS_WITH })
// and get gdb's values with gdbValues(binary, CORPUS).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES } from "../helpers/fixtures.ts";

export const CORPUS_MAIN = "values_main";
export const CORPUS_WITH = ["values_other"];

export type Category =
  | "int-widths"
  | "char"
  | "bool"
  | "enum"
  | "float"
  | "double"
  | "pointer"
  | "null-pointer"
  | "char*"
  | "char[N]"
  | "nested-struct"
  | "pointer-chain"
  | "array"
  | "array-element"
  | "union"
  | "bitfield"
  | "typedef"
  | "qualifier"
  | "global"
  | "file-static"
  | "function-static"
  | "block-local"
  | "recursion"
  | "second-unit"
  | "stack-args"
  | "read-error";

export interface CorpusPoint {
  /** Function name or FILE:LINE, as both gdb's `break` and wraith's `trace` take it. */
  spec: string;
  /** Printed at every hit. */
  exprs: string[];
  /** Hits in one run of the program at -O0 (always the same: the program is deterministic). */
  hits: number;
  /**
   * Expressions whose gdb text holds an address (pointers, char*, structs
   * with pointer members). Equal between gdb and another tracer only when both
   * runs have ASLR off and the same environment; compare them modulo addresses
   * otherwise. None of them is a stack address.
   */
  addresses: string[];
  /** Expressions for which gdb answers with an error at some hit (e.g. a NULL dereference). */
  errors: string[];
  /** What the point covers. */
  covers: Category[];
  /** The marker name in the source (`PROBE: name`). */
  marker: string;
}

const HITS = 5;

/** FILE:LINE of the line holding `PROBE: marker` in a fixture. */
export function markerSpec(file: string, marker: string): string {
  const lines = readFileSync(join(FIXTURES, file), "utf8").split("\n");
  const re = new RegExp(`PROBE: ${marker}(?![\\w])`);
  const found = lines.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`${file}: marker "PROBE: ${marker}" found ${found.length} times`);
  return `${file}:${found[0]}`;
}

function fn(name: string, p: Omit<CorpusPoint, "spec" | "marker" | "hits" | "addresses" | "errors"> & Partial<CorpusPoint>): CorpusPoint {
  return { spec: name, marker: name, hits: HITS, addresses: [], errors: [], ...p };
}

function line(file: string, marker: string, p: Omit<CorpusPoint, "spec" | "marker" | "hits" | "addresses" | "errors"> & Partial<CorpusPoint>): CorpusPoint {
  return { spec: markerSpec(file, marker), marker, hits: HITS, addresses: [], errors: [], ...p };
}

export const CORPUS: CorpusPoint[] = [
  fn("probe_ints", {
    exprs: ["sc", "uc", "s", "us", "i", "u", "l", "ul", "ll", "ull"],
    covers: ["int-widths", "char", "stack-args"],
  }),
  fn("probe_fixed", {
    exprs: ["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64"],
    covers: ["int-widths", "typedef"],
  }),
  fn("probe_scalars", {
    exprs: ["c", "b", "col", "f", "d"],
    covers: ["char", "bool", "enum", "float", "double"],
  }),
  fn("probe_pointers", {
    exprs: ["p", "*p", "maybe", "*maybe", "str", "nullable", "req.name", "req.name[1]", "req.path", "*str", "*req"],
    addresses: ["p", "maybe", "str", "nullable", "req.path", "*req"],
    errors: ["*maybe", "*str"],
    covers: ["pointer", "null-pointer", "char*", "char[N]", "array-element", "read-error"],
  }),
  fn("probe_struct", {
    exprs: [
      "req.id",
      "req.hdr.len",
      "req.hdr.kind",
      "req.hdr.flags",
      "*req.hdr",
      "req.inline_hdr",
      "req.inline_hdr.flags",
      "req.tags",
      "req.tags[2]",
      "req.tags[idx]",
      "req.tags[3 - idx]",
      "req.tags[(idx + 1) & 3]",
      "req.weight",
      "req.next.id",
      "req.next.hdr.len",
      "r",
      "r.tl",
      "r.br.y",
      "r.fill",
      "idx",
    ],
    errors: ["req.next.id", "req.next.hdr.len"],
    covers: ["nested-struct", "pointer-chain", "array", "array-element", "enum", "double", "read-error"],
  }),
  fn("probe_misc", {
    exprs: ["u", "u.i", "u.f", "u.bytes", "u.bytes[3]", "b", "b.a", "b.b", "b.c", "b.wide", "b.plain", "bp.b", "bp.wide"],
    covers: ["union", "bitfield", "array", "pointer"],
  }),
  fn("probe_typed", {
    exprs: ["id", "rid", "ci", "vl", "rq.id", "rq.hdr.kind", "rq.name", "label", "cvus"],
    addresses: ["label"],
    covers: ["typedef", "qualifier", "pointer-chain", "char*", "char[N]"],
  }),
  fn("probe_globals", {
    exprs: [
      "k",
      "g_counter",
      "g_total",
      "g_table",
      "g_table[3]",
      "g_table[k]",
      "g_req.name",
      "g_req.hdr.len",
      "g_req.tags[1]",
      "g_names[k]",
      "g_headers[k]",
      "s_hidden",
      "s_scale",
      "s_tag",
      "calls",
      "last",
      "g_other_count",
    ],
    addresses: ["g_names[k]", "last"],
    covers: ["global", "file-static", "function-static", "array", "array-element", "char*", "char[N]", "second-unit"],
  }),
  line("values_main.c", "block_inner", {
    exprs: ["k", "v", "sq", "tag", "tag[3]"],
    covers: ["block-local", "char[N]"],
  }),
  line("values_main.c", "block_outer", {
    exprs: ["k", "v", "v2"],
    covers: ["block-local"],
  }),
  line("values_main.c", "locals", {
    exprs: ["k", "h", "h.len", "lr.id", "lr.hdr.len", "lr.hdr.flags", "lr.inline_hdr", "lr.name", "lr.path", "lr.tags", "lr.weight", "box", "box.br.y", "ratio"],
    addresses: ["lr.path"],
    covers: ["nested-struct", "pointer-chain", "char[N]", "char*", "array", "double", "enum"],
  }),
  fn("walk", {
    exprs: ["depth", "n.val", "n.name", "acc", "n.next.val"],
    addresses: ["n.name"],
    errors: ["n.next.val"],
    covers: ["recursion", "pointer-chain", "char*"],
  }),
  fn("other_probe", {
    exprs: ["k", "r.id", "r.name", "r.hdr.len", "s_hidden", "s_label", "s_steps", "g_other_count", "g_counter", "o_calls"],
    covers: ["second-unit", "file-static", "function-static", "global", "char[N]", "array"],
  }),
  line("values_other.c", "other_lines", {
    exprs: ["k", "total", "mix", "s_hidden"],
    covers: ["second-unit", "block-local", "file-static"],
  }),
];

/** Every category the corpus must cover (the list). */
export const REQUIRED: Category[] = [
  "int-widths", "char", "bool", "enum", "float", "double", "pointer", "null-pointer", "char*", "char[N]",
  "nested-struct", "pointer-chain", "array", "array-element", "union", "bitfield", "typedef", "qualifier",
  "global", "file-static", "function-static", "block-local", "recursion", "second-unit",
];
