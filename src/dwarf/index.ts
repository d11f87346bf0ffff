// Public API of wraith's DWARF reader. DwarfFile (file.ts) is the entry
// point; Unit and Die are lazy handles over the file's bytes.

export { DwarfFile } from "./file.ts";
export { type DebugFileOptions, type DebugSource, type DebugSourceKind, debugFileMismatch, locateDebugInfo } from "./locate.ts";
export { Unit, parseUnitHeader, parseUnitHeaders, type UnitHeader, type UnitBases, type UnitOwner, type UnitSection } from "./unit.ts";
export { Die, type Attribute, type PcRange, SCOPE_TAGS } from "./die.ts";
export { Abbrev, AbbrevTable, type AttrSpec, parseAbbrevTable } from "./abbrev.ts";
export { type AddressRange, findRange, parseAranges } from "./aranges.ts";
export { NameIndex, buildNameIndex, type IndexEntry, type NameKind } from "./names.ts";
export { type NameSourceKind, type NameSourcePreference, type NativeNames, lookupKeys, lastComponent, openNativeNames } from "./native-names.ts";
export { DebugNames, type DebugNamesEntry, NameIndexUnit, djbHashFolded } from "./debug-names.ts";
export { GDB_SYMBOL_KIND, GdbIndex, type GdbIndexCu, type GdbSymbolRef, type GdbAddressRange, gdbIndexHash } from "./gdb-index.ts";
export { type InlineInstance, InlineIndex } from "./inline.ts";
export {
  type AttrKind,
  type AttrValue,
  type ConstantValue,
  type FormContext,
  asSigned,
  asSignedNumber,
  asUnsigned,
  formFixedSize,
  isTombstoneAddress,
  readFormValue,
  skipForm,
} from "./forms.ts";
export { DwarfError, type OffsetSize, Reader, stringAt } from "./reader.ts";
export * from "./constants.ts";
