// BPF objects compiled ahead of time (bpf/sysmon.bpf.o) through libbpf's
// object API: open from memory, load (CO-RE relocations against the running
// kernel's BTF happen here), attach each program by its section name
// (tp_btf/…, fexit/… need no tracefs), find map fds, close. Probe programs
// that wraith assembles itself go through ffi/bpf.ts instead.
//
// libbpf 1.x reports failures as NULL + errno (open, attach) or -errno (load).
import type { Pointer } from "bun:ffi";
import { BpfError, VerifierError } from "./errors.ts";
import { B } from "./libbpf.ts";
import { cstr, errno } from "./libc.ts";

/** A program's verifier log on the diagnostic retry: big enough for small objects like sysmon. */
const LOG_SIZE = 1 << 20;

export interface BpfLink {
  /** The program it attaches (bpf_program__name). */
  readonly program: string;
  /** Detach. Idempotent. */
  destroy(): void;
}

export class BpfObject {
  private obj: Pointer | null;
  private links: BpfLink[] = [];
  // libbpf keeps reading the buffer until load; hold it as long as the object lives.
  private readonly bytes: Uint8Array;

  private constructor(obj: Pointer, bytes: Uint8Array, readonly name: string) {
    this.obj = obj;
    this.bytes = bytes;
  }

  /** bpf_object__open_mem: parse the ELF (nothing reaches the kernel yet). */
  static open(bytes: Uint8Array, name: string): BpfObject {
    const copy = new Uint8Array(bytes); // a private, non-shared buffer libbpf may point into
    // bun types every ptr return as number | bigint; libbpf's are pointers or NULL.
    const obj = B().bpf_object__open_mem(copy, copy.length, null) as Pointer | null;
    if (!obj) throw new BpfError(`opening BPF object ${name}`, errno() || 22, { advice: "the object file is damaged or this libbpf cannot read it" });
    return new BpfObject(obj, copy, name);
  }

  /** Every program's name, in section order. */
  programs(): string[] {
    const out: string[] = [];
    for (let p = this.nextProgram(null); p; p = this.nextProgram(p)) out.push(String(B().bpf_program__name(p)));
    return out;
  }

  /**
   * Create the maps and load every program (relocating field offsets for this
   * kernel). On failure the object is reopened and loaded once more with
   * verifier logs, so a rejection names the program and the verifier's reason.
   */
  load(): void {
    const r = B().bpf_object__load(this.live());
    if (r >= 0) return;
    const err = -r;
    const logged = this.diagnose();
    if (logged) throw new VerifierError(logged.program, err, logged.log);
    throw new BpfError(`loading BPF object ${this.name}`, err, {
      advice: err === 3 || err === 2 || err === 95
        ? "this kernel lacks a function, tracepoint or field the object needs (it needs BTF, /sys/kernel/btf/vmlinux, and kernel 5.8 or newer)"
        : undefined,
    });
  }

  /**
   * Attach the programs `only` names (default: every program) by their section
   * names; on failure, what was attached is detached again.
   */
  attachAll(only?: (program: string) => boolean): BpfLink[] {
    try {
      for (let p = this.nextProgram(null); p; p = this.nextProgram(p)) {
        if (!only || only(String(B().bpf_program__name(p)))) this.links.push(this.attachProgram(p));
      }
    } catch (e) {
      this.detach();
      throw e;
    }
    return [...this.links];
  }

  /** The fd of a map of this (loaded) object; throws when it has no such map. */
  mapFd(name: string): number {
    const fd = B().bpf_object__find_map_fd_by_name(this.live(), cstr(name));
    if (fd < 0) throw new BpfError(`finding map '${name}' in BPF object ${this.name}`, -fd, { advice: "the object and the code using it disagree: rebuild bpf/ with bpf/build.sh" });
    return fd;
  }

  /** Detach every link (the object stays loaded). */
  detach(): void {
    for (const l of this.links.splice(0)) l.destroy();
  }

  /** Detach, unload and free. Idempotent. */
  close(): void {
    this.detach();
    if (this.obj) B().bpf_object__close(this.obj);
    this.obj = null;
  }

  private live(): Pointer {
    if (!this.obj) throw new BpfError(`using closed BPF object ${this.name}`, 9, { advice: "the object was closed" });
    return this.obj;
  }

  private nextProgram(prev: Pointer | null): Pointer | null {
    return B().bpf_object__next_program(this.live(), prev) as Pointer | null;
  }

  private attachProgram(p: Pointer): BpfLink {
    const program = String(B().bpf_program__name(p));
    const link = B().bpf_program__attach(p);
    if (!link) throw new BpfError(`attaching BPF program '${program}' of ${this.name}`, errno() || 22);
    let alive = true;
    return {
      program,
      destroy() {
        if (!alive) return;
        alive = false;
        B().bpf_link__destroy(link);
      },
    };
  }

  /** Load a fresh copy with a log buffer per program; the first program with a log is the one rejected. */
  private diagnose(): { program: string; log: string } | undefined {
    const again = B().bpf_object__open_mem(this.bytes, this.bytes.length, null);
    if (!again) return undefined;
    const logs: { program: string; buf: Uint8Array }[] = [];
    try {
      for (let p = B().bpf_object__next_program(again, null); p; p = B().bpf_object__next_program(again, p)) {
        const buf = new Uint8Array(LOG_SIZE);
        B().bpf_program__set_log_buf(p, buf, buf.length);
        B().bpf_program__set_log_level(p, 1);
        logs.push({ program: String(B().bpf_program__name(p)), buf });
      }
      if (B().bpf_object__load(again) >= 0) return undefined;
      // libbpf loads programs in order and stops at the one rejected: the last log is its.
      let found: { program: string; log: string } | undefined;
      for (const l of logs) {
        const nul = l.buf.indexOf(0);
        const text = new TextDecoder().decode(l.buf.subarray(0, nul < 0 ? l.buf.length : nul)).trim();
        if (text) found = { program: l.program, log: text };
      }
      return found;
    } finally {
      B().bpf_object__close(again);
    }
  }
}
