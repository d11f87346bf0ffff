// Public API of wraith's ELF64 reader. See file.ts for ElfFile, the entry point.

export { ElfFile, type ElfKind } from "./file.ts";
export { ElfError } from "./errors.ts";
export type { ElfHeader } from "./header.ts";
export type { Section } from "./sections.ts";
export type { Segment } from "./segments.ts";
export type { ElfSymbol } from "./symbols.ts";
export type { ElfNote } from "./notes.ts";
export type { DebugLink, DebugAltLink } from "./debuglink.ts";
export type { DynamicEntry } from "./dynamic.ts";
export type { CompressionHeader } from "./compression.ts";
export { crc32 } from "./debuglink.ts";
export { versionedName } from "./symbols.ts";
export { closeMatches, editDistance } from "./matches.ts";
export * from "./constants.ts";
