// libc bindings: the syscalls libbpf does not wrap for us (perf_event_open,
// ioctl, mmap, epoll, memfd_create) plus errno. Loaded lazily on first use.
import { dlopen, FFIType, ptr, read, type Pointer } from "bun:ffi";
import { FfiError, type ErrorDomain } from "./errors.ts";

const T = FFIType;

const LIBC_SYMBOLS = {
  __errno_location: { args: [], returns: T.ptr },
  strerror: { args: [T.i32], returns: T.cstring },
  // syscall(2) is variadic; on x86-64 integer varargs travel in the same
  // registers as fixed ones, so a fixed 6-argument signature is exact.
  syscall: { args: [T.i64, T.i64, T.i64, T.i64, T.i64, T.i64], returns: T.i64_fast },
  ioctl: { args: [T.i32, T.u64, T.i64], returns: T.i32 },
  close: { args: [T.i32], returns: T.i32 },
  read: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  write: { args: [T.i32, T.ptr, T.u64], returns: T.i64_fast },
  mmap: { args: [T.ptr, T.u64, T.i32, T.i32, T.i32, T.i64], returns: T.ptr },
  munmap: { args: [T.ptr, T.u64], returns: T.i32 },
  epoll_create1: { args: [T.i32], returns: T.i32 },
  epoll_ctl: { args: [T.i32, T.i32, T.i32, T.ptr], returns: T.i32 },
  epoll_wait: { args: [T.i32, T.ptr, T.i32, T.i32], returns: T.i32 },
  poll: { args: [T.ptr, T.u64, T.i32], returns: T.i32 },
  memfd_create: { args: [T.ptr, T.u32], returns: T.i32 },
  getpid: { args: [], returns: T.i32 },
  kill: { args: [T.i32, T.i32], returns: T.i32 },
  prctl: { args: [T.i32, T.u64, T.u64, T.u64, T.u64], returns: T.i32 },
  getpagesize: { args: [], returns: T.i32 },
  clock_gettime: { args: [T.i32, T.ptr], returns: T.i32 },
} as const;

type Libc = ReturnType<typeof dlopen<typeof LIBC_SYMBOLS>>["symbols"];

let libc: Libc | undefined;
let errnoPtr: Pointer | null = null;

/** The libc symbol table (loaded on first call). */
export function C(): Libc {
  if (!libc) {
    const lib = dlopen("libc.so.6", LIBC_SYMBOLS);
    libc = lib.symbols;
    errnoPtr = libc.__errno_location() as Pointer | null;
  }
  return libc;
}

/**
 * The calling thread's errno. Read it immediately after the failing call:
 * no other native call may run in between (the pointer is cached, so this
 * is a plain memory read).
 */
export function errno(): number {
  if (!errnoPtr) C();
  return read.i32(errnoPtr!, 0);
}

export function strerror(e: number): string {
  return String(C().strerror(e));
}

// ── constants (x86-64) ──────────────────────────────────────────────────────
export const SYS_PERF_EVENT_OPEN = 298;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;
export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLLIN = 1;
export const MFD_CLOEXEC = 1;
export const EINTR = 4;

/** A NUL-terminated copy of a string, for `const char *` arguments. */
export function cstr(s: string): Buffer {
  return Buffer.from(s + "\0", "utf8");
}

/** Throw an FfiError for the current errno if `ret < 0`; return `ret`. */
export function check(ret: number, operation: string, domain: ErrorDomain = "libc"): number {
  if (ret < 0) throw new FfiError(operation, errno(), { domain });
  return ret;
}

/** close(2), ignoring errors (used in cleanup paths). */
export function closeFd(fd: number): void {
  if (fd >= 0) C().close(fd);
}

let pageSize = 0;
export function getPageSize(): number {
  if (!pageSize) pageSize = C().getpagesize();
  return pageSize;
}

/** mmap(2) a file descriptor; throws FfiError on failure. */
export function mmapFd(fd: number, length: number, prot: number, offset: number, what: string): number {
  const p = C().mmap(null, length, prot, MAP_SHARED, fd, offset);
  // MAP_FAILED is (void *)-1: it arrives as 2^64-1, far above any user address.
  if (p === null || (p as number) >= 2 ** 56) throw new FfiError(`mapping ${what}`, errno());
  return p as number;
}

export function munmap(addr: number, length: number): void {
  C().munmap(addr as Pointer, length);
}

/** Pointer to a typed array's bytes (for building structs that hold pointers). */
export function addressOf(view: Uint8Array | Int32Array | BigUint64Array): number {
  return ptr(view) as number;
}
