// Itanium C++ ABI demangler whose output matches GNU c++filt (binutils 2.40).
//
//   demangle("_ZNSt6vectorIiSaIiEE9push_backERKi")
//     → "std::vector<int, std::allocator<int> >::push_back(int const&)"
//
// Names that are not mangled, or that we cannot demangle exactly, give
// undefined: the caller then shows the raw symbol, never a guess.

import { K, mk } from "./ast.ts";
import { ParseFail, Parser } from "./parse.ts";
import { Printer } from "./print.ts";

/** Longest input we try (c++filt itself stops at 1024 characters; we go further). */
export const MAX_MANGLED_LENGTH = 16384;

/**
 * Demangle an Itanium-ABI symbol (`_Z…`, or gcc's `_GLOBAL__I_…`/`_GLOBAL__D_…`).
 * Returns undefined when `mangled` is not a mangled name or cannot be demangled.
 */
export function demangle(mangled: string): string | undefined {
  if (mangled.length < 2 || mangled.length > MAX_MANGLED_LENGTH) return undefined;
  // A symbol version as nm prints it (`name@GLIBCXX_3.4`, `name@@VERS`) stays as is.
  const at = mangled.indexOf("@", 2);
  if (at > 0) {
    const base = demangle1(mangled.slice(0, at));
    return base === undefined ? undefined : base + mangled.slice(at);
  }
  return demangle1(mangled);
}

function demangle1(mangled: string): string | undefined {
  try {
    if (mangled.charCodeAt(0) === 95 /* _ */ && mangled.charCodeAt(1) === 90 /* Z */) {
      let p = new Parser(mangled);
      let tree: ReturnType<Parser["mangledName"]> | undefined;
      try {
        tree = p.mangledName(true);
        if (!p.atEnd) tree = undefined;
      } catch (e) {
        if (!(e instanceof ParseFail)) throw e;
      }
      if (tree === undefined && p.unresolvedState === -1) {
        p = new Parser(mangled, 0);
        tree = p.mangledName(true);
        if (!p.atEnd) tree = undefined;
      }
      return tree === undefined ? undefined : Printer.print(tree);
    }
    if (
      mangled.startsWith("_GLOBAL_") &&
      (mangled[8] === "." || mangled[8] === "_" || mangled[8] === "$") &&
      (mangled[9] === "D" || mangled[9] === "I") &&
      mangled[10] === "_"
    ) {
      const rest = mangled.slice(11);
      const kind = mangled[9] === "I" ? K.GlobalCtors : K.GlobalDtors;
      if (rest.startsWith("_Z")) {
        const inner = demangle1(rest);
        if (inner === undefined) return undefined;
        return `${kind === K.GlobalCtors ? "global constructors keyed to " : "global destructors keyed to "}${inner}`;
      }
      const n = mk(K.Name);
      n.s = rest;
      return Printer.print(mk(kind, n));
    }
    return undefined;
  } catch (e) {
    if (e instanceof ParseFail || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** True if `name` looks like an Itanium-mangled symbol (worth passing to demangle). */
export function isMangled(name: string): boolean {
  return name.startsWith("_Z") || name.startsWith("_GLOBAL_");
}
