// Printing programs: objdump-exact text, and a debugging listing.
import { type ProgramLike, itemsOf, layout, resolve } from "./assemble.ts";
import { decode } from "./decode.ts";
import { type Insn, isLabel } from "./insn.ts";
import { Class, JmpOp, PseudoCall, helperName } from "./opcodes.ts";
import { type TextOptions, insnText } from "./text.ts";

/**
 * One line per instruction (LD_IMM64 is one line), each exactly what
 * `llvm-objdump -d --no-show-raw-insn` prints after the address, with single
 * spaces. Bytes are decoded; a program is resolved (and validated) first.
 */
export function disassemble(code: Uint8Array | ProgramLike, opts: TextOptions = {}): string[] {
  const insns: Insn[] = code instanceof Uint8Array ? decode(code) : resolve(code);
  return insns.map((i) => insnText(i, opts));
}

export interface ListingOptions extends TextOptions {
  /** Column at which trailing `;` comments start (default 40). */
  commentColumn?: number;
}

/**
 * A readable listing for debugging: labels on their own lines, slot indices,
 * jump targets by label name, helper names, and attached comments.
 *
 * ```
 * entry:
 *      0: r1 = r10
 *      1: r1 += -8                          ; buffer on the stack
 *      2: call 112                          ; bpf_probe_read_user
 *      3: if r0 != 0 goto +2 <fail>
 * ```
 */
export function formatProgram(p: ProgramLike, opts: ListingOptions = {}): string {
  const items = itemsOf(p);
  const resolved = resolve(items);
  const { slots } = layout(items);
  const col = opts.commentColumn ?? 40;
  const lines: string[] = [];
  let k = 0;
  items.forEach((item, index) => {
    if (isLabel(item)) {
      lines.push(item.comment ? `${item.label}:  ; ${item.comment}` : `${item.label}:`);
      return;
    }
    const i = resolved[k++]!;
    let text = `${String(slots[index]).padStart(6)}: ${insnText(i, opts)}`;
    if (item.target !== undefined) text += ` <${item.target}>`;
    const notes: string[] = [];
    if (i.code === (Class.JMP | JmpOp.CALL) && i.src === PseudoCall.HELPER) {
      const name = helperName(i.imm);
      if (name) notes.push(name);
    }
    if (item.comment) notes.push(item.comment);
    if (notes.length) text = `${text.padEnd(col)} ; ${notes.join("; ")}`;
    lines.push(text);
  });
  return lines.join("\n");
}
