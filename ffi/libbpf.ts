// Loading libbpf: the system's libbpf.so.1 first, else the copy embedded in
// the executable (with its libelf and zlib), written to memfds and dlopen'ed
// in dependency order so the dynamic loader satisfies libbpf's DT_NEEDED
// entries by SONAME from the copies already loaded.
//
// WRAITH_FORCE_EMBEDDED_LIBBPF=1 skips the system library (tests, and a way
// to rule out a broken system libbpf).
import { dlopen, FFIType, type Library } from "bun:ffi";
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LibraryError } from "./errors.ts";
import { C, MFD_CLOEXEC, cstr, errno } from "./libc.ts";

const T = FFIType;

export const LIBBPF_SYMBOLS = {
  libbpf_version_string: { args: [], returns: T.cstring },
  libbpf_major_version: { args: [], returns: T.u32 },
  libbpf_minor_version: { args: [], returns: T.u32 },
  libbpf_set_print: { args: [T.ptr], returns: T.ptr },
  libbpf_num_possible_cpus: { args: [], returns: T.i32 },
  bpf_map_create: { args: [T.i32, T.ptr, T.u32, T.u32, T.u32, T.ptr], returns: T.i32 },
  bpf_map_update_elem: { args: [T.i32, T.ptr, T.ptr, T.u64], returns: T.i32 },
  bpf_map_lookup_elem: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  bpf_map_delete_elem: { args: [T.i32, T.ptr], returns: T.i32 },
  bpf_map_get_next_key: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  bpf_obj_get_info_by_fd: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  bpf_map_get_fd_by_id: { args: [T.u32], returns: T.i32 },
  bpf_prog_load: { args: [T.i32, T.ptr, T.ptr, T.ptr, T.u64, T.ptr], returns: T.i32 },
  bpf_link_create: { args: [T.i32, T.i32, T.i32, T.ptr], returns: T.i32 },
  ring_buffer__new: { args: [T.i32, T.ptr, T.ptr, T.ptr], returns: T.ptr },
  ring_buffer__poll: { args: [T.ptr, T.i32], returns: T.i32 },
  ring_buffer__consume: { args: [T.ptr], returns: T.i32 },
  ring_buffer__epoll_fd: { args: [T.ptr], returns: T.i32 },
  ring_buffer__free: { args: [T.ptr], returns: T.void },
  // Objects compiled ahead of time (bpf/sysmon.bpf.o): ffi/bpf-object.ts.
  bpf_object__open_mem: { args: [T.ptr, T.u64, T.ptr], returns: T.ptr },
  bpf_object__load: { args: [T.ptr], returns: T.i32 },
  bpf_object__close: { args: [T.ptr], returns: T.void },
  bpf_object__next_program: { args: [T.ptr, T.ptr], returns: T.ptr },
  bpf_object__find_map_fd_by_name: { args: [T.ptr, T.ptr], returns: T.i32 },
  bpf_program__name: { args: [T.ptr], returns: T.cstring },
  bpf_program__set_log_buf: { args: [T.ptr, T.ptr, T.u64], returns: T.i32 },
  bpf_program__set_log_level: { args: [T.ptr, T.u32], returns: T.i32 },
  bpf_program__attach: { args: [T.ptr], returns: T.ptr },
  bpf_link__destroy: { args: [T.ptr], returns: T.i32 },
} as const;

export type LibbpfSymbols = Library<typeof LIBBPF_SYMBOLS>["symbols"];

export interface LibbpfInfo {
  source: "system" | "embedded";
  /** The file that was loaded (for embedded copies: the memfd or temp path). */
  path: string;
  /** "1.1.2" when the file name carries it, else libbpf's own "1.1". */
  version: string;
}

export const FORCE_EMBEDDED_ENV = "WRAITH_FORCE_EMBEDDED_LIBBPF";
const MIN_MAJOR = 1;

let loaded: { lib: Library<typeof LIBBPF_SYMBOLS>; info: LibbpfInfo } | undefined;
// Keep the embedded dependency libraries (and their memfds) alive forever:
// closing a memfd would let its /proc/self/fd/N name be reused, and glibc
// matches already-loaded objects by that name.
const keepAlive: unknown[] = [];

/** The libbpf symbol table, loading the library on first use. */
export function B(): LibbpfSymbols {
  return (loaded ??= loadLibbpf()).lib.symbols;
}

/** Where libbpf came from and which version it is (loads it if needed). */
export function libbpfInfo(): LibbpfInfo {
  return { ...(loaded ??= loadLibbpf()).info };
}

function loadLibbpf(): { lib: Library<typeof LIBBPF_SYMBOLS>; info: LibbpfInfo } {
  const failures: string[] = [];
  const force = ["1", "true", "yes"].includes((process.env[FORCE_EMBEDDED_ENV] ?? "").toLowerCase());
  if (!force) {
    try {
      const lib = dlopen("libbpf.so.1", LIBBPF_SYMBOLS);
      checkVersion(lib);
      const path = mappedPath(/\/libbpf\.so[^/]*$/) ?? "libbpf.so.1";
      return finish(lib, "system", path);
    } catch (e) {
      failures.push(`system libbpf.so.1: ${firstLine(e)}`);
    }
  } else {
    failures.push(`system libbpf.so.1: skipped (${FORCE_EMBEDDED_ENV}=1)`);
  }
  try {
    const { lib, path } = loadEmbedded();
    checkVersion(lib);
    return finish(lib, "embedded", path);
  } catch (e) {
    failures.push(`embedded copy: ${firstLine(e)}`);
  }
  throw new LibraryError(
    `cannot load libbpf (${failures.join("; ")}): install libbpf 1.x (Debian/Ubuntu: apt install libbpf1; Fedora: dnf install libbpf) or use a wraith build that embeds it`,
  );
}

function finish(lib: Library<typeof LIBBPF_SYMBOLS>, source: "system" | "embedded", path: string) {
  // Silence libbpf's own stderr chatter; every failure reaches us as an errno.
  lib.symbols.libbpf_set_print(null);
  const v = String(lib.symbols.libbpf_version_string()).replace(/^v/, "");
  const fromName = /libbpf\.so\.(\d+\.\d+\.\d+)/.exec(path)?.[1];
  const version = fromName && fromName.startsWith(v + ".") ? fromName : v;
  return { lib, info: { source, path, version } };
}

function checkVersion(lib: Library<typeof LIBBPF_SYMBOLS>): void {
  const major = lib.symbols.libbpf_major_version();
  if (major < MIN_MAJOR) {
    const v = String(lib.symbols.libbpf_version_string());
    lib.close();
    throw new Error(`version ${v} is too old (need 1.0 or newer)`);
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}

/** The path of a mapped file in this process whose name matches `re`. */
function mappedPath(re: RegExp): string | undefined {
  try {
    for (const line of readFileSync("/proc/self/maps", "utf8").split("\n")) {
      const i = line.indexOf("/");
      if (i >= 0 && re.test(line.slice(i))) return line.slice(i);
    }
  } catch {}
  return undefined;
}

interface EmbeddedLib { soname: string; path: string }

function embeddedList(): ReadonlyArray<EmbeddedLib> {
  let mod: { EMBEDDED_LIBS: ReadonlyArray<EmbeddedLib> };
  try {
    // Lazy on purpose: from source without .cache/embed this import fails.
    mod = require("./embedded-libs.ts");
  } catch (e) {
    throw new Error(`this wraith carries no libbpf (${firstLine(e)})`);
  }
  return mod.EMBEDDED_LIBS;
}

/**
 * Write each embedded library to a memfd and dlopen /proc/self/fd/N, in
 * dependency order (libz, libelf, libbpf). When libbpf is opened, the loader
 * finds its DT_NEEDED libelf.so.1 and libz.so.1 already loaded (it compares
 * DT_NEEDED names with the SONAMEs of loaded objects) and uses those. If
 * memfds are unavailable, a private 0700 temporary directory is used instead
 * and removed once the libraries are mapped.
 */
function loadEmbedded(): { lib: Library<typeof LIBBPF_SYMBOLS>; path: string } {
  const libs = embeddedList();
  const blobs = libs.map((l) => ({ soname: l.soname, bytes: readFileSync(l.path) }));
  try {
    return openAll(blobs, writeMemfd);
  } catch (memfdError) {
    const dir = mkdtempSync(join(tmpdir(), "wraith-libbpf-"));
    chmodSync(dir, 0o700);
    try {
      return openAll(blobs, (soname, bytes) => {
        const p = join(dir, soname);
        writeFileSync(p, bytes, { mode: 0o500 });
        return p;
      });
    } catch (e) {
      throw new Error(`${firstLine(e)} (memfd: ${firstLine(memfdError)})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// bun:ffi's dlopen wants at least one symbol: one each library surely exports.
const PROBE_SYMBOL: Record<string, string> = { "libz.so.1": "zlibVersion", "libelf.so.1": "elf_version" };

function openAll(
  blobs: { soname: string; bytes: Uint8Array }[],
  materialize: (soname: string, bytes: Uint8Array) => string,
): { lib: Library<typeof LIBBPF_SYMBOLS>; path: string } {
  let last: { lib: Library<typeof LIBBPF_SYMBOLS>; path: string } | undefined;
  for (const b of blobs) {
    const path = materialize(b.soname, b.bytes);
    if (b.soname === "libbpf.so.1") last = { lib: dlopen(path, LIBBPF_SYMBOLS), path: describe(path) };
    else keepAlive.push(dlopen(path, { [PROBE_SYMBOL[b.soname] ?? "__invalid"]: { args: [], returns: T.ptr } }));
  }
  if (!last) throw new Error("the embedded set has no libbpf.so.1");
  return last;
}

function describe(path: string): string {
  if (!path.startsWith("/proc/self/fd/")) return path;
  try {
    return `${path} (${readlinkSync(path)})`; // "/memfd:libbpf.so.1 (deleted)"
  } catch {
    return path;
  }
}

function writeMemfd(soname: string, bytes: Uint8Array): string {
  const c = C();
  const fd = c.memfd_create(cstr(soname), MFD_CLOEXEC);
  if (fd < 0) throw new Error(`memfd_create failed (errno ${errno()})`);
  keepAlive.push(fd);
  let off = 0;
  while (off < bytes.length) {
    const n = Number(c.write(fd, bytes.subarray(off), bytes.length - off));
    if (n <= 0) throw new Error(`writing memfd failed (errno ${errno()})`);
    off += n;
  }
  return `/proc/self/fd/${fd}`;
}
