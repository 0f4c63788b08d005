import { describe, expect, it } from 'vitest';
import { SEND_CONFIRM_WAIT_MS, sendConfirmDeadlineMs } from './outbound.ts';

const T = Date.parse('2026-11-23T10:00:00Z');

describe('sendConfirmDeadlineMs', () => {
  const cases: { name: string; sentAtMs: number; processStartedAtMs?: number; want: number }[] = [
    {
      name: 'waits the usual confirmation time when this process made the attempt',
      sentAtMs: T,
      processStartedAtMs: T - 60_000,
      want: T + SEND_CONFIRM_WAIT_MS,
    },
    {
      name: 'waits the usual confirmation time when the process start is unknown',
      sentAtMs: T,
      want: T + SEND_CONFIRM_WAIT_MS,
    },
    {
      name: 'adds three times the downtime when the process restarted 16 s after the attempt',
      sentAtMs: T,
      processStartedAtMs: T + 16_000,
      want: T + SEND_CONFIRM_WAIT_MS + 48_000,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(sendConfirmDeadlineMs(c.sentAtMs, c.processStartedAtMs)).toBe(c.want);
    });
  }
});
