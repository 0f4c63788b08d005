/**
 * Small benchmark helpers. Figures are always printed next to a baseline measured in the same
 * run, because absolute numbers depend on the machine.
 */

export interface Measurement {
  name: string;
  ops: number;
  opsPerSec: number;
  p50Us: number;
  p99Us: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? 0;
}

/** Runs fn `iterations` times after a warm-up and reports throughput and per-call latency. */
export async function measure(
  name: string,
  iterations: number,
  fn: (i: number) => unknown | Promise<unknown>,
  warmup = Math.min(1000, Math.ceil(iterations / 10)),
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = new Float64Array(iterations);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const totalUs = Number(process.hrtime.bigint() - start) / 1000;
  const sorted = Array.from(samples).sort((a, b) => a - b);
  return {
    name,
    ops: iterations,
    opsPerSec: iterations / (totalUs / 1e6),
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
  };
}

/** Same as measure() for synchronous functions, without awaiting (await costs more than the engines). */
export function measureSync(
  name: string,
  iterations: number,
  fn: (i: number) => unknown,
  warmup = Math.min(2000, Math.ceil(iterations / 10)),
): Measurement {
  for (let i = 0; i < warmup; i++) fn(i);
  const samples = new Float64Array(iterations);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const totalUs = Number(process.hrtime.bigint() - start) / 1000;
  const sorted = Array.from(samples).sort((a, b) => a - b);
  return {
    name,
    ops: iterations,
    opsPerSec: iterations / (totalUs / 1e6),
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
  };
}

export function formatTable(rows: readonly Measurement[], baseline?: Measurement): string {
  const lines = [
    `${'benchmark'.padEnd(52)} ${'ops/s'.padStart(12)} ${'p50 µs'.padStart(10)} ${'p99 µs'.padStart(10)}${baseline ? ' vs baseline'.padStart(14) : ''}`,
  ];
  for (const r of rows) {
    const ratio = baseline ? `${(r.opsPerSec / baseline.opsPerSec).toFixed(3)}×`.padStart(14) : '';
    lines.push(
      `${r.name.padEnd(52)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(12)} ${r.p50Us.toFixed(1).padStart(10)} ${r.p99Us.toFixed(1).padStart(10)}${ratio}`,
    );
  }
  return lines.join('\n');
}
