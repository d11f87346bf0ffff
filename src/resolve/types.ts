// Types by name and type spellings, for `info type` and `info scope`: the C
// type model (src/dwarf/types) over one binary's DWARF.
import { DW_AT, DW_TAG, type Die } from "../dwarf/index.ts";
import { languageOf, ptype, typeName, TypeModel } from "../dwarf/types/index.ts";
import { closeMatches } from "../elf/index.ts";
import type { DebugInfo } from "./debuginfo.ts";
import { ResolveError } from "./modules.ts";

const models = new WeakMap<DebugInfo, TypeModel>();

export function typeModel(info: DebugInfo): TypeModel {
  let m = models.get(info);
  if (!m) models.set(info, (m = new TypeModel(info.dwarf)));
  return m;
}

/** How gdb's `whatis` spells the type of a variable, parameter or member DIE. */
export function typeNameOf(info: DebugInfo, entity: Die): string {
  return typeName(typeModel(info).typeOf(entity), { language: languageOf(entity) });
}

const KEYWORD_TAGS: Record<string, number[]> = {
  struct: [DW_TAG.structure_type, DW_TAG.class_type],
  class: [DW_TAG.class_type, DW_TAG.structure_type],
  union: [DW_TAG.union_type],
  enum: [DW_TAG.enumeration_type],
};

/** `ptype /o NAME` for "struct X", "union X", "enum X", a typedef or a base type name. */
export function ptypeByName(info: DebugInfo, text: string): string {
  const m = /^(struct|class|union|enum)\s+(.+)$/.exec(text.trim());
  const name = (m ? m[2]! : text).trim();
  const tags = m ? KEYWORD_TAGS[m[1]!]! : undefined;
  const dies = info.dwarf.findTypes(name).filter((d) => !tags || tags.includes(d.tag));
  const die = dies.find((d) => !d.isDeclaration()) ?? dies[0];
  if (!die) {
    const near = closeMatches(name, info.dwarf.index().names("type"), 3);
    throw new ResolveError(`no type named ${text.trim()} in the debug info of ${info.path}${near.length ? `; did you mean ${near.join(", ")}?` : ""}`);
  }
  return ptype(typeModel(info).resolve(die), { offsets: true, language: languageOf(die) });
}

/** A function's declaration as gdb's `info functions` prints it: `static int sum_points(const struct point *, int);`. */
export function functionSignature(info: DebugInfo, fn: Die, name: string): string {
  const decl = fn.origin() ?? fn;
  const lang = languageOf(decl);
  const model = typeModel(info);
  const params: string[] = [];
  let varargs = false;
  for (let c = decl.firstChild(); c; c = c.nextSibling()) {
    if (c.tag === DW_TAG.formal_parameter && !c.flag(DW_AT.artificial)) params.push(typeName(model.typeOf(c), { language: lang }));
    else if (c.tag === DW_TAG.unspecified_parameters) varargs = true;
  }
  if (varargs) params.push("...");
  else if (params.length === 0 && lang === "c" && decl.flag(DW_AT.prototyped)) params.push("void");
  const ret = typeName(model.typeOf(decl), { language: lang });
  const sep = ret.endsWith("*") || ret.endsWith("&") ? "" : " ";
  return `${decl.isExternal() ? "" : "static "}${ret}${sep}${name}(${params.join(", ")});`;
}
