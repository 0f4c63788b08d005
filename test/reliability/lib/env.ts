/**
 * The knobs of the reliability suites, read once. CI runs reduced counts; RELIABILITY_FULL=1 runs
 * the counts the report (docs/RELIABILITY.md) quotes; RELIABILITY_TRIALS overrides the number of
 * trials of every trial-based suite; RELIABILITY_SEED changes the base seed of every draw.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FULL = process.env.RELIABILITY_FULL === '1';
export const BASE_SEED = process.env.RELIABILITY_SEED ?? 'sellify-reliability-1';

function positiveInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

/** Trials of a suite: RELIABILITY_TRIALS, else the full count with RELIABILITY_FULL=1, else the CI count. */
export function trialCount(counts: { ci: number; full: number }): number {
  return positiveInt('RELIABILITY_TRIALS') ?? (FULL ? counts.full : counts.ci);
}

/** A size (messages per burst, fuzz runs): the named variable, else full or CI. */
export function sizeOf(variable: string, counts: { ci: number; full: number }): number {
  return positiveInt(variable) ?? (FULL ? counts.full : counts.ci);
}

/** Where each suite writes its figures as JSON (default <tmp>/sellify-reliability). */
export const RESULTS_DIR = process.env.RELIABILITY_OUT ?? join(tmpdir(), 'sellify-reliability');

/** Writes a suite's figures and prints them, so a run's log carries what the report quotes. */
export function recordResult(suite: string, result: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const body = {
    suite,
    full: FULL,
    seed: BASE_SEED,
    node: process.version,
    finishedAt: new Date().toISOString(),
    ...result,
  };
  const file = join(RESULTS_DIR, `${suite}.json`);
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`[reliability] ${suite}: ${JSON.stringify(result)} (written to ${file})`);
}
