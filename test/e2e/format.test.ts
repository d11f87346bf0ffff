// Format specifiers end to end, with GhostScope's semantics: {:x}/{:X} hex
// bytes of the value, {:p} an address, {:s} ASCII up to NUL with \xNN for the
// rest, {:x.N}/{:s.*} N bytes of memory at the address the argument denotes,
// the read cap marked with <truncated>, failures inline. Every expected byte
// comes from gdb at the same breakpoint (print/x of the same memory).
import { describe, expect, test } from "bun:test";
import { compileFixture, type CompileOptions } from "../helpers/fixtures.ts";
import { runWraith } from "../helpers/wraith.ts";
import { gdbRun } from "../oracle/gdb.ts";
import { asciiBytes, hexBytes } from "../../src/render/dump.ts";

const EXPRS = [
  "/x *(unsigned char (*)[16])buf", // 0
  "len", // 1
  "/x *(unsigned char (*)[64])msg", // 2
  "/x (unsigned long)buf", // 3
  "/x *(unsigned char (*)[4])&val", // 4
  "/x *(unsigned char (*)[4])nul", // 5
  "/x *(unsigned char (*)[4])bad", // 6
  "/x pk->body", // 7
  "/x (unsigned long)pk->body", // 8
  "/x *(unsigned char (*)[16])pk", // 9
  "/x *(unsigned char (*)[40])buf", // 10
  "/x (unsigned long)pk", // 11
];

const SCRIPT = `trace consume {
  print "A {:x.16}|{:X.16}|{:s.*}|{:p}|{:x}|{:X}", buf, buf, len, msg, buf, val, val;
  print "B {:s}|{:x}|{:s.32}", msg, msg, msg;
  print "C {:x.4}|{:x.4}|{:p}|{:s}", nul, bad, nul, nul;
  print "D {:x.*}|{:s}|{:X}|{:x.4}", len, buf, pk.body, pk.body, val;
  print "P {:p}|{:p}", pk.body, pk;
  print "E {:x}|{:p}|{:x}", *pk, $pid, $pid;
}`;

const CAPPED = `trace consume {
  print "T {:x.16}|{:s.*}|{:x.*}|{:x}|{:x.4}", buf, len, msg, len, buf, *pk, buf;
}`;

const bytesOf = (gdbText: string) => (gdbText.match(/0x[0-9a-f]+/g) ?? []).map((h) => Number.parseInt(h, 16));
const upto = (b: number[], n: number) => b.slice(0, n);
const cstr = (b: number[]) => b.slice(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0));
const gdbErrAddr = (t: string) => /^Cannot access memory at address (0x[0-9a-f]+)$/.exec(t)?.[1];

const MATRIX: CompileOptions[] = [
  { cc: "gcc", opt: "-O0", dwarf: 5 },
  { cc: "clang", opt: "-O0", dwarf: 4 },
];

async function wraithLines(bin: string, script: string, cap: number): Promise<string[]> {
  const r = await runWraith(["--script-output", "plain", "--mem-dump-cap", String(cap), "-s", script, "-t", bin, "--args", "setarch", "-R", bin], { timeoutMs: 60_000 });
  expect(r.stderr).not.toContain("error:");
  expect(r.code).toBe(0);
  return r.stdout.trim().split("\n").filter(Boolean);
}

describe("format specifiers agree with gdb's view of the same memory", () => {
  for (const o of MATRIX) {
    test(`${o.cc} ${o.opt} DWARF ${o.dwarf}`, async () => {
      const bin = compileFixture("fmt_dump", o);
      const gdb = gdbRun(bin, [{ spec: "consume", exprs: EXPRS, hits: 3 }], [], { settings: ["set print repeats unlimited", "set print elements unlimited"] });
      const hits = gdb.hits.get("consume") ?? [];
      expect(hits.length).toBe(3);
      const lines = await wraithLines(bin, SCRIPT, 256);
      const capped = await wraithLines(bin, CAPPED, 8);
      expect(lines.length).toBe(hits.length * 6);
      expect(capped.length).toBe(hits.length);
      hits.forEach((h, i) => {
        const v = h.values;
        const buf16 = bytesOf(v[0]!);
        const len = Number(v[1]);
        const msg = bytesOf(v[2]!);
        const valBytes = bytesOf(v[4]!);
        const body = bytesOf(v[7]!);
        const pk = bytesOf(v[9]!);
        const buf40 = bytesOf(v[10]!);
        expect(buf16.length).toBe(16);
        expect(gdbErrAddr(v[5]!)).toBe("0x0");
        expect(gdbErrAddr(v[6]!)).toBe("0x10000");
        const want = [
          `A ${hexBytes(buf16)}|${hexBytes(buf16, true)}|${asciiBytes(upto(msg, len))}|${v[3]}|${hexBytes(valBytes)}|${hexBytes(valBytes, true)}`,
          `B ${asciiBytes(msg)}|${hexBytes(cstr(msg))}|${asciiBytes(upto(msg, 32))}`,
          `C <null>|<read error at ${gdbErrAddr(v[6]!)}>|0x0|<null>`,
          `D ${hexBytes(upto(buf40, len))}|${asciiBytes(body)}|${hexBytes(body, true)}|${hexBytes(valBytes)}`,
        ];
        expect(lines.slice(i * 6, i * 6 + 4)).toEqual(want);
        // Stack addresses differ between the two runs (environment size): {:p} of the array is the
        // pointer's value plus the member's offset, as in gdb.
        const [bodyAt, pkAt] = lines[i * 6 + 4]!.slice(2).split("|").map((x) => BigInt(x));
        expect(lines[i * 6 + 4]).toMatch(/^P 0x[0-9a-f]+\|0x[0-9a-f]+$/);
        expect(bodyAt! - pkAt!).toBe(BigInt(v[8]!) - BigInt(v[11]!));
        // $pid is wraith's own view; only its shape is checked here.
        expect(lines[i * 6 + 5]!).toMatch(new RegExp(`^E ${hexBytes(pk)}\\|0x[0-9a-f]+\\|[0-9a-f]{2}( [0-9a-f]{2}){3}$`));
        // --mem-dump-cap 8: every read stops at 8 bytes and says so; the string ends (NUL) past the cap.
        expect(capped[i]).toBe(
          `T ${hexBytes(upto(buf16, 8))} <truncated>|${asciiBytes(upto(msg, 8))} <truncated>|${hexBytes(upto(buf40, 8))} <truncated>|${hexBytes(upto(pk, 8))} <truncated>|${hexBytes(upto(buf16, 4))}`,
        );
      });
      // The fixture's own content, as a check on the oracle: g_buf[i] = i*37+5 (g_buf[0] = hit), the message.
      expect(bytesOf(hits[1]!.values[0]!)).toEqual(Array.from({ length: 16 }, (_, k) => (k === 0 ? 1 : (k * 37 + 5) & 0xff)));
      expect(asciiBytes(bytesOf(hits[0]!.values[2]!))).toBe("hi\\x09there\\x01\\x7f end");
    });
  }
});

describe("format specifiers that need an address refuse what has none", () => {
  test("a script value, a struct under {:p}", async () => {
    const bin = compileFixture("fmt_dump", { cc: "gcc", opt: "-O0", dwarf: 5 });
    const a = await runWraith(["--dry-run", "-s", 'trace consume { print "{:x.4}", $pid; }', "-t", bin]);
    expect(a.code).not.toBe(0);
    expect(a.stderr).toContain("'{:x.4}' expected an address, but $pid is a script value");
    const b = await runWraith(["--dry-run", "-s", 'trace consume { print "{:p}", *pk; }', "-t", bin]);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain("'{:p}' expected an address, but *pk is a struct pkt (use &*pk for its address)");
    const c = await runWraith(["--dry-run", "-s", 'trace consume { print "{:x.4}", 10; }', "-t", bin]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain("reads memory from an address, but this argument is an integer literal");
  });
});
