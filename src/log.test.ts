import { describe, expect, it } from 'vitest';
import { createLogger, pathOnly, readableLine } from './log.ts';

describe('pathOnly', () => {
  const cases: { name: string; url: string; want: string }[] = [
    { name: 'keeps a path without a query', url: '/api/v1/contacts', want: '/api/v1/contacts' },
    {
      name: "drops Meta's handshake query (it carries the verify token)",
      url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=secret',
      want: '/webhooks/whatsapp',
    },
    { name: 'drops an empty query', url: '/health?', want: '/health' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(pathOnly(c.url)).toBe(c.want);
    });
  }
});

describe('createLogger', () => {
  it('writes one JSON line per record with its component and never the query string of a request', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      stream: { write: (line: string) => void lines.push(line) },
    });
    const http = logger.child({ component: 'http' });
    http.info(
      { req: { method: 'GET', url: '/webhooks/whatsapp?hub.verify_token=secret', ip: '203.0.113.1' } },
      'incoming request',
    );
    http.debug('not at info');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '{}');
    expect(record).toMatchObject({
      level: 30,
      component: 'http',
      msg: 'incoming request',
      req: { method: 'GET', url: '/webhooks/whatsapp', remoteAddress: '203.0.113.1' },
    });
    expect(lines[0]).not.toContain('secret');
  });
});

describe('readableLine', () => {
  it('shows time, level, component, message and the other fields', () => {
    const line = readableLine(
      JSON.stringify({
        level: 30,
        time: Date.parse('2026-12-07T10:00:01.234Z'),
        pid: 1,
        hostname: 'h',
        component: 'worker',
        msg: 'sent',
        messageId: 'msg_1',
        attempt: 1,
      }),
    );
    expect(line).toBe('10:00:01.234 INFO  [worker] sent messageId=msg_1 attempt=1\n');
  });

  it("puts an error's stack on the lines after the record", () => {
    const line = readableLine(
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'request failed',
        err: { message: 'boom', stack: 'Error: boom\n    at x' },
      }),
    );
    expect(line).toBe('00:00:00.000 ERROR request failed\nError: boom\n    at x\n');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(readableLine('plain text')).toBe('plain text\n');
  });
});
