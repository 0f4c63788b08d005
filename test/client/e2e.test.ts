/**
 * The advisor loop of client/README.md against the real `sellify serve` process (started by
 * test/e2e/harness.ts on a free port with a temporary data directory): decide, wait, send
 * (simulated), record.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { SellifyClient } from '../../client/src/index.ts';
import { API_KEY, cleanup, serve, stop, tempDir } from '../e2e/harness.ts';

afterAll(cleanup);

describe('SellifyClient against sellify serve', () => {
  it('runs the advisor loop: makeDecision, then recordMessage of the inbound and the sent reply', async () => {
    const server = await serve({ SELLIFY_DATA_DIR: tempDir(), SELLIFY_API_KEY: API_KEY });
    try {
      const sellify = new SellifyClient({ baseUrl: server.url, apiKey: API_KEY });
      await sellify.products.create({ name: 'Sac noir', price: 15000, currency: 'XOF', stock: 4 });
      const channel = await sellify.channels.create({ name: 'Main', transport: 'sandbox' });

      const inbound = await sellify.recordMessage({
        channelId: channel.id,
        contactPhone: '+2250701020304',
        contactName: 'Aminata',
        direction: 'in',
        text: "Bonjour, c'est combien le sac noir ?",
        providerId: 'wamid.e2e-sdk-1',
      });
      expect(inbound.created).toBe(true);

      const decision = await sellify.makeDecision({
        channelId: channel.id,
        contactId: inbound.contact.id,
        message: { id: 'wamid.e2e-sdk-1', text: "Bonjour, c'est combien le sac noir ?" },
      });
      expect(decision.action).toBe('reply');
      expect(decision.text).toContain('15 000');
      expect(decision.text).toContain('Aminata');

      // The bot would wait delayMs − typingMs, show "typing…" for typingMs and send here.
      const sent = await sellify.recordMessage({
        channelId: channel.id,
        contactId: inbound.contact.id,
        direction: 'out',
        text: decision.text ?? '',
        providerId: 'wamid.e2e-sdk-2',
        decisionId: decision.id,
      });
      expect(sent.created).toBe(true);
      expect(sent.message).toMatchObject({ direction: 'out', decisionId: decision.id, status: 'sent' });
      expect(sent.contact.lastOutboundAt).not.toBeNull();
    } finally {
      expect(await stop(server)).toBe(0);
    }
  });
});
