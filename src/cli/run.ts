// The one pipeline behind every way in (script flags, `trace`, `demo`):
// script → target → resolve → codegen → runtime → render. Each step is one
// call into its folder; this file only wires them and reports progress.
import { writeSync } from "node:fs";
import { basename } from "node:path";
import { effectiveCaps, hasCap, CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN } from "../../ffi/index.ts";
import { compileProbe, type CompiledProbe, type EventPlan } from "../codegen/index.ts";
import { printedAnything, Renderer } from "../render/index.ts";
import { debugInfoFor, elfOf, resolvePattern, type ModuleRef } from "../resolve/index.ts";
import { Linkage } from "../resolve/linkage.ts";
import { symbolizer } from "../resolve/symbols.ts";
import { describePlan } from "../resolve/location.ts";
import { typeName } from "../dwarf/types/index.ts";
import { Session, type ProbeToAttach } from "../runtime/index.ts";
import { compileScript, formatDiagnostic, printExpr, printPattern, type Diagnostic, type Expr, type Script } from "../script/index.ts";
import { ExprError, resolveObject } from "../resolve/objects.ts";
import { scopeAt, type Scope } from "../resolve/scope.ts";
import { describeExit, type Launched } from "../target/index.ts";
import { chooseTarget, type Target } from "./target.ts";
import { Following, letsTracesWait, notFoundNow, waitsForLibrary, type PendingTrace } from "./following.ts";
import type { RunOptions } from "./args.ts";
import { ExitCode, WraithError } from "./errors.ts";
import { Status } from "./status.ts";

export interface ScriptSource {
  text: string;
  /** Shown in diagnostics: the file name, or <script> for -s. */
  name: string;
}

/** Run a script against the target the options name. Resolves to the process exit code. */
export async function runScript(opts: RunOptions, source: ScriptSource): Promise<number> {
  const status = new Status(opts.status);
  const script = parse(source, status);
  requirePrivileges();

  let launched: Launched | undefined;
  let session: Session | undefined;
  let following: Following | undefined;
  try {
    const target = await chooseTarget(opts, status, (l) => (launched = l));
    // -p / launch with --pending: trace points in no module loaded now may wait for a library (dlopen), if sysmon runs.
    const pending: PendingTrace[] | undefined = letsTracesWait(opts, target) ? [] : undefined;
    const { probes, siteDetails, linkage } = compileAll(script, target, opts, source, status, { pending });
    // Started before the session fills the bias table from /proc, so no process slips between the two.
    if (!opts.dryRun) following = Following.start(opts, target, pending ?? [], status, linkage.biasModules.length);
    // Other modules' globals: their per-process load biases, filled now for the -p process or every process mapping the -t file.
    const bias = { modules: linkage.biasModules, fill: target.pid ?? { mapping: target.modules[0]!.readPath } };
    session = new Session({ probes, traceCount: script.body.length, bias });
    const t0 = performance.now();
    const n = probes.length;
    status.step(`loading ${n} probe program${n === 1 ? "" : "s"} into the verifier`, (tick) => session!.load(() => tick()), n);
    if (opts.dryRun) {
      status.always(`wraith: dry run: ${probes.length} probe program${probes.length === 1 ? "" : "s"} passed the verifier in ${(performance.now() - t0).toFixed(0)} ms; nothing attached`);
      if (opts.dryRunDetails) {
        for (const d of siteDetails) {
          status.always(`  ${d.head}`);
          for (const l of d.lines) status.always(`    ${l}`);
        }
      }
      return ExitCode.OK;
    }
    let attached: number;
    try {
      attached = status.step(`attaching ${n} uprobe${n === 1 ? "" : "s"}`, (tick) => session!.attach(() => tick()), n);
    } catch (e) {
      // The target can exit between resolving and attaching: say that, not the errno.
      if (target.pid && (e as { code?: string }).code === "ESRCH")
        throw new WraithError(`process ${target.pid.proc} exited before its probes were attached; nothing was traced`, ExitCode.TARGET);
      throw e;
    }
    following?.begin(session, target, opts, status, (only, module) =>
      compileAll(script, { ...target, modules: [module] }, opts, source, status, { only, linkage }).probes);
    return await trace(session, opts, status, attached, target, launched, following);
  } finally {
    following?.close();
    session?.close();
    if (launched) launched.kill("SIGKILL");
  }
}

function parse(source: ScriptSource, status: Status): Script {
  const r = compileScript(source.text, source.name);
  for (const d of r.diagnostics) if (d.severity !== "error") status.always(formatDiagnostic(d, source.text));
  if (r.script) return r.script;
  const first = r.diagnostics.find((d) => d.severity === "error")!;
  const [head, ...rest] = formatDiagnostic(first, source.text, { severity: false }).split("\n");
  throw new WraithError(head!, ExitCode.USAGE, rest);
}

function requirePrivileges(): void {
  const caps = effectiveCaps();
  if (hasCap(caps, CAP_SYS_ADMIN) || (hasCap(caps, CAP_BPF) && hasCap(caps, CAP_PERFMON))) return;
  throw new WraithError("wraith needs root, or CAP_BPF and CAP_PERFMON, to load BPF programs and attach uprobes: run it with sudo", ExitCode.PERMISSION);
}

/** The file each compiled site is in, for the JSON `binary_path` field (sites compiled later, in dlopen'ed libraries, too). */
const binaryOfPlan = new WeakMap<EventPlan, string>();

/** Per-site facts for --dry-run --details. */
interface SiteDetail {
  head: string;
  lines: string[];
}

/**
 * `follow.pending`: collect trace points that resolve nowhere (instead of
 * failing) so they can wait for a library; `follow.only` + `follow.linkage`:
 * compile just those trace points later, in a newly mapped module, with the
 * session's module ids.
 */
function compileAll(
  script: Script, target: Target, opts: RunOptions, source: ScriptSource, status: Status,
  follow: { pending?: PendingTrace[]; only?: Set<number>; linkage?: Linkage } = {},
): { probes: ProbeToAttach[]; siteDetails: SiteDetail[]; linkage: Linkage } {
  const probes: ProbeToAttach[] = [];
  const linkage = follow.linkage ?? new Linkage(target.linked ?? target.modules, (m) => debugInfoFor(m));
  const siteDetails: SiteDetail[] = [];
  script.body.forEach((stmt, traceId) => {
    if (stmt.kind !== "Trace" || (follow.only && !follow.only.has(traceId))) return;
    const name = printPattern(stmt.pattern);
    let sites: ReturnType<typeof resolvePattern>;
    try {
      sites = status.step(`finding ${name} in the debug info of ${describeModules(target.modules)}`, (tick) =>
        resolvePattern(stmt.pattern, target.modules, { debugFile: opts.debugFile, note: (l) => status.say(l), moduleSearch: target.moduleSearch, tick }),
      );
    } catch (e) {
      if (!follow.pending || !waitsForLibrary(stmt.pattern, e)) throw notFoundNow(stmt.pattern, e, opts, target);
      follow.pending.push({ traceId, name, pattern: stmt.pattern, error: e });
      return;
    }
    status.step(`compiling ${sites.length} probe site${sites.length === 1 ? "" : "s"} for trace ${name}`, (tick) => sites.forEach((site, siteId) => {
      tick(siteId);
      const info = site.debug;
      let scope: Scope | undefined;
      // What each expression resolved to at this site, for --dry-run --details.
      const details: string[] = [];
      const objectFor = info
        ? (e: Expr) => {
            const obj = resolveObject(info, (scope ??= { ...scopeAt(info.dwarf, info.cfi, site.vaddr), linkage: linkage.at(site.module) }), e, printExpr);
            details.push(`${obj.text}: ${typeName(obj.type)}, ${describePlan(obj.plan)}${obj.byteOffset ? ` +${obj.byteOffset} bytes` : ""}${obj.bits ? ` bits ${obj.bits.offset}..${obj.bits.offset + obj.bits.size - 1}` : ""}`);
            return obj;
          }
        : undefined;
      const compiled: CompiledProbe = withSpans(source, () =>
        compileProbe(stmt, name, {
          traceId,
          siteId,
          pidFilter: target.pids.filter,
          inputPid: target.inputPid,
          site: info ? { vaddr: site.vaddr, entryPc: site.fn?.lowPc(), cap: opts.memDumpCap } : undefined,
          objectFor,
          symbolize: info ? symbolizer(elfOf(site.module)) : undefined,
        }),
      );
      probes.push({ compiled, path: site.module.attachPath, fileOffset: site.fileOffset, pid: target.pid?.proc ?? -1 });
      binaryOfPlan.set(compiled.plan, site.module.name);
      siteDetails.push({
        head: `${name} #${siteId}: ${site.module.name} 0x${site.vaddr.toString(16)} (file offset 0x${site.fileOffset.toString(16)})${site.fn ? ` in ${site.fn.name() ?? "?"}` : ""}${info ? "" : " [no debug info: ELF symbol, first instruction]"}`,
        lines: details,
      });
    }), sites.length);
  });
  return { probes, siteDetails, linkage };
}

/** For progress labels: the target file, and how many libraries come with it. */
function describeModules(modules: ModuleRef[]): string {
  const first = modules[0] ? basename(modules[0].name) : "the target";
  return modules.length > 1 ? `${first} and ${modules.length - 1} libraries` : first;
}

/** An expression the debug info cannot answer becomes a diagnostic at its place in the script, with a caret. */
function withSpans<T>(source: ScriptSource, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    const d: Diagnostic = { severity: "error", message: e.message, span: { ...e.span }, file: source.name };
    const [head, ...rest] = formatDiagnostic(d, source.text, { severity: false }).split("\n");
    throw new WraithError(head!, ExitCode.TARGET, rest);
  }
}

async function trace(session: Session, opts: RunOptions, status: Status, attached: number, target: Target, launched?: Launched, following?: Following): Promise<number> {
  const renderer = new Renderer({
    mode: opts.output,
    // Colour only for a terminal that can show it: not into pipes or files, not with NO_COLOR set (no-color.org), not on TERM=dumb.
    color: !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb" && opts.output === "pretty",
    timestamp: opts.timestamp,
    binaryOf: (plan) => binaryOfPlan.get(plan)!, // every plan comes from compileAll
  });
  let printed = 0;
  let out = "";
  let exitNote = "";
  let failure: number | undefined;
  let outputClosed = false;

  const flush = () => {
    if (!out) return;
    status.progress.clear(); // stdout may be the same terminal as a spinner line
    try {
      writeAll(out);
    } catch (e) {
      // A closed pipe (wraith … | head) ends the session quietly.
      if ((e as { code?: string }).code !== "EPIPE") throw e;
      outputClosed = true;
      session.stop("output closed");
    }
    out = "";
  };
  const onSignal = (sig: string) => () => session.stop(sig);
  const sigterm = onSignal("terminated");
  const sigint = () => {
    // The terminal has just echoed ^C where the cursor was: back to column 0, so the events
    // still in the ring and the summary print as whole lines over it.
    if (process.stderr.isTTY) process.stderr.write("\r");
    session.stop("interrupted");
  };
  process.on("SIGINT", sigint);
  process.on("SIGTERM", sigterm);
  process.on("SIGHUP", sigterm);
  const timer = opts.durationMs !== undefined ? setTimeout(() => session.stop("duration reached"), opts.durationMs) : undefined;
  let targetGone = false;
  target.exited?.then((why) => {
    targetGone = true;
    exitNote = why;
    session.stop(why);
  });

  status.say(`wraith: tracing ${target.describe}: ${attached} probe${attached === 1 ? "" : "s"} attached; Ctrl-C to stop`);
  launched?.resume();
  try {
    await session.run(
      (plan, values) => {
        if (outputClosed || (opts.count !== undefined && printed >= opts.count) || !printedAnything(plan, values)) return;
        out += renderer.render(plan, values);
        printed++;
        if (opts.count !== undefined && printed >= opts.count) session.stop("count reached");
      },
      () => {
        flush();
        following?.pump(); // processes that started, exited, or mapped a library since the last batch
      },
    );
    // Whatever the probes recorded before the stop (a signal, the duration, the target's exit) is
    // still shown: they submit without waking us, so up to a poll's worth of events can wait in the
    // ring. The handler above still honours --count and a closed stdout.
    session.drain();
    flush();
  } finally {
    clearTimeout(timer);
    process.off("SIGINT", sigint);
    process.off("SIGTERM", sigterm);
    process.off("SIGHUP", sigterm);
  }
  const lost = session.lost();
  // Before close: the bias table's entries are part of the line.
  const followLine = opts.verbose ? following?.summaryLine() : undefined;
  session.close();
  if (launched && !targetGone) {
    launched.kill("SIGTERM");
    const s = await launched.exited;
    exitNote = `${target.describe} (pid ${launched.pid}) ended: ${describeExit(s)}`;
  }
  if (followLine) status.always(followLine);
  // After | head: the count is what was written before the reader went away, not what it read.
  const notes = [outputClosed ? "stdout closed by its reader" : "", exitNote].filter(Boolean);
  status.always(`wraith: ${printed} events, ${lost} lost${notes.map((n) => `; ${n}`).join("")}`);
  return failure ?? ExitCode.OK;
}

function writeAll(s: string): void {
  const buf = Buffer.from(s);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if ((e as { code?: string }).code === "EAGAIN") continue;
      throw e;
    }
  }
}
