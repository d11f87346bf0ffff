// Builds dist/wraith: one executable with everything it needs inside.
//   1. stage what the binary embeds into .cache/embed/: the demo program
//      (compiled here with debug info) and the libbpf it falls back to when the
//      server has none (with libelf and zlib, which libbpf itself needs);
//   2. bun build --compile src/cli/main.ts. (bpf/sysmon.bpf.o is committed, not
//      built here: src/target/sysmon-object.ts imports it `with { type: "file" }`,
//      which embeds it; bash bpf/build.sh rebuilds it after a source change.)
// Run with `bun run build.ts` (npm run build).
import { copyFileSync, mkdirSync, realpathSync, existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = import.meta.dir;
const EMBED = join(ROOT, ".cache/embed");
mkdirSync(EMBED, { recursive: true });
mkdirSync(join(ROOT, "dist"), { recursive: true });
// WRAITH_OUT lets parallel work build and test its own binary without replacing dist/wraith under another run.
const OUT = process.env.WRAITH_OUT ? resolve(process.env.WRAITH_OUT) : join(ROOT, "dist/wraith");

function run(argv: string[]): void {
  const r = Bun.spawnSync(argv, { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) {
    console.error(`build: ${argv[0]} failed (exit ${r.exitCode}): ${argv.join(" ")}`);
    process.exit(1);
  }
}

// The libraries travel under their SONAMEs so the dynamic loader can match
// libbpf's DT_NEEDED entries against the copies wraith loads first.
const LIB_DIRS = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64"];
for (const soname of ["libz.so.1", "libelf.so.1", "libbpf.so.1"]) {
  const found = LIB_DIRS.map((d) => join(d, soname)).find((p) => existsSync(p));
  if (!found) {
    console.error(`build: ${soname} not found; install it first (bash .ci/setup installs libbpf1)`);
    process.exit(1);
  }
  const real = realpathSync(found);
  const dest = join(EMBED, soname);
  if (!existsSync(dest) || statSync(dest).mtimeMs < statSync(real).mtimeMs) copyFileSync(real, dest);
}

run(["gcc", "-g", "-O0", "-fno-omit-frame-pointer", "-o", join(EMBED, "wraith-demo"), join(ROOT, "src/demo/demo.c")]);

// --bytecode: JavaScriptCore's parsing is done here, not at every start.
// --compile-jit-policy: tier-up thresholds ×30. A command like `wraith info`
// runs its loops (DIE trees, line programs) once; compiling them with the
// optimizing JITs cost more than it saved: on the SQLite amalgamation (see
// test/bench/dwarf-scope.ts) ×30 took `info scope` from ~172 ms / 87 MB to
// ~148 ms / 77 MB. Long-running sessions still reach the optimizing tiers,
// just after more calls (Bun.unsafe.setJITPolicy(1) restores the default).
const started = performance.now();
run([process.execPath, "build", "--compile", "--minify-syntax", "--bytecode", "--compile-jit-policy=30", join(ROOT, "src/cli/main.ts"), "--outfile", OUT]);
console.error(`build: ${OUT} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// The man page, from the binary just built (wraith --man renders the same
// data as --help), beside it: dist/wraith.1.
const man = Bun.spawnSync([OUT, "--man"], { stdout: "pipe", stderr: "inherit" });
if (man.exitCode !== 0) {
  console.error(`build: ${OUT} --man failed (exit ${man.exitCode})`);
  process.exit(1);
}
await Bun.write(`${OUT}.1`, man.stdout);
console.error(`build: ${OUT}.1 written (man -l ${OUT}.1)`);
