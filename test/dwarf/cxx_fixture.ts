// Compiles the C++ fixtures in test/fixtures (*.cpp) into the shared fixture
// cache, once per (source, compiler, flags). The shared helper in
// test/helpers/fixtures.ts builds C only; this is its C++ sibling.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { CACHE, FIXTURES } from "../helpers/fixtures.ts";

export interface CxxOptions {
  cxx?: "g++" | "clang++";
  opt?: "-O0" | "-O1" | "-O2";
  dwarf?: 4 | 5;
  flags?: string[];
}

export function compileCxxFixture(name: string, o: CxxOptions = {}): string {
  const cxx = o.cxx ?? "g++";
  const src = join(FIXTURES, `${name}.cpp`);
  const args = ["-std=c++17", o.opt ?? "-O0", `-gdwarf-${o.dwarf ?? 5}`, ...(o.flags ?? [])];
  const h = createHash("sha256");
  h.update([cxx, ...args].join("\0"));
  h.update(readFileSync(src));
  const out = join(CACHE, `${name}-${cxx}${(o.opt ?? "-O0").slice(1)}-d${o.dwarf ?? 5}-${h.digest("hex").slice(0, 12)}`);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${out}.tmp${process.pid}`;
  const r = Bun.spawnSync([cxx, ...args, "-o", tmp, src], { stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cxx} failed for ${name}: ${r.stderr.toString()}`);
  renameSync(tmp, out);
  return out;
}
