/** Edits between two words: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidates a mistyped word most likely meant: the nearest by edit distance, within a
 * third of the word's length (at least 2), and every candidate the word is the start of.
 */
export function closestMatches(word: string, candidates: readonly string[]): string[] {
  const typed = word.toLowerCase();
  const limit = Math.max(2, Math.floor(typed.length / 3));
  const scored = candidates.map((candidate) => ({ candidate, distance: editDistance(typed, candidate.toLowerCase()) }));
  const nearest = Math.min(...scored.map((entry) => entry.distance));
  const near = nearest <= limit ? scored.filter((entry) => entry.distance === nearest) : [];
  const prefixed = typed.length >= 2 ? candidates.filter((candidate) => candidate.startsWith(typed)) : [];
  return [...new Set([...near.map((entry) => entry.candidate), ...prefixed])];
}

/** " Did you mean a or b?" for the matches, or nothing. */
export function didYouMean(matches: readonly string[]): string {
  if (matches.length === 0) return "";
  const quoted = matches.map((match) => `"${match}"`);
  const listed = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}`;
  return ` Did you mean ${listed}?`;
}
