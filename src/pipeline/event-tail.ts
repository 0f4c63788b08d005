/**
 * Reading the tenant's event log as it grows, without missing late commits. `seq` comes from a
 * sequence, so a transaction that commits after a reader passed seq 12 can still hold seq 11. A
 * tail therefore re-reads from an anchor that trails its reads by `settleMs` and skips what it has
 * seen: an event whose transaction commits within `settleMs` of a later event being read is still
 * delivered, once. (An event committing later than that after a higher seq was read is missed;
 * appending transactions are short, so the window is wide.)
 */

import type { EventRecord } from '../store/index.ts';

/** How long the anchor trails the reads. */
export const DEFAULT_SETTLE_MS = 5_000;

export class EventTail {
  /** Seen seqs above the anchor, with when they were read. */
  private readonly seen = new Map<number, number>();

  constructor(
    /** Everything at or below this seq is done. */
    private anchor: number,
    private readonly settleMs = DEFAULT_SETTLE_MS,
  ) {}

  /** The position a reader can resume from safely (what to store as a cursor). */
  get position(): number {
    return this.anchor;
  }

  /** The newest seq handed out (a Server-Sent Events id). */
  get newest(): number {
    let max = this.anchor;
    for (const seq of this.seen.keys()) if (seq > max) max = seq;
    return max;
  }

  /**
   * Reads after the anchor (all pages) and returns the events not handed out before, oldest first.
   * `read(afterSeq)` returns up to one page in seq order.
   */
  async poll(read: (afterSeq: number) => Promise<EventRecord[]>, nowMs: number): Promise<EventRecord[]> {
    const fresh: EventRecord[] = [];
    let after = this.anchor;
    for (let page = 0; page < 50; page++) {
      const events = await read(after);
      for (const e of events) {
        if (!this.seen.has(e.seq)) {
          this.seen.set(e.seq, nowMs);
          fresh.push(e);
        }
      }
      const last = events.at(-1);
      if (last === undefined || events.length < 200) break;
      after = last.seq;
    }
    this.advance(nowMs);
    return fresh;
  }

  /** Moves the anchor over the seqs read longer than settleMs ago, in order. */
  private advance(nowMs: number): void {
    const seqs = [...this.seen.keys()].sort((a, b) => a - b);
    for (const seq of seqs) {
      const readAt = this.seen.get(seq) ?? nowMs;
      if (nowMs - readAt < this.settleMs) break;
      this.anchor = seq;
      this.seen.delete(seq);
    }
  }
}
