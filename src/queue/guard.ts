/**
 * Jobs are stored in clear (pg-boss's job table, its archive, the dead-letter copies), so they must
 * carry ids only. A payload holding something that looks like a phone number or a text is a
 * programming error in the pipeline, caught here before anything is written.
 */

import { type JobSpec, QUEUE_NAMES } from './types.ts';

/** Longest string value a job may carry; ids are ≤ 28 characters, a text is longer. */
export const MAX_JOB_STRING_LENGTH = 64;
const MAX_JOB_KEYS = 16;

// Shapes that are ids by construction: Sellify ids (`msg_` + 24 base62) and UUIDs. Their random
// characters can contain long digit runs by chance, so they are removed before the phone check.
const SELLIFY_ID = /\b[a-z]{2,8}_[0-9A-Za-z]{24}\b/g;
const UUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
// Separators people put inside phone numbers: "+225 07 01 02 03 04", "(0)7.01.02.03".
const PHONE_SEPARATORS = /[\s().\-/]/g;
const PHONE_DIGITS = /\d{8,}/;

/** True when the string, ids aside and separators removed, holds a run of 8 or more digits. */
export function looksLikePhone(value: string): boolean {
  const rest = value.replace(SELLIFY_ID, ' ').replace(UUID, ' ').replace(PHONE_SEPARATORS, '');
  return PHONE_DIGITS.test(rest);
}

export class JobPayloadError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'JobPayloadError';
  }
}

function checkString(where: string, value: string): void {
  if (value.length > MAX_JOB_STRING_LENGTH) {
    throw new JobPayloadError(
      `${where} is ${value.length} characters long; jobs carry ids only (≤ ${MAX_JOB_STRING_LENGTH}), never texts`,
    );
  }
  if (looksLikePhone(value)) {
    throw new JobPayloadError(`${where} looks like a phone number; jobs carry ids only, never personal data`);
  }
}

/**
 * Throws JobPayloadError unless the job is well formed and carries ids only. Numbers are allowed
 * for counters and steps; a number of 8 digits or more is refused (it could be a phone number)
 * unless its key ends in `Ms` (an epoch or a duration in milliseconds, by the naming rule).
 */
export function assertJobSpec(spec: JobSpec): void {
  if (!(QUEUE_NAMES as readonly string[]).includes(spec.name)) {
    throw new JobPayloadError(`unknown queue ${String(spec.name)}`);
  }
  const data: unknown = spec.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new JobPayloadError('job data must be a plain object');
  }
  const entries = Object.entries(data);
  if (entries.length > MAX_JOB_KEYS) throw new JobPayloadError(`job data has more than ${MAX_JOB_KEYS} keys`);
  const tenantId = (data as Record<string, unknown>).tenantId;
  if (typeof tenantId !== 'string' || tenantId.length === 0) {
    throw new JobPayloadError('job data needs a non-empty tenantId');
  }
  for (const [key, value] of entries) {
    const where = `job data ${key}`;
    if (typeof value === 'string') checkString(where, value);
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new JobPayloadError(`${where} must be a finite number`);
      if (Math.abs(value) >= 1e7 && !key.endsWith('Ms')) {
        throw new JobPayloadError(
          `${where} has 8 digits or more and could be a phone number; name it …Ms if it is a time`,
        );
      }
    } else if (typeof value !== 'boolean') {
      throw new JobPayloadError(`${where} must be a string, a number or a boolean`);
    }
  }
  if (spec.singletonKey !== undefined) checkString('singletonKey', spec.singletonKey);
  if (spec.groupKey !== undefined) checkString('groupKey', spec.groupKey);
  // An absolute epoch in ms is past 1e12 (2001); a smaller number is a delay passed by mistake.
  if (spec.startAfterMs !== undefined && !(Number.isFinite(spec.startAfterMs) && spec.startAfterMs >= 1e12)) {
    throw new JobPayloadError('startAfterMs must be an absolute epoch in milliseconds, not a delay');
  }
  for (const [key, value] of [
    ['retryLimit', spec.retryLimit],
    ['retryDelayS', spec.retryDelayS],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new JobPayloadError(`${key} must be an integer ≥ 0`);
    }
  }
}

const MAX_ERROR_LENGTH = 300;
const DIGIT_RUN = /\+?\d[\d\s().-]{4,}\d/g;

/**
 * The error text kept with a failed job (and its dead-letter copy). Transport errors can quote a
 * recipient, so digit runs of 8 or more (separators allowed) are masked and the text is capped.
 */
export function redactError(err: unknown): string {
  const raw = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const masked = raw.replace(DIGIT_RUN, (run) => (run.replace(/\D/g, '').length >= 8 ? '[digits]' : run));
  return masked.length > MAX_ERROR_LENGTH ? `${masked.slice(0, MAX_ERROR_LENGTH - 1)}…` : masked;
}
