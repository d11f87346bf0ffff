// Header, section headers and program headers against `readelf -SW` / `-lW`,
// on fixtures built as non-PIE, PIE and shared library, and on libc.
import { describe, expect, test } from "bun:test";
import { compileFixture } from "../helpers/fixtures.ts";
import { ElfFile, EM_X86_64, PF_R, PF_W, PF_X, PT_LOAD, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE } from "../../src/elf/index.ts";
import { LIBC, readelfSections, readelfSegments, run } from "./readelf.ts";

const targets = {
  "non-PIE executable": () => compileFixture("tick", { pie: false }),
  "PIE executable": () => compileFixture("tick", { pie: true }),
  "shared library": () => compileFixture("elf_zoo", { shared: true }),
  "zoo PIE at -O2": () => compileFixture("elf_zoo", { opt: "-O2" }),
  libc: () => LIBC,
};

describe.each(Object.entries(targets))("%s", (_label, pathOf) => {
  const path = pathOf();
  const elf = ElfFile.open(path);

  test("ELF header matches readelf -h", () => {
    const h = run(["readelf", "-hW", path]);
    expect(elf.machine).toBe(EM_X86_64);
    expect(elf.entry).toBe(parseInt(/Entry point address:\s+0x([0-9a-f]+)/.exec(h)![1]!, 16));
    expect(h).toContain(`Type:                              ${elf.type} `);
  });

  test("section headers match readelf -SW", () => {
    const expected = readelfSections(path);
    const ours = elf.sections();
    expect(ours.length).toBe(expected.length);
    for (const [i, e] of expected.entries()) {
      const s = ours[i]!;
      expect({ i, name: s.name, type: s.typeName, addr: s.addr, offset: s.offset, size: s.size }).toEqual({
        i,
        name: e.name,
        type: e.type,
        addr: e.addr,
        offset: e.offset,
        size: e.size,
      });
      expect([s.entsize, s.link, s.info, s.addralign]).toEqual([e.entsize, e.link, e.info, e.align]);
      expect(e.flags.includes("W")).toBe((s.flags & SHF_WRITE) !== 0);
      expect(e.flags.includes("A")).toBe((s.flags & SHF_ALLOC) !== 0);
      expect(e.flags.includes("X")).toBe((s.flags & SHF_EXECINSTR) !== 0);
      expect(e.flags.includes("C")).toBe(elf.isCompressed(s));
      expect(elf.section(e.name)?.name).toBe(e.name);
    }
    expect(elf.section(".no-such-section")).toBeUndefined();
  });

  test("program headers match readelf -lW", () => {
    const { segments: expected, interpreter } = readelfSegments(path);
    const ours = elf.segments();
    expect(ours.map((p) => p.typeName)).toEqual(expected.map((p) => p.type));
    for (const [i, e] of expected.entries()) {
      const p = ours[i]!;
      expect([p.offset, p.vaddr, p.paddr, p.filesz, p.memsz, p.align]).toEqual([e.offset, e.vaddr, e.paddr, e.filesz, e.memsz, e.align]);
      const flags = (p.flags & PF_R ? "R" : " ") + (p.flags & PF_W ? "W" : " ") + (p.flags & PF_X ? "E" : " ");
      expect(flags).toBe(e.flags);
    }
    expect(elf.interpreter()).toBe(interpreter);
  });

  test("sectionData of every section is its bytes in the file", () => {
    for (const s of elf.sections()) {
      const data = elf.sectionData(s);
      if (s.typeName === "NOBITS") expect(data.length).toBe(0);
      else if (!elf.isCompressed(s)) {
        expect(data.length).toBe(s.size);
        // Zero-copy: a view into the file's buffer at the section offset.
        expect(data.buffer).toBe(elf.bytes.buffer);
        expect(data.byteOffset - elf.bytes.byteOffset).toBe(s.offset);
      }
    }
  });

  test("vaddr ↔ file offset agrees with section placement for every allocated section", () => {
    for (const s of elf.sections()) {
      if (!(s.flags & SHF_ALLOC) || s.size === 0) continue;
      if (s.typeName === "NOBITS") {
        // .bss has no file bytes; the part past p_filesz must map to nothing.
        const load = elf.segments().find((p) => p.type === PT_LOAD && s.addr >= p.vaddr && s.addr < p.vaddr + p.memsz)!;
        if (s.addr >= load.vaddr + load.filesz) expect(elf.vaddrToFileOffset(s.addr)).toBeUndefined();
        continue;
      }
      if (s.typeName === "TLS" || s.name === ".tbss") continue;
      expect(elf.vaddrToFileOffset(s.addr)).toBe(s.offset);
      expect(elf.vaddrToFileOffset(s.addr + s.size - 1)).toBe(s.offset + s.size - 1);
      expect(elf.fileOffsetToVaddr(s.offset)).toBe(s.addr);
    }
    expect(elf.vaddrToFileOffset(0x7fff_0000_0000)).toBeUndefined();
  });
});

describe("module kind", () => {
  test("non-PIE executable", () => {
    const elf = ElfFile.open(compileFixture("tick", { pie: false }));
    expect([elf.type, elf.kind(), elf.isPie()]).toEqual(["EXEC", "executable", false]);
  });
  test("PIE executable", () => {
    const elf = ElfFile.open(compileFixture("tick", { pie: true }));
    expect([elf.type, elf.kind(), elf.isPie()]).toEqual(["DYN", "pie", true]);
  });
  test("shared library", () => {
    const elf = ElfFile.open(compileFixture("elf_zoo", { shared: true }));
    expect([elf.type, elf.kind(), elf.isPie(), elf.interpreter()]).toEqual(["DYN", "shared-library", false, undefined]);
  });
  test("libc: runnable (has PT_INTERP) but still a shared library", () => {
    const elf = ElfFile.open(LIBC);
    expect(elf.interpreter()).toBeDefined();
    expect([elf.kind(), elf.isPie()]).toEqual(["shared-library", false]);
  });
  test("relocatable object", () => {
    const dir = require("node:fs").mkdtempSync("/tmp/wraith-elf-");
    const obj = `${dir}/tick.o`;
    run(["gcc", "-c", "-g", "-o", obj, `${import.meta.dir}/../fixtures/tick.c`]);
    const elf = ElfFile.open(obj);
    expect([elf.type, elf.kind(), elf.segments().length]).toEqual(["REL", "relocatable", 0]);
    expect(elf.sections().length).toBe(readelfSections(obj).length);
    expect(elf.findSymbol("tick")?.type).toBe("FUNC");
  });
});

test("loadBase is the lowest PT_LOAD, page-aligned", () => {
  expect(ElfFile.open(compileFixture("tick", { pie: false })).loadBase()).toBe(0x400000);
  expect(ElfFile.open(compileFixture("tick", { pie: true })).loadBase()).toBe(0);
});
