// Native indexes under truncation and mutation: every outcome is an answer or
// a DwarfError — never another exception, a hang, or unbounded work. Lookups
// through DwarfFile then still agree with the scan (a bad index is dropped).
import { describe, expect, test } from "bun:test";
import { DwarfError, DwarfFile, openNativeNames } from "../../src/dwarf/index.ts";
import { copyFileSync, existsSync, renameSync } from "node:fs";
import { compileFixture } from "../helpers/fixtures.ts";
import { run } from "./core-oracle.ts";

// Same as index-native.test.ts (importing a test file would run its tests here too).
function withGdbIndex(bin: string, dwarf5 = false): string {
  const out = `${bin}.${dwarf5 ? "gdbnames" : "gdbindex"}`;
  if (existsSync(out)) return out;
  copyFileSync(bin, `${out}.tmp${process.pid}`);
  run(["gdb-add-index", ...(dwarf5 ? ["-dwarf-5"] : []), `${out}.tmp${process.pid}`]);
  renameSync(`${out}.tmp${process.pid}`, out);
  return out;
}

// A deterministic generator, so a failure reproduces.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const C = { with: ["dwarf_names2"], opt: "-O2" as const };
const CASES = [
  { section: ".debug_names", bin: () => compileFixture("dwarf_names", { ...C, cc: "clang", dwarf: 5, flags: ["-gpubnames"] }) },
  { section: ".debug_names", bin: () => withGdbIndex(compileFixture("dwarf_names", { ...C, cc: "gcc", dwarf: 5 }), true) },
  { section: ".gdb_index", bin: () => withGdbIndex(compileFixture("dwarf_names", { ...C, cc: "gcc", dwarf: 5 })) },
];

/** Open the index over `bytes` and look every name up; returns "ok" or the DwarfError. */
function exercise(d: DwarfFile, section: string, bytes: Uint8Array, names: string[]): string {
  const owner = {
    section: (n: string) => (n === section ? bytes : d.section(n)),
    units: d.units.bind(d),
    unitAt: d.unitAt.bind(d),
  };
  try {
    const { index, errors } = openNativeNames(owner, section === ".debug_names" ? "debug_names" : "gdb_index");
    if (!index) return errors[0] ?? "none";
    for (const n of names) index.unitsFor(n);
    return "ok";
  } catch (e) {
    if (e instanceof DwarfError) return e.message;
    throw e;
  }
}

describe("native index fuzz", () => {
  for (const c of CASES) {
    test(`${c.section} from ${c.bin().split("/").pop()}: truncation at 128 lengths, 600 mutations`, () => {
      const d = DwarfFile.open(c.bin());
      const good = d.section(c.section)!;
      const names = [...d.index().names(), "nope", "a::b::main", "_Zfoo"];
      expect(exercise(d, c.section, good, names)).toBe("ok");
      const started = performance.now();
      let rejected = 0;
      for (let n = 0; n < good.length; n += Math.max(1, good.length >> 7)) if (exercise(d, c.section, good.subarray(0, n), names) !== "ok") rejected++;
      expect(rejected).toBeGreaterThan(0);
      const rand = rng(0x5eed + good.length);
      for (let i = 0; i < 600; i++) {
        const b = good.slice();
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) {
          const at = Math.floor(rand() * b.length);
          // Mix small nudges, random bytes and all-ones (huge counts and offsets).
          const r = rand();
          b[at] = r < 0.3 ? (b[at]! + 1) & 0xff : r < 0.6 ? 0xff : Math.floor(rand() * 256);
        }
        exercise(d, c.section, b, names);
      }
      // Bounded work: the whole run is quick (no probe loops, no giant allocations).
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }

  test("a DwarfFile over a mutated index still answers like the scan", () => {
    const bin = CASES[0]!.bin();
    const scan = DwarfFile.open(bin);
    scan.useNameSource("scan");
    const names = scan.index().names();
    const rand = rng(42);
    for (let i = 0; i < 40; i++) {
      const d = DwarfFile.open(bin);
      const b = d.section(".debug_names")!.slice();
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      // Swap the index for the mutated copy before first use.
      (d as unknown as { sectionCache: Map<string, Uint8Array> }).sectionCache.set(".debug_names", b);
      for (const n of names) {
        const got = d.lookup(n);
        const want = scan.lookup(n);
        // A mutated hash table or name table can lose names (then the scan
        // answers) or point lookups at other units; it must never add entries
        // the scan does not have.
        const keys = new Set(want.map((e) => JSON.stringify(e)));
        for (const e of got) expect(keys.has(JSON.stringify(e))).toBe(true);
        if (want.some((e) => !e.declaration)) expect(got.length).toBeGreaterThan(0);
      }
    }
  });
});
