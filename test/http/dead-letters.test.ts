/**
 * Dead letters through the API (issue 12.11), on the real app and a real pg-boss queue on the same
 * database: a tenant's admin lists its own dead-lettered jobs, page by page, with ids and the
 * masked error only, and replays one (a failed send's message goes back to queued, once). Another
 * tenant sees none of them and cannot replay them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Queue, startQueue } from '../../src/queue/index.ts';
import type { Message } from '../../src/store/index.ts';
import { insertDeadLetter, lateBoundQueue } from '../support/queue.ts';
import { createWorld, problem, seedConversation, type World } from './helpers.ts';

let w: World;
let queue: Queue;
let conversation: { channelId: string; contactId: string; messageId: string };

beforeAll(async () => {
  const late = lateBoundQueue();
  w = await createWorld({ queue: late.queue });
  queue = await startQueue(w.db, { onError: () => {} });
  late.bind(queue);
  conversation = await seedConversation(w, w.a.admin);
});

afterAll(async () => {
  await queue?.stop({ graceful: false });
  await w?.close();
});

/** A bot reply of tenant A that failed: before reaching WhatsApp (no provider id), or after. */
async function failedSend(reachedWhatsApp = false): Promise<Message> {
  return w.store.tx(w.a.id, async (r) => {
    const out = await r.messages.insertOutbound({
      channelId: conversation.channelId,
      contactId: conversation.contactId,
      kind: 'reply',
      body: 'Sac noir : 15 000 FCFA',
    });
    if (reachedWhatsApp) await r.messages.markSent(out.id, `wamid.${out.id}`, Date.now());
    await r.messages.setStatus({ id: out.id }, 'failed', {
      errorCode: reachedWhatsApp ? '131026' : 'worker_error',
    });
    return out;
  });
}

const list = (key: string, query = '') => w.call('GET', `/api/v1/dead-letters${query}`, key);
const replay = (key: string, id: string) => w.call('POST', `/api/v1/dead-letters/${id}/replay`, key);

describe('GET /api/v1/dead-letters', () => {
  it("lists the tenant's own dead letters newest first, page by page, never another tenant's", async () => {
    const other = await insertDeadLetter(w.db, 'followup', { tenantId: w.b.id, contactId: 'ctc_b' });
    const ids: string[] = [];
    for (const contactId of ['ctc_1', 'ctc_2', 'ctc_3']) {
      ids.push(await insertDeadLetter(w.db, 'followup', { tenantId: w.a.id, contactId, step: 1 }));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(w.a.admin, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((d) => d.id));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(seen).not.toContain(other);
    for (const id of ids) expect(seen).toContain(id);
    // Newest first: the last one written comes first.
    const positions = ids.map((id) => seen.indexOf(id));
    expect(positions).toEqual([...positions].sort((x, y) => y - x));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(2);

    const b = (await list(w.b.admin)).json() as { items: { id: string }[] };
    expect(b.items.map((d) => d.id)).toEqual([other]);
  });

  it('shows ids and the masked error of a job that really failed, no customer data', async () => {
    // A delivery job whose handler quotes a phone number in its error, failed on its only attempt.
    await queue.work('webhook', async () => {
      throw new Error('POST refused for +225 07 01 02 03 04');
    });
    await queue.enqueue({
      name: 'webhook',
      data: { tenantId: w.a.id, deliveryId: 'whd_masked', retried: false },
      retryLimit: 0,
    });
    let item: Record<string, unknown> | undefined;
    for (let i = 0; i < 200 && item === undefined; i++) {
      const res = await list(w.a.admin, '?limit=200');
      item = (res.json().items as Record<string, unknown>[]).find((d) => d.queue === 'webhook');
      if (item === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(item).toMatchObject({
      queue: 'webhook',
      refs: { deliveryId: 'whd_masked' },
      error: 'Error: POST refused for [digits]',
    });
    expect(Object.keys(item ?? {}).sort()).toEqual([
      'error',
      'failedAt',
      'id',
      'originalJobId',
      'queue',
      'refs',
    ]);
    expect(JSON.stringify(item)).not.toContain(w.a.id);
  });

  it('refuses a cursor it did not give', async () => {
    const res = await list(w.a.admin, '?cursor=bm90LWEtY3Vyc29y');
    expect(res.statusCode).toBe(400);
    expect(problem(res).code).toBe('validation_failed');
    const forged = Buffer.from(JSON.stringify(['2026-11-27T10:15:00.000000Z', 'dec_1'])).toString(
      'base64url',
    );
    expect(problem(await list(w.a.admin, `?cursor=${forged}`)).code).toBe('validation_failed');
  });
});

describe('POST /api/v1/dead-letters/{id}/replay', () => {
  it("puts a failed send back in its channel's queue and its message back to queued, once", async () => {
    const message = await failedSend();
    const id = await insertDeadLetter(w.db, 'outbound', { tenantId: w.a.id, messageId: message.id });

    expect(problem(await replay(w.b.admin, id)).code).toBe('not_found');
    expect((await w.store.tx(w.a.id, (r) => r.messages.get(message.id)))?.status).toBe('failed');

    const res = await replay(w.a.admin, id);
    expect(res.statusCode, res.body).toBe(202);
    const body = res.json() as { jobId: string; deadLetter: { id: string; refs: Record<string, string> } };
    expect(body.deadLetter).toMatchObject({ id, queue: 'outbound', refs: { messageId: message.id } });
    const { rows } = await w.db.exec(
      'SELECT name, state, singleton_key FROM pgboss.job WHERE id::text = $1',
      [body.jobId],
    );
    expect(rows).toEqual([
      { name: 'outbound', state: 'created', singleton_key: `g:${conversation.channelId}` },
    ]);
    expect(await w.store.tx(w.a.id, (r) => r.messages.get(message.id))).toMatchObject({
      status: 'queued',
      errorCode: null,
    });
    const listed = (await list(w.a.admin, '?limit=200')).json() as { items: { id: string }[] };
    expect(listed.items.map((d) => d.id)).not.toContain(id);

    // Replayed: it is gone, and the same call finds nothing to replay.
    const again = await replay(w.a.admin, id);
    expect(again.statusCode).toBe(404);
    expect(problem(again).code).toBe('not_found');
  });

  it('answers 409 for a send that reached WhatsApp, and leaves it listed', async () => {
    const message = await failedSend(true);
    const id = await insertDeadLetter(w.db, 'outbound', { tenantId: w.a.id, messageId: message.id });
    const res = await replay(w.a.admin, id);
    expect(res.statusCode).toBe(409);
    expect(problem(res).code).toBe('conflict');
    const listed = (await list(w.a.admin, '?limit=200')).json() as { items: { id: string }[] };
    expect(listed.items.map((d) => d.id)).toContain(id);
  });

  it('answers 404 for an unknown id, 400 for a malformed one or a body', async () => {
    expect(problem(await replay(w.a.admin, '00000000-0000-4000-8000-000000000000')).code).toBe('not_found');
    const malformed = await replay(w.a.admin, 'not-a-uuid');
    expect(malformed.statusCode).toBe(400);
    expect(problem(malformed).code).toBe('validation_failed');
    const id = await insertDeadLetter(w.db, 'followup', { tenantId: w.a.id, contactId: 'ctc_body' });
    const withBody = await w.call('POST', `/api/v1/dead-letters/${id}/replay`, w.a.admin, { force: true });
    expect(withBody.statusCode).toBe(400);
    expect(problem(withBody).code).toBe('validation_failed');
  });

  it('needs an admin key', async () => {
    const id = await insertDeadLetter(w.db, 'followup', { tenantId: w.a.id, contactId: 'ctc_scope' });
    expect(problem(await replay(w.a.write, id)).code).toBe('forbidden');
    expect(problem(await list(w.a.write)).code).toBe('forbidden');
  });
});
