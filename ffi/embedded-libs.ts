// The libbpf that wraith carries, for servers that have none. build.ts copies
// the real files (not symlinks) of libz.so.1, libelf.so.1 and libbpf.so.1 into
// .cache/embed/ under their SONAMEs before `bun build --compile`; these
// imports embed them in the executable, and `Bun.file(path)` / readFileSync
// read them back at run time.
//
// Import this module lazily (only on the fallback path): from source, without
// .cache/embed, importing it fails, which the loader reports as "no embedded
// copy".
import libz from "../.cache/embed/libz.so.1" with { type: "file" };
import libelf from "../.cache/embed/libelf.so.1" with { type: "file" };
import libbpf from "../.cache/embed/libbpf.so.1" with { type: "file" };

/** In dependency order: each library's DT_NEEDED entries come before it. */
export const EMBEDDED_LIBS: ReadonlyArray<{ soname: string; path: string }> = [
  { soname: "libz.so.1", path: libz },
  { soname: "libelf.so.1", path: libelf },
  { soname: "libbpf.so.1", path: libbpf },
];
