// DWARF register numbers of the x86-64 psABI (§3.6.2, "DWARF Register
// Number Mapping"), with the names binutils and gdb print: the one table the
// CFI reader, the expression printer and the code generator all use.
// Register 16 is the return address column: the caller's rip.

const X86_64_NAMES: readonly string[] = (() => {
  const names: string[] = ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp"];
  for (let i = 8; i <= 15; i++) names.push(`r${i}`);
  names.push("rip");
  for (let i = 0; i <= 15; i++) names.push(`xmm${i}`); // 17–32
  for (let i = 0; i <= 7; i++) names.push(`st${i}`); // 33–40
  for (let i = 0; i <= 7; i++) names.push(`mm${i}`); // 41–48
  names.push("rflags", "es", "cs", "ss", "ds", "fs", "gs", "", "", "fs.base", "gs.base", "", "", "tr", "ldtr", "mxcsr", "fcw", "fsw"); // 49–66
  for (let i = 16; i <= 31; i++) names.push(`xmm${i}`); // 67–82
  return names;
})();

export const X86_64_RETURN_ADDRESS = 16;
export const X86_64_RSP = 7;
export const X86_64_RBP = 6;

/** The name of an x86-64 DWARF register ("rsp", "xmm3"), or `r<N>` when it has none. */
export function x86_64RegisterName(reg: number): string {
  if (reg >= 118 && reg <= 125) return `k${reg - 118}`;
  return X86_64_NAMES[reg] || `r${reg}`;
}

/** The DWARF number of an x86-64 register name, or undefined. */
export function x86_64RegisterNumber(name: string): number | undefined {
  const i = X86_64_NAMES.indexOf(name);
  if (i >= 0 && name !== "") return i;
  const k = /^k([0-7])$/.exec(name);
  return k ? 118 + Number(k[1]) : undefined;
}
