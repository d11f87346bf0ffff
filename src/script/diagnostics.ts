// Source spans and diagnostics shared by every stage of the script front end.
//
// Offsets, lines and columns count UTF-16 code units of the JavaScript string
// holding the script (lines and columns are 1-based; a tab counts as one column).

export interface Span {
  /** 0-based offset of the first character. */
  offset: number;
  /** Number of characters covered; 0 marks a position (e.g. "expected ';' here"). */
  length: number;
  /** 1-based line of `offset`. */
  line: number;
  /** 1-based column of `offset`. */
  col: number;
}

export type Severity = "error" | "warning";

export interface Diagnostic {
  severity: Severity;
  message: string;
  span: Span;
  file: string;
}

/** A span covering `a` through the end of `b` (b must not start before a). */
export function joinSpans(a: Span, b: Span): Span {
  const end = Math.max(a.offset + a.length, b.offset + b.length);
  return { offset: a.offset, length: end - a.offset, line: a.line, col: a.col };
}

/** A zero-length span just after `s` (same line: spans never contain a newline at the end). */
export function spanAfter(s: Span): Span {
  return { offset: s.offset + s.length, length: 0, line: s.line, col: s.col + s.length };
}

export function makeDiagnostic(message: string, span: Span, file: string, severity: Severity = "error"): Diagnostic {
  return { severity, message, span, file };
}

export function hasErrors(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === "error");
}

/**
 * `file:line:col: error: message`, then the source line and a caret line
 * (`^~~~` under the span; a span running past the end of its line is
 * underlined to the end of that line).
 */
/**
 * `file:line:col: severity: message`, the source line and a caret. Without
 * `severity` the word is left out: for an error wraith reports as
 * `wraith: error: …`, which says it already.
 */
export function formatDiagnostic(diag: Diagnostic, sourceText: string, opts: { severity?: boolean } = {}): string {
  const { span } = diag;
  const header = `${diag.file}:${span.line}:${span.col}: ${opts.severity === false ? "" : `${diag.severity}: `}${diag.message}`;
  const lineText = sourceLine(sourceText, span.line);
  if (lineText === undefined) return header;
  // Keep tabs in the padding so the caret lines up with tab-indented source.
  const before = lineText.slice(0, Math.max(0, span.col - 1));
  const pad = before.replace(/[^\t]/g, " ");
  const available = Math.max(0, lineText.length - (span.col - 1));
  const width = Math.max(1, Math.min(span.length, available));
  const caret = "^" + "~".repeat(width - 1);
  return `${header}\n${lineText}\n${pad}${caret}`;
}

export function formatDiagnostics(diags: readonly Diagnostic[], sourceText: string): string {
  return diags.map((d) => formatDiagnostic(d, sourceText)).join("\n");
}

function sourceLine(text: string, line: number): string | undefined {
  if (line < 1) return undefined;
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  let s = text.slice(start, end);
  if (s.endsWith("\r")) s = s.slice(0, -1);
  return s;
}
