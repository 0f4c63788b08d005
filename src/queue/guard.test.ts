import { describe, expect, it } from 'vitest';
import { assertJobSpec, JobPayloadError, looksLikePhone, redactError } from './guard.ts';
import type { JobSpec } from './types.ts';

const TENANT = 'ten_4f8Qx2LmZ0aB7cD9eF1gH3jK';

const accepted: { name: string; spec: JobSpec }[] = [
  {
    name: 'accepts a job of ids, a step and a time in ms',
    spec: {
      name: 'outbound',
      data: {
        tenantId: TENANT,
        decisionId: 'dec_12345678AbCdEfGhIjKlMnOp',
        channelId: 'chn_0000000099999999zzzzzzzz',
        step: 2,
        first: true,
        sendAtMs: 1_767_225_600_000,
      },
      groupKey: 'chn_0000000099999999zzzzzzzz',
    },
  },
  {
    name: 'accepts a UUID whose hex part has a long digit run',
    spec: { name: 'inbound', data: { tenantId: TENANT, eventId: '12345678-1234-4234-8234-123456789012' } },
  },
  {
    name: 'accepts a singleton key made of a contact id and a step',
    spec: {
      name: 'followup',
      data: { tenantId: TENANT },
      singletonKey: 'ctc_4f8Qx2LmZ0aB7cD9eF1gH3jK:2',
    },
  },
];

const refused: { name: string; spec: JobSpec; message: RegExp }[] = [
  {
    name: 'refuses an E.164 phone number',
    spec: { name: 'outbound', data: { tenantId: TENANT, to: '+22507010203' } },
    message: /phone number/,
  },
  {
    name: 'refuses a phone number written with spaces',
    spec: { name: 'outbound', data: { tenantId: TENANT, to: '+225 07 01 02 03 04' } },
    message: /phone number/,
  },
  {
    name: 'refuses a phone number hidden after an id',
    spec: { name: 'outbound', data: { tenantId: TENANT, key: 'ctc_4f8Qx2LmZ0aB7cD9eF1gH3jK:0701020304' } },
    message: /phone number/,
  },
  {
    name: 'refuses a phone number given as a number',
    spec: { name: 'outbound', data: { tenantId: TENANT, to: 22_507_010_203 } },
    message: /phone number/,
  },
  {
    name: 'refuses a phone number as group key',
    spec: { name: 'outbound', data: { tenantId: TENANT }, groupKey: '0701020304' },
    message: /groupKey looks like a phone number/,
  },
  {
    name: 'refuses a text longer than 64 characters',
    spec: {
      name: 'outbound',
      data: {
        tenantId: TENANT,
        text: "Bonjour, c'est combien le sac noir ? Je suis à Cocody, vous livrez ?",
      },
    },
    message: /never texts/,
  },
  {
    name: 'refuses a job without tenant',
    spec: { name: 'outbound', data: { decisionId: 'dec_1' } as unknown as JobSpec['data'] },
    message: /tenantId/,
  },
  {
    name: 'refuses a nested object',
    spec: { name: 'outbound', data: { tenantId: TENANT, contact: { id: 1 } } as unknown as JobSpec['data'] },
    message: /string, a number or a boolean/,
  },
  {
    name: 'refuses an unknown queue',
    spec: { name: 'emails' as JobSpec['name'], data: { tenantId: TENANT } },
    message: /unknown queue/,
  },
  {
    name: 'refuses a startAfterMs that is a delay rather than an epoch',
    spec: { name: 'followup', data: { tenantId: TENANT }, startAfterMs: 15 * 60_000 },
    message: /absolute epoch/,
  },
  {
    name: 'refuses a negative retry limit',
    spec: { name: 'outbound', data: { tenantId: TENANT }, retryLimit: -1 },
    message: /retryLimit/,
  },
];

describe('assertJobSpec', () => {
  it.each(accepted)('$name', ({ spec }) => {
    expect(() => assertJobSpec(spec)).not.toThrow();
  });

  it.each(refused)('$name', ({ spec, message }) => {
    expect(() => assertJobSpec(spec)).toThrow(JobPayloadError);
    expect(() => assertJobSpec(spec)).toThrow(message);
  });
});

describe('looksLikePhone', () => {
  it.each([
    ['0701020304', true],
    ['(0)7.01.02.03.04', true],
    ['1234567', false],
    ['step-2', false],
    ['msg_99999999999999999999999a', false],
  ])('%s → %s', (value, want) => {
    expect(looksLikePhone(value)).toBe(want);
  });
});

describe('redactError', () => {
  it('masks a recipient number quoted by a transport error', () => {
    const text = redactError(new Error('recipient +225 07 01 02 03 04 is not on WhatsApp'));
    expect(text).toBe('Error: recipient [digits] is not on WhatsApp');
  });

  it('keeps short numbers such as an HTTP status or a Meta error code', () => {
    expect(redactError(new Error('HTTP 429, code 131056'))).toBe('Error: HTTP 429, code 131056');
    expect(redactError(new Error('HTTP 503 after 2 tries'))).toBe('Error: HTTP 503 after 2 tries');
  });

  it('caps the length at 300 characters', () => {
    expect(redactError(new Error('x'.repeat(1000))).length).toBe(300);
  });
});
