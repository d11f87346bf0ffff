// Compressed debug sections decompress to exactly what
// `objcopy --decompress-debug-sections` writes.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { compileFixture } from "../helpers/fixtures.ts";
import { ElfFile, SHF_COMPRESSED } from "../../src/elf/index.ts";
import { readelfSections, run, scratchDir } from "./readelf.ts";

function decompressedCopy(path: string): ElfFile {
  const out = join(scratchDir(), "decompressed");
  run(["objcopy", "--decompress-debug-sections", path, out]);
  return ElfFile.open(out);
}

describe.each([
  ["ld zlib", (): string => compileFixture("elf_zoo", { flags: ["-Wl,--compress-debug-sections=zlib"] })],
  ["ld zstd", (): string => compileFixture("elf_zoo", { flags: ["-Wl,--compress-debug-sections=zstd"] })],
  ["ld zlib, shared", (): string => compileFixture("elf_zoo", { shared: true, flags: ["-Wl,--compress-debug-sections=zlib"] })],
] as const)("SHF_COMPRESSED (%s)", (_label, pathOf) => {
  const path = pathOf();
  const elf = ElfFile.open(path);
  const plain = decompressedCopy(path);

  test("readelf agrees on which sections are compressed", () => {
    const compressed = readelfSections(path).filter((s) => s.flags.includes("C")).map((s) => s.name);
    expect(compressed).toContain(".debug_info");
    expect(elf.sections().filter((s) => s.flags & SHF_COMPRESSED).map((s) => s.name)).toEqual(compressed);
  });

  test("every compressed section inflates to objcopy's bytes", () => {
    let count = 0;
    for (const s of elf.sections()) {
      if (!(s.flags & SHF_COMPRESSED)) continue;
      const ours = elf.sectionData(s);
      const theirs = plain.sectionData(s.name);
      expect(ours.length, s.name).toBe(theirs.length);
      expect(Buffer.compare(ours, theirs), s.name).toBe(0);
      expect(elf.sectionRawData(s).length).toBe(s.size); // raw stays raw
      expect(elf.sectionData(s)).toBe(ours); // cached
      count++;
    }
    expect(count).toBeGreaterThanOrEqual(2); // ld leaves sections that would not shrink uncompressed
  });
});

test("objcopy-compressed zstd sections", () => {
  const dir = scratchDir();
  const out = join(dir, "zstd");
  run(["objcopy", "--compress-debug-sections=zstd", compileFixture("tick"), out]);
  const elf = ElfFile.open(out);
  const plain = ElfFile.open(compileFixture("tick"));
  expect(elf.isCompressed(elf.section(".debug_info")!)).toBe(true);
  expect(Buffer.compare(elf.sectionData(".debug_info"), plain.sectionData(".debug_info"))).toBe(0);
});

test("legacy .zdebug_* sections (objcopy zlib-gnu)", () => {
  const dir = scratchDir();
  const out = join(dir, "zdebug");
  const original = compileFixture("elf_zoo");
  run(["objcopy", "--compress-debug-sections=zlib-gnu", original, out]);
  const elf = ElfFile.open(out);
  const plain = ElfFile.open(original);
  const zsections = elf.sections().filter((s) => s.name.startsWith(".zdebug_"));
  expect(zsections.length).toBeGreaterThan(3);
  for (const z of zsections) {
    const name = ".debug_" + z.name.slice(".zdebug_".length);
    expect(elf.isCompressed(z)).toBe(true);
    expect(Buffer.compare(elf.sectionData(z), plain.sectionData(name)), z.name).toBe(0);
    expect(Buffer.compare(elf.debugSectionData(name)!, plain.sectionData(name)), name).toBe(0);
  }
  expect(elf.debugSectionData(".debug_nonexistent")).toBeUndefined();
});
