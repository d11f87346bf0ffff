// "did you mean …" ranking.
import { expect, test } from "bun:test";
import { closeMatches, editDistance } from "../../src/elf/index.ts";

test("editDistance counts insertions, deletions, substitutions and adjacent swaps", () => {
  expect(editDistance("", "")).toBe(0);
  expect(editDistance("abc", "abc")).toBe(0);
  expect(editDistance("abc", "abd")).toBe(1);
  expect(editDistance("abc", "ab")).toBe(1);
  expect(editDistance("abc", "xabc")).toBe(1);
  expect(editDistance("handle", "hnadle")).toBe(1); // transposition
  expect(editDistance("kitten", "sitting")).toBe(3);
  // Early exit reports "more than the limit" as limit + 1.
  expect(editDistance("aaaaaaaaaa", "bbbbbbbbbb", 2)).toBe(3);
  expect(editDistance("a", "abcdefgh", 2)).toBe(3);
});

test("closeMatches ranks substring hits, then typos, stable and bounded", () => {
  const names = ["handle_request", "handle_response", "main", "tick", "request_free", "mainloop", "printf", "puts"];
  expect(closeMatches("hanlde_request", names)).toEqual(["handle_request"]);
  expect(closeMatches("request", names)).toEqual(["request_free", "handle_request"]);
  expect(closeMatches("mian", names)).toEqual(["main"]);
  expect(closeMatches("MAIN", names)[0]).toBe("main");
  expect(closeMatches("handle", names, 1)).toEqual(["handle_request"]);
  expect(closeMatches("qqqqqqq", names)).toEqual([]);
  expect(closeMatches("", names)).toEqual([]);
  expect(closeMatches("tick", names, 0)).toEqual([]);
  // Duplicates collapse; short queries do not substring-match everything.
  expect(closeMatches("ti", ["tick", "tick", "ti_x"])).toEqual([]);
  expect(closeMatches("tik", ["tick", "tick"])).toEqual(["tick"]);
});
