// The line program header (DWARF 5 §6.2.4; versions 2–4 in their own
// layouts): the parameters of the state machine and the directory and file
// tables. DWARF 5 describes its table entries with (content type, form)
// pairs, decoded with the shared form reader; earlier versions use fixed
// string-and-LEB128 records.

import { DW_LNCT, formName } from "../constants.ts";
import { type AttrValue, type FormContext, readFormValue } from "../forms.ts";
import { type OffsetSize, Reader, stringAt } from "../reader.ts";
import { joinPath } from "./paths.ts";

/** Where the strings and context of a line program come from (mostly the owning compilation unit). */
export interface LineProgramOptions {
  /** DW_AT_comp_dir of the unit: the base of relative directories. */
  compDir?: string;
  /** DW_AT_name of the unit: the primary source file (DWARF 2–4 have no file 0). */
  compName?: string;
  /** Target address size; DWARF 5 headers state their own. Default 8. */
  addressSize?: number;
  /** .debug_line_str (DW_FORM_line_strp). */
  lineStr?: Uint8Array;
  /** .debug_str (DW_FORM_strp). */
  str?: Uint8Array;
  /** Resolves DW_FORM_strx* (needs the unit's DW_AT_str_offsets_base). */
  strx?: (index: number) => string;
}

export interface LineFile {
  /** The name as stored (may be relative). */
  name: string;
  /** Index into the directory table (as `directory(i)` takes it). */
  directoryIndex: number;
  /** Full path: directory (relative to comp_dir) + name. */
  path: string;
  modificationTime?: number;
  size?: number;
  /** DW_LNCT_MD5, 16 bytes. */
  md5?: Uint8Array;
}

export interface LineProgramHeader {
  /** Section offset of the unit_length field. */
  offset: number;
  /** Section offset one past the unit. */
  end: number;
  format: OffsetSize;
  version: number;
  addressSize: number;
  segmentSelectorSize: number;
  minimumInstructionLength: number;
  maximumOperationsPerInstruction: number;
  defaultIsStmt: boolean;
  lineBase: number;
  lineRange: number;
  opcodeBase: number;
  /** Operand counts of standard opcodes 1 … opcodeBase-1 (index 0 is opcode 1). */
  standardOpcodeLengths: Uint8Array;
  /** Directories as stored; in DWARF 2–4 index 0 is the compilation directory (not stored). */
  directories: string[];
  /** Files in the header, in table order; see LineProgram.file for how indexes map. */
  files: LineFile[];
  /** Section offset of the first opcode. */
  programOffset: number;
}

export function parseHeader(section: Uint8Array, offset: number, o: LineProgramOptions): { header: LineProgramHeader; program: Uint8Array } {
  const r = new Reader(section, ".debug_line").at(offset);
  const { length, offsetSize } = r.initialLength();
  if (length > r.remaining) r.fail(`unit length 0x${length.toString(16)} runs past the end of the section`, offset);
  const end = r.pos + length;
  const u = r.sub(length);
  const versionAt = u.pos;
  const version = u.u16();
  if (version < 2 || version > 5) u.fail(`unsupported line table version ${version}`, versionAt);
  let addressSize = o.addressSize ?? 8;
  let segmentSelectorSize = 0;
  if (version >= 5) {
    addressSize = u.u8();
    segmentSelectorSize = u.u8();
    if (![1, 2, 4, 8].includes(addressSize)) u.fail(`unsupported address size ${addressSize}`);
  }
  const headerLength = u.offset(offsetSize);
  if (headerLength > u.remaining) u.fail(`header length 0x${headerLength.toString(16)} runs past the end of the unit`);
  const programStart = u.pos + headerLength;
  const h = u.sub(headerLength);
  const minimumInstructionLength = h.u8();
  const maximumOperationsPerInstruction = version >= 4 ? h.u8() : 1;
  if (maximumOperationsPerInstruction === 0) h.fail("maximum_operations_per_instruction is 0");
  const defaultIsStmt = h.u8() !== 0;
  const lineBase = h.i8();
  const lineRange = h.u8();
  if (lineRange === 0) h.fail("line_range is 0");
  const opcodeBase = h.u8();
  if (opcodeBase === 0) h.fail("opcode_base is 0");
  const standardOpcodeLengths = h.bytesN(opcodeBase - 1);
  const header: LineProgramHeader = {
    offset, end, format: offsetSize, version, addressSize, segmentSelectorSize,
    minimumInstructionLength, maximumOperationsPerInstruction, defaultIsStmt, lineBase, lineRange, opcodeBase,
    standardOpcodeLengths, directories: [], files: [], programOffset: u.base + programStart,
  };
  if (version >= 5) readV5Tables(h, header, o);
  else readLegacyTables(h, header, o);
  u.pos = programStart;
  return { header, program: u.bytesN(u.remaining) };
}

/** The directory a file's directory index names, made absolute against comp_dir when relative. */
export function directoryPath(header: LineProgramHeader, index: number, compDir: string | undefined): string | undefined {
  if (header.version < 5) {
    if (index === 0) return compDir;
    const d = header.directories[index - 1];
    return d === undefined ? undefined : joinPath(compDir, d);
  }
  const d = header.directories[index];
  return d === undefined ? undefined : joinPath(compDir, d);
}

/** A file record with its full path worked out. */
export function makeFile(header: LineProgramHeader, name: string, directoryIndex: number, compDir: string | undefined): LineFile {
  return { name, directoryIndex, path: joinPath(directoryPath(header, directoryIndex, compDir), name) };
}

function readLegacyTables(h: Reader, header: LineProgramHeader, o: LineProgramOptions): void {
  for (;;) {
    const dir = h.cstr();
    if (dir === "") break;
    header.directories.push(dir);
  }
  for (;;) {
    const name = h.cstr();
    if (name === "") break;
    const file = makeFile(header, name, h.uleb(), o.compDir);
    file.modificationTime = h.uleb();
    file.size = h.uleb();
    header.files.push(file);
  }
}

interface EntryFormat {
  contentType: number;
  form: number;
}

function readFormats(h: Reader): EntryFormat[] {
  const count = h.u8();
  const formats: EntryFormat[] = [];
  for (let i = 0; i < count; i++) formats.push({ contentType: h.uleb(), form: h.uleb() });
  return formats;
}

function readV5Tables(h: Reader, header: LineProgramHeader, o: LineProgramOptions): void {
  const ctx: FormContext = { version: header.version, addressSize: header.addressSize, offsetSize: header.format, unitOffset: 0 };
  const readTable = (what: string, each: (values: Map<number, AttrValue>) => void) => {
    const formats = readFormats(h);
    const countAt = h.pos;
    const count = h.uleb();
    if (count === 0) return;
    if (!formats.some((f) => f.contentType === DW_LNCT.path)) h.fail(`${what} entries have no DW_LNCT_path`, countAt);
    // Every entry holds a path, so takes at least one byte: a count beyond the bytes left is a lie.
    if (count > h.remaining) h.fail(`${count} ${what} entries cannot fit in ${h.remaining} bytes`, countAt);
    for (let i = 0; i < count; i++) {
      const values = new Map<number, AttrValue>();
      for (const f of formats) values.set(f.contentType, readFormValue(h, f.form, ctx));
      each(values);
    }
  };
  readTable("directory", (v) => header.directories.push(stringValue(h, v.get(DW_LNCT.path)!, o)));
  readTable("file", (v) => {
    const name = stringValue(h, v.get(DW_LNCT.path)!, o);
    const dirValue = v.get(DW_LNCT.directory_index);
    const file = makeFile(header, name, dirValue ? numberValue(h, dirValue, "DW_LNCT_directory_index") : 0, o.compDir);
    const time = v.get(DW_LNCT.timestamp);
    if (time && time.kind === "constant") file.modificationTime = time.value;
    const size = v.get(DW_LNCT.size);
    if (size) file.size = numberValue(h, size, "DW_LNCT_size");
    const md5 = v.get(DW_LNCT.MD5);
    if (md5) {
      if (md5.kind !== "data16") h.fail(`DW_LNCT_MD5 in ${formName(md5.form)}, expected DW_FORM_data16`);
      file.md5 = md5.bytes;
    }
    header.files.push(file);
  });
}

function stringValue(h: Reader, v: AttrValue, o: LineProgramOptions): string {
  switch (v.kind) {
    case "string": return v.value;
    case "lineStrp": return stringAt(need(h, o.lineStr, ".debug_line_str"), ".debug_line_str", v.offset);
    case "strp": return stringAt(need(h, o.str, ".debug_str"), ".debug_str", v.offset);
    case "strx":
      if (!o.strx) h.fail(`${formName(v.form)} in a line table header, but no .debug_str_offsets resolver was given`);
      return o.strx(v.index);
    default: return h.fail(`a path in ${formName(v.form)}, which is not a string form`);
  }
}

function need(h: Reader, section: Uint8Array | undefined, name: string): Uint8Array {
  if (!section) h.fail(`a path in ${name}, which was not provided`);
  return section;
}

function numberValue(h: Reader, v: AttrValue, what: string): number {
  if (v.kind !== "constant" || v.big !== undefined || v.value < 0) h.fail(`${what} in ${formName(v.form)} is not a small unsigned constant`);
  return v.value;
}
