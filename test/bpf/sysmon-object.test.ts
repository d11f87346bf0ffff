// bpf/sysmon.bpf.o is committed: it must be what bpf/build.sh makes of the
// source (reproducible with the clang version build.sh names), and the event
// layout src/target/sysmon.ts decodes must be the one bpf/sysmon_event.h
// defines (compiled here with gcc: x86-64 and BPF align these types alike),
// and the load-bias map's key and sysmon's bias rules must be encoded as
// bpf/module_bias.h lays them out.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/fixtures.ts";
import { BIAS_RULE_LAYOUT, EVENT_LAYOUT } from "../../src/target/sysmon.ts";
import { BIAS_KEY_LAYOUT, BIAS_VALUE_SIZE } from "../../src/runtime/bias.ts";

const BPF = join(ROOT, "bpf");

/** Compile a C program that prints "name number" lines about the header, run it, return them. */
function measure(header: string, body: string[]): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), "wraith-layout-"));
  try {
    const src = join(dir, "layout.c");
    writeFileSync(src, [`#include <stdio.h>`, `#include <stddef.h>`, `#include "${join(BPF, header)}"`, `int main(void) {`, ...body, `  return 0;`, `}`].join("\n"));
    const exe = join(dir, "layout");
    const cc = Bun.spawnSync(["gcc", "-Wall", "-o", exe, src], { stderr: "pipe" });
    expect(cc.stderr.toString()).toBe("");
    const out = Bun.spawnSync([exe]).stdout.toString().trim().split("\n");
    return Object.fromEntries(out.map((l) => l.split(" ")).map(([k, v]) => [k, Number(v)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function clangMajor(): string | undefined {
  const r = Bun.spawnSync(["clang", "-dumpversion"], { stderr: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim().split(".")[0] : undefined;
}

describe("bpf/sysmon.bpf.o", () => {
  test("the committed object is what bpf/build.sh builds from the source", () => {
    const want = /^CLANG_MAJOR=(\d+)$/m.exec(readFileSync(join(BPF, "build.sh"), "utf8"))?.[1];
    expect(want).toBeDefined();
    const have = clangMajor();
    if (have !== want) {
      // Another clang emits other (equally valid) bytes: the comparison would say nothing.
      console.warn(`skipped: clang ${have ?? "missing"} here, build.sh pins clang ${want}`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "wraith-bpf-"));
    try {
      const out = join(dir, "sysmon.bpf.o");
      const r = Bun.spawnSync(["bash", join(BPF, "build.sh"), out], { stderr: "pipe" });
      expect(r.stderr.toString()).toBe("");
      expect(r.exitCode).toBe(0);
      const fresh = readFileSync(out);
      const committed = readFileSync(join(BPF, "sysmon.bpf.o"));
      // On failure: run `bash bpf/build.sh` and commit bpf/sysmon.bpf.o with the source.
      expect(Buffer.compare(fresh, committed)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("its programs are the four sysmon attach points, in BTF-attached sections", () => {
    const r = Bun.spawnSync(["llvm-readelf", "-S", "-W", join(BPF, "sysmon.bpf.o")], { stderr: "pipe" });
    expect(r.exitCode).toBe(0);
    const sections = [...r.stdout.toString().matchAll(/\]\s+(\S+)\s+PROGBITS/g)].map((m) => m[1]!).filter((s) => s.includes("/"));
    expect(sections).toEqual(["tp_btf/sched_process_exec", "tp_btf/sched_process_fork", "tp_btf/sched_process_exit", "tp_btf/sys_exit"]);
    expect(r.stdout.toString()).toContain(".BTF.ext");
  });

  test("the load-bias key and sysmon's bias rules are encoded at bpf/module_bias.h's offsets", () => {
    const fields = (struct: string, names: string[]) =>
      [...names.map((f) => `  printf("${struct}.${f} %zu\\n", offsetof(struct ${struct}, ${f}));`), `  printf("${struct}.size %zu\\n", sizeof(struct ${struct}));`];
    const got = measure("module_bias.h", [
      ...fields("module_bias_key", ["tgid", "module"]),
      ...fields("bias_rule_key", ["ino", "pgoff", "dev", "pad"]),
      ...fields("bias_rule", ["vaddr", "module", "pad"]),
      ...fields("bias_config", ["modules", "pad"]),
      `  printf("maxModules %d\\nmaxRules %d\\npageShift %d\\n", MODULE_BIAS_MAX_MODULES, MODULE_BIAS_MAX_RULES, MODULE_BIAS_PAGE_SHIFT);`,
    ]);
    const prefixed = (p: string, o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${p}.${k}`, v]));
    const L = BIAS_RULE_LAYOUT;
    expect(got).toEqual({
      ...prefixed("module_bias_key", BIAS_KEY_LAYOUT),
      ...prefixed("bias_rule_key", L.key),
      ...prefixed("bias_rule", L.value),
      ...prefixed("bias_config", L.config),
      maxModules: L.maxModules, maxRules: L.maxRules, pageShift: L.pageShift,
    });
    // The map's value is the bias itself, a u64; and the map in sysmon.bpf.c is declared with these sizes.
    expect(BIAS_VALUE_SIZE).toBe(8);
    const src = readFileSync(join(BPF, "sysmon.bpf.c"), "utf8");
    expect(src).toContain("__uint(key_size, sizeof(struct module_bias_key));");
    expect(src).toContain("__uint(value_size, sizeof(u64));");
  });

  test("src/target/sysmon.ts decodes struct sysmon_event at the header's offsets", () => {
    const fields = ["kind", "tgid", "pid", "ppid", "ino", "dev", "prot", "addr", "len", "pgoff", "ts", "comm", "path"] as const;
    const layout = measure("sysmon_event.h", [
      ...fields.map((f) => `  printf("${f} %zu\\n", offsetof(struct sysmon_event, ${f}));`),
      `  printf("commSize %zu\\npathSize %zu\\nsize %zu\\n", sizeof(((struct sysmon_event *)0)->comm), sizeof(((struct sysmon_event *)0)->path), sizeof(struct sysmon_event));`,
    ]);
    expect(layout).toEqual({ ...EVENT_LAYOUT });
  });
});
