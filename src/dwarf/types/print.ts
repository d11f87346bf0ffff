// C type spelling and layout printing, exactly as gdb 13 prints them:
//
//   typeName(t)            what `whatis EXPR` prints after "type = "
//   declaration(t, name)   a declarator: `int (*fp)(int, char **)`
//   ptype(t)               `ptype` output ("type = struct node {…}")
//   ptype(t, {offsets})    `ptype /o` output, with offsets, sizes, holes
//
// The structure follows gdb's C type printer: the base type is printed
// first, then the declarator prefix (`*`, `(`), the name, and the suffix
// (`)`, `[N]`, parameter lists), so pointers to functions and arrays come
// out in C syntax.

import { type CType, type Member, type Qualifier, type SourceLanguage, type StructType, sizeOf } from "./model.ts";

export interface PrintOptions {
  /** C prints `struct node *`; C++ drops the keyword (`node *`). Default "c". */
  language?: SourceLanguage;
}

export interface PtypeOptions extends PrintOptions {
  /** `ptype /o`: offsets, sizes, holes and padding. */
  offsets?: boolean;
}

/** The spelling gdb's `whatis` gives a value of type `t` (typedef names kept, anonymous structs as `struct {...}`). */
export function typeName(t: CType, opts: PrintOptions = {}): string {
  const p = new TypePrinter(opts.language ?? "c", false);
  p.printType(t, "", -1, 0, null);
  return p.text();
}

/** A C declaration of `name` with type `t`, as gdb prints members: `char *const p`, `int (*fp)(int)`. */
export function declaration(t: CType, name: string, opts: PrintOptions = {}): string {
  const p = new TypePrinter(opts.language ?? "c", false);
  p.printType(t, name, 0, 0, null);
  return p.text();
}

/** gdb's `ptype` (or with `offsets`, `ptype /o`) output for type `t`, without the final newline. */
export function ptype(t: CType, opts: PtypeOptions = {}): string {
  const p = new TypePrinter(opts.language ?? "c", opts.offsets ?? false);
  if (opts.offsets) {
    const k = peel(t).core.kind;
    if (k === "struct") p.out("/* offset      |    size */  ");
  }
  p.out("type = ");
  p.printType(t, "", 1, 0, opts.offsets ? new OffsetData() : null);
  return p.text().replace(/\n$/, "");
}

/** Width of the `/* offset | size *\/` column gdb reserves in `ptype /o`. */
const OFFSET_COLUMN = 27;
const MAX_DEPTH = 64;

class OffsetData {
  offsetBitpos = 0;
  endBitpos = 0;
}

interface Peeled {
  core: CType;
  quals: Set<Qualifier>;
}

/** Split off cv-qualifiers (gdb keeps them as flags on the type itself). */
function peel(t: CType): Peeled {
  const quals = new Set<Qualifier>();
  for (let i = 0; i < MAX_DEPTH && t.kind === "qualified"; i++) {
    quals.add(t.qualifier);
    t = t.target;
  }
  return { core: t, quals };
}

/** gdb's check_typedef: strip typedefs (and collect qualifiers on the way). */
function checkTypedef(t: CType): Peeled {
  const quals = new Set<Qualifier>();
  for (let i = 0; i < MAX_DEPTH; i++) {
    if (t.kind === "qualified") {
      quals.add(t.qualifier);
      t = t.target;
    } else if (t.kind === "typedef") t = t.target;
    else break;
  }
  return { core: t, quals };
}

/**
 * gdb prints C integer type names in canonical order ("unsigned long" for
 * gcc's "long unsigned int", "short" for "short int").
 */
export function canonicalBaseName(name: string): string {
  const words = name.split(/\s+/).filter((w) => w !== "");
  if (words.length < 2) return name;
  let sign = "";
  let longs = 0;
  let short = false;
  let core = "";
  for (const w of words) {
    if (w === "unsigned" || w === "signed") {
      if (sign) return name;
      sign = w;
    } else if (w === "long") longs++;
    else if (w === "short") short = true;
    else if (w === "int" || w === "char" || w === "__int128") {
      if (core) return name;
      core = w;
    } else return name;
  }
  if (longs > 2 || (short && longs > 0)) return name;
  if (core === "char") return short || longs ? name : `${sign ? `${sign} ` : ""}char`;
  if (core === "__int128") return short || longs ? name : sign === "unsigned" ? "unsigned __int128" : "__int128";
  const size = short ? "short" : longs === 2 ? "long long" : longs === 1 ? "long" : "";
  if (!size) return sign === "unsigned" ? "unsigned int" : "int";
  return sign === "unsigned" ? `unsigned ${size}` : size;
}

function nameOf(t: CType): string | undefined {
  switch (t.kind) {
    case "base":
      return canonicalBaseName(t.name);
    case "typedef":
    case "unspecified":
      return t.name;
    case "void":
      return "void";
    case "struct":
    case "enum":
      return t.name;
    default:
      return undefined;
  }
}

function pad(n: number | string, width: number): string {
  return String(n).padStart(width, " ");
}

class TypePrinter {
  private buf: string[] = [];
  private depth = 0;

  constructor(
    private readonly language: SourceLanguage,
    private readonly offsets: boolean,
  ) {}

  out(s: string): void {
    this.buf.push(s);
  }

  text(): string {
    return this.buf.join("");
  }

  private spaces(n: number): void {
    if (n > 0) this.out(" ".repeat(n));
  }

  /** Run `f` one level deeper; beyond MAX_DEPTH print a marker instead (cyclic DWARF). */
  private nested(f: () => void): void {
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      this.out("<type nesting too deep>");
      return;
    }
    try {
      f();
    } finally {
      this.depth--;
    }
  }

  private modifiers(quals: Set<Qualifier>, preSpace: boolean, postSpace: boolean): void {
    let did = false;
    for (const q of ["const", "volatile", "restrict", "atomic"] as const) {
      if (!quals.has(q)) continue;
      if (did || preSpace) this.out(" ");
      this.out(q === "restrict" ? (this.language === "c++" ? "__restrict__" : "restrict") : q === "atomic" ? "_Atomic" : q);
      did = true;
    }
    if (did && postSpace) this.out(" ");
  }

  printType(t: CType, varstring: string, show: number, level: number, podata: OffsetData | null): void {
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      this.out("<type nesting too deep>");
      return;
    }
    try {
      if (show > 0) {
        const c = checkTypedef(t);
        t = c.quals.size ? requalify(c.core, c.quals) : c.core;
      }
      this.printBase(t, show, level, podata);
      const core = peel(t).core;
      const code = core.kind;
      if (
        varstring !== "" ||
        ((show > 0 || nameOf(core) === undefined) &&
          (code === "pointer" || code === "function" || (code === "array" && !core.vector) || code === "ptrmem" || code === "reference"))
      )
        this.out(" ");
      this.prefix(t, show, false, varstring !== "");
      this.out(varstring);
      this.suffix(t, show, false);
    } finally {
      this.depth--;
    }
  }

  private printBase(t: CType, show: number, level: number, podata: OffsetData | null): void {
    this.nested(() => this.printBase1(t, show, level, podata));
  }

  private printBase1(t: CType, show: number, level: number, podata: OffsetData | null): void {
    const { core, quals } = peel(t);
    const name = nameOf(core);
    if (show <= 0 && name !== undefined) {
      this.modifiers(quals, false, true);
      if (this.language === "c") {
        if (core.kind === "struct") this.out(core.keyword === "union" ? "union " : core.keyword === "class" ? "class " : "struct ");
        else if (core.kind === "enum") this.out("enum ");
      }
      this.out(name);
      return;
    }
    switch (core.kind) {
      case "pointer":
      case "reference":
      case "array":
      case "ptrmem":
        return this.printBase(core.kind === "array" ? core.element : core.target, show, level, podata);
      case "function":
        return this.printBase(core.returns, show, level, podata);
      case "struct":
        return this.printStruct(core, quals, show, level, podata);
      case "enum": {
        this.modifiers(quals, false, true);
        this.out("enum ");
        if (core.scoped) this.out("class ");
        if (core.name !== undefined) {
          this.out(core.name);
          if (show > 0) this.out(" ");
        }
        if (show < 0) {
          if (core.name === undefined) this.out("{...}");
        } else if (show > 0 || core.name === undefined) {
          this.out("{");
          let last = 0n;
          core.enumerators.forEach((e, i) => {
            if (i > 0) this.out(", ");
            this.out(e.name);
            if (e.value !== last) {
              this.out(` = ${e.value}`);
              last = e.value;
            }
            last++;
          });
          this.out("}");
        }
        return;
      }
      case "typedef":
        this.modifiers(quals, false, true);
        this.out(core.name);
        return;
      case "unknown":
        this.out("<unknown type>");
        return;
      default:
        this.modifiers(quals, false, true);
        this.out(name ?? "<unnamed>");
    }
  }

  private prefix(t: CType, show: number, passedPtr: boolean, needPostSpace: boolean): void {
    this.nested(() => this.prefix1(t, show, passedPtr, needPostSpace));
  }

  private prefix1(t: CType, show: number, passedPtr: boolean, needPostSpace: boolean): void {
    const { core, quals } = peel(t);
    if (nameOf(core) !== undefined && show <= 0) return;
    switch (core.kind) {
      case "pointer":
        this.prefix(core.target, show, true, true);
        this.out("*");
        this.modifiers(quals, true, needPostSpace);
        return;
      case "reference":
        this.prefix(core.target, show, true, false);
        this.out(core.rvalue ? "&&" : "&");
        this.modifiers(quals, true, needPostSpace);
        return;
      case "ptrmem": {
        this.prefix(core.target, show, false, false);
        const cls = core.containing;
        const clsName = nameOf(peel(cls).core);
        if (clsName !== undefined) this.out(clsName);
        else this.printBase(cls, -1, 0, null);
        this.out("::*");
        return;
      }
      case "function":
        this.prefix(core.returns, show, false, false);
        if (passedPtr) this.out("(");
        return;
      case "array":
        this.prefix(core.element, show, false, needPostSpace);
        if (passedPtr) this.out("(");
        return;
      case "typedef":
        this.prefix(core.target, show, passedPtr, false);
        return;
      default:
        return;
    }
  }

  private suffix(t: CType, show: number, passedPtr: boolean): void {
    this.nested(() => this.suffix1(t, show, passedPtr));
  }

  private suffix1(t: CType, show: number, passedPtr: boolean): void {
    const { core } = peel(t);
    if (nameOf(core) !== undefined && show <= 0) return;
    switch (core.kind) {
      case "array":
        if (passedPtr) this.out(")");
        this.out(core.vector ? " __attribute__ ((vector_size(" : "[");
        if (core.variableLength) this.out("variable length");
        else if (core.count !== undefined) this.out(String(core.count));
        this.out(core.vector ? ")))" : "]");
        this.suffix(core.element, show, false);
        return;
      case "ptrmem":
        this.suffix(core.target, show, false);
        return;
      case "pointer":
      case "reference":
        this.suffix(core.target, show, true);
        return;
      case "function":
        if (passedPtr) this.out(")");
        this.args(core.params, core.variadic, core.prototyped);
        this.suffix(core.returns, show, false);
        return;
      case "typedef":
        this.suffix(core.target, show, passedPtr);
        return;
      default:
        return;
    }
  }

  private args(params: readonly CType[], variadic: boolean, prototyped: boolean): void {
    this.out("(");
    params.forEach((p, i) => {
      if (i > 0) this.out(", ");
      this.printType(p, "", 0, 0, null);
    });
    if (params.length > 0 && variadic) this.out(", ...");
    else if (params.length === 0 && (prototyped || this.language === "c++")) this.out("void");
    this.out(")");
  }

  private printStruct(st: StructType, quals: Set<Qualifier>, show: number, level: number, podata: OffsetData | null): void {
    this.modifiers(quals, false, true);
    this.out(st.keyword === "union" ? "union " : st.keyword === "class" ? "class " : "struct ");
    if (st.name !== undefined) {
      this.out(st.name);
      if (show > 0) this.out(" ");
    }
    if (show < 0) {
      if (st.name === undefined) this.out("{...}");
      return;
    }
    if (!(show > 0 || st.name === undefined)) return;
    this.out("{\n");
    const members = st.members.filter((m) => !m.artificial);
    if (members.length === 0) {
      this.spaces(level + 4);
      this.out(st.incomplete ? "<incomplete type>\n" : "<no data fields>\n");
    }
    const offsets = this.offsets && podata !== null;
    for (const m of members) {
      if (offsets) this.updateOffsets(st, m, podata!);
      this.spaces(level + 4);
      if (m.isStatic) this.out("static ");
      let newshow = show - 1;
      let local: OffsetData | null = offsets ? new OffsetData() : null;
      if (offsets && !m.isStatic && peel(m.type).core.kind === "struct") {
        newshow++;
        local!.offsetBitpos = podata!.offsetBitpos + (m.bitOffset ?? 0);
        local!.endBitpos = podata!.endBitpos - (sizeOf(m.type) ?? 0) * 8;
      }
      this.printType(m.type, m.name ?? "", newshow, level + 4, local);
      if (!m.isStatic && m.bitSize !== undefined) this.out(` : ${m.bitSize}`);
      this.out(";\n");
    }
    if (offsets) {
      if (show > 0) this.finishOffsets(st, level, podata!);
      this.spaces(OFFSET_COLUMN);
      if (level === 0) this.spaces(2);
    }
    this.spaces(level);
    this.out("}");
  }

  private updateOffsets(st: StructType, m: Member, podata: OffsetData): void {
    if (m.isStatic) {
      this.spaces(OFFSET_COLUMN);
      return;
    }
    const fsize = sizeOf(checkTypedef(m.type).core) ?? 0;
    if (st.keyword === "union") {
      this.out(`/*                ${pad(fsize, 6)} */`);
      return;
    }
    const bitpos = m.bitOffset ?? 0;
    let fieldBits = fsize * 8;
    this.maybeHole(podata, bitpos, "hole");
    if (m.bitSize !== undefined || podata.offsetBitpos % 8 !== 0) {
      fieldBits = m.bitSize ?? 0;
      const real = bitpos + podata.offsetBitpos;
      this.out(`/* ${pad(Math.floor(real / 8), 6)}:${pad(real % 8, 2)}`);
    } else {
      this.out(`/* ${pad(Math.floor((bitpos + podata.offsetBitpos) / 8), 6)}   `);
    }
    this.out(`   |  ${pad(fsize, 6)} */`);
    podata.endBitpos = bitpos + fieldBits;
  }

  private maybeHole(podata: OffsetData, bitpos: number, what: string): void {
    if (podata.endBitpos > 0 && podata.endBitpos < bitpos) {
      const hole = bitpos - podata.endBitpos;
      const bytes = Math.floor(hole / 8);
      const bits = hole % 8;
      if (bits > 0) this.out(`/* XXX ${pad(bits, 2)}-bit ${what.padEnd(7)}    */\n`);
      if (bytes > 0) this.out(`/* XXX ${pad(bytes, 2)}-byte ${what.padEnd(7)}   */\n`);
    }
  }

  private finishOffsets(st: StructType, level: number, podata: OffsetData): void {
    const size = st.size ?? 0;
    this.maybeHole(podata, size * 8, "padding");
    this.out("\n");
    this.spaces(OFFSET_COLUMN + level + 4);
    this.out(`/* total size (bytes): ${pad(size, 4)} */\n`);
  }
}

/** Re-apply qualifiers peeled by checkTypedef (gdb keeps them on the resolved type). */
function requalify(core: CType, quals: Set<Qualifier>): CType {
  let t = core;
  for (const q of ["atomic", "restrict", "volatile", "const"] as const) {
    if (quals.has(q)) t = { kind: "qualified", qualifier: q, target: t };
  }
  return t;
}
