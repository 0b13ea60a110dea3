/** The first index in [0, n) at which `before(i)` is false, for a `before` true up to some index and false after
 *  it (n when it is true everywhere): a search by halves over anything sorted. */
export function lowerBound(n: number, before: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
