// Inlined and out-of-line copies of a function.
//
// An inlined function is described once, abstractly (DW_AT_inline, no code),
// and every copy of its code points back at that description with
// DW_AT_abstract_origin: DW_TAG_inlined_subroutine where it was inlined into
// a caller, DW_TAG_subprogram for an out-of-line concrete copy (or a clone
// such as foo.constprop.0). Copies point up, never down, so finding the copies
// of one function needs a reverse index: built per unit on the first
// question, by one pass that reads only those references.
//
// Which units to index: the function's own unit always; other units only if
// their abbreviations can reference across units at all (DW_AT_abstract_origin
// or DW_AT_specification in DW_FORM_ref_addr — what LTO produces). In an
// ordinary C build that is the one unit.

import { DW_AT, DW_FORM, DW_TAG } from "./constants.ts";
import { Die, type PcRange } from "./die.ts";
import { DwarfError } from "./reader.ts";
import type { Unit } from "./unit.ts";

export interface InlineInstance {
  /** The copy: a DW_TAG_inlined_subroutine, or an out-of-line DW_TAG_subprogram with code. */
  die: Die;
  kind: "inlined" | "concrete";
  /** The DIE the copy instantiates (its DW_AT_abstract_origin); for a function that was never split, itself. */
  origin: Die;
  /** Code of the copy, in list order (may be empty for an inlined call whose code was optimized away). */
  ranges: PcRange[];
  /** DW_AT_entry_pc resolved to an address (class address, addrx, or a constant offset from the copy's low_pc). */
  entryPc?: number;
  /** Where execution enters the copy: entryPc, else low_pc, else the first listed range's start. */
  entry?: number;
  /** DW_AT_call_file: a file index into the unit's line program (see callFilePath in the line reader). */
  callFile?: number;
  callLine?: number;
  callColumn?: number;
  /** The code the call was inlined into: the nearest enclosing DW_TAG_subprogram or DW_TAG_inlined_subroutine. Undefined for concrete copies. */
  caller?: Die;
  /** The out-of-line function whose code holds the copy (nearest enclosing DW_TAG_subprogram; the copy itself if concrete). */
  function?: Die;
}

/** What the index needs from DwarfFile. */
export interface InlineOwner {
  compileUnits(): Unit[];
  dieAt(offset: number): Die | undefined;
}

/** How far an abstract_origin chain is followed up to the root description. */
const MAX_CHAIN = 16;

type Reverse = Map<number, number[]>;

export class InlineIndex {
  private readonly reverse = new Map<Unit, Reverse>();
  private crossUnits?: Unit[];

  constructor(private readonly owner: InlineOwner) {}

  /** Copies of `fn` (or of the function `fn` is a copy of), concrete ones first, each in address order. */
  instances(fn: Die): InlineInstance[] {
    const root = rootOrigin(fn);
    const units = new Set<Unit>([root.unit, ...this.unitsWithCrossReferences()]);
    // Walk the "is a copy of / completes" edges down from the root: the
    // copies' DIEs, and through intermediate descriptions (a declaration's
    // definition, a nested abstract instance) to theirs.
    const seen = new Set<number>([root.offset]);
    const frontier: Die[] = [root];
    const found: Die[] = [];
    if (hasCode(root)) found.push(root);
    while (frontier.length > 0) {
      const d = frontier.pop()!;
      for (const u of units) {
        const rev = this.reverseIndex(u);
        for (const i of rev.get(d.offset) ?? []) {
          const c = new Die(u, i);
          if (seen.has(c.offset)) continue;
          seen.add(c.offset);
          if (c.tag === DW_TAG.inlined_subroutine || hasCode(c)) found.push(c);
          // A copy's own copies (clones of clones) and an intermediate's are copies too.
          frontier.push(c);
          if (seen.size > 1_000_000) throw new DwarfError(`${fn}: more than a million copies — corrupt abstract_origin references?`);
        }
      }
    }
    return found.map((d) => describe(d, root)).sort((a, b) => (a.kind === b.kind ? (a.entry ?? Infinity) - (b.entry ?? Infinity) : a.kind === "concrete" ? -1 : 1));
  }

  /** Units whose abbreviations allow references into other units (ref_addr origins or specifications). */
  private unitsWithCrossReferences(): Unit[] {
    if (this.crossUnits) return this.crossUnits;
    const out: Unit[] = [];
    for (const u of this.owner.compileUnits()) {
      for (const a of u.abbrevs) {
        if (a.tag !== DW_TAG.subprogram && a.tag !== DW_TAG.inlined_subroutine) continue;
        if (a.attrs.some((s) => (s.name === DW_AT.abstract_origin || s.name === DW_AT.specification) && (s.form === DW_FORM.ref_addr || s.form === DW_FORM.indirect))) {
          out.push(u);
          break;
        }
      }
    }
    return (this.crossUnits = out);
  }

  /** Referenced offset → indexes of the unit's subprogram/inlined_subroutine DIEs that reference it. */
  private reverseIndex(u: Unit): Reverse {
    let rev = this.reverse.get(u);
    if (rev) return rev;
    rev = new Map();
    const n = u.dieCount;
    for (let i = 0; i < n; i++) {
      const a = u.dieAbbrev(i);
      if (a.tag !== DW_TAG.inlined_subroutine && a.tag !== DW_TAG.subprogram) continue;
      const hasOrigin = a.indexOf(DW_AT.abstract_origin) >= 0;
      if (!hasOrigin && a.indexOf(DW_AT.specification) < 0) continue;
      const d = new Die(u, i);
      const v = d.attr(hasOrigin ? DW_AT.abstract_origin : DW_AT.specification)!;
      // Only .debug_info targets matter: code lives there, never in type units.
      const target = v.kind === "ref" && u.section === ".debug_info" ? v.offset : v.kind === "refAddr" ? v.offset : undefined;
      if (target === undefined) continue;
      const l = rev.get(target);
      if (l) l.push(i);
      else rev.set(target, [i]);
    }
    this.reverse.set(u, rev);
    return rev;
  }
}

/** The description at the top of `fn`'s abstract_origin chain (`fn` itself if it has none). */
function rootOrigin(fn: Die): Die {
  let d = fn;
  const seen = new Set<number>([d.offset]);
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = d.ref(DW_AT.abstract_origin);
    if (!next) return d;
    if (seen.has(next.offset)) throw new DwarfError(`${fn}: DW_AT_abstract_origin chain loops at 0x${next.offset.toString(16)}`);
    seen.add(next.offset);
    d = next;
  }
  throw new DwarfError(`${fn}: DW_AT_abstract_origin chain longer than ${MAX_CHAIN}`);
}

function hasCode(d: Die): boolean {
  return d.has(DW_AT.low_pc) || d.has(DW_AT.ranges) || d.has(DW_AT.entry_pc);
}

function describe(d: Die, root: Die): InlineInstance {
  const inlined = d.tag === DW_TAG.inlined_subroutine;
  const ranges = d.ranges();
  const low = d.lowPc();
  const entryPc = entryPcOf(d, low, ranges);
  const inst: InlineInstance = {
    die: d,
    kind: inlined ? "inlined" : "concrete",
    origin: d.ref(DW_AT.abstract_origin) ?? root,
    ranges,
    entryPc,
    entry: entryPc ?? low ?? ranges[0]?.begin,
  };
  if (inlined) {
    inst.callFile = d.constant(DW_AT.call_file);
    inst.callLine = d.constant(DW_AT.call_line);
    inst.callColumn = d.constant(DW_AT.call_column);
    for (let p = d.parent(); p; p = p.parent()) {
      if (!inst.caller && (p.tag === DW_TAG.subprogram || p.tag === DW_TAG.inlined_subroutine)) inst.caller = p;
      if (p.tag === DW_TAG.subprogram) {
        inst.function = p;
        break;
      }
    }
  } else inst.function = d;
  return inst;
}

/**
 * DW_AT_entry_pc: an address (addr, or addrx through .debug_addr), or —
 * DWARF 5 — a constant offset from the entity's start: its low_pc, or for a
 * DIE with only DW_AT_ranges the first listed range (what gdb takes as the
 * start of a non-contiguous block).
 */
function entryPcOf(d: Die, low: number | undefined, ranges: PcRange[]): number | undefined {
  const v = d.attr(DW_AT.entry_pc);
  if (!v) return undefined;
  if (v.kind === "constant") {
    const base = low ?? ranges[0]?.begin;
    return base === undefined ? undefined : base + v.value;
  }
  return d.unit.address(v);
}
