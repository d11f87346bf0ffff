// Native name indexes: .debug_names (clang -gpubnames; gdb-add-index -dwarf-5)
// and .gdb_index (gdb-add-index), checked three ways — lookups through them
// give the scan's answers, what we parse is what llvm-dwarfdump / readelf
// print, and a corrupt index is rejected with a recorded reason, never used.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DebugNames, DwarfFile, GdbIndex, type IndexEntry, lastComponent, lookupKeys } from "../../src/dwarf/index.ts";
import { CACHE, FIXTURES, compileFixture } from "../helpers/fixtures.ts";
import { run } from "./core-oracle.ts";

/** A copy of `bin` with an index added by gdb-add-index (.gdb_index, or .debug_names with -dwarf-5). */
function withGdbIndex(bin: string, dwarf5 = false): string {
  const out = `${bin}.${dwarf5 ? "gdbnames" : "gdbindex"}`;
  if (existsSync(out)) return out;
  const tmp = `${out}.tmp${process.pid}`;
  copyFileSync(bin, tmp);
  run(["gdb-add-index", ...(dwarf5 ? ["-dwarf-5"] : []), tmp]);
  renameSync(tmp, out);
  return out;
}

function compileCpp(cxx: "g++" | "clang++", opt: string, flags: string[]): string {
  const src = join(FIXTURES, "dwarf_cpp.cpp");
  const hash = createHash("sha256").update(readFileSync(src)).update(flags.join(" ")).digest("hex").slice(0, 12);
  const out = join(CACHE, `dwarf_names_cpp-${cxx}${opt.slice(1)}-${hash}`);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  run([cxx, opt, ...flags, "-o", `${out}.tmp${process.pid}`, src]);
  renameSync(`${out}.tmp${process.pid}`, out);
  return out;
}

interface Fixture {
  label: string;
  bin: () => string;
  kind: "debug_names" | "gdb_index";
}

const C = { with: ["dwarf_names2"] };
const FIXTURE_LIST: Fixture[] = [];
for (const opt of ["-O0", "-O2"] as const) {
  FIXTURE_LIST.push({ label: `clang ${opt} -gpubnames`, kind: "debug_names", bin: () => compileFixture("dwarf_names", { ...C, cc: "clang", opt, dwarf: 5, flags: ["-gpubnames"] }) });
  FIXTURE_LIST.push({ label: `clang++ ${opt} -gpubnames`, kind: "debug_names", bin: () => compileCpp("clang++", opt, ["-gdwarf-5", "-gpubnames"]) });
  FIXTURE_LIST.push({ label: `gcc ${opt} DWARF 5 + gdb-add-index -dwarf-5`, kind: "debug_names", bin: () => withGdbIndex(compileFixture("dwarf_names", { ...C, cc: "gcc", opt, dwarf: 5 }), true) });
  for (const cc of ["gcc", "clang"] as const)
    for (const dwarf of [4, 5] as const) {
      // clang's DWARF 5 output already has .debug_names; gdb refuses to index over it.
      if (cc === "clang" && dwarf === 5) continue;
      FIXTURE_LIST.push({ label: `${cc} ${opt} DWARF ${dwarf} + gdb-add-index`, kind: "gdb_index", bin: () => withGdbIndex(compileFixture("dwarf_names", { ...C, cc, opt, dwarf })) });
    }
  FIXTURE_LIST.push({ label: `g++ ${opt} DWARF 5 + gdb-add-index`, kind: "gdb_index", bin: () => withGdbIndex(compileCpp("g++", opt, ["-gdwarf-5"])) });
  FIXTURE_LIST.push({ label: `g++ ${opt} DWARF 4 type units + gdb-add-index`, kind: "gdb_index", bin: () => withGdbIndex(compileCpp("g++", opt, ["-gdwarf-4", "-fdebug-types-section"])) });
}

const entryKey = (e: IndexEntry) => JSON.stringify(e);

describe("lookups through the native index give the scan's answers", () => {
  for (const f of FIXTURE_LIST) {
    test(f.label, () => {
      const bin = f.bin();
      const native = DwarfFile.open(bin);
      const scan = DwarfFile.open(bin);
      scan.useNameSource("scan");
      expect(native.nameSource()).toMatchObject({ kind: f.kind, errors: [], uncoveredUnits: 0 });
      expect(scan.nameSource().kind).toBe("scan");
      const names = scan.index().names();
      expect(names.length).toBeGreaterThan(10);
      let answeredNatively = 0;
      for (const name of names) {
        for (const kind of [undefined, "function", "variable", "type", "namespace"] as const) {
          const got = native.lookupWithSource(name, kind);
          const want = scan.lookup(name, kind);
          if (got.source !== "scan") answeredNatively++;
          const wantKeys = new Set(want.map(entryKey));
          // Never an entry the scan does not have (never a wrong answer) …
          for (const e of got.entries) expect(wantKeys.has(entryKey(e))).toBe(true);
          // … the same best answer (for a type, maybe another unit's copy of it) …
          if (want.length === 0) expect(got.entries).toEqual([]);
          else if (want[0]!.kind !== "type") expect(got.entries[0]).toEqual(want[0]!);
          else expect(got.entries[0]).toMatchObject({ kind: "type", name: want[0]!.name, tag: want[0]!.tag, declaration: want[0]!.declaration });
          // … and every function or variable definition. What may be left out:
          // declarations, and copies of a type in units the index does not name.
          const gotKeys = new Set(got.entries.map(entryKey));
          for (const e of want) if (!gotKeys.has(entryKey(e))) expect(e.declaration || e.kind === "type").toBe(true);
        }
      }
      expect(answeredNatively).toBeGreaterThan(0);
      // Our own functions resolve natively, not by falling back.
      for (const fn of ["main", "names_mix", "names_other", "outer::inner::Widget::grow", "grow"]) {
        if (scan.lookup(fn, "function").some((e) => e.hasCode)) expect(native.lookupWithSource(fn, "function").source).toBe(f.kind);
      }
    });
  }
});

// ---- oracles ------------------------------------------------------------------------

interface DumpedName {
  name: string;
  entries: { offset: number; tag: string; cu?: number; die?: number }[];
}

/** `llvm-dwarfdump --debug-names`: per name index, its CU list and names with entries. */
function parseDebugNamesDump(out: string): { cus: number[]; names: DumpedName[] }[] {
  const indexes: { cus: number[]; names: DumpedName[] }[] = [];
  let cur: DumpedName | undefined;
  let entry: DumpedName["entries"][number] | undefined;
  for (const line of out.split("\n")) {
    if (/^Name Index @/.test(line)) indexes.push({ cus: [], names: [] });
    const ix = indexes[indexes.length - 1];
    let m: RegExpExecArray | null;
    if ((m = /^\s+CU\[\d+\]: 0x([0-9a-f]+)/.exec(line))) ix!.cus.push(parseInt(m[1]!, 16));
    else if ((m = /^\s+String: 0x[0-9a-f]+ "(.*)"$/.exec(line))) ix!.names.push((cur = { name: m[1]!, entries: [] }));
    else if ((m = /^\s+Entry @ 0x([0-9a-f]+) \{/.exec(line))) cur!.entries.push((entry = { offset: parseInt(m[1]!, 16), tag: "" }));
    else if ((m = /^\s+Tag: (DW_TAG_\w+)/.exec(line)) && entry && entry.tag === "") entry.tag = m[1]!;
    else if ((m = /^\s+DW_IDX_compile_unit: 0x([0-9a-f]+)/.exec(line))) entry!.cu = parseInt(m[1]!, 16);
    else if ((m = /^\s+DW_IDX_die_offset: 0x([0-9a-f]+)/.exec(line))) entry!.die = parseInt(m[1]!, 16);
  }
  return indexes;
}

const TAG_NAMES = new Map<number, string>();
{
  const { DW_TAG } = await import("../../src/dwarf/index.ts");
  for (const [k, v] of Object.entries(DW_TAG)) if (!TAG_NAMES.has(v)) TAG_NAMES.set(v, `DW_TAG_${k}`);
}

describe(".debug_names as llvm-dwarfdump --debug-names reads it", () => {
  for (const f of FIXTURE_LIST.filter((x) => x.kind === "debug_names")) {
    test(f.label, () => {
      const bin = f.bin();
      const d = DwarfFile.open(bin);
      const ours = DebugNames.parse(d.section(".debug_names")!, d.section(".debug_str"));
      const theirs = parseDebugNamesDump(run(["llvm-dwarfdump", "--debug-names", bin]));
      expect(ours.indexes.length).toBe(theirs.length);
      let entries = 0;
      ours.indexes.forEach((ix, i) => {
        const t = theirs[i]!;
        expect(ix.compUnits).toEqual(t.cus);
        expect(ix.nameCount).toBe(t.names.length);
        // llvm prints names by bucket; compare as a map.
        const byName = new Map(t.names.map((n) => [n.name, n.entries]));
        for (let n = 0; n < ix.nameCount; n++) {
          const name = ix.nameAt(n);
          const want = byName.get(name)!;
          const got = ix.entries(n);
          expect(got.map((e) => e.offset)).toEqual(want.map((e) => e.offset));
          got.forEach((e, k) => {
            const w = want[k]!;
            expect(TAG_NAMES.get(e.tag)).toBe(w.tag);
            if (w.die !== undefined) expect(e.dieOffset! - e.unitOffset!).toBe(w.die);
            if (w.cu !== undefined) expect(e.unitOffset).toBe(ix.compUnits[w.cu]);
            // The entry's DIE exists and has the entry's tag.
            if (e.dieOffset !== undefined) expect(d.dieAt(e.dieOffset)?.tag).toBe(e.tag);
            entries++;
          });
          // The hash table finds every name.
          expect(ix.findName(name)).toContain(n);
        }
      });
      expect(entries).toBeGreaterThan(10);
    });
  }
});

/** `readelf --debug-dump=gdb_index`: CU table and symbol table. */
function parseReadelfGdbIndex(out: string): { version: number; cus: [number, number][]; symbols: Map<string, string[]> } {
  const version = Number(/^Version (\d+)/m.exec(out)![1]);
  const cus: [number, number][] = [];
  const symbols = new Map<string, string[]>();
  let section = "";
  let last: string[] | undefined;
  for (const line of out.split("\n")) {
    if (/^(CU table|TU table|Address table|Symbol table):/.test(line)) section = line;
    let m: RegExpExecArray | null;
    if (section.startsWith("CU table") && (m = /^\[\s*\d+\] (0x[0-9a-f]+|0) - (0x[0-9a-f]+)/.exec(line))) cus.push([Number(m[1]), Number(m[2])]);
    if (!section.startsWith("Symbol table")) continue;
    if ((m = /^\[\s*\d+\] (.*?):(?: (T?\d+ \[.*\]))?$/.exec(line))) {
      symbols.set(m[1]!, (last = m[2] ? [m[2]] : []));
    } else if ((m = /^\t(T?\d+ \[.*\])$/.exec(line))) last!.push(m[1]!);
  }
  return { version, cus, symbols };
}

const KIND_TEXT = ["none", "type", "variable", "function", "other"];

describe(".gdb_index as readelf --debug-dump=gdb_index reads it", () => {
  for (const f of FIXTURE_LIST.filter((x) => x.kind === "gdb_index")) {
    test(f.label, () => {
      const bin = f.bin();
      const d = DwarfFile.open(bin);
      const ours = new GdbIndex(d.section(".gdb_index")!);
      const theirs = parseReadelfGdbIndex(run(["readelf", "--debug-dump=gdb_index", bin]));
      expect(ours.version).toBe(theirs.version);
      expect(ours.cus.map((c) => [c.offset, c.offset + c.length! - 1])).toEqual(theirs.cus);
      const seen = new Set<string>();
      for (const s of ours.symbols()) {
        seen.add(s.name);
        expect([s.name, ...s.refs.map((r) => `${r.cuIndex < ours.cus.length ? r.cuIndex : `T${r.cuIndex - ours.cus.length}`} [${r.isStatic ? "static" : "global"}, ${KIND_TEXT[r.kind]}]`)]).toEqual([s.name, ...(theirs.symbols.get(s.name) ?? ["missing"])]);
        // The hash probe finds it from its name.
        expect(ours.lookup(s.name)).toEqual(s.refs);
      }
      expect([...seen].sort()).toEqual([...theirs.symbols.keys()].sort());
      // Every unit of the file is in the CU or TU list.
      expect(ours.unitCount).toBe(d.units().length + d.units(".debug_types").length);
      for (const r of ours.addressRanges()) expect(d.unitForAddress(r.begin)?.offset).toBe(ours.cus[r.cuIndex]!.offset);
    });
  }
});

describe("lookup keys", () => {
  test("qualified names are also looked up by every suffix; the last component skips template arguments", () => {
    expect(lookupKeys("a::b::c")).toEqual(["a::b::c", "b::c", "c"]);
    expect(lookupKeys("plain")).toEqual(["plain"]);
    expect(lastComponent("outer::Box<std::pair<int, long> >::get")).toBe("get");
    expect(lastComponent("ns::f(int (*)(a::b))")).toBe("f(int (*)(a::b))");
  });
});

// ---- corrupt indexes: rejected with a reason, answers from the scan -----------------

/** A copy of `bin` with section `name`'s bytes changed by `mutate` (in place, same size). */
function patchSection(bin: string, name: string, tag: string, mutate: (b: Uint8Array) => void): string {
  const out = `${bin}.${tag}`;
  const sh = run(["readelf", "-SW", bin]);
  const m = new RegExp(`\\]\\s+${name.replace(".", "\\.")}\\s+\\S+\\s+[0-9a-f]+\\s+([0-9a-f]+)\\s+([0-9a-f]+)`).exec(sh)!;
  const off = parseInt(m[1]!, 16);
  const size = parseInt(m[2]!, 16);
  const bytes = new Uint8Array(readFileSync(bin));
  mutate(bytes.subarray(off, off + size));
  writeFileSync(out, bytes);
  return out;
}

function expectScanAnswers(bin: string, reason: RegExp, eager: boolean): void {
  const d = DwarfFile.open(bin);
  const scan = DwarfFile.open(bin);
  scan.useNameSource("scan");
  if (eager) expect(d.nameSource().kind).toBe("scan");
  for (const n of ["main", "names_mix", "names_total", "pair_t", "helper"]) expect(d.lookup(n)).toEqual(scan.lookup(n));
  expect(d.lookupWithSource("main").source).toBe("scan");
  const s = d.nameSource();
  expect(s.kind).toBe("scan");
  expect(s.errors.length).toBe(1);
  expect(s.errors[0]).toMatch(reason);
}

describe("a corrupt native index is rejected with a recorded reason", () => {
  const names = () => compileFixture("dwarf_names", { ...C, cc: "clang", opt: "-O2", dwarf: 5, flags: ["-gpubnames"] });
  const gdbIndexed = () => withGdbIndex(compileFixture("dwarf_names", { ...C, cc: "gcc", opt: "-O2", dwarf: 5 }));
  const u32 = (b: Uint8Array, at: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
  const get32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

  test(".debug_names: unknown version", () => expectScanAnswers(patchSection(names(), ".debug_names", "badversion", (b) => (b[4] = 9)), /^\.debug_names: .*version 9/, true));
  test(".debug_names: a CU offset where no unit starts", () => expectScanAnswers(patchSection(names(), ".debug_names", "badcu", (b) => u32(b, 36 + get32(b, 32), 0x11)), /no unit starts/, true));
  test(".debug_names: counts larger than the index", () => expectScanAnswers(patchSection(names(), ".debug_names", "badcount", (b) => u32(b, 24, 0x1000000)), /tables need/, true));
  test(".debug_names: entry offsets outside the pool (found at lookup)", () =>
    expectScanAnswers(
      patchSection(names(), ".debug_names", "badentries", (b) => {
        // Header: 36 bytes + augmentation, then CU/TU lists, buckets, hashes, string offsets, entry offsets.
        const [cus, ltus, ftus, buckets, count] = [get32(b, 8), get32(b, 12), get32(b, 16), get32(b, 20), get32(b, 24)];
        const at = 36 + get32(b, 32) + 4 * cus + 4 * ltus + 8 * ftus + 4 * buckets + 4 * count + 4 * count;
        for (let i = 0; i < count; i++) u32(b, at + 4 * i, 0x7fff0000);
      }),
      /outside the entry pool/,
      false,
    ));
  test(".gdb_index: version 6 (no symbol kinds)", () => expectScanAnswers(patchSection(gdbIndexed(), ".gdb_index", "badversion", (b) => u32(b, 0, 6)), /^\.gdb_index: .*unsupported \.gdb_index version 6/, true));
  test(".gdb_index: header offsets out of order", () => expectScanAnswers(patchSection(gdbIndexed(), ".gdb_index", "badorder", (b) => u32(b, 4, get32(b, 16) + 8)), /out of order/, true));
  test(".gdb_index: CU list length disagrees with the unit", () => expectScanAnswers(patchSection(gdbIndexed(), ".gdb_index", "badlen", (b) => u32(b, get32(b, 4) + 8, 3)), /length/, true));
  test(".gdb_index: CU vectors naming units that do not exist (found at lookup)", () =>
    expectScanAnswers(
      patchSection(gdbIndexed(), ".gdb_index", "badvec", (b) => {
        const pool = get32(b, 20);
        // Every CU vector entry's CU index → 0xfffff.
        for (let slot = get32(b, 16); slot < pool; slot += 8) {
          if (get32(b, slot) === 0 && get32(b, slot + 4) === 0) continue;
          const vec = pool + get32(b, slot + 4);
          const n = get32(b, vec);
          for (let i = 0; i < n; i++) u32(b, vec + 4 + 4 * i, (get32(b, vec + 4 + 4 * i) & 0xff000000) | 0xfffff);
        }
      }),
      /CU vector names unit/,
      false,
    ));

  test("an index that covers only some units: the rest are scanned", () => {
    // One unit compiled with -gpubnames, the other without: the second is not in the index.
    const srcs = ["dwarf_names.c", "dwarf_names2.c"].map((n) => join(FIXTURES, n));
    const hash = createHash("sha256");
    for (const s of srcs) hash.update(readFileSync(s));
    const bin = join(CACHE, `dwarf_names-partial-${hash.digest("hex").slice(0, 12)}`);
    if (!existsSync(bin)) {
      mkdirSync(CACHE, { recursive: true });
      run(["clang", "-O0", "-gdwarf-5", "-gpubnames", "-c", "-o", `${bin}.1.o`, srcs[0]!]);
      run(["clang", "-O0", "-gdwarf-5", "-c", "-o", `${bin}.2.o`, srcs[1]!]);
      run(["clang", "-o", bin, `${bin}.1.o`, `${bin}.2.o`]);
    }
    const d = DwarfFile.open(bin);
    const scan = DwarfFile.open(bin);
    scan.useNameSource("scan");
    expect(d.nameSource()).toMatchObject({ kind: "debug_names", errors: [], uncoveredUnits: 1 });
    for (const n of scan.index().names()) {
      const got = d.lookupWithSource(n);
      const want = scan.lookup(n);
      if (want.length) expect(got.entries[0]).toEqual(want[0]!);
    }
    // Definitions only in the uncovered unit are found through the index path.
    expect(d.lookupWithSource("names_other", "function")).toMatchObject({ source: "debug_names" });
    expect(d.findFunctions("names_other")[0]!.lowPc()).toBe(scan.findFunctions("names_other")[0]!.lowPc()!);
  });
});
