// Token model produced by the lexer and consumed by the parser.
import type { Span } from "./diagnostics.ts";

export const PUNCTUATORS = [
  // two-character operators first: the lexer takes the longest match
  "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "::",
  "{", "}", "(", ")", "[", "]", ";", ",", ".", ":",
  "+", "-", "*", "/", "%", "&", "|", "^", "~", "!", "=", "<", ">",
] as const;

export type Punct = (typeof PUNCTUATORS)[number];

interface TokenBase {
  /** Exact source text of the token. */
  text: string;
  span: Span;
}

export interface IdentToken extends TokenBase {
  kind: "ident";
}

export interface IntToken extends TokenBase {
  kind: "int";
  /** Always fits a signed 64-bit integer (the lexer rejects larger literals). */
  value: bigint;
}

/** Floats are lexed so the parser can reject them with a precise message. */
export interface FloatToken extends TokenBase {
  kind: "float";
}

export interface StringToken extends TokenBase {
  kind: "string";
  /** Decoded contents (escapes resolved, no quotes). */
  value: string;
  /**
   * `offsets[i]` is the source offset of the first character that produced
   * `value[i]`; `offsets[value.length]` is the offset of the closing quote.
   * String literals never span lines, so columns follow from offsets.
   */
  offsets: number[];
}

export interface SpecialToken extends TokenBase {
  kind: "special";
  /** Name without the `$`. */
  name: string;
}

export interface PunctToken extends TokenBase {
  kind: "punct";
  text: Punct;
}

/** The raw text after a statement-initial `trace` keyword, up to whitespace or `{`. */
export interface PatternToken extends TokenBase {
  kind: "pattern";
}

export interface EofToken extends TokenBase {
  kind: "eof";
}

export type Token =
  | IdentToken
  | IntToken
  | FloatToken
  | StringToken
  | SpecialToken
  | PunctToken
  | PatternToken
  | EofToken;

export function describeToken(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "end of input";
    case "ident":
      return `'${t.text}'`;
    case "int":
    case "float":
      return `number ${t.text}`;
    case "string":
      return `string ${truncate(t.text, 24)}`;
    case "special":
      return `'${t.text}'`;
    case "punct":
      return `'${t.text}'`;
    case "pattern":
      return `'${truncate(t.text, 24)}'`;
  }
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}
