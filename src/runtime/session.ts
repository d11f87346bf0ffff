// A tracing session's lifecycle: create the maps, link and load every probe
// program (the verifier speaks here), attach the uprobes, consume the ring
// buffer until a stop condition, then detach and count what was lost.
// Attaching: where the kernel has uprobe_multi links (Linux ≥ 6.6), the sites
// of one trace statement in one file (and process) share ONE link to a
// dispatcher that tail-calls each site's program, so detaching waits for one
// RCU grace period per link instead of one per site (~0.1 s each: 277 inlined
// sites took 34 s). Otherwise, or with WRAITH_NO_UPROBE_MULTI=1, each site
// gets its own perf-event uprobe.
// Every kernel object is an fd this process owns, so even a SIGKILLed wraith
// leaves nothing attached.
import {
  attachUprobe, attachUprobeMulti, closeFd, createMap, loadProgram, mapLookup, mapUpdate, openRingBuffer, uprobeMultiSupport,
  BPF_TRACE_UPROBE_MULTI, type Attachment, type MultiAttachment, type RingBuffer,
} from "../../ffi/index.ts";
import { dispatcherProgram } from "../codegen/dispatch.ts";
import { ModuleBiasTable, fillBiasTable, type BiasFill, type BiasModule } from "./bias.ts";
import { EVENTS_RING_BYTES, link, readRoute, type CompiledProbe, type DecodedValue, type RecordValues, type EventPlan, type MapFds } from "../codegen/index.ts";

export interface ProbeToAttach {
  compiled: CompiledProbe;
  /** Uprobe target: file and file offset. */
  path: string;
  fileOffset: number;
  /** -1: every process that maps the file; else only this process. */
  pid: number;
}

export interface SessionSpec {
  probes: ProbeToAttach[];
  traceCount: number;
  /**
   * Modules whose globals some probe reads from outside them (their ids are in the probes'
   * bias-map lookups), and the processes to fill the table for at start: one (-p), or
   * every running process that maps the -t file (or, "all", one of them). Absent: no table.
   */
  bias?: { modules: BiasModule[]; fill: BiasFill | "all" | "none" };
}

export interface Summary {
  events: number;
  lost: number;
  /** Why the session ended. */
  reason: string;
}

/** How long to let records gather between reads while they trickle in. */
const GATHER_MS = 5;
/** A read that found this many records means a flood: read again without pausing. */
const BATCH_NOW = 4096;

/** The sites of one trace statement in one file for one pid filter: one uprobe_multi link. */
interface MultiGroup {
  path: string;
  pid: number;
  offsets: bigint[];
  /** The dispatcher program and the program array it tail-calls into (slot = cookie = index in offsets). */
  dispatcherFd: number;
  progArrayFd: number;
}

/**
 * Whether to attach through uprobe_multi links: the kernel has them (with
 * process-wide PID filtering) and WRAITH_NO_UPROBE_MULTI=1 does not force the
 * per-site perf events (so tests cover both paths).
 */
function useUprobeMulti(): boolean {
  if (process.env.WRAITH_NO_UPROBE_MULTI === "1") return false;
  try {
    return uprobeMultiSupport().ok;
  } catch {
    return false; // the probe program itself did not load: the real loads report why
  }
}

export type EventHandler = (plan: EventPlan, values: RecordValues) => void;

export class Session {
  private maps: MapFds | undefined;
  private progFds: number[] = [];
  private attachments: Attachment[] = [];
  /** Loaded, not yet attached multi groups; then their links and the fds they keep alive. */
  private pendingGroups: MultiGroup[] = [];
  private multiLinks: MultiAttachment[] = [];
  private groupFds: number[] = [];
  private multi: boolean | undefined;
  private ring: RingBuffer | undefined;
  private plans = new Map<string, EventPlan>();
  private stopReason: string | undefined;
  private wake: (() => void) | undefined;
  /** Per-process load biases of other modules' globals (src/runtime/bias.ts); the follow logic refreshes it. */
  biasTable?: ModuleBiasTable;
  /** Host tgids of the running processes load() filled the bias table for. */
  biasFilled: number[] = [];
  events = 0;

  constructor(private readonly spec: SessionSpec) {}

  /**
   * Create maps and load every program into the verifier. Throws VerifierError/BpfError.
   * `tick` is called after each program (a progress display: hundreds of sites take seconds).
   */
  load(tick?: () => void): void {
    const events = createMap({ type: "ringbuf", name: "wraith_events", keySize: 0, valueSize: 0, maxEntries: EVENTS_RING_BYTES });
    const losses = createMap({ type: "array", name: "wraith_losses", keySize: 4, valueSize: 8, maxEntries: Math.max(1, this.spec.traceCount) });
    this.maps = { events, losses };
    const bias = this.spec.bias;
    if (bias && bias.modules.length > 0) {
      this.biasTable = new ModuleBiasTable(bias.modules);
      if (bias.fill !== "none") this.biasFilled = fillBiasTable(this.biasTable, bias.fill === "all" ? undefined : bias.fill);
    }
    this.multi = useUprobeMulti();
    for (const p of this.spec.probes) {
      this.progFds.push(this.loadSite(p));
      this.plans.set(`${p.compiled.plan.traceId}:${p.compiled.plan.siteId}`, p.compiled.plan);
      tick?.();
    }
    if (this.multi) this.pendingGroups = this.prepareGroups(this.spec.probes, this.progFds, this.groupFds);
  }

  /** Whether probes attach through uprobe_multi links (known after load()). */
  get usesUprobeMulti(): boolean {
    return this.multi === true;
  }

  private loadSite(p: ProbeToAttach): number {
    const { traceId, siteId } = p.compiled.plan;
    return loadProgram({
      name: `wraith_t${traceId}_s${siteId}`, type: "kprobe", insns: link(p.compiled, { ...this.maps!, bias: this.biasTable?.fd }), license: "GPL",
      // A tail call needs the caller's and callee's expected_attach_type to agree (the prog array's owner check).
      ...(this.multi ? { expectedAttachType: BPF_TRACE_UPROBE_MULTI } : {}),
    });
  }

  /**
   * Group loaded site programs by (trace statement, file, pid), fill one
   * program array per group and load its dispatcher. Every fd created is
   * pushed to `fds` (so the caller can close them on failure).
   */
  private prepareGroups(probes: ProbeToAttach[], progFds: number[], fds: number[]): MultiGroup[] {
    const byKey = new Map<string, { path: string; pid: number; traceId: number; sites: number[] }>();
    probes.forEach((p, i) => {
      const key = `${p.compiled.plan.traceId}\0${p.path}\0${p.pid}`;
      let g = byKey.get(key);
      if (!g) byKey.set(key, (g = { path: p.path, pid: p.pid, traceId: p.compiled.plan.traceId, sites: [] }));
      g.sites.push(i);
    });
    const groups: MultiGroup[] = [];
    for (const g of byKey.values()) {
      const progArrayFd = createMap({ type: "prog_array", name: `wraith_d${g.traceId}`, keySize: 4, valueSize: 4, maxEntries: g.sites.length });
      fds.push(progArrayFd);
      g.sites.forEach((site, slot) => {
        mapUpdate(progArrayFd, new Uint8Array(new Uint32Array([slot]).buffer), new Uint8Array(new Uint32Array([progFds[site]!]).buffer));
      });
      const dispatcherFd = loadProgram({
        name: `wraith_t${g.traceId}_multi`, type: "kprobe", insns: dispatcherProgram(progArrayFd), license: "GPL",
        expectedAttachType: BPF_TRACE_UPROBE_MULTI,
      });
      fds.push(dispatcherFd);
      groups.push({ path: g.path, pid: g.pid, offsets: g.sites.map((i) => BigInt(probes[i]!.fileOffset)), dispatcherFd, progArrayFd });
    }
    return groups;
  }

  private static attachGroup(g: MultiGroup): MultiAttachment {
    return attachUprobeMulti(g.dispatcherFd, { path: g.path, offsets: g.offsets, cookies: g.offsets.map((_, i) => BigInt(i)), pid: g.pid });
  }

  /** Attach every loaded program; returns how many probe sites. On failure the caller's close() detaches what was attached. */
  attach(tick?: () => void): number {
    if (this.multi) {
      for (const g of this.pendingGroups.splice(0)) this.multiLinks.push(Session.attachGroup(g));
      return this.spec.probes.length;
    }
    this.spec.probes.forEach((p, i) => {
      this.attachments.push(attachUprobe(this.progFds[i]!, { path: p.path, offset: p.fileOffset, pid: p.pid }));
      tick?.();
    });
    return this.attachments.length;
  }

  /**
   * Load and attach more probes while the session runs (trace points that
   * waited for a library loaded later). All or nothing: on failure what this
   * call created is closed again and the error is thrown. Returns how many.
   */
  addProbes(probes: ProbeToAttach[]): number {
    if (!this.maps) throw new Error("session: addProbes() before load()");
    const fds: number[] = [];
    const groupFds: number[] = [];
    const attached: Attachment[] = [];
    const links: MultiAttachment[] = [];
    try {
      for (const p of probes) fds.push(this.loadSite(p));
      if (this.multi) {
        // Another link per group: the ones already attached cannot grow.
        for (const g of this.prepareGroups(probes, fds, groupFds)) links.push(Session.attachGroup(g));
      } else {
        probes.forEach((p, i) => attached.push(attachUprobe(fds[i]!, { path: p.path, offset: p.fileOffset, pid: p.pid })));
      }
    } catch (e) {
      for (const l of links) l.close();
      for (const a of attached) a.close();
      for (const fd of [...groupFds, ...fds]) closeFd(fd);
      throw e;
    }
    this.progFds.push(...fds);
    this.groupFds.push(...groupFds);
    this.multiLinks.push(...links);
    this.attachments.push(...attached);
    for (const p of probes) this.plans.set(`${p.compiled.plan.traceId}:${p.compiled.plan.siteId}`, p.compiled.plan);
    return probes.length;
  }

  /**
   * Deliver events to `onEvent` until stop() is called (by a signal, a
   * count, a timer, or the target exiting). Polls the ring buffer in short
   * slices so the event loop can run signal handlers and timers between them.
   */
  async run(onEvent: EventHandler, onBatchEnd: () => void): Promise<void> {
    if (!this.maps) throw new Error("session: run() before load()");
    this.ring = openRingBuffer(this.maps.events, (data) => {
      // Records read after a stop are still delivered, in order: the handler decides what to show
      // (--count, a closed stdout); dropping them here would leave a gap before what drain() delivers.
      const route = readRoute(data);
      const plan = this.plans.get(`${route.traceId}:${route.siteId}`);
      if (!plan) return;
      this.events++;
      onEvent(plan, plan.layout.view(data));
    });
    while (this.stopReason === undefined) {
      const n = this.ring.poll(50);
      onBatchEnd();
      if (this.stopReason !== undefined) break;
      // The ring is readable whenever a record waits, so polling again at once would take events
      // one by one. While they trickle in, let them gather for a few ms (probes submit without
      // waking us, and force a wakeup well before the ring fills); under a flood, drain again now.
      await new Promise<void>((r) => {
        this.wake = r;
        if (n > 0 && n < BATCH_NOW) setTimeout(r, GATHER_MS);
        else setImmediate(r);
      });
    }
  }

  /** Ask run() to end after the current batch; the first reason wins. */
  stop(reason: string): void {
    this.stopReason ??= reason;
    this.wake?.();
  }

  get stopped(): string | undefined {
    return this.stopReason;
  }

  /** Deliver what is still in the ring (after the target exited), without waiting. */
  drain(): void {
    const reason = this.stopReason;
    this.stopReason = undefined;
    try {
      this.ring?.consume();
    } finally {
      this.stopReason = reason;
    }
  }

  /** Events the BPF side could not reserve room for, summed over trace blocks. */
  lost(): number {
    if (!this.maps) return 0;
    let total = 0n;
    for (let i = 0; i < Math.max(1, this.spec.traceCount); i++) {
      const key = new Uint8Array(new Uint32Array([i]).buffer);
      const v = mapLookup(this.maps.losses, key);
      if (v) total += new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(0, true);
    }
    return Number(total);
  }

  /** Detach everything and close every fd. Idempotent. */
  close(): void {
    // Links first: each close waits for one grace period, after which no probe runs.
    for (const l of this.multiLinks.splice(0)) l.close();
    for (const a of this.attachments.splice(0)) a.close();
    this.pendingGroups = [];
    this.ring?.close();
    this.ring = undefined;
    for (const fd of this.groupFds.splice(0)) closeFd(fd);
    for (const fd of this.progFds.splice(0)) closeFd(fd);
    if (this.maps) {
      closeFd(this.maps.events);
      closeFd(this.maps.losses);
      this.maps = undefined;
    }
    this.biasTable?.close();
    this.biasTable = undefined;
  }
}
