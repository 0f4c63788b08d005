/**
 * Counting admitted requests per trailing window when each admission is only known to lie in an
 * interval (from just before the request to just after its answer).
 */

export interface Admission {
  /** Wall-clock ms just before the request was made and just after its answer. */
  fromMs: number;
  toMs: number;
}

/**
 * The largest number of admissions that certainly fall in one window of `windowMs`: admissions
 * whose whole intervals fit in [start, start + windowMs), over every start. Counting with the
 * intervals (not a single timestamp) means latency can hide a violation but never invent one.
 */
export function maxCertainInWindow(admissions: readonly Admission[], windowMs: number): number {
  const byStart = [...admissions].sort((a, b) => a.fromMs - b.fromMs);
  let best = 0;
  for (let i = 0; i < byStart.length; i++) {
    const start = byStart[i]!.fromMs;
    let n = 0;
    for (let j = i; j < byStart.length && byStart[j]!.fromMs < start + windowMs; j++) {
      if (byStart[j]!.toMs < start + windowMs) n++;
    }
    best = Math.max(best, n);
  }
  return best;
}

/** The largest number of admissions that may fall in one window (intervals merely touching it). */
export function maxPossibleInWindow(admissions: readonly Admission[], windowMs: number): number {
  const byEnd = [...admissions].sort((a, b) => a.toMs - b.toMs);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < byEnd.length; hi++) {
    while (byEnd[lo]!.toMs < byEnd[hi]!.fromMs - windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
