// Call frame information of one ELF file: which CFA and register rules hold
// at a PC. Lookups go through .eh_frame_hdr's binary search table when there
// is one, otherwise through an index of FDE ranges built once on first use;
// .debug_frame is consulted for PCs .eh_frame does not cover.

import type { ElfFile } from "../../elf/index.ts";
import { SHT_NOBITS } from "../../elf/index.ts";
import { DwarfError } from "../reader.ts";
import { EhFrameHdr } from "./eh-frame-hdr.ts";
import { type FrameDescriptionEntry, FrameSection } from "./entries.ts";
import { type UnwindRow, unwindRowIn, unwindRows } from "./table.ts";

export * from "./constants.ts";
export { EhFrameHdr } from "./eh-frame-hdr.ts";
export { type CommonInformationEntry, type FrameDescriptionEntry, type FrameEntry, FrameSection, type FrameSectionKind, type FrameSectionOptions } from "./entries.ts";
export { type CfaInstruction, type InstructionContext, decodeInstructions } from "./instructions.ts";
export { type EncodedPointer, type PointerBases, readEncodedPointer, readEncodedValue } from "./pointer.ts";
export { X86_64_RBP, X86_64_RETURN_ADDRESS, X86_64_RSP, x86_64RegisterName, x86_64RegisterNumber } from "./registers.ts";
export { type CfaRule, type RegisterRule, type UnwindRow, unwindRowIn, unwindRows } from "./table.ts";
export { formatCfaRule, formatRegisterRule } from "./format.ts";

interface FdeRange {
  start: number;
  end: number;
  offset: number;
}

/** FDE ranges of one section sorted by start, for sections without a search table. */
class FdeIndex {
  private readonly ranges: FdeRange[] = [];

  constructor(readonly section: FrameSection) {
    for (const e of section.entries()) {
      if (e.kind === "fde" && e.length > 0) this.ranges.push({ start: e.start, end: e.start + e.length, offset: e.offset });
    }
    this.ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  lookup(pc: number): FrameDescriptionEntry | undefined {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ranges[mid].start <= pc) lo = mid + 1;
      else hi = mid;
    }
    // Ranges should not overlap, but a few neighbours are checked in case they do.
    for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) {
      const r = this.ranges[i];
      if (pc < r.end) return this.section.fdeAt(r.offset);
    }
    return undefined;
  }
}

export interface FrameLookup {
  section: FrameSection;
  fde: FrameDescriptionEntry;
}

export class CallFrameInfo {
  private ehIndex?: FdeIndex;
  private debugIndex?: FdeIndex;

  constructor(
    readonly ehFrame?: FrameSection,
    readonly ehFrameHdr?: EhFrameHdr,
    readonly debugFrame?: FrameSection,
  ) {}

  /** The CFI of an ELF file (its .eh_frame, .eh_frame_hdr and .debug_frame, whichever exist). */
  static fromElf(elf: ElfFile): CallFrameInfo {
    const present = (name: string) => {
      const s = elf.section(name);
      return s && s.type !== SHT_NOBITS && s.size > 0 ? s : undefined;
    };
    const text = elf.section(".text")?.addr;
    const got = elf.section(".got")?.addr;
    const readPointer = (address: number): number | undefined => {
      const off = elf.vaddrToFileOffset(address);
      if (off === undefined || off + 8 > elf.bytes.byteLength) return undefined;
      const v = new DataView(elf.bytes.buffer, elf.bytes.byteOffset + off, 8).getBigUint64(0, true);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
    };
    const eh = present(".eh_frame");
    const hdr = present(".eh_frame_hdr");
    const debug = present(".debug_frame") ?? present(".zdebug_frame");
    return new CallFrameInfo(
      eh && new FrameSection(elf.sectionData(eh), ".eh_frame", { address: eh.addr, textAddress: text, dataAddress: got, readPointer }),
      hdr && new EhFrameHdr(elf.sectionData(hdr), hdr.addr),
      debug && new FrameSection(elf.sectionData(debug), ".debug_frame", { textAddress: text }),
    );
  }

  /** The FDE covering `pc`: .eh_frame first, then .debug_frame. */
  fdeFor(pc: number): FrameLookup | undefined {
    if (this.ehFrame) {
      const fde = this.ehFrameFde(this.ehFrame, pc);
      if (fde) return { section: this.ehFrame, fde };
    }
    if (this.debugFrame) {
      const fde = (this.debugIndex ??= new FdeIndex(this.debugFrame)).lookup(pc);
      if (fde) return { section: this.debugFrame, fde };
    }
    return undefined;
  }

  private ehFrameFde(eh: FrameSection, pc: number): FrameDescriptionEntry | undefined {
    const hdr = this.ehFrameHdr;
    // A header describing some other .eh_frame (or none at all) is not trusted.
    if (hdr && hdr.fdeCount > 0 && hdr.ehFramePointer === eh.address) {
      const at = hdr.lookup(pc);
      if (at === undefined) return undefined;
      const offset = at - eh.address;
      if (offset < 0 || offset >= eh.bytes.byteLength) throw new DwarfError(`corrupt .eh_frame_hdr: FDE address 0x${at.toString(16)} is outside .eh_frame`);
      const fde = eh.fdeAt(offset);
      return pc >= fde.start && pc < fde.start + fde.length ? fde : undefined;
    }
    return (this.ehIndex ??= new FdeIndex(eh)).lookup(pc);
  }

  /**
   * The unwind row in force at `pc`: the CFA rule (e.g. rsp+8 at a function's
   * first instruction, rbp+16 after `mov %rsp,%rbp` on x86-64) and the rules
   * for saved registers. Undefined when no CFI covers `pc`.
   */
  unwindRowAt(pc: number): UnwindRow | undefined {
    const found = this.fdeFor(pc);
    return found && unwindRowIn(found.section, found.fde, pc);
  }

  /** Every row of the FDE covering `pc`. */
  rowsFor(pc: number): UnwindRow[] {
    const found = this.fdeFor(pc);
    return found ? unwindRows(found.section, found.fde) : [];
  }
}
