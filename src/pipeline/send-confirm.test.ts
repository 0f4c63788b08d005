import { describe, expect, it } from 'vitest';
import { SEND_CONFIRM_WAIT_MS, sendConfirmDeadlineMs } from './outbound.ts';
import { createWebhookUptime } from './webhook-uptime.ts';

const T = Date.parse('2026-11-23T10:00:00Z');

describe('sendConfirmDeadlineMs', () => {
  const cases: { name: string; sentAtMs: number; webhooksUpSinceMs?: number; want: number }[] = [
    {
      name: 'waits the usual confirmation time when webhooks were taken throughout since the attempt',
      sentAtMs: T,
      webhooksUpSinceMs: T - 60_000,
      want: T + SEND_CONFIRM_WAIT_MS,
    },
    {
      name: 'waits the usual confirmation time when nothing is known about webhooks',
      sentAtMs: T,
      want: T + SEND_CONFIRM_WAIT_MS,
    },
    {
      name: 'adds three times the time without webhooks when they were taken again 16 s after the attempt',
      sentAtMs: T,
      webhooksUpSinceMs: T + 16_000,
      want: T + SEND_CONFIRM_WAIT_MS + 48_000,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(sendConfirmDeadlineMs(c.sentAtMs, c.webhooksUpSinceMs)).toBe(c.want);
    });
  }
});

describe('createWebhookUptime', () => {
  it('starts at the given time and moves forward when webhooks could not be taken', () => {
    const up = createWebhookUptime(T);
    expect(up.sinceMs()).toBe(T);
    up.downUntil(T + 5_000);
    expect(up.sinceMs()).toBe(T + 5_000);
  });

  it('never moves backwards: a late report of an older missed webhook keeps the later start', () => {
    const up = createWebhookUptime(T);
    up.downUntil(T + 10_000);
    up.downUntil(T + 2_000);
    expect(up.sinceMs()).toBe(T + 10_000);
  });
});
