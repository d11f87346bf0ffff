import { describe, expect, test } from "bun:test";
import { FULL_SUPPORT, SPECIAL_VARIABLES, checkScript, scriptHelp } from "../../src/script/index.ts";
import { parseOk } from "./helpers.ts";

describe("scriptHelp", () => {
  const help = scriptHelp();
  test("names every special variable, builtin and statement", () => {
    for (const v of SPECIAL_VARIABLES) expect(help).toContain(`$${v}`);
    for (const w of ["memcmp(", "strncmp(", "starts_with(", "hex(", "cast(", "print", "let", "if", "bt", "backtrace", "trace"]) {
      expect(help).toContain(w);
    }
    for (const p of ["{:x}", "{:X}", "{:p}", "{:s}", "{:x.16}", "{:s.*}", "{:x.n$}"]) expect(help).toContain(p);
  });
  test("its example parses and passes the language rules", () => {
    const example = help.slice(help.indexOf("EXAMPLE") + "EXAMPLE".length);
    const script = parseOk(example);
    expect(checkScript(script, FULL_SUPPORT)).toEqual([]);
  });
  test("its trace pattern lines parse", () => {
    const lines = help.split("\n").filter((l) => l.trimStart().startsWith("trace ") && l.includes("{ ... }"));
    expect(lines.length).toBe(5);
    for (const l of lines) parseOk(l.trim().split("{ ... }")[0] + "{ }");
  });
});
