// The processes a user can attach to: every user-space process whose
// executable is an ELF file we can read (kernel threads and wraith itself
// are left out), with what `ps` would show to recognise it.
import { openSync, readSync, closeSync } from "node:fs";
import { listProcesses, modules as processModules } from "../../target/index.ts";
import type { ModuleRef } from "../../resolve/index.ts";
import type { Choice } from "./prompt.ts";

export interface ProcessRow {
  pid: number;
  user: string;
  command: string;
}

function isElf(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const b = Buffer.alloc(4);
    return readSync(fd, b, 0, 4, 0) === 4 && b.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function traceableProcesses(): ProcessRow[] {
  return listProcesses()
    .filter((p) => p.pid !== process.pid && p.exe !== null && isElf(`/proc/${p.pid}/exe`))
    .map((p) => ({ pid: p.pid, user: p.user, command: p.cmdline.length > 0 ? p.cmdline.join(" ") : `[${p.comm}]` }));
}

/** One row per process: "PID  USER  COMMAND LINE", searchable by all three. */
export function processChoices(rows: ProcessRow[], width: number): Choice<number>[] {
  const userWidth = Math.min(12, Math.max(4, ...rows.map((r) => r.user.length)));
  return rows.map((r) => {
    const head = `${String(r.pid).padStart(7)}  ${r.user.padEnd(userWidth)}  `;
    const room = Math.max(20, width - head.length - 8);
    const cmd = r.command.length > room ? `${r.command.slice(0, room - 1)}…` : r.command;
    return { value: r.pid, label: `${head}${cmd}`, search: `${r.pid} ${r.user} ${r.command}`.toLowerCase() };
  });
}

/** A typed number that is a PID ranks that process first, then PIDs it starts; otherwise the list's order. */
export function rankByPid(query: string, c: Choice<number>): number {
  if (!/^\d+$/.test(query)) return 0;
  if (String(c.value) === query) return 2;
  return String(c.value).startsWith(query) ? 1 : 0;
}

/** The process's ELF modules, the executable first, then its libraries (as `-p` sees them). */
export function processModuleRefs(pid: number): ModuleRef[] {
  const seen = new Set<string>();
  const refs: ModuleRef[] = [];
  for (const m of processModules(pid)) {
    if (m.elfType === undefined || m.deleted || seen.has(m.openPath)) continue;
    seen.add(m.openPath);
    refs.push({ name: m.path, readPath: m.openPath, attachPath: m.openPath });
  }
  return refs;
}
