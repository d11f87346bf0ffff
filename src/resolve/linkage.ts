// Globals across modules, read the object the program really uses, as gdb
// prints it:
//
// - A name the probed module's DWARF does not define (a library's global
//   printed from the executable, the executable's from a library) is looked
//   up in the other modules' DWARF, the executable first, external
//   definitions before file statics. Its address is in *that* module, whose
//   load bias the probe looks up per process in the bias map
//   (src/runtime/bias.ts): a ForeignModule on the moduleAddress.
// - ELF symbol interposition: the dynamic linker binds every reference to an
//   exported global to its first definition, the executable first. A PIE or
//   non-PIC executable that uses a library's variable gets a copy of it
//   (R_X86_64_COPY) and the library's own code then works on that copy
//   through its GOT. So a library's exported global is read through the
//   library's GOT slot (R_X86_64_GLOB_DAT), which ld.so filled with the
//   address of the object in use in *that* process; and an executable that
//   defines the symbol itself (the copy) reads its own copy.
import { DW_AT, DW_TAG, type Die } from "../dwarf/index.ts";
import { mapValue, type ForeignModule, type ReadPlan, type Value } from "../dwarf/expr/index.ts";
import type { ElfFile } from "../elf/index.ts";
import type { DebugInfo } from "./debuginfo.ts";
import { locationOf } from "./location.ts";
import { elfOf, type ModuleRef } from "./modules.ts";
import type { ObjectRef } from "./objects.ts";
import type { ScopeVariable } from "./scope.ts";
import { typeModel } from "./types.ts";

const SHT_RELA = 4;
const R_X86_64_64 = 1;
const R_X86_64_GLOB_DAT = 6;
const POINTER_SIZE = 8;

/** A module whose globals a probe reads from outside it: what the bias table needs. */
export interface LinkedModule extends ForeignModule {
  readPath: string;
}

/** What a probe site needs to read globals the way the program links them. */
export interface SiteLinkage {
  /** An exported global of the probed module: where the object in use lives, when not where its DWARF says. */
  interposed(v: ScopeVariable): ReadPlan | undefined;
  /** A global the probed module's DWARF does not define, from the other modules. */
  elsewhere(name: string, text: string): ObjectRef | undefined;
}

export class Linkage {
  private readonly foreign = new Map<string, LinkedModule>();

  /**
   * @param modules every module a global may live in, the executable first (-p: the process's modules)
   * @param infoOf the module's debug info, or undefined without any
   */
  constructor(
    readonly modules: readonly ModuleRef[],
    private readonly infoOf: (m: ModuleRef) => DebugInfo | undefined,
  ) {}

  /** The modules some probe reads through the bias map, with the ids the probes use. */
  get biasModules(): LinkedModule[] {
    return [...this.foreign.values()];
  }

  private idOf(m: ModuleRef): ForeignModule {
    let f = this.foreign.get(m.readPath);
    if (!f) this.foreign.set(m.readPath, (f = { id: this.foreign.size, name: m.name, readPath: m.readPath }));
    return { id: f.id, name: f.name };
  }

  /** The hooks for probes in `probed`. */
  at(probed: ModuleRef): SiteLinkage {
    return {
      interposed: (v) => (v.kind === "global" ? this.interpose(probed, v.decl.name() ?? v.name, undefined) : undefined),
      elsewhere: (name, text) => this.elsewhere(probed, name, text),
    };
  }

  /**
   * Where the object an exported global `name` of module `m` names really is, when that can
   * differ from m's own definition: through m's GOT slot for it (m a library), or the
   * executable's own definition (a copy relocation) when m has no GOT slot. `via`: m is not the
   * probed module (its bias comes from the map).
   */
  private interpose(m: ModuleRef, name: string, via: ForeignModule | undefined): ReadPlan | undefined {
    const elf = elfOf(m);
    if (!isLibrary(elf)) return undefined; // the executable is first in the lookup order: its own definition wins
    const slot = gotSlot(elf, name);
    if (slot !== undefined) {
      const at: Value = { kind: "moduleAddress", address: BigInt(slot), module: via };
      return { kind: "memory", address: { kind: "load", address: at, size: POINTER_SIZE, signed: false } };
    }
    const exe = this.modules[0];
    if (!exe || exe.readPath === m.readPath || isLibrary(elfOf(exe))) return undefined;
    const copy = definedObject(elfOf(exe), name, "dynsym");
    return copy ? { kind: "memory", address: { kind: "moduleAddress", address: BigInt(copy), module: this.idOf(exe) } } : undefined;
  }

  private elsewhere(probed: ModuleRef, name: string, text: string): ObjectRef | undefined {
    const found = this.definition(probed, name);
    if (!found) return undefined;
    const type = typeModel(found.info).typeOf(found.decl);
    // The probed module defines the symbol without DWARF for it: the executable's copy of a library's variable.
    const own = definedObject(elfOf(probed), name, "symtab") ?? definedObject(elfOf(probed), name, "dynsym");
    if (own !== undefined) return { type, plan: { kind: "memory", address: { kind: "moduleAddress", address: BigInt(own) } }, byteOffset: 0, text };
    const via = this.idOf(found.module);
    const interposed = found.external ? this.interpose(found.module, name, via) : undefined;
    const plan = interposed ?? foreignPlan(locationOf(found.die, 0, found.info.cfi).plan, via);
    return { type, plan, byteOffset: 0, text };
  }

  /** The definition gdb would find: external ones first, in module order (the executable first), then file statics. */
  private definition(probed: ModuleRef, name: string): { module: ModuleRef; info: DebugInfo; die: Die; decl: Die; external: boolean } | undefined {
    let fileStatic: { module: ModuleRef; info: DebugInfo; die: Die; decl: Die; external: boolean } | undefined;
    for (const m of this.modules) {
      if (m.readPath === probed.readPath) continue;
      // A module whose symbol tables do not name it cannot define it (skips libc's DWARF).
      const elf = elfOf(m);
      if (elf.symbolTable("symtab").length > 0 && !elf.symbolsNamed(name).some((s) => s.defined)) continue;
      const info = this.infoOf(m);
      if (!info) continue;
      const defs = info.dwarf.findVariables(name).filter((d) => d.has(DW_AT.location) && d.parent()?.tag === DW_TAG.compile_unit);
      const ext = defs.find((d) => d.isExternal() || d.origin()?.isExternal());
      if (ext) return { module: m, info, die: ext, decl: ext.origin() ?? ext, external: true };
      if (defs[0] && !fileStatic) fileStatic = { module: m, info, die: defs[0], decl: defs[0].origin() ?? defs[0], external: false };
    }
    return fileStatic;
  }
}

/** A shared library (not an executable, PIE or not): its exported globals can be interposed. */
function isLibrary(elf: ElfFile): boolean {
  return elf.kind() === "shared-library";
}

/** The plan with every module address made relative to module `via`. */
function foreignPlan(plan: ReadPlan, via: ForeignModule): ReadPlan {
  const move = (v: Value) => mapValue(v, (x) => (x.kind === "moduleAddress" && !x.module ? { ...x, module: via } : undefined));
  switch (plan.kind) {
    case "memory": return { kind: "memory", address: move(plan.address) };
    case "value": return { kind: "value", value: move(plan.value) };
    default: return plan;
  }
}

/** Link-time address of a defined data object `name` in one symbol table. */
function definedObject(elf: ElfFile, name: string, table: "symtab" | "dynsym"): number | undefined {
  return elf.symbolTable(table).find((s) => s.name === name && s.defined && s.type === "OBJECT")?.value;
}

const gotCache = new WeakMap<ElfFile, Map<string, number>>();

/** The GOT slot ld.so fills with the address of symbol `name` (R_X86_64_GLOB_DAT / R_X86_64_64 in .rela.dyn). */
export function gotSlot(elf: ElfFile, name: string): number | undefined {
  let slots = gotCache.get(elf);
  if (!slots) {
    slots = new Map();
    const dynsym = elf.symbolTable("dynsym");
    for (const sec of elf.sections()) {
      if (sec.type !== SHT_RELA || (sec.flags & 2) === 0 /* SHF_ALLOC: dynamic relocations */) continue;
      const data = elf.sectionData(sec);
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let off = 0; off + 24 <= data.byteLength; off += 24) {
        const type = dv.getUint32(off + 8, true);
        if ((type !== R_X86_64_GLOB_DAT && type !== R_X86_64_64) || dv.getBigInt64(off + 16, true) !== 0n) continue;
        const sym = dynsym[dv.getUint32(off + 12, true)];
        if (sym && sym.type === "OBJECT" && !slots.has(sym.name)) slots.set(sym.name, Number(dv.getBigUint64(off, true)));
      }
    }
    gotCache.set(elf, slots);
  }
  return slots.get(name);
}
