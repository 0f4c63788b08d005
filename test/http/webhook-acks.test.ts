/**
 * A webhook the provider may have given up on (a 5xx, or a 200 later than SLOW_WEBHOOK_ACK_MS)
 * is reported through onMissedAck: the server then waits longer before sending again a reply
 * whose proof (a status webhook) may have been among those missed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessEventsFn } from '../../src/pipeline/index.ts';
import { createWorld, type World } from './helpers.ts';

/** The threshold for this test (the server's default is SLOW_WEBHOOK_ACK_MS, 5 s). */
const SLOW_MS = 40;
let w: World;
let mode: 'fast' | 'slow' | 'fail' = 'fast';
const missed: number[] = [];
let channelId = '';
let secret = '';

const processEvents: ProcessEventsFn = async () => {
  if (mode === 'fail') throw new Error('database unavailable');
  if (mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 3 * SLOW_MS));
  return { messages: 1, duplicates: 0, statuses: 0, health: 0, ignored: 0, failed: 0, failedEventIds: [] };
};

beforeAll(async () => {
  w = await createWorld({
    webhooks: {
      processEvents: (...args) => processEvents(...args),
      onMissedAck: (atMs) => missed.push(atMs),
      slowAckMs: SLOW_MS,
    },
  });
  const res = await w.call('POST', '/api/v1/channels', w.a.write, {
    name: 'Bac à sable',
    transport: 'sandbox',
  });
  channelId = res.json().id;
  secret = res.json().webhookSecret;
});

afterAll(async () => {
  await w?.close();
});

async function post() {
  return w.app.inject({
    method: 'POST',
    url: `/webhooks/sandbox/${channelId}`,
    headers: { 'content-type': 'application/json', 'x-sellify-token': secret },
    payload: { from: '+2250701020304', text: 'Bonjour', id: `sbx_${Math.random()}` },
  });
}

describe('missed webhook acknowledgements', () => {
  it('reports nothing for a prompt 200', async () => {
    mode = 'fast';
    missed.length = 0;
    expect((await post()).statusCode).toBe(200);
    expect(missed).toEqual([]);
  });

  it('reports a webhook answered with a 5xx', async () => {
    mode = 'fail';
    missed.length = 0;
    expect((await post()).statusCode).toBeGreaterThanOrEqual(500);
    expect(missed).toHaveLength(1);
  });

  it('does not report a refused signature (a 401 is not a missed proof)', async () => {
    mode = 'fast';
    missed.length = 0;
    const res = await w.app.inject({
      method: 'POST',
      url: `/webhooks/sandbox/${channelId}`,
      headers: { 'content-type': 'application/json', 'x-sellify-token': 'wrong' },
      payload: { from: '+2250701020304', text: 'Bonjour', id: 'sbx_bad' },
    });
    expect(res.statusCode).toBe(401);
    expect(missed).toEqual([]);
  });

  it('reports a 200 that came later than the threshold', async () => {
    mode = 'slow';
    missed.length = 0;
    expect((await post()).statusCode).toBe(200);
    expect(missed).toHaveLength(1);
  });

  it('reports nothing for API routes, however slow or failing', async () => {
    mode = 'fast';
    missed.length = 0;
    expect((await w.call('GET', '/api/v1/channels/chn_unknown', w.a.read)).statusCode).toBe(404);
    expect(missed).toEqual([]);
  });
});
