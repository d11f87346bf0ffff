// The C type model and printer against gdb 13: for every struct, union, enum
// and typedef of the dwarf_types fixture, across gcc/clang × -O0/-O2 ×
// DWARF 4/5, our `ptype /o` and `ptype` text equals gdb's, and for every
// global and every member of a global struct our spelling equals `whatis`.
import { describe, expect, test } from "bun:test";
import { DW_AT, DW_OP, DW_TAG, Die, DwarfFile } from "../../src/dwarf/index.ts";
import {
  type CType,
  type StructType,
  TypeModel,
  memberByteOffset,
  ptype,
  sizeOf,
  stripTypedefs,
  typeName,
} from "../../src/dwarf/types/index.ts";
import { canonicalBaseName } from "../../src/dwarf/types/print.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { gdbBatch } from "../helpers/gdb.ts";

const MATRIX = (["gcc", "clang"] as const).flatMap((cc) =>
  (["-O0", "-O2"] as const).flatMap((opt) => ([4, 5] as const).map((dwarf) => ({ cc, opt, dwarf }))),
);

function build(o: (typeof MATRIX)[number]): string {
  return compileFixture("dwarf_types", { ...o, with: ["dwarf_types2"] });
}

const KEYWORD: Record<number, string> = {
  [DW_TAG.structure_type]: "struct ",
  [DW_TAG.union_type]: "union ",
  [DW_TAG.enumeration_type]: "enum ",
  [DW_TAG.typedef]: "",
};

/** Every (gdb command, our answer) pair for a binary. */
function questions(bin: string): { cmd: string; ours: string }[] {
  const file = DwarfFile.open(bin);
  const model = new TypeModel(file);
  const out: { cmd: string; ours: string }[] = [];
  const seen = new Set<string>();
  for (const unit of file.compileUnits()) {
    for (const d of unit.root().children()) {
      const kw = KEYWORD[d.tag];
      const name = d.name();
      if (kw !== undefined && name && !d.isDeclaration()) {
        const spec = kw + name;
        if (seen.has(spec)) continue;
        seen.add(spec);
        const t = model.resolve(d);
        out.push({ cmd: `ptype /o ${spec}`, ours: ptype(t, { offsets: true }) });
        out.push({ cmd: `ptype ${spec}`, ours: ptype(t) });
        // whatis on a typedef name unrolls one level of typedef.
        out.push({ cmd: `whatis ${spec}`, ours: `type = ${typeName(t.kind === "typedef" ? t.target : t)}` });
      }
      if (d.tag === DW_TAG.variable && name?.startsWith("g_") && !seen.has(name)) {
        seen.add(name);
        const t = model.typeOf(d);
        out.push({ cmd: `whatis ${name}`, ours: `type = ${typeName(t)}` });
        out.push({ cmd: `ptype ${name}`, ours: ptype(t) });
        out.push({ cmd: `ptype /o ${name}`, ours: ptype(t, { offsets: true }) });
        const core = stripTypedefs(t);
        if (core.kind === "struct") {
          for (const m of core.members) if (m.name) out.push({ cmd: `whatis ${name}.${m.name}`, ours: `type = ${typeName(m.type)}` });
        }
      }
    }
  }
  return out;
}

function gdbAnswers(bin: string, cmds: string[]): string[] {
  const script: string[] = [];
  for (const c of cmds) script.push("echo @@@\\n", c);
  const text = gdbBatch(bin, script);
  return text
    .split("@@@\n")
    .slice(1)
    .map((s) => s.replace(/\n$/, ""));
}

describe("types agree with gdb (ptype /o, ptype, whatis)", () => {
  for (const o of MATRIX) {
    test(`${o.cc} ${o.opt} DWARF ${o.dwarf}`, () => {
      const bin = build(o);
      const qs = questions(bin);
      expect(qs.length).toBeGreaterThan(100);
      const gdb = gdbAnswers(
        bin,
        qs.map((q) => q.cmd),
      );
      expect(gdb.length).toBe(qs.length);
      const diffs: string[] = [];
      qs.forEach((q, i) => {
        if (q.ours !== gdb[i]) diffs.push(`${q.cmd}\n--- gdb\n${gdb[i]}\n--- ours\n${q.ours}`);
      });
      console.log(`${o.cc} ${o.opt} DWARF ${o.dwarf}: ${qs.length - diffs.length}/${qs.length} answers equal to gdb`);
      expect(diffs).toEqual([]);
    });
  }
});

function findGlobal(file: DwarfFile, name: string): Die {
  const d = file.findVariables(name)[0];
  if (!d) throw new Error(`no ${name}`);
  return d;
}

function structOf(t: CType): StructType {
  const s = stripTypedefs(t);
  if (s.kind !== "struct") throw new Error(`not a struct: ${s.kind}`);
  return s;
}

describe("type model", () => {
  const bin5 = build({ cc: "gcc", opt: "-O0", dwarf: 5 });
  const bin4 = build({ cc: "gcc", opt: "-O0", dwarf: 4 });

  test("a self-referencing struct is one shared node", () => {
    const file = DwarfFile.open(bin5);
    const model = new TypeModel(file);
    const node = structOf(model.typeOf(findGlobal(file, "g_node")));
    const next = node.members.find((m) => m.name === "next")!.type;
    expect(next.kind).toBe("pointer");
    expect(next.kind === "pointer" && next.target).toBe(node);
    expect(typeName(next)).toBe("struct node *");
    expect(sizeOf(node)).toBe(32);
  });

  test("a struct declared in one unit is completed from the unit that defines it", () => {
    const file = DwarfFile.open(bin5);
    // g_opaque lives in dwarf_types.c, which only declares struct opaque.
    const g = findGlobal(file, "g_opaque");
    const decl = g.type()!.type()!;
    expect(decl.tag).toBe(DW_TAG.structure_type);
    expect(decl.isDeclaration()).toBe(true);
    const complete = structOf(new TypeModel(file).resolve(decl));
    expect(complete.incomplete).toBe(false);
    expect(complete.members.map((m) => m.name)).toEqual(["id", "label", "peer"]);
    expect(complete.size).toBe(24);
    // Without a lookup it stays a declaration, printed as gdb prints one.
    const alone = structOf(new TypeModel().resolve(decl));
    expect(alone.incomplete).toBe(true);
    expect(ptype(alone)).toBe("type = struct opaque {\n    <incomplete type>\n}");
  });

  test("DWARF 2-3 bit_offset and DWARF 4+ data_bit_offset give the same bit positions", () => {
    const layout = (bin: string) => {
      const file = DwarfFile.open(bin);
      return structOf(new TypeModel(file).typeOf(findGlobal(file, "g_flags"))).members.map((m) => [m.name, m.bitOffset, m.bitSize]);
    };
    const f4 = DwarfFile.open(bin4);
    const old = f4.findVariables("g_flags")[0]!.type()!.firstChild()!;
    expect(old.has(DW_AT.bit_offset)).toBe(true); // gcc -gdwarf-4 uses the old form
    expect(layout(bin4)).toEqual(layout(bin5));
    expect(layout(bin5)).toEqual([
      ["a", 0, 3],
      ["b", 3, 5],
      ["c", 8, 7],
      ["d", 15, 1],
      ["e", 16, 40],
      ["after", 64, undefined],
      ["tail", 96, 2],
    ]);
  });

  test("arrays: multi-dimensional, flexible, and sizes", () => {
    const file = DwarfFile.open(bin5);
    const model = new TypeModel(file);
    const m = model.typeOf(findGlobal(file, "g_matrix"));
    expect(typeName(m)).toBe("int [2][3][4]");
    expect(sizeOf(m)).toBe(96);
    const arrays = structOf((model.typeOf(findGlobal(file, "g_arrays")) as { target: CType }).target);
    const data = arrays.members.find((x) => x.name === "data")!.type;
    expect(data.kind === "array" && data.count).toBeUndefined();
    expect(sizeOf(data)).toBe(0);
  });

  test("enums: values with the underlying type's signedness, gdb's = rule", () => {
    const file = DwarfFile.open(bin5);
    const model = new TypeModel(file);
    const e = stripTypedefs(model.typeOf(findGlobal(file, "g_color")));
    expect(e.kind === "enum" && e.enumerators.map((x) => [x.name, x.value])).toEqual([
      ["RED", 0n],
      ["GREEN", 5n],
      ["BLUE", -1n],
    ]);
    expect(ptype(e)).toBe("type = enum color {RED, GREEN = 5, BLUE = -1}");
    const big = stripTypedefs(model.typeOf(findGlobal(file, "g_big")));
    expect(big.kind === "enum" && big.enumerators[1]!.value).toBe(0x100000000n);
  });

  test("data_member_location as a DWARF 2 expression", () => {
    const expr = (bytes: number[]) => ({ kind: "exprloc" as const, form: 0x18, bytes: new Uint8Array(bytes), offset: 0 });
    expect(memberByteOffset(expr([DW_OP.plus_uconst, 0x90, 0x01]))).toBe(144);
    expect(memberByteOffset(expr([DW_OP.lit0 + 8]))).toBe(8);
    expect(memberByteOffset(expr([DW_OP.plus_uconst, 8, DW_OP.plus_uconst]))).toBeUndefined();
    expect(memberByteOffset(expr([0x06 /* deref */]))).toBeUndefined();
    expect(memberByteOffset({ kind: "constant", form: 0x0b, signedness: "unknown", size: 1, value: 12 })).toBe(12);
  });

  test("gdb's canonical integer names", () => {
    expect(canonicalBaseName("long unsigned int")).toBe("unsigned long");
    expect(canonicalBaseName("short int")).toBe("short");
    expect(canonicalBaseName("short unsigned int")).toBe("unsigned short");
    expect(canonicalBaseName("long long int")).toBe("long long");
    expect(canonicalBaseName("long long unsigned int")).toBe("unsigned long long");
    expect(canonicalBaseName("__int128 unsigned")).toBe("unsigned __int128");
    expect(canonicalBaseName("unsigned char")).toBe("unsigned char");
    expect(canonicalBaseName("long double")).toBe("long double");
    expect(canonicalBaseName("complex float")).toBe("complex float");
  });
});

// A minimal stand-in for Die, to build DIE graphs compilers never emit.
class FakeDie {
  children_: FakeDie[] = [];
  typeRef?: FakeDie;
  readonly unit = { section: ".debug_info", addressSize: 8, root: () => ({ constant: () => 0x0c }) };
  constructor(
    readonly offset: number,
    readonly tag: number,
    readonly nm?: string,
    readonly attrs: Record<number, number> = {},
  ) {}
  name() {
    return this.nm;
  }
  qualifiedName() {
    return this.nm;
  }
  type() {
    return this.typeRef;
  }
  constant(a: number) {
    return this.attrs[a];
  }
  attr(a: number) {
    const v = this.attrs[a];
    return v === undefined ? undefined : { kind: "constant", form: 0x0b, signedness: "unsigned", size: 0, value: v };
  }
  has(a: number) {
    return a in this.attrs;
  }
  flag() {
    return false;
  }
  isDeclaration() {
    return false;
  }
  isExternal() {
    return false;
  }
  ref() {
    return undefined;
  }
  equals(o: FakeDie | undefined) {
    return o === this;
  }
  *children() {
    yield* this.children_;
  }
  childrenWithTag(tag: number) {
    return this.children_.filter((c) => c.tag === tag);
  }
}

describe("type reference cycles never loop", () => {
  const asDie = (d: FakeDie) => d as unknown as Die;

  test("typedef and qualifier cycles", () => {
    const a = new FakeDie(1, DW_TAG.typedef, "a_t");
    const b = new FakeDie(2, DW_TAG.typedef, "b_t");
    a.typeRef = b;
    b.typeRef = a;
    const c = new FakeDie(3, DW_TAG.const_type);
    c.typeRef = c;
    const model = new TypeModel();
    expect(typeName(model.resolve(asDie(a)))).toBe("a_t");
    expect(() => ptype(model.resolve(asDie(a)))).not.toThrow();
    expect(() => ptype(model.resolve(asDie(c)))).not.toThrow();
    expect(sizeOf(model.resolve(asDie(c)))).toBeUndefined();
  });

  test("a struct containing an array of itself", () => {
    const s = new FakeDie(10, DW_TAG.structure_type, "loop", { [DW_AT.byte_size]: 8 });
    const arr = new FakeDie(11, DW_TAG.array_type);
    arr.typeRef = s;
    const m = new FakeDie(12, DW_TAG.member, "self", { [DW_AT.data_member_location]: 0 });
    m.typeRef = arr;
    s.children_.push(m);
    const model = new TypeModel();
    const t = model.resolve(asDie(s));
    const out = ptype(t, { offsets: true });
    expect(out.length).toBeLessThan(100_000);
    expect(out).toContain("struct loop");
  });
});
