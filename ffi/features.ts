// Feature probes for `wraith doctor`: each says whether it works, what was
// seen, and what to do when it does not.
import { existsSync, readFileSync } from "node:fs";
import { closeFd, createMap, linkPerfEvent, loadProgram } from "./bpf.ts";
import { errnoName, VerifierError } from "./errors.ts";
import { libbpfInfo } from "./libbpf.ts";
import { uprobePmuType, uprobeRetprobeBit } from "./uprobe.ts";
import { uprobeMultiSupport } from "./uprobe-multi.ts";

export interface FeatureCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about it; absent when ok. */
  fix?: string;
}

export const CAP_SYS_ADMIN = 21;
export const CAP_PERFMON = 38;
export const CAP_BPF = 39;

/** Effective capabilities of this process (from /proc/self/status CapEff). */
export function effectiveCaps(): bigint {
  const status = readFileSync("/proc/self/status", "utf8");
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

export function hasCap(caps: bigint, cap: number): boolean {
  return ((caps >> BigInt(cap)) & 1n) === 1n;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** r0 = 0; exit — the smallest valid program. */
const TRIVIAL = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

/**
 * r1 = 0; r2 = 0; r3 = r10 - 8; r4 = 8; call bpf_get_ns_current_pid_tgid (120);
 * r0 = 0; exit — passes the verifier exactly when the kernel knows the helper.
 */
const NS_PID_TGID = new Uint8Array([
  0xb7, 0x01, 0, 0, 0, 0, 0, 0,
  0xb7, 0x02, 0, 0, 0, 0, 0, 0,
  0xbf, 0xa3, 0, 0, 0, 0, 0, 0,
  0x07, 0x03, 0, 0, 0xf8, 0xff, 0xff, 0xff,
  0xb7, 0x04, 0, 0, 8, 0, 0, 0,
  0x85, 0, 0, 0, 120, 0, 0, 0,
  0xb7, 0, 0, 0, 0, 0, 0, 0,
  0x95, 0, 0, 0, 0, 0, 0, 0,
]);

let nsPidHelper: boolean | undefined;

/**
 * Whether uprobe programs may call bpf_get_ns_current_pid_tgid (Linux 5.7+),
 * found by loading a program that calls it: the verifier rejects a helper
 * the kernel does not have. Other failures (privileges) throw.
 */
export function nsPidHelperAvailable(): boolean {
  if (nsPidHelper !== undefined) return nsPidHelper;
  try {
    closeFd(loadProgram({ name: "wraith_nspid", type: "kprobe", insns: NS_PID_TGID, license: "GPL" }));
    nsPidHelper = true;
  } catch (e) {
    if (!(e instanceof VerifierError)) throw e;
    nsPidHelper = false;
  }
  return nsPidHelper;
}

export function probeFeatures(): FeatureCheck[] {
  const out: FeatureCheck[] = [];

  // privileges
  {
    let caps = 0n;
    try {
      caps = effectiveCaps();
    } catch {}
    const names = [
      hasCap(caps, CAP_SYS_ADMIN) && "CAP_SYS_ADMIN",
      hasCap(caps, CAP_BPF) && "CAP_BPF",
      hasCap(caps, CAP_PERFMON) && "CAP_PERFMON",
    ].filter(Boolean);
    const ok = hasCap(caps, CAP_SYS_ADMIN) || (hasCap(caps, CAP_BPF) && hasCap(caps, CAP_PERFMON));
    out.push({
      name: "privileges",
      ok,
      detail: `effective capabilities: ${names.length ? names.join(", ") : "none of CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON"} (CapEff ${caps.toString(16)})`,
      ...(ok ? {} : { fix: "run as root (sudo wraith …) or grant CAP_BPF and CAP_PERFMON: sudo setcap cap_bpf,cap_perfmon+ep $(command -v wraith)" }),
    });
  }

  // libbpf
  let haveLibbpf = false;
  try {
    const i = libbpfInfo();
    haveLibbpf = true;
    out.push({ name: "libbpf", ok: true, detail: `libbpf ${i.version} (${i.source}: ${i.path})` });
  } catch (e) {
    out.push({ name: "libbpf", ok: false, detail: message(e), fix: "install libbpf 1.x (apt install libbpf1) or use a wraith build that embeds it" });
  }

  // ring buffer maps
  if (haveLibbpf) {
    try {
      const fd = createMap({ type: "ringbuf", name: "wraith_probe", keySize: 0, valueSize: 0, maxEntries: 4096 });
      closeFd(fd);
      out.push({ name: "ringbuf", ok: true, detail: "created a BPF ring buffer map" });
    } catch (e) {
      out.push({ name: "ringbuf", ok: false, detail: message(e), fix: "BPF ring buffers need Linux ≥ 5.8 and the privileges above" });
    }
  } else {
    out.push({ name: "ringbuf", ok: false, detail: "not checked: libbpf unavailable", fix: "fix libbpf first" });
  }

  // uprobe PMU
  try {
    const type = uprobePmuType();
    const bit = uprobeRetprobeBit();
    out.push({ name: "uprobe_pmu", ok: true, detail: `uprobe PMU type ${type}, retprobe bit ${bit}` });
  } catch (e) {
    out.push({ name: "uprobe_pmu", ok: false, detail: message(e), fix: "the kernel needs CONFIG_UPROBE_EVENTS=y and sysfs at /sys" });
  }

  // BTF
  const btf = "/sys/kernel/btf/vmlinux";
  out.push(
    existsSync(btf)
      ? { name: "btf", ok: true, detail: `${btf} present` }
      : { name: "btf", ok: false, detail: `${btf} missing`, fix: "the kernel needs CONFIG_DEBUG_INFO_BTF=y (the system monitor's CO-RE program needs it)" },
  );

  // bpf_link_create on perf events: with an invalid perf fd a kernel that
  // knows BPF_PERF_EVENT links answers EBADF; older ones answer EINVAL.
  if (haveLibbpf) {
    let prog = -1;
    try {
      prog = loadProgram({ name: "wraith_probe", type: "kprobe", insns: TRIVIAL, license: "GPL" });
      const r = linkPerfEvent(prog, -1);
      if (r >= 0) closeFd(r);
      const ok = r === -9;
      out.push({
        name: "perf_link",
        ok,
        detail: ok ? "bpf_link_create(BPF_PERF_EVENT) supported" : `bpf_link_create(BPF_PERF_EVENT) answered ${r < 0 ? errnoName(-r) : r}`,
        ...(ok ? {} : { fix: "kernel < 5.15: wraith falls back to PERF_EVENT_IOC_SET_BPF (works, but detaching is less tidy)" }),
      });
    } catch (e) {
      out.push({ name: "perf_link", ok: false, detail: message(e), fix: "loading a trivial kprobe program failed: see the privileges check" });
    } finally {
      if (prog >= 0) closeFd(prog);
    }
  } else {
    out.push({ name: "perf_link", ok: false, detail: "not checked: libbpf unavailable", fix: "fix libbpf first" });
  }

  // bpf_get_ns_current_pid_tgid: -p of a process in a PID namespace, $pid in its view
  if (haveLibbpf) {
    try {
      const ok = nsPidHelperAvailable();
      out.push({
        name: "ns_pid_helper",
        ok,
        detail: ok ? "bpf_get_ns_current_pid_tgid available" : "the verifier does not know bpf_get_ns_current_pid_tgid",
        ...(ok ? {} : { fix: "Linux < 5.7: processes in other PID namespaces are traced by host PID only when wraith runs on the host, and $pid shows host PIDs" }),
      });
    } catch (e) {
      out.push({ name: "ns_pid_helper", ok: false, detail: message(e), fix: "loading a small kprobe program failed: see the privileges check" });
    }
  } else {
    out.push({ name: "ns_pid_helper", ok: false, detail: "not checked: libbpf unavailable", fix: "fix libbpf first" });
  }

  // uprobe_multi links: many probe sites in one link, detached behind one grace period
  if (haveLibbpf) {
    try {
      const u = uprobeMultiSupport();
      out.push({
        name: "uprobe_multi", ok: u.ok, detail: u.detail,
        ...(u.ok ? {} : { fix: "Linux < 6.6 (or < 6.10 unpatched): wraith attaches one perf-event uprobe per site, and detaching takes ~0.1 s per site" }),
      });
    } catch (e) {
      out.push({ name: "uprobe_multi", ok: false, detail: message(e), fix: "loading a trivial kprobe program failed: see the privileges check" });
    }
  } else {
    out.push({ name: "uprobe_multi", ok: false, detail: "not checked: libbpf unavailable", fix: "fix libbpf first" });
  }
  return out;
}
