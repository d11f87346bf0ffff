// Step 1: what to trace — a running process (then which of its modules, when
// several have debug info) or a binary or library on disk.
import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, isAbsolute, resolve as resolvePath } from "node:path";
import * as clack from "@clack/prompts";
import { debugInfoFor, elfOf, type DebugInfo, type ModuleRef } from "../../resolve/index.ts";
import { ElfError } from "../../elf/index.ts";
import { linkedLibraries } from "../../target/ldso.ts";
import { ExitCode, WraithError } from "../errors.ts";
import { ask, searchSelect, withSpinner } from "./prompt.ts";
import { processChoices, processModuleRefs, rankByPid, traceableProcesses } from "./processes.ts";

export interface WizardTarget {
  /** -p PID; absent for a binary on disk (-t PATH). */
  pid?: number;
  /** The file whose functions the user picks from. */
  module: ModuleRef;
  /** -t PATH on the command line: the binary, or the library of the process the functions come from. */
  targetPath?: string;
  /** Where the run looks the trace point up, as runScript will: the process's modules (executable first) or the one file. */
  searchModules: ModuleRef[];
  /** Every module a global may live in (the executable first). */
  linked: ModuleRef[];
  /** The module's debug info; absent: ELF symbols only. */
  info?: DebugInfo;
}

export async function chooseTarget(): Promise<WizardTarget> {
  const kind = await ask(
    clack.select({
      message: "What do you want to trace?",
      options: [
        { value: "process", label: "a running process", hint: "pick it from a list" },
        { value: "binary", label: "a binary or library", hint: "every process that runs it" },
      ],
    }),
  );
  return kind === "process" ? chooseProcess() : chooseBinary();
}

async function chooseProcess(): Promise<WizardTarget> {
  const rows = traceableProcesses();
  const pid = await searchSelect({
    what: "process",
    filterMessage: "Find the process: type part of its command line, its user or its PID",
    choices: processChoices(rows, process.stdout.columns ?? 100),
    rank: rankByPid,
  });
  const refs = processModuleRefs(pid);
  if (refs.length === 0) throw new WraithError(`process ${pid} maps no ELF file wraith can read (did it exit?); start the wizard again`, ExitCode.TARGET);
  const withDebug = await withSpinner(
    `Reading the debug info of ${refs.length} module${refs.length === 1 ? "" : "s"} of process ${pid}…`,
    () => refs.filter((m) => debugInfoFor(m) !== undefined),
    (found) => `${found.length} of ${refs.length} modules of process ${pid} have debug info`,
  );
  const exe = executableFirst(pid, refs);
  // The executable first (without debug info, for its symbols, if it has any), then each library with debug info.
  const offered = [exe, ...withDebug.filter((m) => m !== exe)].filter((m) => withDebug.includes(m) || hasFunctionSymbols(m));
  if (offered.length === 0)
    throw new WraithError(`process ${pid}: neither its executable nor its libraries have debug info, and the executable has no function symbols; install its debug package, or rebuild it with -g`, ExitCode.TARGET);
  const module =
    offered.length === 1
      ? offered[0]!
      : await ask(
          clack.select({
            message: "Functions from which module?",
            options: offered.map((m) => ({
              value: m,
              label: `${basename(m.name)}${m === exe ? " (the executable)" : ""}${withDebug.includes(m) ? "" : " (no debug info: symbols only)"}`,
              hint: m.name,
            })),
            maxItems: 12,
          }),
        );
  if (!withDebug.includes(module))
    clack.log.warn(`${module.name} has no debug info: functions come from its symbol table and only special variables ($pid, $tid, …) can be printed; rebuild it with -g or install its debug package for more`);
  const isExe = module === exe;
  return {
    pid,
    module,
    targetPath: isExe ? undefined : module.name,
    searchModules: isExe ? [exe, ...refs.filter((m) => m !== exe)] : [module],
    linked: [exe, ...refs.filter((m) => m !== exe)],
    info: debugInfoFor(module),
  };
}

/** The process's executable (what /proc/PID/exe names), else the first module. */
function executableFirst(pid: number, refs: ModuleRef[]): ModuleRef {
  let exe: string | undefined;
  try {
    exe = realpathSync(`/proc/${pid}/exe`);
  } catch {
    exe = undefined;
  }
  return refs.find((m) => m.name === exe) ?? refs[0]!;
}

async function chooseBinary(): Promise<WizardTarget> {
  let path: string, module: ModuleRef, info: DebugInfo | undefined;
  for (;;) {
    const text = await ask(
      clack.text({
        message: "Path of the binary or shared library",
        placeholder: "./server, /usr/lib/x86_64-linux-gnu/libfoo.so",
        validate: (v) => elfProblem(absolute(v ?? "")),
      }),
    );
    path = absolute(text);
    module = { name: path, readPath: path, attachPath: path };
    const m = module;
    info = await withSpinner(`Reading the debug info of ${basename(path)}…`, () => debugInfoFor(m), (i) => (i ? `${basename(path)} has debug info` : `${basename(path)}: no debug info`));
    if (info) break;
    if (hasFunctionSymbols(module)) {
      clack.log.warn(`${path} has no debug info: functions come from its symbol table and only special variables ($pid, $tid, …) can be printed; rebuild it with -g or install its debug package for more`);
      break;
    }
    clack.log.error(`${path} has no debug info and no function symbols (stripped): nothing to trace there; give another file, or install its debug package`);
  }
  const linked = elfOf(module).kind() === "shared-library" ? [module] : [module, ...linkedLibraries(path).map((l) => ({ name: l.realPath, readPath: l.realPath, attachPath: l.realPath }))];
  return { module, targetPath: path, searchModules: [module], linked, info };
}

function absolute(p: string): string {
  const t = p.trim();
  return t === "" ? "" : isAbsolute(t) ? t : resolvePath(process.cwd(), t);
}

/** Why a path cannot be traced, or undefined when it is an ELF file. */
function elfProblem(path: string): string | undefined {
  if (path === "") return "type the path of an ELF executable or shared library";
  if (!existsSync(path)) return `${path}: no such file`;
  if (statSync(path).isDirectory()) return `${path} is a directory; give the executable or library inside it`;
  try {
    elfOf({ name: path, readPath: path, attachPath: path });
  } catch (e) {
    if (e instanceof ElfError) return e.message;
    throw e;
  }
  return undefined;
}

/** Without debug info, functions can still be traced by their ELF symbols, if the file has any. */
function hasFunctionSymbols(m: ModuleRef): boolean {
  return elfOf(m).functionSymbols().length > 0;
}
