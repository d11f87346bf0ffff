// Uprobes through the uprobe PMU (no tracefs): perf_event_open with
// attr.type = the PMU's dynamic type, config1 = path, config2 = file offset,
// then the program attached by a BPF link (kernel ≥ 5.15) or, on older
// kernels, PERF_EVENT_IOC_SET_BPF. Every fd is O_CLOEXEC and owned by this
// process: when it dies, the kernel detaches everything.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { linkPerfEvent } from "./bpf.ts";
import { BpfError, PerfError } from "./errors.ts";
import { C, SYS_PERF_EVENT_OPEN, addressOf, closeFd, cstr, errno } from "./libc.ts";

const PMU_DIR = "/sys/bus/event_source/devices/uprobe";
const PERF_FLAG_FD_CLOEXEC = 8;
const PERF_EVENT_IOC_ENABLE = 0x2400;
const PERF_EVENT_IOC_DISABLE = 0x2401;
const PERF_EVENT_IOC_SET_BPF = 0x40042408;
const PERF_ATTR_SIZE = 128; // PERF_ATTR_SIZE_VER8

let pmuType: number | undefined;
let retprobeBit: number | undefined;

/** The uprobe PMU's perf type (from sysfs); throws PerfError if absent. */
export function uprobePmuType(): number {
  if (pmuType === undefined) {
    try {
      pmuType = Number.parseInt(readFileSync(`${PMU_DIR}/type`, "utf8").trim(), 10);
    } catch {
      throw new PerfError("reading the uprobe PMU type", 2, {
        advice: `${PMU_DIR}/type is missing: the kernel needs CONFIG_UPROBE_EVENTS=y (and sysfs mounted)`,
      });
    }
  }
  return pmuType;
}

/** The config bit that makes a uprobe PMU event a uretprobe ("config:0" → 0). */
export function uprobeRetprobeBit(): number {
  if (retprobeBit === undefined) {
    let text = "";
    try {
      text = readFileSync(`${PMU_DIR}/format/retprobe`, "utf8").trim();
    } catch {}
    const m = /^config:(\d+)$/.exec(text);
    if (!m) throw new PerfError("reading the uprobe PMU retprobe bit", 2, { advice: `${PMU_DIR}/format/retprobe is missing or unexpected ('${text}')` });
    retprobeBit = Number(m[1]);
  }
  return retprobeBit;
}

export interface UprobeSpec {
  /** The ELF file to probe (executable or shared library); made absolute. */
  path: string;
  /** File offset of the instruction (not a virtual address). */
  offset: number | bigint;
  /** Only this process (its whole address space); -1 (default) for every process. */
  pid?: number;
  /** A uretprobe: fire when the function containing `offset` returns. */
  retprobe?: boolean;
  /** A 64-bit value the program reads with bpf_get_attach_cookie() (link mode only). */
  cookie?: bigint;
  /** Force the attach method (default: link, falling back to ioctl). */
  mode?: "link" | "ioctl";
}

export interface Attachment {
  readonly perfFd: number;
  /** The BPF link fd in link mode, -1 in ioctl mode. */
  readonly linkFd: number;
  readonly mode: "link" | "ioctl";
  readonly spec: Readonly<UprobeSpec>;
  /** Detach: closes the link and the perf event. Idempotent. */
  close(): void;
}

let linkSupported: boolean | undefined;

/** Attach a loaded program (BPF_PROG_TYPE_KPROBE) as a uprobe or uretprobe. */
export function attachUprobe(progFd: number, spec: UprobeSpec): Attachment {
  const path = resolve(spec.path);
  const pid = spec.pid ?? -1;
  const what = `${spec.retprobe ? "uretprobe" : "uprobe"} at ${path}+0x${BigInt(spec.offset).toString(16)}${pid >= 0 ? ` in pid ${pid}` : ""}`;
  const perfFd = openUprobeEvent(path, BigInt(spec.offset), pid, !!spec.retprobe, what);
  try {
    let mode = spec.mode ?? (linkSupported === false ? "ioctl" : "link");
    let linkFd = -1;
    if (mode === "link") {
      const r = linkPerfEvent(progFd, perfFd, spec.cookie ?? 0n);
      if (r >= 0) {
        linkFd = r;
        linkSupported = true;
      } else if (spec.mode !== "link" && (r === -22 || r === -95 || r === -524) && linkSupported !== true) {
        // EINVAL/EOPNOTSUPP: a kernel before 5.15 cannot link perf events.
        linkSupported = false;
        mode = "ioctl";
      } else {
        throw new BpfError(`attaching BPF program to ${what}`, -r);
      }
    }
    if (mode === "ioctl") {
      if (spec.cookie) throw new BpfError(`attaching BPF program to ${what}`, 95, { advice: "attach cookies need BPF links (kernel ≥ 5.15)" });
      if (C().ioctl(perfFd, PERF_EVENT_IOC_SET_BPF, progFd) < 0) throw new PerfError(`attaching BPF program to ${what}`, errno());
    }
    if (C().ioctl(perfFd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
      const e = errno();
      if (linkFd >= 0) closeFd(linkFd);
      throw new PerfError(`enabling ${what}`, e);
    }
    let closed = false;
    return {
      perfFd, linkFd, mode, spec: { ...spec, path },
      close() {
        if (closed) return;
        closed = true;
        if (mode === "ioctl") C().ioctl(perfFd, PERF_EVENT_IOC_DISABLE, 0);
        if (linkFd >= 0) closeFd(linkFd);
        closeFd(perfFd);
      },
    };
  } catch (e) {
    closeFd(perfFd);
    throw e;
  }
}

/**
 * perf_event_open(2) on the uprobe PMU. The event starts disabled and is
 * enabled once the program is attached.
 *
 * pid/cpu: perf_event_open refuses pid = -1 together with cpu = -1, so an
 * every-process probe is opened as a CPU-bound event on CPU 0 (as libbpf
 * does). That does not limit it to CPU 0: the uprobe runs the BPF program
 * attached to its trace event on whichever CPU hits it; the CPU only decides
 * where perf samples would go, and we take none. For one process the event
 * is per-task (pid, cpu = -1: any CPU); the uprobe filter then matches the
 * task's address space, i.e. every thread of that process.
 */
function openUprobeEvent(path: string, offset: bigint, pid: number, retprobe: boolean, what: string): number {
  const type = uprobePmuType();
  const pathBuf = cstr(path); // the kernel copies it during the call
  const attr = new DataView(new ArrayBuffer(PERF_ATTR_SIZE));
  attr.setUint32(0, type, true); // type
  attr.setUint32(4, PERF_ATTR_SIZE, true); // size
  attr.setBigUint64(8, retprobe ? 1n << BigInt(uprobeRetprobeBit()) : 0n, true); // config
  attr.setBigUint64(16, 1n, true); // sample_period
  attr.setBigUint64(40, 1n, true); // flags: disabled (bit 0)
  attr.setUint32(48, 1, true); // wakeup_events
  attr.setBigUint64(56, BigInt(addressOf(pathBuf)), true); // config1: uprobe_path
  attr.setBigUint64(64, offset, true); // config2: probe_offset
  const attrBytes = new Uint8Array(attr.buffer);
  const fd = C().syscall(
    SYS_PERF_EVENT_OPEN, addressOf(attrBytes), pid >= 0 ? pid : -1, pid >= 0 ? -1 : 0, -1, PERF_FLAG_FD_CLOEXEC,
  );
  if (fd < 0) throw new PerfError(`opening ${what}`, errno());
  void pathBuf; void attrBytes; // alive until here
  return Number(fd);
}
