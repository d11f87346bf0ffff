// Separate debug files (objcopy --only-keep-debug) found by --debug-file,
// .gnu_debuglink (CRC checked) and build-id; compressed debug sections.
import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DwarfError, DwarfFile } from "../../src/dwarf/index.ts";
import { ElfFile } from "../../src/elf/index.ts";
import { compileFixture } from "../helpers/fixtures.ts";
import { run } from "./core-oracle.ts";

function split(bin: string, dir: string, name = "prog"): { stripped: string; debug: string } {
  const debug = join(dir, `${name}.debug`);
  const stripped = join(dir, name);
  run(["objcopy", "--only-keep-debug", bin, debug]);
  run(["objcopy", "--strip-debug", `--add-gnu-debuglink=${debug}`, bin, stripped]);
  return { stripped, debug };
}

const walkAddress = (d: DwarfFile) => d.findFunctions("walk")[0]!.lowPc();

describe("separate debug files", () => {
  const bin = compileFixture("dwarf_core", { with: ["dwarf_core2"], flags: ["-Wl,--build-id"] });
  const expected = walkAddress(DwarfFile.open(bin));

  test("embedded DWARF is used as is", () => {
    expect(DwarfFile.open(bin).source.how).toBe("embedded");
  });

  test(".gnu_debuglink next to the binary, in .debug/, and under a debug root", () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    const { stripped, debug } = split(bin, dir);
    expect(ElfFile.open(stripped).section(".debug_info")).toBeUndefined();
    const d = DwarfFile.open(stripped, { debugRoots: [join(dir, "none")] });
    expect(d.source.how).toBe("debuglink");
    expect(d.debugElf.name).toBe(debug);
    expect(walkAddress(d)).toBe(expected);

    const dir2 = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    copyFileSync(stripped, join(dir2, "prog"));
    mkdirSync(join(dir2, ".debug"));
    copyFileSync(debug, join(dir2, ".debug", "prog.debug"));
    expect(DwarfFile.open(join(dir2, "prog"), { debugRoots: [] }).debugElf.name).toBe(join(dir2, ".debug", "prog.debug"));

    const dir3 = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    const root = mkdtempSync(join(tmpdir(), "wraith-root-"));
    copyFileSync(stripped, join(dir3, "prog"));
    mkdirSync(join(root, dir3), { recursive: true });
    copyFileSync(debug, join(root, dir3, "prog.debug"));
    // Remove build-id lookups from the picture: the root has no .build-id tree.
    const viaRoot = DwarfFile.open(join(dir3, "prog"), { debugRoots: [root] });
    expect(viaRoot.debugElf.name).toBe(join(root, dir3, "prog.debug"));
  });

  test("build-id under <root>/.build-id/xx/rest.debug", () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    const { stripped, debug } = split(bin, dir);
    const id = ElfFile.open(bin).buildId()!;
    expect(id).toBeDefined();
    const root = mkdtempSync(join(tmpdir(), "wraith-root-"));
    mkdirSync(join(root, ".build-id", id.slice(0, 2)), { recursive: true });
    copyFileSync(debug, join(root, ".build-id", id.slice(0, 2), `${id.slice(2)}.debug`));
    // Take the debuglink candidate away so only the build-id path can match.
    const lone = join(mkdtempSync(join(tmpdir(), "wraith-dbg-")), "prog");
    copyFileSync(stripped, lone);
    const d = DwarfFile.open(lone, { debugRoots: [root] });
    expect(d.source.how).toBe("build-id");
    expect(walkAddress(d)).toBe(expected);
  });

  test("a debug file with the wrong CRC or build-id is rejected, with the reason", () => {
    const other = compileFixture("dwarf_core", { opt: "-O2", with: ["dwarf_core2"], flags: ["-Wl,--build-id"] });
    const dir = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    const { stripped } = split(bin, dir);
    const wrong = split(other, mkdtempSync(join(tmpdir(), "wraith-dbg-")));
    copyFileSync(wrong.debug, join(dir, "prog.debug")); // same name, different contents
    expect(() => DwarfFile.open(stripped, { debugRoots: [] })).toThrow(/rejected: build-id [0-9a-f]+ does not match/);
    expect(() => DwarfFile.open(stripped, { debugFile: wrong.debug })).toThrow(/is not the debug file of .*build-id/);
    // Without build-ids the CRC decides.
    const noid = compileFixture("dwarf_core", { with: ["dwarf_core2"], flags: ["-Wl,--build-id=none"] });
    const dir2 = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    const s2 = split(noid, dir2);
    const good = DwarfFile.open(s2.stripped, { debugRoots: [] });
    expect(good.source.how).toBe("debuglink");
    // Same name and build (no id), different bytes: the CRC must catch it.
    run(["objcopy", "--remove-section=.comment", s2.debug, join(dir2, "changed.debug")]);
    copyFileSync(join(dir2, "changed.debug"), s2.debug);
    expect(() => DwarfFile.open(s2.stripped, { debugRoots: [] })).toThrow(/rejected: CRC 0x[0-9a-f]{8} does not match the binary's .gnu_debuglink CRC/);
  });

  test("explicit --debug-file", () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    const { stripped, debug } = split(bin, dir);
    const elsewhere = join(mkdtempSync(join(tmpdir(), "wraith-dbg-")), "anything.dbg");
    copyFileSync(debug, elsewhere);
    const d = DwarfFile.open(stripped, { debugFile: elsewhere });
    expect(d.source.how).toBe("explicit");
    expect(walkAddress(d)).toBe(expected);
    expect(() => DwarfFile.open(stripped, { debugFile: stripped })).toThrow(/has no DWARF/);
  });

  test("no debug info anywhere: one clear error", () => {
    const dir = mkdtempSync(join(tmpdir(), "wraith-dbg-"));
    const stripped = join(dir, "bare");
    run(["objcopy", "--strip-debug", bin, stripped]);
    let err: unknown;
    try {
      DwarfFile.open(stripped, { debugRoots: [dir] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DwarfError);
    expect(String((err as Error).message)).toMatch(/^no DWARF debug info for .*bare: it has no .debug_info \(build-id [0-9a-f]+, no .gnu_debuglink\); tried .*\.build-id/);
    expect((err as Error).message).not.toContain("\n");
  });
});

describe("compressed debug sections", () => {
  for (const flag of ["-gz=zlib", "-gz=zlib-gnu"]) {
    test(flag, () => {
      const plain = DwarfFile.open(compileFixture("dwarf_core", { with: ["dwarf_core2"] }));
      const packed = DwarfFile.open(compileFixture("dwarf_core", { with: ["dwarf_core2"], flags: [flag] }));
      expect(packed.index().size).toBe(plain.index().size);
      expect(walkAddress(packed)).toBe(walkAddress(plain));
      expect(packed.units().map((u) => u.dieCount)).toEqual(plain.units().map((u) => u.dieCount));
    });
  }
});
