// "function not found, did you mean …": rank candidate names by how likely
// they are what the user meant. Substring hits (handle_req → handle_request)
// come first, then small edit distances (hanlde_request), ties broken by
// distance and then alphabetically so output is stable.

/**
 * Up to `n` candidates close to `name`, best first. Case-insensitive;
 * candidates that are neither a substring match nor within an edit distance
 * of about a third of the name's length are not suggested at all.
 */
export function closeMatches(name: string, candidates: Iterable<string>, n = 5): string[] {
  if (n <= 0 || name.length === 0) return [];
  const query = name.toLowerCase();
  const limit = Math.max(1, Math.floor(query.length / 3));
  const scored: { name: string; rank: number; score: number }[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (candidate.length === 0 || seen.has(candidate)) continue;
    seen.add(candidate);
    const c = candidate.toLowerCase();
    if (c === query) {
      scored.push({ name: candidate, rank: 0, score: 0 });
    } else if (query.length >= 3 && c.length >= 3 && (c.includes(query) || query.includes(c))) {
      scored.push({ name: candidate, rank: 1, score: Math.abs(c.length - query.length) });
    } else {
      const d = editDistance(query, c, limit);
      if (d <= limit) scored.push({ name: candidate, rank: 2, score: d });
    }
  }
  scored.sort((a, b) => a.rank - b.rank || a.score - b.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, n).map((s) => s.name);
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent
 * transpositions, the commonest typo). Gives up early and returns limit + 1
 * once the distance must exceed `limit`, so scanning 100k symbols stays cheap.
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const m = b.length;
  let prevPrev = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return Math.min(prev[m]!, limit + 1);
}
