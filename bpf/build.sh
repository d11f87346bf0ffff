#!/usr/bin/env bash
# Rebuilds bpf/sysmon.bpf.o from sysmon.bpf.c (for developers: CI and the
# build use the committed object). Output is reproducible: paths are relative
# to bpf/ (and the compile directory is mapped to "."), and DWARF is stripped
# (libbpf needs only .BTF and .BTF.ext), so the same clang gives the same bytes
# wherever the repository lives. test/bpf/sysmon-object.test.ts checks the
# committed object against a fresh build with CLANG_MAJOR.
#   bash bpf/build.sh [OUT]     (default: bpf/sysmon.bpf.o)
set -euo pipefail
CLANG_MAJOR=14
cd "$(dirname "$0")"
out=${1:-sysmon.bpf.o}
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
have=$(clang -dumpversion | cut -d. -f1)
if [ "$have" != "$CLANG_MAJOR" ]; then
  echo "build.sh: clang $have, not $CLANG_MAJOR: the object will differ from the committed one (update CLANG_MAJOR if you mean to move)" >&2
fi
tmp="$out.tmp$$"
trap 'rm -f "$tmp"' EXIT
# -mcpu=v3: 32-bit jumps and ALU; every kernel with tp_btf/fexit (5.5+) has them.
clang -target bpf -mcpu=v3 -g -O2 -Wall -Werror -fdebug-prefix-map="$PWD"=. -c sysmon.bpf.c -o "$tmp"
llvm-strip -g "$tmp"
mv "$tmp" "$out"
