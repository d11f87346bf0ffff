// `wraith --man`: the manual page wraith(1) in roff (man macros), rendered
// from the same data as --help (help.ts: commands, the flag table, exit codes,
// environment) and --script-help (src/script/help.ts). build.ts runs the built
// binary to write dist/wraith.1.
import { SCRIPT_HELP, rowText } from "../script/index.ts";
import { COMMANDS, ENVIRONMENT, JSON_FIELDS, exampleLine, exitCodeRows, groupTitle, optionRows, type CommandHelp } from "./help.ts";

/**
 * Text for roff: backslashes doubled, '-' as \- (a real minus, so flags can
 * be copied and searched), a leading '.' or '\'' guarded by \&, and the
 * typographic characters help uses spelled as roff escapes (plain ASCII input).
 */
export function roffEscape(text: string): string {
  const s = text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/—/g, "\\(em")
    .replace(/…/g, "\\&...")
    .replace(/'/g, "\\(aq")
    .replace(/"/g, "\\(dq")
    .replace(/[^\x00-\x7f]/gu, (ch) => `\\[u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`);
  return s.replace(/^([.])/gm, "\\&$1");
}

const bold = (t: string) => `\\fB${roffEscape(t)}\\fR`;

function tp(term: string, text: string): string[] {
  return [".TP", bold(term), roffEscape(text)];
}

function commandSection(cmd: CommandHelp): string[] {
  const out: string[] = [".SS " + roffEscape(cmd.name === "run" ? "wraith (scripts)" : `wraith ${cmd.name}`), roffEscape(cmd.summary) + ".", ".PP"];
  out.push(".nf", ...cmd.usage.map(roffEscape), ".fi");
  // The scripts form's description is the page's DESCRIPTION.
  if (cmd.name !== "run") out.push(".PP", roffEscape(cmd.description));
  for (const t of cmd.tables ?? []) for (const [l, r] of t.rows) out.push(...tp(l, r));
  const groups = optionRows(cmd.name).filter((g) => g.rows.length > 0 && g.group !== "meta");
  out.push(".PP", groups.length ? `Options: ${groups.map((g) => roffEscape(groupTitle(g.group))).join(", ")} (see \\fBOPTIONS\\fR).` : "No options but \\fB\\-\\-help\\fR.");
  return out;
}

/** The whole page; `version` goes into the title line. */
export function manPage(version: string): string {
  const main = COMMANDS.find((c) => c.name === "run")!;
  const out: string[] = [
    `.TH WRAITH 1 "" "wraith ${roffEscape(version)}" "User Commands"`,
    // Flags must not be hyphenated or spread out.
    ".nh",
    ".ad l",
    ".SH NAME",
    "wraith \\- printf debugging for live Linux processes",
    ".SH SYNOPSIS",
    ".nf",
    ...COMMANDS.flatMap((c) => c.usage).filter((u, i, all) => all.indexOf(u) === i).map(roffEscape),
    "wraith help [TOPIC] | \\-\\-script\\-help | \\-\\-man",
    ".fi",
    ".SH DESCRIPTION",
    roffEscape(main.description),
    ".SH COMMANDS",
    ...COMMANDS.flatMap(commandSection),
    ".SH OPTIONS",
    "Which command takes which group of options is listed under \\fBCOMMANDS\\fR; a command given an option outside its groups stops with a usage error.",
  ];
  // Every group of every command, once, in the order the commands show them.
  const seen = new Set<string>();
  for (const cmd of COMMANDS) {
    for (const { group, rows } of optionRows(cmd.name)) {
      if (seen.has(group) || rows.length === 0) continue;
      seen.add(group);
      out.push(`.SS ${roffEscape(groupTitle(group))}`);
      for (const [l, r] of rows) out.push(...tp(l, r));
    }
  }
  out.push(".SH SCRIPT LANGUAGE");
  for (const s of SCRIPT_HELP) {
    out.push(`.SS ${roffEscape(s.title)}`);
    for (const row of s.rows ?? []) out.push(...tp(row.syntax, rowText(row)));
    for (const p of s.paragraphs ?? []) out.push(".PP", roffEscape(p));
    if (s.code) out.push(".PP", ".nf", ".RS 4", ...s.code.map(roffEscape), ".RE", ".fi");
  }
  out.push(".SH EXIT STATUS");
  for (const [code, text] of exitCodeRows()) out.push(...tp(code, text));
  out.push(".SH JSON OUTPUT", roffEscape("With --json each event is one line holding one JSON object:"));
  for (const [name, text] of JSON_FIELDS) out.push(...tp(name, text));
  out.push(".SH ENVIRONMENT");
  for (const [name, text] of ENVIRONMENT) out.push(...tp(name, text));
  out.push(".SH EXAMPLES");
  for (const cmd of COMMANDS) for (const e of cmd.examples) out.push(".PP", ".nf", ".RS 4", roffEscape(exampleLine(e)), ".RE", ".fi");
  out.push(".SH SEE ALSO", "\\fBgdb\\fR(1), \\fBbpftrace\\fR(8); GhostScope, whose script language wraith speaks.");
  return out.join("\n") + "\n";
}
