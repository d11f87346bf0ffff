// Lowering corner cases of computed expressions and if/else: every program
// passes the real verifier, literal-only subtrees fold, and the plan marks
// which prints are conditional.
import { afterAll, expect, test } from "bun:test";
import { closeFd, createMap, loadProgram } from "../../ffi/index.ts";
import { compileProbe, link, type MapFds } from "../../src/codegen/index.ts";
import { common, INT, promote } from "../../src/codegen/expr.ts";
import { compileScript, type TraceStmt } from "../../src/script/index.ts";

const maps: MapFds = {
  events: createMap({ type: "ringbuf", name: "t_events", keySize: 0, valueSize: 0, maxEntries: 1 << 16 }),
  losses: createMap({ type: "array", name: "t_losses", keySize: 4, valueSize: 8, maxEntries: 4 }),
};
afterAll(() => Object.values(maps).forEach(closeFd));

function compile(text: string) {
  const r = compileScript(text);
  if (!r.script) throw new Error(JSON.stringify(r.diagnostics));
  return compileProbe(r.script.body[0] as TraceStmt, "f", { traceId: 0, siteId: 0, inputPid: 7 });
}

const SCRIPTS = [
  'trace f { print "{} {} {}", $pid + 1 * 3, $tid / 3 - $pid % 7, ($timestamp >> 3) & 0xff; }',
  'trace f { print "{} {}", -$pid, !($tid == $pid) || $pid < 10 && $tid >= 3; }',
  'trace f { if $pid > 1 { print "a"; } else if $tid == 2 { print "b"; } else { print "c"; } print "end"; }',
  'trace f { let k = 5; if k * 2 == 10 { print "yes {}", k << 2; } else { print "no"; } }',
  'trace f { if $pid { if $tid { print "nested"; } } }',
];

for (const text of SCRIPTS)
  test(`verifier accepts: ${text}`, () => {
    const fd = loadProgram({ name: "wraith_test", type: "kprobe", insns: link(compile(text), maps) });
    expect(fd).toBeGreaterThan(0);
    closeFd(fd);
  });

test("literal-only subexpressions and constant lets fold", () => {
  const probe = compile('trace f { let k = 6; print "{} {} {}", k * 7, -2147483648 / -1, 1 < 2u8; }'.replace(" 2u8", " 2"));
  const args = (probe.plan.prints[0] as { args: { from: string; constBytes?: Uint8Array }[] }).args;
  expect(args.map((a) => a.from)).toEqual(["object", "object", "object"]);
  const n = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getInt32(0, true);
  expect(args.map((a) => n(a.constBytes!))).toEqual([42, -2147483648, 1]); // int overflow wraps as the int result type
});

test("a constant condition keeps only its branch; prints in branches get exec bits", () => {
  const folded = compile('trace f { if 1 + 1 == 2 { print "a"; } else { print "b"; } }');
  expect(folded.plan.prints.map((p) => (p as { text: string }).text)).toEqual(["a"]);
  const branchy = compile('trace f { print "x"; if $pid > 1 { print "a"; } else { print "b"; } }');
  expect(branchy.plan.exec?.bits).toEqual([undefined, 0, 1]);
  expect(compile('trace f { print "x"; }').plan.exec).toBeUndefined();
});

test("usual arithmetic conversions (LP64)", () => {
  const u = { kind: "int", signed: false, bytes: 4 } as const;
  const l = { kind: "int", signed: true, bytes: 8 } as const;
  const ul = { kind: "int", signed: false, bytes: 8 } as const;
  expect(promote({ kind: "int", signed: false, bytes: 2 })).toEqual(INT);
  expect(common(INT, u)).toEqual(u);
  expect(common(u, l)).toEqual(l);
  expect(common(l, ul)).toEqual(ul);
  expect(common({ kind: "int", signed: true, bytes: 1 }, { kind: "int", signed: false, bytes: 1 })).toEqual(INT);
});
