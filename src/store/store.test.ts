import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshChannel, freshTenant, testBackends, testKeyring } from '../../test/support/store.ts';
import { DecryptError } from '../crypto/keyring.ts';
import { HOUR_MS, MINUTE_MS } from '../domain/time.ts';
import { isId, newId } from './ids.ts';
import { findApiKeyByHash, generateApiKey, hashApiKey } from './repos/api-keys.ts';
import { findChannelByRouteKey } from './repos/channels.ts';
import { ConflictError, InvalidCursorError, ProviderIdTakenError } from './repos/common.ts';
import { packJson, sealLegacyReasons } from './repos/decisions.ts';
import { canMoveStatus, type MessageStatus, type OutboundStatus } from './repos/messages.ts';
import { createStore, type Store } from './store.ts';
import type { Db } from './types.ts';

describe('canMoveStatus', () => {
  const cases: { from: MessageStatus; to: OutboundStatus; want: boolean }[] = [
    { from: 'queued', to: 'sent', want: true },
    { from: 'queued', to: 'read', want: true },
    { from: 'sent', to: 'delivered', want: true },
    { from: 'delivered', to: 'read', want: true },
    { from: 'read', to: 'delivered', want: false },
    { from: 'delivered', to: 'sent', want: false },
    { from: 'sent', to: 'sent', want: false },
    { from: 'queued', to: 'failed', want: true },
    { from: 'sent', to: 'failed', want: true },
    { from: 'delivered', to: 'failed', want: false },
    { from: 'read', to: 'failed', want: false },
    { from: 'failed', to: 'sent', want: false },
    { from: 'received', to: 'read', want: false },
  ];
  it.each(cases)('moving $from → $to is allowed: $want', ({ from, to, want }) => {
    expect(canMoveStatus(from, to)).toBe(want);
  });
});

describe.each(testBackends())('store on $name', (backend) => {
  let db: Db;
  let store: Store;

  beforeAll(async () => {
    db = await backend.open();
    store = createStore(db, testKeyring());
  });
  afterAll(async () => {
    await store?.close();
  });

  async function setup(phone = '+2250701020304') {
    const tenantId = await freshTenant(db);
    const channel = await freshChannel(store, tenantId, { timezone: 'Europe/Paris' });
    const { contact } = await store.tx(tenantId, (r) => r.contacts.upsertByPhone(channel.id, phone, 'Awa'));
    return { tenantId, channel, contact };
  }

  describe('contacts', () => {
    it('finds the same contact for two spellings of one number and creates it only once', async () => {
      const { tenantId, channel, contact } = await setup();
      const again = await store.tx(tenantId, (r) =>
        r.contacts.upsertByPhone(channel.id, '2250701020304@s.whatsapp.net'),
      );
      expect(again.created).toBe(false);
      expect(again.contact.id).toBe(contact.id);
      expect(again.contact.phone).toBe('+2250701020304');
      expect(again.contact.name).toBe('Awa');
      expect(contact.country).toBe('CI');
      expect(contact.timezone).toBe('Africa/Abidjan');
      expect(isId(contact.id, 'ctc')).toBe(true);
    });

    it('creates one contact when the same new number arrives in concurrent transactions', async () => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId);
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          store.tx(tenantId, (r) => r.contacts.upsertByPhone(channel.id, '+22997000001')),
        ),
      );
      expect(new Set(results.map((r) => r.contact.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it('stores a username user known only by BSUID, with the country and zone of its prefix', async () => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId);
      const first = await store.tx(tenantId, (r) =>
        r.contacts.upsertBySender(channel.id, { bsuid: 'SN.1502576394655843' }, 'Moussa'),
      );
      expect(first.created).toBe(true);
      expect(first.contact).toMatchObject({
        phone: null,
        bsuid: 'SN.1502576394655843',
        name: 'Moussa',
        country: 'SN',
        timezone: 'Africa/Dakar',
      });
      const again = await store.tx(tenantId, (r) =>
        r.contacts.upsertBySender(channel.id, { bsuid: 'SN.1502576394655843' }),
      );
      expect({ created: again.created, id: again.contact.id }).toEqual({
        created: false,
        id: first.contact.id,
      });
      expect(
        await store.tx(tenantId, (r) => r.contacts.findByBsuid(channel.id, 'SN.1502576394655843')),
      ).toMatchObject({
        id: first.contact.id,
      });
    });

    it('keeps one contact when a customer is seen by phone, then by phone and BSUID, then by BSUID alone', async () => {
      const { tenantId, channel, contact } = await setup('+2250707070707');
      const both = await store.tx(tenantId, (r) =>
        r.contacts.upsertBySender(channel.id, { phone: '+2250707070707', bsuid: 'CI.777' }),
      );
      expect(both).toMatchObject({ created: false, contact: { id: contact.id, bsuid: 'CI.777' } });
      const byBsuid = await store.tx(tenantId, (r) =>
        r.contacts.upsertBySender(channel.id, { bsuid: 'CI.777' }),
      );
      expect(byBsuid).toMatchObject({ created: false, contact: { id: contact.id, phone: '+2250707070707' } });
    });

    it('adds the phone to a BSUID-only contact when the customer reveals it, unless another contact holds it', async () => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId);
      const { contact } = await store.tx(tenantId, (r) =>
        r.contacts.upsertBySender(channel.id, { bsuid: 'CI.888' }),
      );
      const revealed = await store.tx(tenantId, (r) =>
        r.contacts.upsertBySender(channel.id, { phone: '+2250708080808', bsuid: 'CI.888' }),
      );
      expect(revealed).toMatchObject({
        created: false,
        contact: { id: contact.id, phone: '+2250708080808' },
      });

      // A second username user whose phone (revealed later) is already another contact's.
      const other = await store.tx(tenantId, (r) =>
        r.contacts.upsertBySender(channel.id, { bsuid: 'CI.999' }),
      );
      const clash = await store.tx(tenantId, async (r) => {
        const byPhone = await r.contacts.upsertBySender(channel.id, {
          phone: '+2250708080808',
          bsuid: 'CI.999',
        });
        return { byPhone, other: await r.contacts.get(other.contact.id) };
      });
      // The phone wins the look-up; the BSUID stays with the contact that already holds it.
      expect(clash.byPhone.contact).toMatchObject({ id: contact.id, bsuid: 'CI.888' });
      expect(clash.other).toMatchObject({ phone: null, bsuid: 'CI.999' });
    });

    it('refuses a contact without phone or BSUID, and a malformed BSUID, writing nothing', async () => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId);
      await expect(store.tx(tenantId, (r) => r.contacts.upsertBySender(channel.id, {}))).rejects.toThrow(
        /phone number or a BSUID/,
      );
      await expect(
        store.tx(tenantId, (r) => r.contacts.upsertBySender(channel.id, { bsuid: 'not a bsuid' })),
      ).rejects.toMatchObject({ code: 'invalid_bsuid' });
      expect((await store.tx(tenantId, (r) => r.contacts.list({ channelId: channel.id }))).items).toEqual([]);
    });

    it('refuses a row with neither phone nor BSUID at the database level', async () => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId);
      await expect(
        store.tx(tenantId, (r) =>
          r.sql.query('INSERT INTO contacts (id, tenant_id, channel_id) VALUES ($1, $2, $3)', [
            'ctc_noidentity',
            tenantId,
            channel.id,
          ]),
        ),
      ).rejects.toThrow(/contacts_phone_or_bsuid/);
    });

    it('replaces the stored name when the profile name changes', async () => {
      const { tenantId, channel, contact } = await setup();
      const renamed = await store.tx(tenantId, (r) =>
        r.contacts.upsertByPhone(channel.id, '+2250701020304', 'Awa K.'),
      );
      expect(renamed.contact.id).toBe(contact.id);
      expect(renamed.contact.name).toBe('Awa K.');
    });

    it('patches consent, stage, counters and times', async () => {
      const { tenantId, contact } = await setup();
      const atMs = Date.UTC(2025, 0, 2, 10, 0, 0);
      const patched = await store.tx(tenantId, (r) =>
        r.contacts.patch(contact.id, {
          stage: 'interested',
          optedOut: true,
          optedOutAtMs: atMs,
          followupsSent: 2,
          lastInboundAtMs: atMs,
          lastOutboundAtMs: atMs + 1000,
        }),
      );
      expect(patched).toMatchObject({
        stage: 'interested',
        optedOut: true,
        optedOutAtMs: atMs,
        followupsSent: 2,
        lastInboundAtMs: atMs,
        lastOutboundAtMs: atMs + 1000,
      });
      const back = await store.tx(tenantId, (r) =>
        r.contacts.patch(contact.id, { optedOut: false, optedIn: true }),
      );
      expect(back).toMatchObject({ optedOut: false, optedOutAtMs: null, optedIn: true });
    });

    it('answers the conversation state as last stored, also after a look-up or update in the same transaction', async () => {
      const { tenantId, channel, contact } = await setup();
      expect(await store.tx(tenantId, (r) => r.contacts.conversation(contact.id))).toBeNull();
      await store.tx(tenantId, (r) => r.contacts.patch(contact.id, { conversation: { step: 'cart', n: 1 } }));
      const seen = await store.tx(tenantId, async (r) => {
        const { contact: found } = await r.contacts.upsertByPhone(channel.id, '+2250701020304');
        const before = await r.contacts.conversation(found.id);
        await r.contacts.patch(found.id, { conversation: { step: 'address', n: 2 } });
        const after = await r.contacts.conversation(found.id);
        await r.contacts.patch(found.id, { stage: 'interested' });
        const untouched = await r.contacts.conversation(found.id);
        await r.contacts.patch(found.id, { conversation: null });
        return { before, after, untouched, cleared: await r.contacts.conversation(found.id) };
      });
      expect(seen).toEqual({
        before: { step: 'cart', n: 1 },
        after: { step: 'address', n: 2 },
        untouched: { step: 'address', n: 2 },
        cleared: null,
      });
      const sealed = await db.exec('SELECT conversation_enc FROM contacts WHERE id = $1', [contact.id]);
      expect(
        (sealed.rows[0] as { conversation_enc: string | null } | undefined)?.conversation_enc,
      ).toBeNull();
    });

    it('pages through contacts newest first without skipping or repeating', async () => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { contact } = await store.tx(tenantId, (r) =>
          r.contacts.upsertByPhone(channel.id, `+33612345${600 + i}`),
        );
        ids.push(contact.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.tx(tenantId, (r) =>
          r.contacts.list({ channelId: channel.id, cursor, limit: 2 }),
        );
        seen.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
    });

    it('rejects a malformed cursor', async () => {
      const tenantId = await freshTenant(db);
      await expect(
        store.tx(tenantId, (r) => r.contacts.list({ cursor: 'not-a-cursor' })),
      ).rejects.toBeInstanceOf(InvalidCursorError);
    });
  });

  describe('messages', () => {
    it('inserts an inbound message once per provider id (a redelivered webhook does nothing)', async () => {
      const { tenantId, channel, contact } = await setup();
      const input = {
        channelId: channel.id,
        contactId: contact.id,
        providerId: 'wamid.ABC',
        body: 'Bonjour',
      };
      const first = await store.tx(tenantId, (r) => r.messages.insertInbound(input));
      const second = await store.tx(tenantId, (r) => r.messages.insertInbound({ ...input, body: 'autre' }));
      expect(first.inserted).toBe(true);
      expect(second.inserted).toBe(false);
      expect(second.message.id).toBe(first.message.id);
      expect(second.message.body).toBe('Bonjour');
      const history = await store.tx(tenantId, (r) => r.messages.history(contact.id));
      expect(history.items).toHaveLength(1);
    });

    it('refuses a second outbound message with the same provider id on a channel as ProviderIdTakenError', async () => {
      const { tenantId, channel, contact } = await setup();
      const sent = { channelId: channel.id, contactId: contact.id, kind: 'reply', status: 'sent' } as const;
      await store.tx(tenantId, (r) => r.messages.insertOutbound({ ...sent, providerId: 'wamid.TWICE' }));
      const again = store.tx(tenantId, (r) =>
        r.messages.insertOutbound({ ...sent, providerId: 'wamid.TWICE' }),
      );
      await expect(again).rejects.toBeInstanceOf(ProviderIdTakenError);
      await expect(again).rejects.toMatchObject({ channelId: channel.id, providerId: 'wamid.TWICE' });
      // Without a provider id there is nothing to collide on.
      await store.tx(tenantId, (r) => r.messages.insertOutbound(sent));
      await store.tx(tenantId, (r) => r.messages.insertOutbound(sent));
    });

    it('inserts several outbound messages in one statement, in order, sealed, with their given ids and experiments', async () => {
      const { tenantId, channel, contact } = await setup();
      const givenId = newId('msg');
      const [first, second] = await store.tx(tenantId, (r) =>
        r.messages.insertOutboundMany([
          {
            id: givenId,
            channelId: channel.id,
            contactId: contact.id,
            kind: 'reply',
            body: 'Sac noir : 15 000 FCFA',
            createdAtMs: 1_700_000_000_000,
          },
          {
            channelId: channel.id,
            contactId: contact.id,
            kind: 'reply',
            body: 'Livraison demain',
            isCold: true,
            experiment: { id: 'exp_1', variantId: 'b' },
            createdAtMs: 1_700_000_000_001,
          },
        ]),
      );
      expect(first).toMatchObject({
        id: givenId,
        body: 'Sac noir : 15 000 FCFA',
        status: 'queued',
        isCold: false,
      });
      expect(second).toMatchObject({
        body: 'Livraison demain',
        status: 'queued',
        isCold: true,
        direction: 'out',
      });
      expect(second?.id.startsWith('msg_')).toBe(true);
      expect(second?.createdAtMs).toBe(1_700_000_000_001);
      const stored = (await db.exec(
        'SELECT id, body_enc, experiment_id, variant_id FROM messages WHERE id = ANY($1::text[]) ORDER BY created_at',
        [[first?.id, second?.id]],
      )) as {
        rows: { id: string; body_enc: string; experiment_id: string | null; variant_id: string | null }[];
      };
      expect(stored.rows.map((m) => [m.id, m.experiment_id, m.variant_id])).toEqual([
        [givenId, null, null],
        [second?.id, 'exp_1', 'b'],
      ]);
      expect(stored.rows.some((m) => m.body_enc.includes('Sac noir'))).toBe(false);
    });

    it('never moves a status backwards: read then delivered stays read', async () => {
      const { tenantId, channel, contact } = await setup();
      const msg = await store.tx(tenantId, (r) =>
        r.messages.insertOutbound({
          channelId: channel.id,
          contactId: contact.id,
          kind: 'reply',
          body: 'Merci',
        }),
      );
      expect(msg.status).toBe('queued');
      const sent = await store.tx(tenantId, (r) =>
        r.messages.markSent(msg.id, 'wamid.OUT1', Date.UTC(2025, 0, 1)),
      );
      expect(sent).toMatchObject({ updated: true, message: { status: 'sent', providerId: 'wamid.OUT1' } });
      expect(sent.message?.sentAtMs).toBe(Date.UTC(2025, 0, 1));
      const ref = { channelId: channel.id, providerId: 'wamid.OUT1' };
      const read = await store.tx(tenantId, (r) => r.messages.setStatus(ref, 'read'));
      expect(read).toMatchObject({ updated: true, message: { status: 'read' } });
      const delivered = await store.tx(tenantId, (r) => r.messages.setStatus(ref, 'delivered'));
      expect(delivered).toMatchObject({ updated: false, message: { status: 'read' } });
      const failed = await store.tx(tenantId, (r) =>
        r.messages.setStatus(ref, 'failed', { errorCode: '131047' }),
      );
      expect(failed).toMatchObject({ updated: false, message: { status: 'read', errorCode: null } });
      const again = await store.tx(tenantId, (r) => r.messages.setStatus({ id: msg.id }, 'read'));
      expect(again.updated).toBe(false);
    });

    it('marks a sent message failed with its error code, and keeps it failed', async () => {
      const { tenantId, channel, contact } = await setup();
      const msg = await store.tx(tenantId, (r) =>
        r.messages.insertOutbound({
          channelId: channel.id,
          contactId: contact.id,
          kind: 'reply',
          status: 'sent',
        }),
      );
      const failed = await store.tx(tenantId, (r) =>
        r.messages.setStatus({ id: msg.id }, 'failed', { errorCode: '131026' }),
      );
      expect(failed.message).toMatchObject({ status: 'failed', errorCode: '131026' });
      const late = await store.tx(tenantId, (r) => r.messages.setStatus({ id: msg.id }, 'delivered'));
      expect(late).toMatchObject({ updated: false, message: { status: 'failed' } });
    });

    it('answers null for a status update of an unknown provider id', async () => {
      const { tenantId, channel } = await setup();
      const r0 = await store.tx(tenantId, (r) =>
        r.messages.setStatus({ channelId: channel.id, providerId: 'wamid.UNKNOWN' }, 'delivered'),
      );
      expect(r0).toEqual({ updated: false, message: null });
    });
  });

  describe('send stats', () => {
    // 12:00 UTC on 10 June 2025 is 14:00 in Paris; local midnight is 22:00 UTC on 9 June.
    const nowMs = Date.UTC(2025, 5, 10, 12, 0, 0);

    it('counts sends per minute, hour, local day, cold and identical text from stored messages', async () => {
      const { tenantId, channel, contact } = await setup();
      const out = (sentAtMs: number | null, extra: { body?: string; isCold?: boolean } = {}) =>
        store.tx(tenantId, (r) =>
          r.messages.insertOutbound({
            channelId: channel.id,
            contactId: contact.id,
            kind: 'reply',
            body: extra.body ?? `texte ${sentAtMs}`,
            isCold: extra.isCold,
            status: sentAtMs === null ? 'queued' : 'sent',
            sentAtMs,
            createdAtMs: sentAtMs ?? nowMs,
          }),
        );
      await out(nowMs - 30_000, { body: 'Le sac noir est à 15000 F' });
      await out(nowMs - 10 * MINUTE_MS, { body: 'Le sac noir est à 15000 F' });
      await out(nowMs - 2 * HOUR_MS, { body: 'Le sac noir est à 15000 F' });
      await out(nowMs - 13 * HOUR_MS, { isCold: true }); // 01:00 in Paris today
      await out(nowMs - 15 * HOUR_MS, { isCold: true }); // 23:00 in Paris yesterday
      await out(null); // queued, not sent: not counted
      await out(nowMs + MINUTE_MS); // after nowMs: not counted
      await store.tx(tenantId, (r) =>
        r.messages.insertInbound({
          channelId: channel.id,
          contactId: contact.id,
          providerId: 'in-1',
          createdAtMs: nowMs - 1000,
        }),
      );

      const stats = await store.tx(tenantId, (r) =>
        r.stats.sendStats(channel.id, nowMs, 'Europe/Paris', 'Le sac noir est à 15000 F'),
      );
      expect(stats).toEqual({
        sentLastMinute: 1,
        sentLastHour: 2,
        sentToday: 4,
        coldToday: 1,
        identicalLastHour: 2,
        lastSentAtMs: nowMs - 30_000,
      });
    });

    it('answers zeros and no last send for a channel that never sent', async () => {
      const { tenantId, channel } = await setup();
      const stats = await store.tx(tenantId, (r) => r.stats.sendStats(channel.id, nowMs, 'Africa/Abidjan'));
      expect(stats).toEqual({
        sentLastMinute: 0,
        sentLastHour: 0,
        sentToday: 0,
        coldToday: 0,
        identicalLastHour: 0,
      });
    });
  });

  describe('channels', () => {
    it('returns credentials only through getCredentials and stores them sealed', async () => {
      const tenantId = await freshTenant(db);
      const routeKey = `cloud:${Math.random().toString(36).slice(2)}`;
      const credentials = { accessToken: 'EAAG-secret-token', appSecret: 'app-secret' };
      const channel = await store.tx(tenantId, (r) =>
        r.channels.create({ name: 'Boutique', transport: 'cloud', routeKey, credentials }),
      );
      expect(channel.hasCredentials).toBe(true);
      expect(JSON.stringify(channel)).not.toContain('secret');
      const listed = await store.tx(tenantId, (r) => r.channels.list());
      expect(JSON.stringify(listed)).not.toContain('secret');
      expect(await store.tx(tenantId, (r) => r.channels.getCredentials(channel.id))).toEqual(credentials);
      const raw = await db.ownerTx((tx) =>
        tx.query<{ credentials_enc: string }>('SELECT credentials_enc FROM channels WHERE id = $1', [
          channel.id,
        ]),
      );
      expect(raw.rows[0]?.credentials_enc).toMatch(/^sf1\./);
      expect(await findChannelByRouteKey(db, routeKey)).toEqual({
        tenantId,
        channelId: channel.id,
        transport: 'cloud',
      });
      expect(await findChannelByRouteKey(db, `${routeKey}-other`)).toBeNull();
    });

    it('refuses a route key another channel already uses with a ConflictError', async () => {
      const routeKey = `evolution:${Math.random().toString(36).slice(2)}`;
      const a = await freshTenant(db);
      const b = await freshTenant(db);
      await store.tx(a, (r) => r.channels.create({ name: 'A', transport: 'evolution', routeKey }));
      await expect(
        store.tx(b, (r) => r.channels.create({ name: 'B', transport: 'evolution', routeKey })),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('updates settings and removes credentials with null', async () => {
      const tenantId = await freshTenant(db);
      const channel = await freshChannel(store, tenantId, { credentials: { token: 't' } });
      const updated = await store.tx(tenantId, (r) =>
        r.channels.update(channel.id, { paused: true, settings: { dailyCap: 50 }, credentials: null }),
      );
      expect(updated).toMatchObject({ paused: true, settings: { dailyCap: 50 }, hasCredentials: false });
      expect(await store.tx(tenantId, (r) => r.channels.delete(channel.id))).toBe(true);
      expect(await store.tx(tenantId, (r) => r.channels.get(channel.id))).toBeNull();
    });
  });

  describe('api keys', () => {
    it('finds a key by hash before the tenant is known, and reports revocation', async () => {
      const tenantId = await freshTenant(db);
      const { secret, prefix, keyHash } = generateApiKey();
      expect(secret).toMatch(/^sk_[0-9A-Za-z]{32}$/);
      expect(hashApiKey(secret)).toBe(keyHash);
      const key = await store.tx(tenantId, (r) =>
        r.apiKeys.create({
          name: 'bot',
          keyHash,
          prefix,
          scopes: ['write', 'read'],
          rateLimitPerMinute: 300,
        }),
      );
      expect(await findApiKeyByHash(db, keyHash)).toEqual({
        id: key.id,
        tenantId,
        scopes: ['write', 'read'],
        rateLimitPerMinute: 300,
        revokedAtMs: null,
      });
      const revoked = await store.tx(tenantId, (r) => r.apiKeys.revoke(key.id, Date.UTC(2025, 0, 1)));
      expect(revoked?.revokedAtMs).toBe(Date.UTC(2025, 0, 1));
      expect((await findApiKeyByHash(db, keyHash))?.revokedAtMs).toBe(Date.UTC(2025, 0, 1));
      expect(await findApiKeyByHash(db, hashApiKey('sk_unknown'))).toBeNull();
      expect((await store.tx(tenantId, (r) => r.apiKeys.list())).map((k) => k.id)).toEqual([key.id]);
    });
  });

  describe('catalogue, playbook, orders, decisions, health', () => {
    it('keeps products with prices in minor units', async () => {
      const tenantId = await freshTenant(db);
      const p = await store.tx(tenantId, (r) =>
        r.products.create({ name: 'Sac noir', aliases: ['sac'], price: 15000, currency: 'xof', stock: 3 }),
      );
      expect(p).toMatchObject({
        name: 'Sac noir',
        aliases: ['sac'],
        price: 15000,
        currency: 'XOF',
        stock: 3,
      });
      const big = await store.tx(tenantId, (r) =>
        r.products.create({ name: 'Moto', price: 9_000_000_000, currency: 'XAF' }),
      );
      expect(big.price).toBe(9_000_000_000);
      const up = await store.tx(tenantId, (r) => r.products.update(p.id, { stock: null, price: 14000 }));
      expect(up).toMatchObject({ stock: null, price: 14000 });
      expect((await store.tx(tenantId, (r) => r.products.list())).map((x) => x.name)).toEqual([
        'Moto',
        'Sac noir',
      ]);
      expect(await store.tx(tenantId, (r) => r.products.delete(p.id))).toBe(true);
      await expect(
        store.tx(tenantId, (r) => r.products.create({ name: 'x', price: 1.5, currency: 'XOF' })),
      ).rejects.toThrow(RangeError);
    });

    it('answers the default playbook until one is stored, then merges updates', async () => {
      const tenantId = await freshTenant(db);
      const def = await store.tx(tenantId, (r) => r.playbook.get());
      expect(def).toMatchObject({ followupLadderMs: [900_000, 3_600_000, 86_400_000], updatedAtMs: null });
      await store.tx(tenantId, (r) => r.playbook.put({ info: { location: 'Cocody' }, awayMessage: 'Fermé' }));
      const after = await store.tx(tenantId, (r) => r.playbook.put({ followupLadderMs: [60_000] }));
      expect(after).toMatchObject({
        info: { location: 'Cocody' },
        awayMessage: 'Fermé',
        followupLadderMs: [60_000],
      });
      expect(after.updatedAtMs).not.toBeNull();
    });

    it('creates orders with a computed total and lists them per contact', async () => {
      const { tenantId, channel, contact } = await setup();
      const order = await store.tx(tenantId, (r) =>
        r.orders.create({
          channelId: channel.id,
          contactId: contact.id,
          currency: 'XOF',
          items: [{ productId: null, name: 'Sac noir', quantity: 2, unitPrice: 15000 }],
        }),
      );
      expect(order).toMatchObject({ total: 30000, status: 'pending', currency: 'XOF' });
      const list = await store.tx(tenantId, (r) => r.orders.list({ contactId: contact.id }));
      expect(list.items.map((o) => o.id)).toEqual([order.id]);
      expect((await store.tx(tenantId, (r) => r.orders.setStatus(order.id, 'completed')))?.status).toBe(
        'completed',
      );
    });

    it('places an order once per confirming message, taking stock and sealing the address', async () => {
      const { tenantId, channel, contact } = await setup();
      const bag = await store.tx(tenantId, (r) =>
        r.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 3 }),
      );
      const input = {
        channelId: channel.id,
        contactId: contact.id,
        currency: 'XOF',
        items: [{ productId: bag.id, name: 'Sac noir', quantity: 2, unitPrice: 15000 }],
        deliveryFee: 1500,
        delivery: { zone: 'yopougon', zoneName: 'Yopougon', address: 'Selmer, près de la pharmacie' },
        paymentMethod: 'orange_money',
        source: 'chat' as const,
        sourceMessageId: 'wamid.confirm-1',
      };
      const first = await store.tx(tenantId, (r) => r.orders.place(input));
      expect(first.outcome).toBe('created');
      if (first.outcome !== 'created') return;
      expect(first.order).toMatchObject({
        subtotal: 30000,
        deliveryFee: 1500,
        total: 31500,
        status: 'confirmed',
        paymentStatus: 'unpaid',
        fulfilmentStatus: 'unfulfilled',
        stockTaken: true,
        delivery: input.delivery,
      });
      const again = await store.tx(tenantId, (r) => r.orders.place(input));
      expect(again).toMatchObject({ outcome: 'existing', order: { id: first.order.id } });
      expect((await store.tx(tenantId, (r) => r.products.get(bag.id)))?.stock).toBe(1);
      // Two more: only one left, nothing changes.
      const short = await store.tx(tenantId, (r) =>
        r.orders.place({ ...input, sourceMessageId: 'wamid.confirm-2' }),
      );
      expect(short).toEqual({ outcome: 'out_of_stock', productIds: [bag.id] });
      expect((await store.tx(tenantId, (r) => r.products.get(bag.id)))?.stock).toBe(1);
    });

    it('gives the last item to exactly one of two customers confirming at once', async () => {
      const { tenantId, channel, contact } = await setup();
      const bag = await store.tx(tenantId, (r) =>
        r.products.create({ name: 'Sac rouge', price: 9000, currency: 'XOF', stock: 1 }),
      );
      const place = (messageId: string) =>
        store.tx(tenantId, (r) =>
          r.orders.place({
            channelId: channel.id,
            contactId: contact.id,
            currency: 'XOF',
            items: [{ productId: bag.id, name: 'Sac rouge', quantity: 1, unitPrice: 9000 }],
            source: 'chat',
            sourceMessageId: messageId,
          }),
        );
      const results = await Promise.all([place('wamid.a'), place('wamid.b')]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'out_of_stock']);
      expect((await store.tx(tenantId, (r) => r.products.get(bag.id)))?.stock).toBe(0);
    });

    it('stores decisions with sealed text and verdicts and lists them newest first', async () => {
      const { tenantId, channel, contact } = await setup();
      const base = {
        channelId: channel.id,
        contactId: contact.id,
        action: 'reply' as const,
        reasons: [{ engine: 'quota' as const, code: 'quota.ok', detail: 'under caps' }],
      };
      const d1 = await store.tx(tenantId, (r) =>
        r.decisions.insert({
          ...base,
          text: 'Bonjour !',
          verdicts: { intent: { matched: 'sac' } },
          createdAtMs: 1000,
        }),
      );
      const d2 = await store.tx(tenantId, (r) => r.decisions.insert({ ...base, createdAtMs: 2000 }));
      expect(d1).toMatchObject({
        text: 'Bonjour !',
        verdicts: { intent: { matched: 'sac' } },
        reasons: base.reasons,
      });
      const list = await store.tx(tenantId, (r) => r.decisions.list({ contactId: contact.id }));
      expect(list.items.map((d) => d.id)).toEqual([d2.id, d1.id]);
    });

    it('keeps only reason codes in clear and reads the sealed details back', async () => {
      const { tenantId, channel } = await setup();
      const reasons = [
        {
          engine: 'intent' as const,
          code: 'intent.unknown_product',
          detail: '"robe awa kone" matches nothing',
        },
      ];
      const d = await store.tx(tenantId, (r) =>
        r.decisions.insert({ channelId: channel.id, action: 'reply', reasons }),
      );
      const { rows } = await db.ownerTx((tx) =>
        tx.query<{ reasons: unknown; reasons_enc: string | null }>(
          'SELECT reasons, reasons_enc FROM decisions WHERE id = $1',
          [d.id],
        ),
      );
      expect(rows[0]?.reasons).toEqual([{ engine: 'intent', code: 'intent.unknown_product' }]);
      expect(rows[0]?.reasons_enc).not.toContain('awa');
      expect((await store.tx(tenantId, (r) => r.decisions.get(d.id)))?.reasons).toEqual(reasons);
    });

    it('stores verdicts and reasons deflated together, reads them back, and still reads rows of the earlier forms', async () => {
      const { tenantId, channel } = await setup();
      const reasons = Array.from({ length: 12 }, (_, i) => ({
        engine: 'pacing' as const,
        code: 'pacing.gap',
        detail: `waited ${i} s after the previous send to this customer`,
      }));
      const verdicts = Object.fromEntries(
        ['quota', 'warmup', 'schedule', 'pacing', 'health'].map((engine) => [
          engine,
          { allowed: true, reasons: reasons.slice(0, 4), detail: { engine, windowMs: 60_000 } },
        ]),
      );
      const d = await store.tx(tenantId, (r) =>
        r.decisions.insert({ channelId: channel.id, action: 'reply', reasons, verdicts }),
      );
      const sealedRow = async () =>
        (
          await db.ownerTx((tx) =>
            tx.query<{ reasons_enc: string; verdicts_enc: string }>(
              'SELECT reasons_enc, verdicts_enc FROM decisions WHERE id = $1',
              [d.id],
            ),
          )
        ).rows[0]!;
      const packed = await sealedRow();
      // Sealing adds a third (base64) to what it seals: below the JSON's own length, it was deflated;
      // the reasons are in verdicts_enc, reasons_enc seals a short marker.
      expect(packed.verdicts_enc.length).toBeLessThan(JSON.stringify(verdicts).length);
      expect(packed.reasons_enc.length).toBeLessThan(100);
      const keyring = store.keyring;
      const unsealed = (column: string, value: string) =>
        keyring.decrypt(value, { tenantId, table: 'decisions', column, rowId: d.id });
      expect(unsealed('verdicts_enc', packed.verdicts_enc)).toMatch(/^z2:/);
      expect(await store.tx(tenantId, (r) => r.decisions.get(d.id))).toMatchObject({ reasons, verdicts });
      const listed = await store.tx(tenantId, (r) => r.decisions.list({ channelId: channel.id }));
      expect(listed.items.find((i) => i.id === d.id)).toMatchObject({ reasons, verdicts });

      // A row written when reasons and verdicts were deflated apart (z1:).
      const where = { tenantId, table: 'decisions', rowId: d.id };
      await db.ownerTx((tx) =>
        tx.query('UPDATE decisions SET reasons_enc = $2, verdicts_enc = $3 WHERE id = $1', [
          d.id,
          store.keyring.encrypt(packJson(reasons), { ...where, column: 'reasons_enc' }),
          store.keyring.encrypt(packJson(verdicts), { ...where, column: 'verdicts_enc' }),
        ]),
      );
      expect(unsealed('reasons_enc', (await sealedRow()).reasons_enc)).toMatch(/^z1:/);
      expect(await store.tx(tenantId, (r) => r.decisions.get(d.id))).toMatchObject({ reasons, verdicts });

      // A row written before compression: the same values sealed as plain JSON.
      await db.ownerTx((tx) =>
        tx.query('UPDATE decisions SET reasons_enc = $2, verdicts_enc = $3 WHERE id = $1', [
          d.id,
          store.keyring.encrypt(JSON.stringify(reasons), { ...where, column: 'reasons_enc' }),
          store.keyring.encrypt(JSON.stringify(verdicts), { ...where, column: 'verdicts_enc' }),
        ]),
      );
      expect((await sealedRow()).verdicts_enc.length).toBeGreaterThan(JSON.stringify(verdicts).length);
      expect(await store.tx(tenantId, (r) => r.decisions.get(d.id))).toMatchObject({ reasons, verdicts });
    });

    it('seals the reasons of decisions stored before migration 0006, in resumable batches', async () => {
      const { tenantId, channel } = await setup();
      const reasons = [
        { engine: 'intent' as const, code: 'intent.unknown_product', detail: '"pagne kita" x' },
      ];
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const d = await store.tx(tenantId, (r) =>
          r.decisions.insert({ channelId: channel.id, action: 'reply', reasons }),
        );
        ids.push(d.id);
      }
      // What an older version wrote: the full reasons in clear, nothing sealed.
      await db.ownerTx((tx) =>
        tx.query('UPDATE decisions SET reasons = $2::jsonb, reasons_enc = NULL WHERE id = ANY($1::text[])', [
          ids,
          JSON.stringify(reasons),
        ]),
      );
      expect((await store.tx(tenantId, (r) => r.decisions.get(ids[0]!)))?.reasons).toEqual(reasons);
      expect(await sealLegacyReasons(store, { batchSize: 2 })).toBeGreaterThanOrEqual(3);
      const { rows } = await db.ownerTx((tx) =>
        tx.query<{ reasons: unknown; reasons_enc: string | null }>(
          'SELECT reasons, reasons_enc FROM decisions WHERE id = ANY($1::text[])',
          [ids],
        ),
      );
      for (const row of rows) {
        expect(row.reasons).toEqual([{ engine: 'intent', code: 'intent.unknown_product' }]);
        expect(row.reasons_enc).not.toBeNull();
      }
      for (const id of ids) {
        expect((await store.tx(tenantId, (r) => r.decisions.get(id)))?.reasons).toEqual(reasons);
      }
      expect(await sealLegacyReasons(store)).toBe(0);
    });

    it('keeps health events newest first', async () => {
      const { tenantId, channel } = await setup();
      await store.tx(tenantId, (r) =>
        r.healthEvents.add({ channelId: channel.id, type: 'disconnected', atMs: 1000 }),
      );
      await store.tx(tenantId, (r) =>
        r.healthEvents.add({
          channelId: channel.id,
          type: 'reachout_timelock',
          atMs: 2000,
          untilMs: 9000,
          detail: { code: 463 },
        }),
      );
      const events = await store.tx(tenantId, (r) => r.healthEvents.recent(channel.id));
      expect(events.map((e) => [e.type, e.atMs, e.untilMs])).toEqual([
        ['reachout_timelock', 2000, 9000],
        ['disconnected', 1000, undefined],
      ]);
      expect(
        await store.tx(tenantId, (r) => r.healthEvents.recent(channel.id, { sinceMs: 1500 })),
      ).toHaveLength(1);
    });
  });

  describe('idempotency keys', () => {
    const t0 = Date.UTC(2025, 0, 1);
    const K1 = { apiKeyId: 'key_a', key: 'key-1' };
    const K2 = { apiKeyId: 'key_a', key: 'k2' };

    it('claims a new key, reports in-flight and mismatch, then replays the stored response', async () => {
      const tenantId = await freshTenant(db);
      const begin = (hash: string, nowMs = t0) =>
        store.tx(tenantId, (r) => r.idempotency.begin(K1, hash, { nowMs }));
      expect(await begin('h1')).toBe('new');
      expect(await begin('h1')).toBe('in_flight');
      expect(await begin('h2')).toBe('mismatch');
      expect(
        await store.tx(tenantId, (r) => r.idempotency.complete(K1, 201, { id: 'msg_1', text: 'Merci Awa' })),
      ).toBe(true);
      expect(await begin('h1')).toEqual({
        replay: { statusCode: 201, body: { id: 'msg_1', text: 'Merci Awa' }, secretWithheld: false },
      });
    });

    it('keeps records per API key: another key of the tenant with the same Idempotency-Key gets a fresh claim', async () => {
      const tenantId = await freshTenant(db);
      const begin = (apiKeyId: string) =>
        store.tx(tenantId, (r) => r.idempotency.begin({ apiKeyId, key: 'shared' }, 'h', { nowMs: t0 }));
      expect(await begin('key_first')).toBe('new');
      await store.tx(tenantId, (r) =>
        r.idempotency.complete({ apiKeyId: 'key_first', key: 'shared' }, 201, { id: 'key_x' }),
      );
      expect(await begin('key_second')).toBe('new');
      expect(await begin('key_first')).toEqual({
        replay: { statusCode: 201, body: { id: 'key_x' }, secretWithheld: false },
      });
    });

    it('remembers that a response was stored without its one-time secret', async () => {
      const tenantId = await freshTenant(db);
      const k = { apiKeyId: 'env', key: 'mint' };
      expect(await store.tx(tenantId, (r) => r.idempotency.begin(k, 'h', { nowMs: t0 }))).toBe('new');
      await store.tx(tenantId, (r) =>
        r.idempotency.complete(k, 201, { id: 'key_y' }, { secretWithheld: true }),
      );
      expect(await store.tx(tenantId, (r) => r.idempotency.begin(k, 'h', { nowMs: t0 }))).toEqual({
        replay: { statusCode: 201, body: { id: 'key_y' }, secretWithheld: true },
      });
    });

    it('takes over an abandoned in-flight claim after staleAfterMs and an expired key after ttlMs', async () => {
      const tenantId = await freshTenant(db);
      const begin = (nowMs: number) =>
        store.tx(tenantId, (r) => r.idempotency.begin({ apiKeyId: 'key_a', key: 'k' }, 'h', { nowMs }));
      expect(await begin(t0)).toBe('new');
      expect(await begin(t0 + 30_000)).toBe('in_flight');
      expect(await begin(t0 + 61_000)).toBe('new');
      await store.tx(tenantId, (r) =>
        r.idempotency.complete({ apiKeyId: 'key_a', key: 'k' }, 200, { ok: true }),
      );
      expect(await begin(t0 + 2 * HOUR_MS)).toEqual({
        replay: { statusCode: 200, body: { ok: true }, secretWithheld: false },
      });
      expect(await begin(t0 + 61_000 + 24 * HOUR_MS)).toBe('new');
      expect(await store.tx(tenantId, (r) => r.idempotency.purgeExpired(t0 + 100 * HOUR_MS))).toBe(1);
    });

    it('lets a retry run after abandon', async () => {
      const tenantId = await freshTenant(db);
      expect(await store.tx(tenantId, (r) => r.idempotency.begin(K2, 'h'))).toBe('new');
      await store.tx(tenantId, (r) => r.idempotency.abandon(K2));
      expect(await store.tx(tenantId, (r) => r.idempotency.begin(K2, 'h'))).toBe('new');
    });
  });

  describe('encryption binding', () => {
    it('fails to decrypt a phone ciphertext copied into another contact of the same tenant', async () => {
      const { tenantId, channel, contact } = await setup('+2250711111111');
      const { contact: other } = await store.tx(tenantId, (r) =>
        r.contacts.upsertByPhone(channel.id, '+2250722222222'),
      );
      await db.ownerTx((tx) =>
        tx.query(
          'UPDATE contacts SET phone_enc = (SELECT phone_enc FROM contacts WHERE id = $1) WHERE id = $2',
          [contact.id, other.id],
        ),
      );
      await expect(store.tx(tenantId, (r) => r.contacts.get(other.id))).rejects.toBeInstanceOf(DecryptError);
      expect((await store.tx(tenantId, (r) => r.contacts.get(contact.id)))?.phone).toBe('+2250711111111');
    });

    it("fails to decrypt a phone ciphertext copied into another tenant's contact", async () => {
      const a = await setup('+2250733333333');
      const b = await setup('+2250744444444');
      await db.ownerTx((tx) =>
        tx.query(
          'UPDATE contacts SET phone_enc = (SELECT phone_enc FROM contacts WHERE id = $1) WHERE id = $2',
          [a.contact.id, b.contact.id],
        ),
      );
      const err = await store.tx(b.tenantId, (r) => r.contacts.get(b.contact.id)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DecryptError);
      expect(String((err as Error).message)).not.toContain('0733333333');
    });
  });

  it('rolls back every write of a transaction whose function throws', async () => {
    const tenantId = await freshTenant(db);
    await expect(
      store.tx(tenantId, async (r) => {
        await r.products.create({ name: 'Fantôme', price: 1, currency: 'XOF' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.tx(tenantId, (r) => r.products.list())).toEqual([]);
  });

  it('answers ping', async () => {
    expect(await db.ping()).toBe(true);
  });
});
