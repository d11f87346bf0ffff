// Every DIE of every fixture build (gcc/clang × -O0/-O2 × DWARF 4/5) against
// llvm-dwarfdump and readelf: offset, depth, tag, abbreviation, and every
// attribute's form and value.
import { describe, expect, test } from "bun:test";
import { type AttrValue, type Die, DwarfFile, type Unit, asSigned, dwName, formName, tagName, atName } from "../../src/dwarf/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { type DumpAttr, parseDwarfdump, parseReadelfInfo, run } from "./core-oracle.ts";

type Build = { cc: "gcc" | "clang"; opt: "-O0" | "-O2"; dwarf: 4 | 5; flags?: string[] };
const MATRIX: Build[] = [
  ...(["gcc", "clang"] as const).flatMap((cc) => (["-O0", "-O2"] as const).flatMap((opt) => ([4, 5] as const).map((dwarf) => ({ cc, opt, dwarf })))),
  // Older and rarer encodings: DWARF 2 and 3, 64-bit DWARF, type units (.debug_types in v4, DW_UT_type in v5).
  { cc: "gcc", opt: "-O0", dwarf: 4, flags: ["-gdwarf-2"] },
  { cc: "gcc", opt: "-O2", dwarf: 4, flags: ["-gdwarf-3"] },
  { cc: "gcc", opt: "-O2", dwarf: 5, flags: ["-gdwarf64"] },
  { cc: "gcc", opt: "-O0", dwarf: 4, flags: ["-gdwarf64"] },
  { cc: "gcc", opt: "-O0", dwarf: 4, flags: ["-fdebug-types-section"] },
  { cc: "gcc", opt: "-O2", dwarf: 5, flags: ["-fdebug-types-section"] },
  { cc: "clang", opt: "-O0", dwarf: 4, flags: ["-fdebug-types-section"] },
  { cc: "clang", opt: "-O2", dwarf: 5, flags: ["-fdebug-types-section"] },
];

/** Compare our value with llvm-dwarfdump's text for it; returns a mismatch description or undefined. */
function checkValue(unit: Unit, die: Die, name: number, v: AttrValue, want: DumpAttr): string | undefined {
  const text = want.text;
  const bad = (got: unknown) => `${die} ${atName(name)}: ours ${String(got)}, llvm-dwarfdump (${text})`;
  // Values llvm-dwarfdump prints through other sections' contents: file names, expressions.
  if (want.name === "DW_AT_decl_file" || want.name === "DW_AT_call_file") return undefined;
  switch (v.kind) {
    case "string":
    case "strp":
    case "lineStrp":
    case "strx": {
      const s = unit.string(v);
      const m = /"(.*)"$/.exec(text);
      return m && m[1] === s ? undefined : bad(JSON.stringify(s));
    }
    case "ref":
    case "refAddr": {
      const m = /^0x([0-9a-f]+)/.exec(text);
      if (!m || parseInt(m[1]!, 16) !== v.offset) return bad(v.offset.toString(16));
      const target = unit.reference(v);
      return target?.offset === v.offset ? undefined : bad(`unresolved ${v.offset.toString(16)}`);
    }
    case "refSig8": {
      const m = /^0x([0-9a-f]+)/.exec(text);
      if (!m || BigInt("0x" + m[1]) !== v.signature) return bad(v.signature.toString(16));
      const target = unit.reference(v);
      return target?.unit.typeSignature === v.signature && target.offset === target.unit.typeOffset ? undefined : bad(`unresolved signature ${v.signature.toString(16)}`);
    }
    case "address":
    case "addrx": {
      const a = unit.address(v)!;
      const m = /(?:address = )?0x([0-9a-f]+)\)?$/.exec(text);
      return m && parseInt(m[1]!, 16) === a ? undefined : bad(a.toString(16));
    }
    case "flag":
      return (text === "true") === v.value || (text === "0x01") === v.value ? undefined : bad(v.value);
    case "constant": {
      if (want.name === "DW_AT_high_pc" && /^0x/.test(text)) return parseInt(text, 16) === v.value ? undefined : bad(v.value);
      const named = /^(DW_[A-Z]+)_\w+$/.exec(text);
      if (named) {
        const group = named[1]!.slice(3) as Parameters<typeof dwName>[0];
        return dwName(group, v.value) === text ? undefined : bad(dwName(group, v.value));
      }
      const n = /^(-?(?:0x[0-9a-f]+|\d+))/.exec(text);
      if (!n) return undefined; // e.g. a value printed as a file name
      const want64 = n[1]!.startsWith("-") ? BigInt(n[1]!) : BigInt(n[1]!);
      const ours = v.signedness === "signed" || n[1]!.startsWith("-") ? asSigned(v) : BigInt.asUintN(v.size ? v.size * 8 : 64, v.big ?? BigInt(v.value));
      return ours === want64 ? undefined : bad(ours);
    }
    case "secOffset": {
      const m = /^0x([0-9a-f]+)/.exec(text);
      return m && parseInt(m[1]!, 16) === v.offset ? undefined : bad(v.offset.toString(16));
    }
    case "loclistx":
    case "rnglistx": {
      const m = /indexed \((0x)?([0-9a-f]+)\)/.exec(text);
      return m && parseInt(m[2]!, 16) === v.index ? undefined : bad(v.index);
    }
    default:
      return undefined; // blocks and expressions: form and size checked via the DIE layout
  }
}

describe("every DIE matches llvm-dwarfdump and readelf", () => {
  for (const m of MATRIX) {
    test(`${m.cc} ${m.opt} DWARF ${m.dwarf} ${m.flags?.join(" ") ?? ""}`, () => {
      const bin = compileFixture("dwarf_core", { ...m, with: ["dwarf_core2"] });
      const want = parseDwarfdump(run(["llvm-dwarfdump", "--debug-info", "--debug-types", "--show-form", bin]));
      const readelf = parseReadelfInfo(run(["readelf", "--debug-dump=info", bin]));
      const dwarf = DwarfFile.open(bin);
      const ours: Die[] = [];
      for (const u of [...dwarf.units(), ...dwarf.units(".debug_types")]) for (let i = 0; i < u.dieCount; i++) ours.push(u.dieByIndex(i));
      expect(ours.length).toBe(want.length);
      expect(readelf.length).toBe(want.length);
      const problems: string[] = [];
      for (let i = 0; i < ours.length; i++) {
        const d = ours[i]!;
        const w = want[i]!;
        const re = readelf[i]!;
        if (d.offset !== w.offset || tagName(d.tag) !== w.tag || d.depth !== w.depth) problems.push(`DIE ${i}: ours ${d} depth ${d.depth}, llvm-dwarfdump 0x${w.offset.toString(16)} ${w.tag} depth ${w.depth}`);
        if (re.offset !== d.offset || re.abbrev !== d.abbrev.code || re.depth !== d.depth) problems.push(`DIE ${i}: readelf <${re.depth}><${re.offset.toString(16)}> abbrev ${re.abbrev}, ours abbrev ${d.abbrev.code}`);
        const attrs = d.attributes();
        if (attrs.map((a) => `${atName(a.name)}/${formName(a.value.form)}`).join(" ") !== w.attrs.map((a) => `${a.name}/${a.form}`).join(" ")) {
          problems.push(`${d}: attributes ${attrs.map((a) => atName(a.name)).join(",")} vs ${w.attrs.map((a) => a.name).join(",")}`);
          continue;
        }
        attrs.forEach((a, j) => {
          const p = checkValue(d.unit, d, a.name, a.value, w.attrs[j]!);
          if (p) problems.push(p);
          // attr() (skip-to-attribute) agrees with the full decode.
          if (d.attr(a.name)?.kind !== a.value.kind) problems.push(`${d}: attr(${atName(a.name)}) disagrees with attributes()`);
        });
        // Navigation: parent is the nearest shallower DIE before this one.
        const p = d.parent();
        if (d.depth > 0) {
          let j = i - 1;
          while (want[j]!.depth >= w.depth) j--;
          if (p?.offset !== want[j]!.offset) problems.push(`${d}: parent ${p} vs 0x${want[j]!.offset.toString(16)}`);
        } else if (p) problems.push(`${d}: root has a parent`);
        const die = d.unit.dieAt(d.offset);
        if (!die?.equals(d)) problems.push(`${d}: dieAt does not find it`);
      }
      expect(problems.slice(0, 20)).toEqual([]);
    });
  }
});
