/**
 * The simulator's clock. Every delay the simulated providers apply (status webhooks, webhook
 * retries, Evolution's blocking `delay`, 24-hour windows, rate-limit buckets) reads and waits on
 * this clock, never on the wall clock, so a test replays the same scenario every time.
 *
 * - `manual` (default): time moves only when the test calls `advance(ms)`; the timers that fall
 *   due run in order, and `advance` resolves once the work they started (webhook POSTs) is done.
 * - `real`: time flows with the wall clock times `speed` (60 = one simulated minute per second),
 *   timers fire by themselves; `advance` still jumps ahead. For end-to-end runs against a server
 *   process that keeps its own time.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export type ClockMode = 'manual' | 'real';

export interface SimClockOptions {
  mode?: ClockMode;
  /** Simulated time at start; default the wall clock at start. */
  startMs?: number;
  /** Real mode only: simulated ms per real ms (default 1). */
  speed?: number;
}

interface Timer {
  dueMs: number;
  seq: number;
  fn: () => void | Promise<void>;
  cancelled: boolean;
}

export interface TimerHandle {
  cancel(): void;
}

export class SimClock {
  readonly mode: ClockMode;
  readonly speed: number;
  private manualMs: number;
  private readonly realStartMs: number;
  private readonly baseMs: number;
  private offsetMs = 0;
  private timers: Timer[] = [];
  private seq = 0;
  private realHandle: NodeJS.Timeout | undefined;
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;
  private running = false;

  constructor(options: SimClockOptions = {}) {
    this.mode = options.mode ?? 'manual';
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new RangeError(`clock speed must be > 0, got ${this.speed}`);
    this.baseMs = options.startMs ?? Date.now();
    this.manualMs = this.baseMs;
    this.realStartMs = Date.now();
  }

  nowMs(): number {
    if (this.mode === 'manual') return this.manualMs;
    return Math.floor(this.baseMs + (Date.now() - this.realStartMs) * this.speed + this.offsetMs);
  }

  /** Runs `fn` once the clock reaches now + delayMs. */
  schedule(delayMs: number, fn: () => void | Promise<void>): TimerHandle {
    const timer: Timer = {
      dueMs: this.nowMs() + Math.max(0, delayMs),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    if (this.closed) return { cancel() {} };
    const at = this.timers.findIndex((t) => t.dueMs > timer.dueMs);
    if (at === -1) this.timers.push(timer);
    else this.timers.splice(at, 0, timer);
    this.armReal();
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  /** Resolves when the clock has moved `ms` forward (in manual mode: when a test advances it). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.schedule(ms, resolve);
    });
  }

  /** Keeps `work` in the set `settle()` and `advance()` wait for. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    const done = (): void => {
      this.inflight.delete(work);
    };
    work.then(done, done);
    return work;
  }

  /** Waits until no tracked work (webhook deliveries, timer callbacks) is in flight. */
  async settle(): Promise<void> {
    for (let quiet = 0; quiet < 3; ) {
      await nextTurn();
      if (this.inflight.size === 0) {
        quiet += 1;
        continue;
      }
      quiet = 0;
      await Promise.allSettled([...this.inflight]);
    }
  }

  /** Moves time forward by `ms`, running each timer that falls due in order, then settles. */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError('the simulator clock never goes back');
    const target = this.nowMs() + ms;
    if (this.mode === 'real') this.offsetMs += ms;
    await this.runDue(target);
    if (this.mode === 'manual') this.manualMs = Math.max(this.manualMs, target);
    await this.settle();
  }

  /** Advances to each pending timer in turn until none is left within `maxMs` from now. */
  async runAll(maxMs = 30 * 24 * 3_600_000): Promise<void> {
    const horizon = this.nowMs() + maxMs;
    while (this.timers.length > 0 && this.timers[0]!.dueMs <= horizon) {
      await this.advance(Math.max(0, this.timers[0]!.dueMs - this.nowMs()));
    }
    await this.settle();
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancelled = true;
    this.timers = [];
    if (this.realHandle) clearTimeout(this.realHandle);
    this.realHandle = undefined;
  }

  private async runDue(targetMs: number): Promise<void> {
    while (!this.closed) {
      const next = this.timers[0];
      if (!next || next.dueMs > targetMs) break;
      this.timers.shift();
      if (next.cancelled) continue;
      if (this.mode === 'manual') this.manualMs = Math.max(this.manualMs, next.dueMs);
      this.runTimer(next);
      // Manual mode replays in order: each timer's work finishes before the next one fires. In
      // real mode a provider does not hold a webhook retry until every other delivery in flight
      // has answered (a slow or dead receiver would make all retries late), so due timers fire
      // together and their work is only tracked.
      if (this.mode === 'manual') await this.settle();
    }
  }

  private runTimer(timer: Timer): void {
    try {
      const out = timer.fn();
      if (out instanceof Promise) this.track(out).catch(() => {});
    } catch {
      // A failing timer callback must not stop the clock; the recorder shows its effects.
    }
  }

  private armReal(): void {
    if (this.mode !== 'real' || this.closed) return;
    if (this.realHandle) clearTimeout(this.realHandle);
    this.realHandle = undefined;
    const next = this.timers[0];
    if (!next) return;
    const waitMs = Math.max(0, (next.dueMs - this.nowMs()) / this.speed);
    this.realHandle = setTimeout(
      () => {
        this.realHandle = undefined;
        if (this.running) return;
        this.running = true;
        this.runDue(this.nowMs())
          .finally(() => {
            this.running = false;
            this.armReal();
          })
          .catch(() => {});
      },
      Math.min(waitMs, 2 ** 31 - 1),
    );
    this.realHandle.unref();
  }
}
