/** Names one edit apart: how `npm start`'s flags and the stack's config keys say "did you mean". */

/**
 * `a` is one edit from `b` (a letter added, dropped, changed, or two neighbours swapped): `prot` for `port`,
 * `alarmEmial` for `alarmEmail`. What "did you mean" asks of a name nobody knows. Written here rather than taken
 * from a distance package (`leven`, `damerau-levenshtein`): only "at most one edit" is asked, of a few names.
 */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  if (a.length === b.length) {
    const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
    if (diff.length === 1) return true;
    return (
      diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]]
    );
  }
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  for (let i = 0; i < long.length; i++) if (long.slice(0, i) + long.slice(i + 1) === short) return true;
  return false;
}
