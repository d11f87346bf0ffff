// uprobe_multi links (Linux ≥ 6.6): one BPF link registers a program at many
// offsets of one file, each with its own cookie, and closing it unregisters
// them all behind ONE RCU grace period. Per-site perf-event uprobes pay one
// grace period (~0.1 s) each on close, so detaching hundreds of inlined sites
// took tens of seconds. libbpf 1.1's bpf_link_create_opts predates
// uprobe_multi, so the link is made with the raw bpf(2) syscall.
import { resolve } from "node:path";
import { loadProgram } from "./bpf.ts";
import { BpfError } from "./errors.ts";
import { C, addressOf, closeFd, cstr, errno } from "./libc.ts";

/** enum bpf_attach_type BPF_TRACE_UPROBE_MULTI: both the link's attach type and its programs' expected_attach_type. */
export const BPF_TRACE_UPROBE_MULTI = 48;
const SYS_BPF = 321; // x86-64
const BPF_LINK_CREATE = 28;
const EBADF = 9;
const EINVAL = 22;

export interface UprobeMultiSpec {
  /** The ELF file (executable or shared library); made absolute. */
  path: string;
  /** File offsets of the probed instructions. */
  offsets: bigint[];
  /** One per offset: what bpf_get_attach_cookie() returns when that offset fires. */
  cookies: bigint[];
  /** Only this process (as this process's PID namespace numbers it); -1 or 0: every process mapping the file. */
  pid?: number;
}

export interface MultiAttachment {
  readonly linkFd: number;
  readonly spec: Readonly<UprobeMultiSpec>;
  /** Detach every offset at once. Idempotent. */
  close(): void;
}

/**
 * BPF_LINK_CREATE with attach_type BPF_TRACE_UPROBE_MULTI. Returns the link
 * fd or -errno. union bpf_attr link_create: prog_fd@0 target_fd@4
 * attach_type@8 flags@12, then uprobe_multi { path@16 offsets@24
 * ref_ctr_offsets@32 cookies@40 cnt@48 flags@52 pid@56 } (include/uapi/linux/bpf.h).
 */
export function linkUprobeMulti(progFd: number, path: string, offsets: bigint[], cookies: bigint[] | undefined, pid: number): number {
  const pathBuf = cstr(path);
  const offs = new BigUint64Array(offsets.length || 1);
  offsets.forEach((o, i) => (offs[i] = o));
  const cks = cookies ? new BigUint64Array(cookies.length || 1) : undefined;
  cookies?.forEach((c, i) => (cks![i] = c));
  const attr = new DataView(new ArrayBuffer(64));
  attr.setUint32(0, progFd, true);
  attr.setUint32(8, BPF_TRACE_UPROBE_MULTI, true);
  attr.setBigUint64(16, BigInt(addressOf(pathBuf)), true);
  attr.setBigUint64(24, BigInt(addressOf(offs)), true);
  if (cks) attr.setBigUint64(40, BigInt(addressOf(cks)), true);
  attr.setUint32(48, offsets.length, true);
  attr.setInt32(56, pid, true);
  const bytes = new Uint8Array(attr.buffer);
  const r = Number(C().syscall(SYS_BPF, BPF_LINK_CREATE, addressOf(bytes), bytes.length, 0, 0));
  const e = r < 0 ? errno() : 0;
  void pathBuf; void offs; void cks; void bytes; // alive until the kernel copied them
  return r < 0 ? -e : r;
}

/** Attach a program loaded with expectedAttachType BPF_TRACE_UPROBE_MULTI at every offset; all or nothing. */
export function attachUprobeMulti(progFd: number, spec: UprobeMultiSpec): MultiAttachment {
  const path = resolve(spec.path);
  const pid = spec.pid !== undefined && spec.pid > 0 ? spec.pid : 0;
  if (spec.offsets.length !== spec.cookies.length) throw new Error("attachUprobeMulti: one cookie per offset");
  const r = linkUprobeMulti(progFd, path, spec.offsets, spec.cookies, pid);
  if (r < 0) {
    throw new BpfError(`attaching ${spec.offsets.length} uprobes (one uprobe_multi link) at ${path}${pid ? ` in pid ${pid}` : ""}`, -r);
  }
  let closed = false;
  return {
    linkFd: r, spec: { ...spec, path, pid },
    close() {
      if (closed) return;
      closed = true;
      closeFd(r);
    },
  };
}

/** r0 = 0; exit */
const TRIVIAL = new Uint8Array([0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]);

let available: { ok: boolean; detail: string } | undefined;

/**
 * Whether this kernel has uprobe_multi links with process (not thread) PID
 * filtering, found as libbpf does: a link at offset 0 of "/" (a directory)
 * fails with EBADF where uprobe_multi exists (EINVAL before 6.6), and pid -1
 * fails with EINVAL only once PID filtering was fixed (6.10, backported).
 * Failures to load even the trivial program (privileges) throw.
 */
export function uprobeMultiSupport(): { ok: boolean; detail: string } {
  if (available) return available;
  const prog = loadProgram({ name: "wraith_umulti", type: "kprobe", insns: TRIVIAL, license: "GPL", expectedAttachType: BPF_TRACE_UPROBE_MULTI });
  try {
    const r1 = linkUprobeMulti(prog, "/", [0n], undefined, 0);
    if (r1 >= 0) closeFd(r1);
    if (r1 !== -EBADF) return (available = { ok: false, detail: `BPF_LINK_CREATE(BPF_TRACE_UPROBE_MULTI) answered ${r1 >= 0 ? "a link for '/'" : `errno ${-r1}`} (Linux < 6.6)` });
    const r2 = linkUprobeMulti(prog, "/", [0n], undefined, -1);
    if (r2 >= 0) closeFd(r2);
    if (r2 !== -EINVAL) return (available = { ok: false, detail: "uprobe_multi filters by thread, not process (Linux < 6.10 without the fix)" });
    return (available = { ok: true, detail: "BPF_TRACE_UPROBE_MULTI links supported" });
  } finally {
    closeFd(prog);
  }
}
