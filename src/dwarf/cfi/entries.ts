// CIEs and FDEs of .eh_frame and .debug_frame.
//
// Both sections are a sequence of length-prefixed entries; an entry is a CIE
// (shared parameters and initial instructions) or an FDE (one address range
// and its instructions, pointing back at its CIE). The two sections differ in
// small but important ways, handled here:
//   - CIE id: 0 in .eh_frame, 0xffffffff (0xffffffffffffffff in DWARF64) in .debug_frame;
//   - an FDE's CIE pointer: relative to the pointer field itself in .eh_frame,
//     a section offset in .debug_frame;
//   - addresses: DW_EH_PE_* encoded in .eh_frame (per the CIE's 'R'
//     augmentation), plain target addresses in .debug_frame;
//   - version 4 .debug_frame CIEs carry address_size and segment_selector_size.
// Entries are parsed on demand and their instruction bytes are never copied.

import { DwarfError, type OffsetSize, Reader } from "../reader.ts";
import { DW_EH_PE_absptr, DW_EH_PE_omit } from "./constants.ts";
import { type EncodedPointer, type PointerBases, isValidEncoding, readEncodedPointer, readEncodedValue } from "./pointer.ts";

export type FrameSectionKind = ".eh_frame" | ".debug_frame";

export interface CommonInformationEntry {
  kind: "cie";
  /** Section offset of the entry's length field. */
  offset: number;
  /** Section offset one past the entry. */
  end: number;
  format: OffsetSize;
  version: number;
  augmentation: string;
  addressSize: number;
  segmentSelectorSize: number;
  codeAlignmentFactor: number;
  dataAlignmentFactor: number;
  returnAddressRegister: number;
  /** How FDE addresses (and DW_CFA_set_loc) are encoded ('R'; absptr without it). */
  fdeEncoding: number;
  /** How FDE LSDA pointers are encoded ('L'), DW_EH_PE_omit when FDEs carry none. */
  lsdaEncoding: number;
  /** The personality routine ('P'). */
  personality?: EncodedPointer;
  /** 'S': frames of this CIE are signal trampolines (the PC is not a return address). */
  signalFrame: boolean;
  /** Whether FDEs of this CIE carry an augmentation data length ('z'). */
  hasAugmentationData: boolean;
  /** The "eh" augmentation's pointer (old gcc), if present. */
  ehData?: number;
  initialInstructions: Uint8Array;
  /** Section offset of `initialInstructions[0]`. */
  instructionsOffset: number;
}

export interface FrameDescriptionEntry {
  kind: "fde";
  offset: number;
  end: number;
  format: OffsetSize;
  cie: CommonInformationEntry;
  /** First address covered (pc_begin). */
  start: number;
  /** Length of the covered range (pc_range). */
  length: number;
  /** The language-specific data area ('L'), when the FDE has one. */
  lsda?: EncodedPointer;
  instructions: Uint8Array;
  instructionsOffset: number;
}

export type FrameEntry = CommonInformationEntry | FrameDescriptionEntry;

export interface FrameSectionOptions {
  /** Virtual address of the section (for pcrel pointers); 0 for .debug_frame. */
  address?: number;
  /** Target address size, used when a CIE does not state one (versions 1 and 3). */
  addressSize?: number;
  /** Base for DW_EH_PE_textrel. */
  textAddress?: number;
  /** Base for DW_EH_PE_datarel in .eh_frame (.got on the ABIs that use it). */
  dataAddress?: number;
  /** Reads an address-sized pointer from the loaded image, for DW_EH_PE_indirect FDE addresses. */
  readPointer?: (address: number) => number | undefined;
}

/** Upper bound on CIEs remembered per section; beyond it they are re-parsed. */
const CIE_CACHE_LIMIT = 4096;

export class FrameSection {
  private readonly cies = new Map<number, CommonInformationEntry>();
  readonly address: number;
  readonly addressSize: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly kind: FrameSectionKind,
    readonly options: FrameSectionOptions = {},
  ) {
    this.address = options.address ?? 0;
    this.addressSize = options.addressSize ?? 8;
  }

  /** Pointer bases for a field of this section (funcrel given for LSDAs). */
  bases(func?: number): PointerBases {
    return { section: this.address, text: this.options.textAddress, data: this.options.dataAddress, func };
  }

  /** Every entry in section order, stopping at a zero terminator. */
  *entries(): Generator<FrameEntry> {
    let offset = 0;
    while (offset < this.bytes.byteLength) {
      // A few bytes of trailing alignment padding are not an entry.
      if (this.bytes.byteLength - offset < 4) break;
      const entry = this.entryAt(offset);
      if (entry === undefined) break;
      yield entry;
      offset = entry.end;
    }
  }

  /** The entry at a section offset; undefined for a zero terminator. */
  entryAt(offset: number): FrameEntry | undefined {
    return this.readEntry(offset, false);
  }

  /** With `onlyCie`, an FDE is an error before its body is parsed (so FDE→FDE pointer cycles cannot recurse). */
  private readEntry(offset: number, onlyCie: boolean): FrameEntry | undefined {
    const r = new Reader(this.bytes, this.kind).at(offset);
    const { length, offsetSize } = r.initialLength();
    if (length === 0) return undefined;
    if (length > r.remaining) r.fail(`entry length 0x${length.toString(16)} runs past the end of the section`, offset);
    const end = r.pos + length;
    const body = r.sub(length);
    const idAt = body.base + body.pos;
    const isEh = this.kind === ".eh_frame";
    // .eh_frame always uses a 4-byte CIE id/pointer, even in 64-bit entries.
    const idSize = isEh ? 4 : offsetSize;
    const id = idSize === 4 ? body.u32() : body.u64();
    const isCie = isEh ? id === 0 : idSize === 4 ? id === 0xffffffff : id === 0xffffffffffffffffn;
    if (isCie) return this.parseCie(body, offset, end, offsetSize);
    if (onlyCie) body.fail(`expected a CIE at 0x${offset.toString(16)} but found an FDE`, idAt - body.base);
    const cieOffset = isEh ? idAt - Number(id) : this.offsetValue(body, id, idAt);
    if (cieOffset < 0 || cieOffset >= this.bytes.byteLength) body.fail(`CIE pointer 0x${id.toString(16)} points outside the section`, idAt - body.base);
    if (cieOffset === offset) body.fail("FDE names itself as its CIE", idAt - body.base);
    return this.parseFde(body, offset, end, offsetSize, this.cieAt(cieOffset));
  }

  /** The CIE at a section offset (cached: many FDEs share one). */
  cieAt(offset: number): CommonInformationEntry {
    const cached = this.cies.get(offset);
    if (cached) return cached;
    const e = this.readEntry(offset, true);
    if (e === undefined || e.kind !== "cie") throw new DwarfError(`corrupt ${this.kind}: no CIE at 0x${offset.toString(16)}`);
    if (this.cies.size < CIE_CACHE_LIMIT) this.cies.set(offset, e);
    return e;
  }

  /** The FDE at a section offset (e.g. from .eh_frame_hdr); an error if something else is there. */
  fdeAt(offset: number): FrameDescriptionEntry {
    const e = this.entryAt(offset);
    if (e === undefined || e.kind !== "fde") throw new DwarfError(`corrupt ${this.kind}: no FDE at 0x${offset.toString(16)}`);
    return e;
  }

  private offsetValue(r: Reader, v: number | bigint, at: number): number {
    if (typeof v === "number") return v;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) r.fail(`CIE pointer 0x${v.toString(16)} is too large`, at - r.base);
    return Number(v);
  }

  private parseCie(r: Reader, offset: number, end: number, format: OffsetSize): CommonInformationEntry {
    const versionAt = r.pos;
    const version = r.u8();
    const okVersions = this.kind === ".eh_frame" ? [1, 3] : [1, 3, 4];
    if (!okVersions.includes(version)) r.fail(`unsupported CIE version ${version}`, versionAt);
    const augmentation = r.cstr();
    let addressSize = this.addressSize;
    let segmentSelectorSize = 0;
    if (version === 4) {
      addressSize = r.u8();
      segmentSelectorSize = r.u8();
      if (![1, 2, 4, 8].includes(addressSize)) r.fail(`unsupported address size ${addressSize}`);
      if (![0, 1, 2, 4, 8].includes(segmentSelectorSize)) r.fail(`unsupported segment selector size ${segmentSelectorSize}`);
    }
    let ehData: number | undefined;
    let rest = augmentation;
    if (rest.startsWith("eh")) {
      ehData = r.address(addressSize);
      rest = rest.slice(2);
    }
    const codeAlignmentFactor = r.uleb();
    const dataAlignmentFactor = r.sleb();
    const returnAddressRegister = version === 1 ? r.u8() : r.uleb();
    const cie: CommonInformationEntry = {
      kind: "cie", offset, end, format, version, augmentation, addressSize, segmentSelectorSize,
      codeAlignmentFactor, dataAlignmentFactor, returnAddressRegister,
      fdeEncoding: DW_EH_PE_absptr, lsdaEncoding: DW_EH_PE_omit, signalFrame: false,
      hasAugmentationData: false, ehData, initialInstructions: new Uint8Array(0), instructionsOffset: 0,
    };
    if (rest.startsWith("z")) {
      cie.hasAugmentationData = true;
      const dataLength = r.uleb();
      const data = r.sub(dataLength);
      this.parseAugmentationData(rest.slice(1), data, cie);
    } else if (rest !== "") {
      // Without 'z' the size of unknown augmentation data is unknowable.
      r.fail(`unknown CIE augmentation "${augmentation}"`, versionAt + 1);
    }
    cie.instructionsOffset = r.base + r.pos;
    cie.initialInstructions = r.bytesN(r.remaining);
    return cie;
  }

  private parseAugmentationData(letters: string, data: Reader, cie: CommonInformationEntry): void {
    for (const letter of letters) {
      switch (letter) {
        case "L":
          cie.lsdaEncoding = this.encodingByte(data);
          break;
        case "R":
          cie.fdeEncoding = this.encodingByte(data);
          if (cie.fdeEncoding === DW_EH_PE_omit) data.fail("FDE address encoding cannot be omit");
          break;
        case "P": {
          const enc = this.encodingByte(data);
          if (enc !== DW_EH_PE_omit) cie.personality = readEncodedPointer(data, enc, cie.addressSize, this.bases());
          break;
        }
        case "S": cie.signalFrame = true; break;
        // AArch64 BTI ('B') and MTE tagged frames ('G') carry no data.
        case "B": case "G": break;
        // An unknown letter: its data (and everything after it) is skipped by length.
        default: return;
      }
    }
  }

  private encodingByte(r: Reader): number {
    const at = r.pos;
    const enc = r.u8();
    if (!isValidEncoding(enc)) r.fail(`unknown pointer encoding 0x${enc.toString(16)}`, at);
    return enc;
  }

  private parseFde(r: Reader, offset: number, end: number, format: OffsetSize, cie: CommonInformationEntry): FrameDescriptionEntry {
    let start: number;
    let length: number;
    if (this.kind === ".eh_frame") {
      const at = r.pos;
      const p = readEncodedPointer(r, cie.fdeEncoding, cie.addressSize, this.bases());
      start = this.resolve(r, p, at);
      length = readEncodedValue(r, cie.fdeEncoding, cie.addressSize);
    } else {
      r.skip(cie.segmentSelectorSize);
      start = r.address(cie.addressSize);
      length = r.address(cie.addressSize);
    }
    if (length < 0 || start + length > Number.MAX_SAFE_INTEGER) r.fail(`FDE address range 0x${start.toString(16)}+0x${length.toString(16)} is invalid`);
    let lsda: EncodedPointer | undefined;
    if (cie.hasAugmentationData) {
      const data = r.sub(r.uleb());
      if (cie.lsdaEncoding !== DW_EH_PE_omit && data.remaining > 0) {
        lsda = readEncodedPointer(data, cie.lsdaEncoding, cie.addressSize, this.bases(start));
      }
    }
    const instructionsOffset = r.base + r.pos;
    return { kind: "fde", offset, end, format, cie, start, length, lsda, instructions: r.bytesN(r.remaining), instructionsOffset };
  }

  private resolve(r: Reader, p: EncodedPointer, at: number): number {
    if (!p.indirect) return p.address;
    const v = this.options.readPointer?.(p.address);
    if (v === undefined) r.fail(`indirect pointer through 0x${p.address.toString(16)} cannot be read`, at);
    return v;
  }
}
