// A place in a program as users write it on the command line and in trace
// patterns: FUNC, FILE:LINE, 0xADDR, MODULE:0xADDR (addresses are
// module-relative link-time addresses, as nm and DWARF show them).
export type LocationSpec =
  | { kind: "function"; name: string }
  | { kind: "line"; file: string; line: number }
  | { kind: "address"; address: number }
  | { kind: "moduleAddress"; module: string; address: number };

export function parseLocationSpec(text: string): LocationSpec {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return { kind: "address", address: parseInt(t, 16) };
  const ma = /^(.+):(0x[0-9a-f]+)$/i.exec(t);
  if (ma && !ma[1]!.endsWith(":")) return { kind: "moduleAddress", module: ma[1]!, address: parseInt(ma[2]!, 16) };
  const m = /^(.+):(\d+)$/.exec(t);
  if (m && !m[1]!.endsWith(":")) return { kind: "line", file: m[1]!, line: Number(m[2]) };
  return { kind: "function", name: t };
}
