// `wraith --script-help`: a compact reference of the script language (GhostScope-compatible).

export function scriptHelp(): string {
  return `wraith script language (GhostScope-compatible)

A script is a list of trace blocks. Each block names where to stop and what to do
there; statements end with ';'. Comments: // to end of line, /* ... */.

TRACE PATTERNS
  trace main { ... }                 function (C++/Rust paths ok: ns::Class::method)
  trace printf* { ... }              functions matching a wildcard
  trace server.c:120 { ... }         source line (file matched by path suffix)
  trace 0x401234 { ... }             address in the main module (DWARF/symbol address,
                                     not a file offset, not a runtime address)
  trace libc.so.6:0x1234 { ... }     address in a module given by path or unique suffix

STATEMENTS (inside a trace block)
  print "text";                      printed as is ({} is not a placeholder here)
  print "a={} b={}", a, b;           format string, one argument per placeholder
  print expr;                        pretty-print one value (struct, array, string, ...)
  let n = expr;                      immutable, block scoped; no redeclaration, no shadowing
  if c { ... } else if d { ... } else { ... }
  bt;  backtrace;                    stack backtrace; options: raw full inline noinline
                                     (depth is a command-line setting: --backtrace-depth)
  expr;                              evaluate an expression (e.g. a builtin call)

FORMAT PLACEHOLDERS
  {}        default rendering          {:x} {:X}  value bytes as hex
  {:p}      address                    {:s}       bytes as ASCII
  {:x.16}   read 16 bytes from the argument's address (also .0x10 .0o20 .0b10000)
  {:s.*}    length from the previous argument:  print "{:s.*}", len, buf;
  {:x.n$}   length from script variable n (takes no extra argument)
  {{ }}     literal braces

EXPRESSIONS (C precedence, loosest first)
  ||   &&   |   ^   &   == !=   < <= > >=   << >>   + -   * / %
  unary: - ! ~ *(deref) &(address-of)    postfix: a.field  t.0  arr[i]
  Literals: 42  -7  0x1f  0o755  0b1010  1_048_576  true  false  "text"
  (no floats, no character literals; use '.' also through pointers, there is no '->')
  Names are script variables first, then the program's locals, parameters, globals.

BUILTINS
  strncmp(a, b, n)       first n bytes equal (one side a string)
  starts_with(a, b)      a begins with b
  memcmp(a, b[, len])    raw bytes equal; len may be omitted when one side is hex(...)
  hex("DE AD BE EF")     byte string for memcmp
  cast(expr, "struct request *")   reinterpret with a DWARF type

SPECIAL VARIABLES
  $pid $tid          process / thread id as the traced process's own PID namespace
                     numbers them (-p of a containerized process; with -t, wraith's
                     namespace); the host's numbering otherwise. Event headers show
                     the same view. --dry-run --details shows the choice.
  $host_pid          process id in the host (initial) PID namespace
  $input_pid         the pid given with -p, as typed
  $timestamp         monotonic nanoseconds

EXAMPLE
  trace handle_request {
      if req.len > 1_048_576 && starts_with(req.path, "/api") {
          print "pid={} big request {} bytes: {:s.32}", $pid, req.len, req.path;
          bt;
      }
  }
`;
}
