// The script language reference: `wraith --script-help` and the man page's
// SCRIPT LANGUAGE section render this one structure. Rows that need a
// feature the code generator does not implement yet are marked from
// CURRENT_SUPPORT when rendered, so the reference follows the compiler
// instead of a note someone must remember to update.
import { CURRENT_SUPPORT, type ExprFeature, type StatementFeature, type SupportedFeatures } from "./checker.ts";
import type { FormatLength, TracePatternKind } from "./ast.ts";

/** A language feature a row depends on, as the checker names it. */
export type FeatureRef =
  | { pattern: TracePatternKind }
  | { statement: StatementFeature }
  | { expression: ExprFeature }
  | { formatLength: FormatLength["kind"] };

export interface ScriptHelpRow {
  /** What to write, e.g. `trace file.c:LINE { … }`. */
  syntax: string;
  /** What it means, one or two sentences. */
  text: string;
  needs?: FeatureRef;
}

export interface ScriptHelpSection {
  title: string;
  paragraphs?: string[];
  rows?: ScriptHelpRow[];
  /** Verbatim lines (a script). */
  code?: string[];
}

export function isSupported(f: FeatureRef, support: SupportedFeatures = CURRENT_SUPPORT): boolean {
  if ("pattern" in f) return support.tracePatterns.has(f.pattern);
  if ("statement" in f) return support.statements.has(f.statement);
  if ("expression" in f) return support.expressions.has(f.expression);
  return support.formatLengths.has(f.formatLength);
}

export const NOT_SUPPORTED_YET = "not supported yet: parsed, then refused with an error naming it";

export const SCRIPT_HELP: ScriptHelpSection[] = [
  {
    title: "SCRIPTS",
    paragraphs: [
      "A script is a list of trace blocks: where to stop, and what to do there. Statements end with ';'. Comments are // to the end of the line and /* … */. The language is GhostScope's; everything a block does is read-only.",
    ],
  },
  {
    title: "TRACE PATTERNS",
    rows: [
      { syntax: "trace main { … }", text: "a function, probed where gdb's 'break main' stops (after the prologue), and at each inlined copy", needs: { pattern: "FunctionPattern" } },
      {
        syntax: "trace ns::Widget::resize { … }",
        text: "a C++ (or Rust) qualified name; all overloads",
        needs: { pattern: "FunctionPattern" },
      },
      {
        syntax: "trace resize(int, int) { … }",
        text: "one C++ overload by its parameter list, as gdb spells it (also: get() const, box<int>::get, operator==)",
        needs: { pattern: "FunctionPattern" },
      },
      { syntax: "trace server.c:120 { … }", text: "a source line (FILE:LINE; the file matches by path suffix), at every address the line table marks for it", needs: { pattern: "SourceLinePattern" } },
      {
        syntax: "trace 0x401234 { … }",
        text: "an address in the main module (-t PATH, else the executable): the DWARF/symbol address, not a file offset or a runtime address",
        needs: { pattern: "AddressPattern" },
      },
      { syntax: "trace libc.so.6:0x1234 { … }", text: "MODULE:0xADDR, an address in a module named by its path or a unique suffix of it", needs: { pattern: "ModuleAddressPattern" } },
      { syntax: "trace handle_* { … }", text: "functions matching a wildcard (* and ?)", needs: { pattern: "WildcardPattern" } },
    ],
  },
  {
    title: "STATEMENTS",
    rows: [
      { syntax: 'print "text";', text: "print the text as is ({} is not a placeholder here)", needs: { statement: "print-string" } },
      { syntax: 'print "a={} b={}", a, b;', text: "a format string with one argument per placeholder (see FORMAT)", needs: { statement: "print-format" } },
      { syntax: "print EXPR;", text: "one value, printed as gdb's print shows it: structs, arrays, strings, enums, pointers with their symbols", needs: { statement: "print-expr" } },
      {
        syntax: "let n = EXPR;",
        text: "name a value (a number, a string, a bool, or an alias of a program expression such as req.owner); immutable and block scoped: no redeclaration, no shadowing, no assignment",
        needs: { statement: "let" },
      },
      { syntax: "if C { … } else if D { … } else { … }", text: "conditions; a condition whose read fails prints an ExprError line instead of counting as false, and an else if after it is still tried (GhostScope's soft abort)", needs: { statement: "if" } },
      { syntax: "bt;  backtrace;", text: "a stack backtrace", needs: { statement: "backtrace" } },
      { syntax: "EXPR;", text: "an expression statement (evaluate for its side effects)", needs: { statement: "expr-stmt" } },
    ],
  },
  {
    title: "FORMAT",
    rows: [
      { syntax: "{}", text: "the value, rendered as print EXPR renders it" },
      { syntax: "{:x}  {:X}", text: "an integer in hex, lower or upper case" },
      { syntax: "{:p}", text: "an address (a pointer's value, or &x)" },
      { syntax: "{:s}", text: "bytes as ASCII, stopping at the first NUL; other bytes as \\xNN" },
      { syntax: "{:x.16}  {:s.32}", text: "read 16 (32) bytes from where the argument points, as hex (ASCII); the length may be 0x10, 0o20 or 0b10000 too", needs: { formatLength: "static" } },
      { syntax: '{:s.*}', text: 'the length is the argument before the value: print "{:s.*}", len, buf;', needs: { formatLength: "star" } },
      { syntax: "{:x.n$}", text: "the length is the script variable n (takes no argument)", needs: { formatLength: "capture" } },
      { syntax: "{{  }}", text: "literal braces" },
    ],
    paragraphs: ["Each read is bounded by --mem-dump-cap (default 256 bytes). No width or padding ({:08x}), no %d-style formats."],
  },
  {
    title: "EXPRESSIONS",
    rows: [
      { syntax: "req.id  req.owner.name", text: "members; '.' goes through pointers too (there is no '->')", needs: { expression: "member" } },
      { syntax: "arr[3]  argv[argc - 1]", text: "indexing arrays and pointers; the index may use + - * << & | ^ over integers", needs: { expression: "index" } },
      { syntax: "*p  &x", text: "dereference, address-of", needs: { expression: "unary:*" } },
      { syntax: "p + 2", text: "pointer arithmetic, scaled by the pointed-to type (C's rule); print shows the value there" },
      { syntax: "- ! ~", text: "negation, logical not, bitwise not", needs: { expression: "unary:-" } },
      {
        syntax: "|| && | ^ & == != < <= > >= << >> + - * / %",
        text: "binary operators, loosest first (C's precedence); && and || short-circuit; integers are 64-bit",
        needs: { expression: "binary:+" },
      },
      { syntax: 'path == "/api"', text: "a char * or char[N] compared with a string literal (== and != only): equal when the C string is exactly that text" },
      { syntax: "42 -7 0x1f 0o755 0b1010 1_048_576", text: "integer literals; also true, false and \"strings\"; no floats, no character literals", needs: { expression: "int" } },
      { syntax: "t.0", text: "tuple fields (Rust)", needs: { expression: "tuple-index" } },
    ],
    paragraphs: [
      "A name is a script variable first, then the program's locals and parameters visible at the probe, then its globals. A value that cannot be read is said inline: <optimized out>, <read error at 0x10>, <null>; it is never guessed. Floating-point values print, but no arithmetic or comparison is done on them.",
    ],
  },
  {
    title: "BUILTINS",
    rows: [
      { syntax: "strncmp(a, b, n)", text: "the first n bytes of a and b are equal (one side a string literal or string variable)", needs: { expression: "call:strncmp" } },
      { syntax: "starts_with(a, b)", text: "a begins with the string b", needs: { expression: "call:starts_with" } },
      { syntax: "memcmp(a, b, len)", text: "len raw bytes at a and b are equal; len may be left out when one side is hex(…)", needs: { expression: "call:memcmp" } },
      { syntax: 'hex("DE AD BE EF")', text: "a byte string for memcmp: hex digits in pairs, spaces allowed", needs: { expression: "hex" } },
      { syntax: 'cast(p, "struct request *")', text: "p read as that type (a type name the debug info knows)", needs: { expression: "cast" } },
    ],
  },
  {
    title: "SPECIAL VARIABLES",
    rows: [
      {
        syntax: "$pid  $tid",
        text: "process and thread id as the traced process's own PID namespace numbers them (-p of a containerized process; with -t, wraith's namespace), the host's numbering otherwise; event headers show the same view, --dry-run --details shows the choice",
        needs: { expression: "special-var" },
      },
      { syntax: "$host_pid", text: "process id in the host (initial) PID namespace", needs: { expression: "special-var" } },
      { syntax: "$input_pid", text: "the PID given with -p, as typed (only with -p)", needs: { expression: "special-var" } },
      { syntax: "$timestamp", text: "monotonic clock, nanoseconds", needs: { expression: "special-var" } },
    ],
  },
  {
    title: "NOT IN THE LANGUAGE",
    paragraphs: ["Loops, assignment, user-defined functions, writes to the program's memory, floating-point arithmetic, and format width or padding."],
  },
  {
    title: "EXAMPLE",
    code: [
      "trace handle_request {",
      "    let owner = req.owner;",
      '    if req.id > 100 && starts_with(req.path, "/orders") {',
      '        print "request {} by {} ({:s.8})", req.id, owner.name, req.path;',
      "    } else {",
      "        print *req;",
      "    }",
      "}",
    ],
  },
];

/** A row's text with "not supported yet" appended when the compiler refuses what it needs. */
export function rowText(row: ScriptHelpRow, support: SupportedFeatures = CURRENT_SUPPORT): string {
  return row.needs && !isSupported(row.needs, support) ? `${row.text} — ${NOT_SUPPORTED_YET}` : row.text;
}

const WIDTH = 80;
const SYNTAX_COL = 34;

/** Words of `text` filled into lines of at most `width` columns (a longer word stands alone). Also used by cli/help. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** `wraith --script-help`: the reference as plain text, 80 columns. */
export function scriptHelp(): string {
  const out: string[] = ["wraith script language (GhostScope-compatible)"];
  for (const s of SCRIPT_HELP) {
    out.push("", s.title);
    for (const row of s.rows ?? []) {
      const text = wrap(rowText(row), WIDTH - SYNTAX_COL - 2);
      const syntax = `  ${row.syntax}`;
      if (syntax.length < SYNTAX_COL) out.push(syntax.padEnd(SYNTAX_COL) + (text[0] ?? ""));
      else out.push(syntax, " ".repeat(SYNTAX_COL) + (text[0] ?? ""));
      for (const t of text.slice(1)) out.push(" ".repeat(SYNTAX_COL) + t);
    }
    for (const p of s.paragraphs ?? []) {
      if (s.rows?.length) out.push("");
      out.push(...wrap(p, WIDTH - 2).map((l) => `  ${l}`));
    }
    for (const c of s.code ?? []) out.push(`  ${c}`);
  }
  return out.join("\n");
}
