// The dispatcher behind one uprobe_multi link: a single program attached at
// many probe sites of one file, which jumps to the site's own program. The
// link gives each offset a cookie equal to the site's index in a
// BPF_MAP_TYPE_PROG_ARRAY; bpf_tail_call enters that program with R1 = ctx
// (the same pt_regs) and a fresh frame, so site programs run exactly as when
// each had its own perf-event uprobe.
import { Program, R0, R1, R2, R3, R6 } from "./asm/index.ts";

/** bpf_tail_call (helper 12): not in the assembler's helper table, which lists helpers lowering emits. */
const TAIL_CALL = 12;

/** r6 = ctx; r0 = cookie; tail_call(ctx, progArray, cookie); return 0 (reached only when the slot is empty). */
export function dispatcherProgram(progArrayFd: number): Uint8Array {
  return new Program()
    .comment("the cookie of the offset that fired is the site's slot in the program array")
    .mov(R6, R1)
    .call("get_attach_cookie")
    .mov(R3, R0)
    .mov(R1, R6)
    .ldMapFd(R2, progArrayFd)
    .call(TAIL_CALL)
    .mov(R0, 0)
    .exit()
    .assemble();
}
