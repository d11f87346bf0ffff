// Build-id, .gnu_debuglink (+ CRC-32), separate debug files, the dynamic
// section, and the fallbacks used when a file has no section headers.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";
import { crc32, ElfError, ElfFile, SHT_NOBITS } from "../../src/elf/index.ts";
import { LIBC, readelfBuildId, readelfDynamic, readelfHexDump, readelfSymbols, run, scratchDir } from "./readelf.ts";

describe("build-id", () => {
  test.each([
    ["tick non-PIE", (): string => compileFixture("tick", { pie: false })],
    ["tick PIE", (): string => compileFixture("tick")],
    ["zoo shared", (): string => compileFixture("elf_zoo", { shared: true })],
    ["libc", (): string => LIBC],
  ] as const)("%s matches readelf -n", (_l, pathOf) => {
    const path = pathOf();
    const id = ElfFile.open(path).buildId();
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(id).toBe(readelfBuildId(path)!);
  });

  test("absent when linked with --build-id=none", () => {
    expect(ElfFile.open(compileFixture("tick", { flags: ["-Wl,--build-id=none"] })).buildId()).toBeUndefined();
  });

  test("notes include the 8-byte-aligned GNU property note", () => {
    const notes = ElfFile.open(compileFixture("tick")).notes();
    expect(notes.map((n) => `${n.name}:${n.type}`)).toContain("GNU:5"); // NT_GNU_PROPERTY_TYPE_0
    expect(notes.map((n) => `${n.name}:${n.type}`)).toContain("GNU:1"); // NT_GNU_ABI_TAG
  });
});

describe("crc32", () => {
  test("standard check value", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
  test("agrees with Bun.hash.crc32 and composes incrementally", () => {
    const data = readFileSync(LIBC).subarray(0, 200_000);
    expect(crc32(data)).toBe(Bun.hash.crc32(data));
    expect(crc32(data.subarray(77_777), crc32(data.subarray(0, 77_777)))).toBe(crc32(data));
  });
});

describe(".gnu_debuglink and separate debug files", () => {
  const dir = scratchDir();
  const original = compileFixture("elf_zoo");
  const debugFile = join(dir, "zoo.debug");
  const stripped = join(dir, "zoo");
  run(["objcopy", "--only-keep-debug", original, debugFile]);
  run(["objcopy", "--strip-debug", `--add-gnu-debuglink=${debugFile}`, original, stripped]);

  test("name and CRC match readelf -x and the debug file's CRC-32", () => {
    const link = ElfFile.open(stripped).debugLink()!;
    expect(link.fileName).toBe("zoo.debug");
    expect(link.crc).toBe(crc32(readFileSync(debugFile)));
    expect(link.crc).toBe(ElfFile.open(debugFile).crc32());
    const raw = readelfHexDump(stripped, ".gnu_debuglink");
    expect(link.crc).toBe(new DataView(raw.buffer).getUint32(raw.length - 4, true));
  });

  test("libc's debuglink matches readelf", () => {
    const link = ElfFile.open(LIBC).debugLink()!;
    const raw = readelfHexDump(LIBC, ".gnu_debuglink");
    expect(link.fileName).toBe(new TextDecoder().decode(raw.subarray(0, raw.indexOf(0))));
    expect(link.fileName).toEndWith(".debug");
    expect(link.crc).toBe(new DataView(raw.buffer).getUint32(raw.length - 4, true));
  });

  test("no debuglink in a plain build", () => {
    expect(ElfFile.open(original).debugLink()).toBeUndefined();
    expect(ElfFile.open(original).debugAltLink()).toBeUndefined();
  });

  test("the debug-only file reads: same build-id and symbols, code sections are NOBITS", () => {
    const dbg = ElfFile.open(debugFile);
    const exe = ElfFile.open(original);
    expect(dbg.buildId()).toBe(exe.buildId()!);
    expect(dbg.section(".text")!.type).toBe(SHT_NOBITS);
    expect(dbg.sectionData(".text").length).toBe(0);
    expect(dbg.debugSectionData(".debug_info")!.length).toBeGreaterThan(0);
    expect(dbg.findSymbol("handle_request")!.value).toBe(exe.findSymbol("handle_request")!.value);
    // Program headers are the original's but with p_filesz 0 for code: there
    // are no bytes to probe in a debug file, so no file offset either.
    const v = exe.findSymbol("handle_request")!.value;
    expect(exe.vaddrToFileOffset(v)).toBeDefined();
    expect(dbg.vaddrToFileOffset(v)).toBeUndefined();
    expect(dbg.segments().map((p) => [p.type, p.vaddr, p.memsz])).toEqual(exe.segments().map((p) => [p.type, p.vaddr, p.memsz]));
    expect([dbg.interpreter(), dbg.kind()]).toEqual([undefined, "pie"]);
    expect(dbg.symbolTable("symtab").length).toBe(readelfSymbols(debugFile).get(".symtab")!.length);
    expect(dbg.dynamic()).toEqual([]);
  });
});

describe("dynamic section", () => {
  test.each([
    ["tick PIE", (): string => compileFixture("tick")],
    ["zoo shared", (): string => compileFixture("elf_zoo", { shared: true })],
    ["runpath", (): string => compileFixture("tick", { flags: ["-Wl,-rpath,/opt/wraith-test", "-Wl,-z,now"] })],
    ["libc", (): string => LIBC],
  ] as const)("%s: DT_NEEDED, DT_SONAME, DT_RUNPATH, DT_FLAGS_1 match readelf -d", (_l, pathOf) => {
    const path = pathOf();
    const elf = ElfFile.open(path);
    const d = readelfDynamic(path);
    const bracketed = (tag: string) => d.filter(([t]) => t === tag).map(([, v]) => /\[(.*)\]/.exec(v)![1]!);
    expect(elf.needed()).toEqual(bracketed("NEEDED"));
    expect(elf.soname()).toBe(bracketed("SONAME")[0]);
    expect(elf.runpath()).toBe(bracketed("RUNPATH")[0] ?? bracketed("RPATH")[0]);
    const flags1 = d.find(([t]) => t === "FLAGS_1")?.[1] ?? "";
    expect((elf.flags1() & 0x08000000) !== 0).toBe(/\bPIE\b/.test(flags1));
    expect((elf.flags1() & 0x1) !== 0).toBe(/\bNOW\b/.test(flags1));
    expect(elf.dynamic().length).toBe(d.length - 1); // readelf also prints the terminating NULL
  });

  test("static executable has none", () => {
    const elf = ElfFile.open(compileFixture("tick", { pie: false, flags: ["-static"] }));
    expect([elf.dynamic().length, elf.needed().length, elf.soname(), elf.interpreter()]).toEqual([0, 0, undefined, undefined]);
    expect(elf.kind()).toBe("executable");
  });
});

test("without section headers: build-id from PT_NOTE, dynamic strings via DT_STRTAB", () => {
  for (const path of [compileFixture("elf_zoo", { shared: true }), LIBC]) {
    const full = ElfFile.open(path);
    const bytes = new Uint8Array(readFileSync(path));
    const view = new DataView(bytes.buffer);
    view.setBigUint64(40, 0n, true); // e_shoff
    view.setUint16(60, 0, true); // e_shnum
    view.setUint16(62, 0, true); // e_shstrndx
    const dir = scratchDir();
    writeFileSync(join(dir, "noshdr"), bytes);
    const bare = ElfFile.open(join(dir, "noshdr"));
    expect(bare.sections()).toEqual([]);
    expect(bare.symbols()).toEqual([]);
    expect(bare.buildId()).toBe(full.buildId()!);
    expect(bare.needed()).toEqual(full.needed());
    expect(bare.soname()).toBe(full.soname());
    expect(bare.kind()).toBe(full.kind());
    expect(bare.section(".text")).toBeUndefined();
    expect(() => bare.sectionData(".text")).toThrow(new ElfError(`${join(dir, "noshdr")} has no .text section`));
  }
});
