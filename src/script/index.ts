// Script front end: lex → parse → (check). The one entry point for other folders.
import type { Script } from "./ast.ts";
import { checkScript, CURRENT_SUPPORT, type SupportedFeatures } from "./checker.ts";
import type { Diagnostic } from "./diagnostics.ts";
import { lex } from "./lexer.ts";
import { parseTokens } from "./parser.ts";

export * from "./ast.ts";
export type { Span, Severity, Diagnostic } from "./diagnostics.ts";
export { formatDiagnostic, formatDiagnostics, hasErrors } from "./diagnostics.ts";
export type { Token } from "./tokens.ts";
export { lex } from "./lexer.ts";
export { MAX_NESTING, MAX_EXPR_DEPTH } from "./parser.ts";
export {
  checkScript,
  CURRENT_SUPPORT,
  FULL_SUPPORT,
  widenSupport,
  type SupportedFeatures,
  type StatementFeature,
  type ExprFeature,
} from "./checker.ts";
export { printScript, printStatement, printExpr, printPattern } from "./printer.ts";
export { scriptHelp, SCRIPT_HELP, rowText, isSupported, NOT_SUPPORTED_YET, type ScriptHelpSection, type ScriptHelpRow, type FeatureRef } from "./help.ts";

export interface ParseScriptResult {
  /** Present exactly when there are no error diagnostics. */
  script?: Script;
  diagnostics: Diagnostic[];
}

/** Parse script text. Never throws; syntax errors come back as diagnostics (the first one is the most useful). */
export function parseScript(text: string, fileName = "<script>"): ParseScriptResult {
  const lexed = lex(text, fileName);
  if (lexed.diagnostics.length > 0) return { diagnostics: lexed.diagnostics };
  return parseTokens(lexed.tokens, fileName, text.length);
}

/**
 * Parse and check in one call. `script` is present only when nothing is an error;
 * `diagnostics` also carries warnings.
 */
export function compileScript(
  text: string,
  fileName = "<script>",
  support: SupportedFeatures = CURRENT_SUPPORT,
): ParseScriptResult {
  const parsed = parseScript(text, fileName);
  if (parsed.script === undefined) return parsed;
  const diagnostics = checkScript(parsed.script, support);
  const ok = !diagnostics.some((d) => d.severity === "error");
  return ok ? { script: parsed.script, diagnostics } : { diagnostics };
}
