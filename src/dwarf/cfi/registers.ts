// The CFI reader names registers with the shared x86-64 table.
export * from "../registers.ts";
