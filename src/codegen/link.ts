// Map relocation: the code generator emits map loads with placeholder slot
// numbers (MapSlot) so it never depends on kernel objects; the runtime creates
// the maps and links each program with their fds just before loading it.
import { Pseudo, assemble, LD_IMM64, type Item } from "./asm/index.ts";
import { MapSlot, type MapFds, type CompiledProbe } from "./probe.ts";
import { BIAS_MAP_SLOT } from "./values.ts";

/** The fds to link with; `bias` exists only when some probe reads another module's globals. */
export type LinkFds = MapFds & { bias?: number };

export function link(probe: CompiledProbe, fds: LinkFds): Uint8Array {
  const bySlot = new Map<number, number>(Object.entries(MapSlot).map(([name, slot]) => [slot, fds[name as keyof MapFds]]));
  if (fds.bias !== undefined) bySlot.set(BIAS_MAP_SLOT, fds.bias);
  const items: Item[] = probe.program.toArray().map((it) => {
    if ("label" in it || it.code !== LD_IMM64 || it.src !== Pseudo.MAP_FD) return it;
    const fd = bySlot.get(it.imm);
    if (fd === undefined) throw new Error(`link: program refers to unknown map slot ${it.imm}${it.imm === BIAS_MAP_SLOT ? " (the load-bias map was not created)" : ""}`);
    return { ...it, imm: fd };
  });
  return assemble(items);
}
