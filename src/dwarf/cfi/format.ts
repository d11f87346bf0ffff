// Text forms of CFA and register rules, in binutils' frames-interp notation
// ("rsp+8", "c-16", "u", "exp"): what `wraith info` prints and what the tests
// compare against readelf.

import type { CfaRule, RegisterRule } from "./table.ts";
import { x86_64RegisterName } from "./registers.ts";

const signed = (n: number) => (n < 0 ? `${n}` : `+${n}`);

/** "rsp+8", "rbp+16", or "exp" for an expression. */
export function formatCfaRule(rule: CfaRule, name: (reg: number) => string = x86_64RegisterName): string {
  return rule.kind === "regOffset" ? `${name(rule.reg)}${signed(rule.offset)}` : "exp";
}

/** "u", "s", "c-8" (at CFA-8), "v+8" (is CFA+8), a register name, "exp" or "vexp". */
export function formatRegisterRule(rule: RegisterRule, name: (reg: number) => string = x86_64RegisterName): string {
  switch (rule.kind) {
    case "undefined": return "u";
    case "sameValue": return "s";
    case "offset": return `c${signed(rule.offset)}`;
    case "valOffset": return `v${signed(rule.offset)}`;
    case "register": return name(rule.reg);
    case "expression": return "exp";
    case "valExpression": return "vexp";
  }
}
