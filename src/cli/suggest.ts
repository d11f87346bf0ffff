// "Did you mean …" for flags and names: Levenshtein distance, bounded.

export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** Up to `n` candidates closest to `name` (within a distance scaled to its length). */
export function closest(name: string, candidates: Iterable<string>, n = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: [number, string][] = [];
  for (const c of new Set(candidates)) {
    const d = editDistance(name, c, limit);
    if (d <= limit) scored.push([d, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, n).map(([, c]) => c);
}
