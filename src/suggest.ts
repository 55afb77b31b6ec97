/**
 * "Did you mean" suggestions for misspelled transform and parameter names.
 *
 * TensorFlow silently ignores a misspelled parameter key and answers an unknown transform with a
 * bare "not recognized"; graft names the closest registered spellings instead.
 */

/**
 * Optimal-string-alignment Damerau-Levenshtein distance: insertions, deletions, substitutions and
 * transpositions of two adjacent characters each cost 1 (`fold_constnats` is one edit away from
 * `fold_constants`, not two).
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows: the transposition step looks two rows back.
  let prev2: number[] = new Array<number>(b.length + 1).fill(0);
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur: number[] = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length];
}

/**
 * The candidates closest to `name`, best first, for a "did you mean" line.
 *
 * Names are compared case-insensitively (a case-only difference ranks just behind an exact
 * match). A candidate qualifies when its distance is within a small threshold that grows with
 * the length of `name` (1 for names up to 5 characters, then one more edit per 4 characters, at
 * most 3), or when one name is a prefix of the other and the shorter has at least 4 characters
 * (`strip_unused` → `strip_unused_nodes`). Ties are broken alphabetically. `name` itself is
 * never suggested.
 *
 * @example
 * ```ts
 * nearestNames('fold_constant', ['fold_constants', 'fold_batch_norms']) // ['fold_constants']
 * ```
 */
export function nearestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  if (max <= 0) return [];
  const lower = name.toLowerCase();
  const threshold = Math.min(3, Math.max(1, Math.floor((name.length - 1) / 4)));
  const scored: { candidate: string; score: number }[] = [];
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (candidate === name || seen.has(candidate)) continue;
    seen.add(candidate);
    const cl = candidate.toLowerCase();
    // A case-only difference scores 0.5 so it ranks ahead of any real edit.
    let score = cl === lower ? 0.5 : editDistance(lower, cl);
    if (score > threshold) {
      const [short, long] = lower.length <= cl.length ? [lower, cl] : [cl, lower];
      if (short.length >= 4 && long.startsWith(short)) score = threshold + 0.5;
      else continue;
    }
    scored.push({ candidate, score });
  }
  scored.sort((x, y) => x.score - y.score || (x.candidate < y.candidate ? -1 : x.candidate > y.candidate ? 1 : 0));
  return scored.slice(0, max).map((s) => s.candidate);
}
