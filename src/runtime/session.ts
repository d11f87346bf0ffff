// A tracing session's lifecycle: create the maps, link and load every probe
// program (the verifier speaks here), attach the uprobes, consume the ring
// buffer until a stop condition, then detach and count what was lost.
// Every kernel object is an fd this process owns, so even a SIGKILLed wraith
// leaves nothing attached.
import {
  attachUprobe, closeFd, createMap, loadProgram, mapLookup, openRingBuffer,
  type Attachment, type RingBuffer,
} from "../../ffi/index.ts";
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

export type EventHandler = (plan: EventPlan, values: RecordValues) => void;

export class Session {
  private maps: MapFds | undefined;
  private progFds: number[] = [];
  private attachments: Attachment[] = [];
  private ring: RingBuffer | undefined;
  private plans = new Map<string, EventPlan>();
  private stopReason: string | undefined;
  private wake: (() => void) | undefined;
  /** Per-process load biases of other modules' globals (src/runtime/bias.ts); the follow logic refreshes it. */
  biasTable?: ModuleBiasTable;
  events = 0;

  constructor(private readonly spec: SessionSpec) {}

  /** Create maps and load every program into the verifier. Throws VerifierError/BpfError. */
  load(): void {
    const events = createMap({ type: "ringbuf", name: "wraith_events", keySize: 0, valueSize: 0, maxEntries: EVENTS_RING_BYTES });
    const losses = createMap({ type: "array", name: "wraith_losses", keySize: 4, valueSize: 8, maxEntries: Math.max(1, this.spec.traceCount) });
    this.maps = { events, losses };
    const bias = this.spec.bias;
    if (bias && bias.modules.length > 0) {
      this.biasTable = new ModuleBiasTable(bias.modules);
      if (bias.fill !== "none") fillBiasTable(this.biasTable, bias.fill === "all" ? undefined : bias.fill);
    }
    for (const p of this.spec.probes) {
      const { traceId, siteId } = p.compiled.plan;
      const fd = loadProgram({ name: `wraith_t${traceId}_s${siteId}`, type: "kprobe", insns: link(p.compiled, { ...this.maps, bias: this.biasTable?.fd }), license: "GPL" });
      this.progFds.push(fd);
      this.plans.set(`${traceId}:${siteId}`, p.compiled.plan);
    }
  }

  /** Attach every loaded program. On failure, whatever was attached is detached again. */
  attach(): number {
    this.spec.probes.forEach((p, i) => {
      this.attachments.push(attachUprobe(this.progFds[i]!, { path: p.path, offset: p.fileOffset, pid: p.pid }));
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
    const attached: Attachment[] = [];
    try {
      for (const p of probes) {
        const { traceId, siteId } = p.compiled.plan;
        fds.push(loadProgram({ name: `wraith_t${traceId}_s${siteId}`, type: "kprobe", insns: link(p.compiled, { ...this.maps, bias: this.biasTable?.fd }), license: "GPL" }));
      }
      probes.forEach((p, i) => attached.push(attachUprobe(fds[i]!, { path: p.path, offset: p.fileOffset, pid: p.pid })));
    } catch (e) {
      for (const a of attached) a.close();
      for (const fd of fds) closeFd(fd);
      throw e;
    }
    this.progFds.push(...fds);
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
      if (this.stopReason !== undefined) return;
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
    for (const a of this.attachments.splice(0)) a.close();
    this.ring?.close();
    this.ring = undefined;
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
