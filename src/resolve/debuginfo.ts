// One binary's debug info, opened once and read lazily: its ELF, DWARF
// (possibly from a separate debug file), CFI and per-unit line programs, and
// the derived facts resolution needs: where `break FUNC` stops, which
// function holds an address, which file a declaration names.
import { CallFrameInfo } from "../dwarf/cfi/index.ts";
import { DW_AT, DW_TAG, DwarfError, DwarfFile, type Die, type Unit } from "../dwarf/index.ts";
import { lineProgramForUnit } from "../dwarf/line/for-unit.ts";
import type { LineProgram } from "../dwarf/line/index.ts";
import { ElfFile } from "../elf/index.ts";
import { functionsBySymbol } from "./by-symbol.ts";
import { gdbBlockEntry } from "./gdb-blocks.ts";
import { ResolveError } from "./modules.ts";
import { scopeChainAt } from "./scope.ts";

export class DebugInfo {
  private dwarfFile?: DwarfFile;
  private frames?: CallFrameInfo;
  private lines = new Map<Unit, LineProgram | null>();
  private validLocations = new Map<Unit, boolean>();

  private constructor(
    readonly path: string,
    readonly elf: ElfFile,
    private readonly debugFile?: string,
  ) {}

  static open(path: string, opts: { debugFile?: string } = {}): DebugInfo {
    return new DebugInfo(path, ElfFile.open(path), opts.debugFile);
  }

  /** The DWARF, from the binary or its separate debug file. Throws a one-line error when there is none. */
  get dwarf(): DwarfFile {
    if (!this.dwarfFile) {
      try {
        this.dwarfFile = DwarfFile.open(this.elf, this.debugFile ? { debugFile: this.debugFile } : {});
      } catch (e) {
        if (e instanceof DwarfError && /no DWARF debug info/.test(e.message))
          throw new ResolveError(`${e.message}; rebuild it with -g, install its debug package, or give --debug-file`);
        throw e;
      }
      if (this.dwarfFile.compileUnits().length === 0)
        throw new ResolveError(`${this.path} has no debug info: rebuild it with -g, install its debug package, or give --debug-file`);
    }
    return this.dwarfFile;
  }

  /** Unwind tables of the binary itself (.eh_frame lives there, not in a separate debug file). */
  get cfi(): CallFrameInfo {
    return (this.frames ??= CallFrameInfo.fromElf(this.elf));
  }

  lineProgram(unit: Unit): LineProgram | undefined {
    let lp = this.lines.get(unit);
    if (lp === undefined) this.lines.set(unit, (lp = lineProgramForUnit(unit) ?? null));
    return lp ?? undefined;
  }

  /** The source file a DW_AT_decl_file index names in the DIE's unit. */
  declFile(die: Die): string | undefined {
    const i = die.declFile() ?? die.origin()?.declFile();
    return i === undefined ? undefined : this.lineProgram(die.unit)?.filePath(i);
  }

  /**
   * Where gdb's `break FUNC` stops for a function definition: past the
   * prologue as the line table (and gdb's rules for the producer) says.
   */
  breakpointAddress(fn: Die): number {
    const lo = fn.lowPc() ?? fn.ranges()[0]?.begin;
    if (lo === undefined) throw new ResolveError(`${fn.name() ?? "function"} has no code in ${this.path} (declaration or fully inlined)`);
    const range = fn.ranges().find((r) => r.begin === lo) ?? { begin: lo, end: fn.highPc() ?? lo + 1 };
    const lp = this.lineProgram(fn.unit);
    if (!lp) return lo;
    const off = this.elf.vaddrToFileOffset(lo);
    return lp.prologueEnd(range.begin, range.end, {
      producer: fn.unit.root().string(DW_AT.producer),
      locationsValid: this.locationsValid(fn.unit),
      code: off === undefined ? undefined : this.elf.bytes.subarray(off, off + 16),
    });
  }

  /**
   * Where gdb 13's `break FUNC` stops in an inlined copy `copy` whose code
   * lies in the out-of-line function `outer` (linespec.c symbol_to_sal →
   * symtab.c find_function_start_sal): start at the copy's block entry
   * (gdb-blocks.ts). In a unit whose locations gdb trusts (gcc ≥ 4.5 with
   * location lists) with a line row at that address, that is the place
   * (find_function_start_sal_1). Otherwise skip_prologue_sal skips the
   * prologue of the function holding the copy (find_pc_sect_function is the
   * linkage function, never the inlined one) and keeps the copy's entry only
   * if that is already past it: the later of the two. Undefined when gdb
   * makes no block of the copy (no code), so has no location for it.
   */
  inlinedBreakpointAddress(copy: Die, outer: Die | undefined): number | undefined {
    const entry = gdbBlockEntry(copy);
    if (entry === undefined) return undefined;
    const row = this.lineProgram(copy.unit)?.lineAt(entry);
    if (row && row.line !== 0 && this.locationsValid(copy.unit)) return entry;
    if (!outer || gdbBlockEntry(outer) === undefined) return entry;
    return Math.max(entry, this.breakpointAddress(outer));
  }

  /** gdb's "locations valid": a gcc unit with location lists, whose variables are exact from the first instruction. */
  private locationsValid(unit: Unit): boolean {
    let v = this.validLocations.get(unit);
    if (v !== undefined) return v;
    v = false;
    if (unit.root().string(DW_AT.producer)?.startsWith("GNU")) {
      for (let i = 1; i < unit.dieCount && !v; i++) {
        const d = unit.dieByIndex(i);
        if (d.tag !== DW_TAG.variable && d.tag !== DW_TAG.formal_parameter) continue;
        const l = d.attr(DW_AT.location);
        v = !!l && (l.kind === "secOffset" || l.kind === "loclistx");
      }
    }
    this.validLocations.set(unit, v);
    return v;
  }

  /**
   * Function definitions with code named `name` (plain, qualified or linkage
   * name): through the symbol table when it can answer (by-symbol.ts: one
   * unit parsed), else through the name index.
   */
  functionsNamed(name: string): Die[] {
    const dwarf = this.dwarf;
    const elfs = dwarf.debugElf === this.elf ? [this.elf] : [dwarf.debugElf, this.elf];
    return functionsBySymbol(dwarf, elfs, name) ?? this.functionsFromIndex(name);
  }

  /** functionsNamed through the name index only. */
  functionsFromIndex(name: string): Die[] {
    return this.dwarf.findFunctions(name).filter((d) => d.lowPc() !== undefined || d.ranges().length > 0);
  }

  /** The innermost concrete function whose ranges hold `pc` (found by descending the scope tree, not scanning the unit). */
  functionAt(pc: number): Die | undefined {
    return scopeChainAt(this.dwarf, pc).findLast((d) => d.tag === DW_TAG.subprogram);
  }

}
