// bpf/sysmon.bpf.o is committed: it must be what bpf/build.sh makes of the
// source (reproducible with the clang version build.sh names), and the event
// layout src/target/sysmon.ts decodes must be the one bpf/sysmon_event.h
// defines (compiled here with gcc: x86-64 and BPF align these types alike).
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../helpers/fixtures.ts";
import { EVENT_LAYOUT } from "../../src/target/sysmon.ts";

const BPF = join(ROOT, "bpf");

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

  test("src/target/sysmon.ts decodes struct sysmon_event at the header's offsets", () => {
    const fields = ["kind", "tgid", "pid", "ppid", "ino", "dev", "prot", "addr", "len", "pgoff", "ts", "comm", "path"] as const;
    const dir = mkdtempSync(join(tmpdir(), "wraith-layout-"));
    try {
      const src = join(dir, "layout.c");
      writeFileSync(src, [
        `#include <stdio.h>`,
        `#include <stddef.h>`,
        `#include "${join(BPF, "sysmon_event.h")}"`,
        `int main(void) {`,
        ...fields.map((f) => `  printf("${f} %zu\\n", offsetof(struct sysmon_event, ${f}));`),
        `  printf("commSize %zu\\npathSize %zu\\nsize %zu\\n", sizeof(((struct sysmon_event *)0)->comm), sizeof(((struct sysmon_event *)0)->path), sizeof(struct sysmon_event));`,
        `  return 0;`,
        `}`,
      ].join("\n"));
      const exe = join(dir, "layout");
      const cc = Bun.spawnSync(["gcc", "-o", exe, src], { stderr: "pipe" });
      expect(cc.stderr.toString()).toBe("");
      const out = Bun.spawnSync([exe]).stdout.toString().trim().split("\n");
      const layout = Object.fromEntries(out.map((l) => l.split(" ")).map(([k, v]) => [k, Number(v)]));
      expect(layout).toEqual({ ...EVENT_LAYOUT });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
