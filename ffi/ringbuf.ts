// BPF ring buffer consumers, two implementations behind one interface:
//   "mmap":   the ring mapped into this process and read from TypeScript;
//   "libbpf": ring_buffer__new / ring_buffer__poll with a JSCallback.
// test/bench/ringbuf.ts measures both; the faster one is the default.
import { JSCallback, FFIType, toArrayBuffer, type Pointer } from "bun:ffi";
import { mapInfo, MAP_TYPES } from "./bpf.ts";
import { BpfError, FfiError } from "./errors.ts";
import { B } from "./libbpf.ts";
import {
  C, EINTR, EPOLLIN, EPOLL_CLOEXEC, EPOLL_CTL_ADD, PROT_READ, PROT_WRITE, closeFd, errno, getPageSize, mmapFd, munmap,
} from "./libc.ts";

export type RingBufferImpl = "libbpf" | "mmap";

/** The default consumer: the faster one in test/bench/ringbuf.ts. */
export const DEFAULT_RINGBUF_IMPL: RingBufferImpl = "mmap";

/** Called once per record; `data` is only valid during the call (copy what you keep). */
export type RecordHandler = (data: Uint8Array) => void;

export interface RingBuffer {
  readonly impl: RingBufferImpl;
  /**
   * Wait up to timeoutMs (-1: forever, 0: not at all) for a wakeup, then
   * consume every record present (also after a timeout, so records written
   * with BPF_RB_NO_WAKEUP are picked up); return how many.
   */
  poll(timeoutMs: number): number;
  /** Consume what is there now without waiting; return how many. */
  consume(): number;
  /** An fd that becomes readable when records arrive (for an outer event loop). */
  readonly epollFd: number;
  /** Unmap and free. Idempotent. The map fd stays open (it is the caller's). */
  close(): void;
}

export interface RingBufferOptions {
  impl?: RingBufferImpl;
}

/**
 * Consume a BPF_MAP_TYPE_RINGBUF map. If `onRecord` throws, consumption stops
 * (the records after it stay in the ring) and poll/consume rethrow.
 */
export function openRingBuffer(mapFd: number, onRecord: RecordHandler, opts: RingBufferOptions = {}): RingBuffer {
  const impl = opts.impl ?? DEFAULT_RINGBUF_IMPL;
  return impl === "libbpf" ? openLibbpf(mapFd, onRecord) : openMmap(mapFd, onRecord);
}

// ── libbpf ──────────────────────────────────────────────────────────────────
function openLibbpf(mapFd: number, onRecord: RecordHandler): RingBuffer {
  let pending: unknown = undefined;
  let failed = false;
  const cb = new JSCallback(
    (_ctx: Pointer | null, data: Pointer, size: number): number => {
      try {
        onRecord(new Uint8Array(toArrayBuffer(data, 0, size)));
        return 0;
      } catch (e) {
        pending = e;
        failed = true;
        return -1; // stops ring_buffer__poll; it returns -1
      }
    },
    { args: [FFIType.ptr, FFIType.ptr, FFIType.u64_fast], returns: FFIType.i32 },
  );
  const b = B();
  // struct ring_buffer_opts { size_t sz; }
  const ringOpts = new BigUint64Array([8n]);
  const rb = b.ring_buffer__new(mapFd, cb.ptr, null, ringOpts);
  if (!rb) {
    const e = errno();
    cb.close();
    throw new BpfError(`opening ring buffer map fd ${mapFd}`, e);
  }
  const epollFd = b.ring_buffer__epoll_fd(rb);
  let open = true;
  const settle = (r: number, what: string): number => {
    if (failed) {
      failed = false;
      const e = pending;
      pending = undefined;
      throw e;
    }
    if (r < 0) {
      if (r === -EINTR) return 0;
      throw new BpfError(`${what} ring buffer map fd ${mapFd}`, -r);
    }
    return r;
  };
  return {
    impl: "libbpf",
    epollFd,
    poll(timeoutMs: number): number {
      if (!open) throw closedError(mapFd);
      const n = settle(b.ring_buffer__poll(rb, timeoutMs), "polling");
      // ring_buffer__poll only reads rings epoll reported; records written
      // with BPF_RB_NO_WAKEUP are there without a wakeup: take them too.
      return n > 0 ? n : settle(b.ring_buffer__consume(rb), "consuming");
    },
    consume(): number {
      if (!open) throw closedError(mapFd);
      return settle(b.ring_buffer__consume(rb), "consuming");
    },
    close(): void {
      if (!open) return;
      open = false;
      b.ring_buffer__free(rb);
      cb.close();
    },
  };
}

function closedError(mapFd: number): Error {
  return new BpfError(`using closed ring buffer for map fd ${mapFd}`, 9, { advice: "the ring buffer was closed" });
}

// ── mmap ────────────────────────────────────────────────────────────────────
const BUSY_BIT = 0x80000000;
const DISCARD_BIT = 0x40000000;
const LEN_MASK = 0x3fffffff;
const HDR_SZ = 8;
const TWO_32 = 2 ** 32;

/**
 * The kernel's ring buffer layout (kernel/bpf/ringbuf.c): page 0 holds
 * consumer_pos (mapped read-write), page 1 producer_pos (read-only), then the
 * data pages, mapped twice in a row so a record that wraps past the end is
 * contiguous in our view. Each record starts with an 8-byte header: u32 len
 * with BUSY (still being written) and DISCARD bits, u32 page offset; records
 * are 8-byte aligned. Positions only grow; offset = pos & (size - 1).
 */
function openMmap(mapFd: number, onRecord: RecordHandler): RingBuffer {
  const info = mapInfo(mapFd);
  if (info.type !== MAP_TYPES.ringbuf) {
    throw new BpfError(`opening ring buffer map fd ${mapFd}`, 22, { advice: `map '${info.name}' is not a ring buffer (type ${info.type})` });
  }
  const page = getPageSize();
  const size = info.maxEntries;
  const consAddr = mmapFd(mapFd, page, PROT_READ | PROT_WRITE, 0, "ring buffer consumer page");
  let prodAddr: number;
  try {
    prodAddr = mmapFd(mapFd, page + 2 * size, PROT_READ, page, "ring buffer producer page and data");
  } catch (e) {
    munmap(consAddr, page);
    throw e;
  }
  const c = C();
  const epollFd = c.epoll_create1(EPOLL_CLOEXEC);
  if (epollFd < 0) {
    const e = errno();
    munmap(consAddr, page);
    munmap(prodAddr, page + 2 * size);
    throw new FfiError("creating an epoll instance for the ring buffer", e);
  }
  // struct epoll_event is packed on x86-64: u32 events, u64 data (12 bytes).
  const ev = new Uint8Array(12);
  new DataView(ev.buffer).setUint32(0, EPOLLIN, true);
  if (c.epoll_ctl(epollFd, EPOLL_CTL_ADD, mapFd, ev) < 0) {
    const e = errno();
    closeFd(epollFd);
    munmap(consAddr, page);
    munmap(prodAddr, page + 2 * size);
    throw new FfiError(`watching ring buffer map fd ${mapFd}`, e);
  }
  const events = new Uint8Array(12);

  let consPos64: BigUint64Array | null = new BigUint64Array(toArrayBuffer(consAddr as Pointer, 0, 8));
  let consPos32: Uint32Array | null = new Uint32Array(consPos64.buffer, 0, 2);
  let prodPos32: Uint32Array | null = new Uint32Array(toArrayBuffer(prodAddr as Pointer, 0, 8));
  const dataBuf = toArrayBuffer(prodAddr as Pointer, page, 2 * size);
  let bytes: Uint8Array | null = new Uint8Array(dataBuf);
  let words: Uint32Array | null = new Uint32Array(dataBuf);
  let open = true;

  // Memory ordering. The kernel publishes producer_pos with a release store
  // and reads consumer_pos with an acquire load; on x86-64 (TSO) plain aligned
  // loads and stores already have acquire/release semantics in hardware, and
  // JSC does not move typed-array loads across the opaque onRecord call.
  // Atomics.load/store would state the intent, but Bun 1.4.5's DFG JIT
  // crashes (SIGSEGV) on Atomics over toArrayBuffer() views of foreign
  // memory, so plain element accesses are used. (x86-64 only, like the rest.)
  //
  // Positions are kept as JS numbers (exact up to 2^53 bytes).
  let cons = consPos32[0]! + consPos32[1]! * TWO_32;

  const readProducer = (p: Uint32Array): number => {
    // producer_pos is written with a 64-bit release store; re-read the high
    // half until it is stable around the low half.
    for (;;) {
      const hi = p[1]!;
      const lo = p[0]!;
      if (p[1] === hi) return hi * TWO_32 + lo;
    }
  };

  const storeConsumer = (pos: number): void => {
    const hi = Math.floor(pos / TWO_32);
    // One aligned 32-bit store is atomic; the high half changes once per 4 GiB,
    // and then the whole 64-bit value is stored at once.
    if (hi === consPos32![1]) consPos32![0] = pos >>> 0;
    else consPos64![0] = BigInt(pos);
  };

  const consume = (): number => {
    if (!open) throw closedError(mapFd);
    const w = words!, u8 = bytes!, pp = prodPos32!;
    let n = 0;
    let prod = readProducer(pp);
    scan: while (cons < prod) {
      while (cons < prod) {
        const off = cons % size; // size is a power of 2; % stays exact beyond 2^32
        const hdr = w[off >>> 2]!;
        if (hdr & BUSY_BIT) break scan; // a producer is still writing it
        const len = hdr & LEN_MASK;
        const next = cons + ((len + HDR_SZ + 7) & ~7);
        if (!(hdr & DISCARD_BIT)) {
          n++;
          try {
            onRecord(u8.subarray(off + HDR_SZ, off + HDR_SZ + len));
          } catch (e) {
            cons = next; // the failing record counts as consumed, as in libbpf
            storeConsumer(cons);
            throw e;
          }
        }
        cons = next;
        storeConsumer(cons);
      }
      prod = readProducer(pp); // more may have arrived meanwhile
    }
    return n;
  };

  return {
    impl: "mmap",
    epollFd,
    consume,
    poll(timeoutMs: number): number {
      const n = consume();
      if (n > 0 || timeoutMs === 0) return n;
      const r = c.epoll_wait(epollFd, events, 1, timeoutMs);
      if (r < 0) {
        const e = errno();
        if (e === EINTR) return 0;
        throw new FfiError(`waiting on ring buffer map fd ${mapFd}`, e);
      }
      // Consume even after a timeout: programs that output with
      // BPF_RB_NO_WAKEUP add records without waking us.
      return consume();
    },
    close(): void {
      if (!open) return;
      open = false;
      consPos64 = consPos32 = prodPos32 = words = null;
      bytes = null;
      closeFd(epollFd);
      munmap(consAddr, page);
      munmap(prodAddr, page + 2 * size);
    },
  };
}
