// Link-time address → "sym" or "sym+off", the way gdb annotates pointer
// values: the function or object symbol whose extent holds the address.
import { demangle } from "../dwarf/demangle/index.ts";
import type { ElfFile } from "../elf/index.ts";

const cache = new WeakMap<ElfFile, (vaddr: bigint) => string | undefined>();

export function symbolizer(elf: ElfFile): (vaddr: bigint) => string | undefined {
  let f = cache.get(elf);
  if (!f) cache.set(elf, (f = build(elf)));
  return f;
}

function build(elf: ElfFile): (vaddr: bigint) => string | undefined {
  let table: { start: number; end: number; name: string }[] | undefined;
  return (vaddr) => {
    table ??= elf
      .symbols()
      .filter((s) => s.defined && (s.type === "FUNC" || s.type === "OBJECT") && s.value !== 0 && s.name !== "")
      .map((s) => ({ start: s.value, end: s.value + Math.max(1, s.size), name: s.name }))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    if (vaddr < 0n || vaddr > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const a = Number(vaddr);
    let lo = 0;
    let hi = table.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (table[mid]!.start <= a) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1; i >= 0 && i >= lo - 8; i--) {
      const s = table[i]!;
      if (a < s.end) {
        // gdb prints C++ symbols demangled: `<vtable for ns::Widget+16>`.
        const name = s.name.startsWith("_Z") ? (demangle(s.name) ?? s.name) : s.name;
        return a === s.start ? name : `${name}+${a - s.start}`;
      }
    }
    return undefined;
  };
}
