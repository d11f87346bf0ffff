// Abbreviation tables (.debug_abbrev). Every DIE starts with an
// abbreviation code naming its tag, whether it has children, and the
// (attribute, form) list its bytes follow. Units commonly share a table, so
// tables are parsed once per offset and cached by the owner (DwarfFile).

import { DW_CHILDREN, DW_FORM, tagName } from "./constants.ts";
import { type FormContext, formFixedSize } from "./forms.ts";
import { DwarfError, Reader } from "./reader.ts";

export interface AttrSpec {
  /** DW_AT_* */
  name: number;
  /** DW_FORM_* */
  form: number;
  /** The value of a DW_FORM_implicit_const attribute, stored here instead of in the DIE. */
  implicitConst?: bigint;
}

export class Abbrev {
  // Byte size of all attribute values of a DIE using this abbreviation, when
  // every form is fixed-size for the unit's encoding (-1: some are not).
  // Computed for one encoding at a time; units sharing a table almost always
  // share an encoding too.
  private sizeKey = "";
  private size = -1;

  constructor(
    readonly code: number,
    readonly tag: number,
    readonly hasChildren: boolean,
    readonly attrs: readonly AttrSpec[],
  ) {}

  /** Total size of this DIE's attribute bytes if fixed for `ctx`, else undefined. */
  fixedSize(ctx: Pick<FormContext, "version" | "addressSize" | "offsetSize">): number | undefined {
    const key = `${ctx.version}/${ctx.addressSize}/${ctx.offsetSize}`;
    if (key !== this.sizeKey) {
      let total = 0;
      for (const a of this.attrs) {
        const n = formFixedSize(a.form, ctx);
        if (n === undefined) {
          total = -1;
          break;
        }
        total += n;
      }
      this.sizeKey = key;
      this.size = total;
    }
    return this.size < 0 ? undefined : this.size;
  }

  /** Index of attribute `name` in attrs, or -1. */
  indexOf(name: number): number {
    const attrs = this.attrs;
    for (let i = 0; i < attrs.length; i++) if (attrs[i]!.name === name) return i;
    return -1;
  }

  toString(): string {
    return `[${this.code}] ${tagName(this.tag)}${this.hasChildren ? " children" : ""}`;
  }
}

/** One unit's abbreviations, by code. */
export class AbbrevTable {
  // Codes are usually 1..n in order, so a dense array serves them; sparse
  // or huge codes fall back to the map.
  private readonly dense: (Abbrev | undefined)[] = [undefined]; // code 0 is the null entry
  private readonly sparse = new Map<number, Abbrev>();

  constructor(readonly offset: number) {}

  get(code: number): Abbrev | undefined {
    return code < this.dense.length ? this.dense[code] : this.sparse.get(code);
  }

  add(a: Abbrev): void {
    if (this.get(a.code)) throw new DwarfError(`corrupt .debug_abbrev at 0x${this.offset.toString(16)}: abbreviation code ${a.code} is defined twice`);
    if (a.code === this.dense.length) this.dense.push(a);
    else if (a.code < this.dense.length) this.dense[a.code] = a;
    else this.sparse.set(a.code, a);
  }

  get size(): number {
    let n = this.sparse.size;
    for (const a of this.dense) if (a) n++;
    return n;
  }

  *[Symbol.iterator](): IterableIterator<Abbrev> {
    for (const a of this.dense) if (a) yield a;
    yield* this.sparse.values();
  }
}

/** Parse the abbreviation table at `offset` of .debug_abbrev. */
export function parseAbbrevTable(section: Uint8Array, offset: number): AbbrevTable {
  const r = new Reader(section, ".debug_abbrev").at(offset);
  const table = new AbbrevTable(offset);
  for (;;) {
    const at = r.pos;
    const code = r.uleb();
    if (code === 0) return table;
    const tag = r.uleb();
    const children = r.u8();
    if (children !== DW_CHILDREN.no && children !== DW_CHILDREN.yes) r.fail(`abbreviation ${code} has DW_CHILDREN value ${children}`, at);
    const attrs: AttrSpec[] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      if (name === 0 || form === 0) r.fail(`abbreviation ${code} has an attribute with ${name === 0 ? "name" : "form"} 0`);
      const spec: AttrSpec = { name, form };
      if (form === DW_FORM.implicit_const) spec.implicitConst = r.slebBig();
      attrs.push(spec);
    }
    table.add(new Abbrev(code, tag, children === DW_CHILDREN.yes, attrs));
  }
}
