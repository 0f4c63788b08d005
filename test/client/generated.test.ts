/**
 * The client's types cannot drift from the server: client/src/generated.ts must be exactly what
 * the generator makes from the current OpenAPI document, and every /api operation in it must be
 * reached by the client method that claims it.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type FetchLike, OPERATION_KEYS, type OperationKey, SellifyClient } from '../../client/src/index.ts';
import {
  GENERATED_FILE,
  generateClientTypes,
  type OpenApiDocument,
  ROOT,
  renderClientTypes,
} from '../../scripts/generate-client-types.ts';

describe('generated types', () => {
  it('client/src/generated.ts is what the current server generates (run npm run client:types)', async () => {
    const committed = readFileSync(`${ROOT}${GENERATED_FILE}`, 'utf8');
    expect(committed).toBe(await generateClientTypes());
  });

  it('renders nullable, enum, record, array and optional fields, and names a titled schema once', async () => {
    const reason = {
      title: 'Reason',
      type: 'object',
      required: ['code'],
      properties: { code: { type: 'string' } },
    };
    const doc: OpenApiDocument = {
      openapi: '3.1.0',
      info: { title: 't', version: '0' },
      paths: {
        '/things/{id}': {
          patch: {
            summary: 'Change a thing',
            parameters: [
              { in: 'path', name: 'id', required: true, schema: { type: 'string' } },
              { in: 'query', name: 'limit', schema: { type: 'integer' } },
            ],
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['kind'],
                    properties: {
                      kind: {
                        anyOf: [
                          { type: 'string', enum: ['a'] },
                          { type: 'string', enum: ['b'] },
                        ],
                      },
                      stock: {
                        anyOf: [{ type: 'integer' }, { type: 'null' }],
                        description: 'null: not tracked',
                      },
                      tags: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
                      extra: { type: 'object', additionalProperties: { type: 'boolean' } },
                      'odd-name': {},
                    },
                  },
                },
              },
            },
            responses: {
              '200': { content: { 'application/json': { schema: { type: 'array', items: reason } } } },
              '204': { description: 'Deleted' },
              '404': { content: { 'application/problem+json': { schema: reason } } },
            },
          },
        },
      },
    };
    const out = await renderClientTypes(doc);
    // Titled schemas are hoisted into components and named once.
    expect(out.match(/export type Reason = components\['schemas'\]\["Reason"\];/g)).toHaveLength(1);
    expect(out).toMatch(/Reason: \{\s+code: string;\s+\}/);
    expect(out).toMatch(/kind: "a" \| "b";/);
    expect(out).toContain('/** @description null: not tracked */');
    expect(out).toContain('stock?: number | null;');
    expect(out).toContain('tags?: (string | number)[];');
    expect(out).toMatch(/extra\?: \{\s+\[key: string\]: boolean;\s+\};/);
    expect(out).toContain('"odd-name"?: unknown;');
    expect(out).toMatch(/path: \{\s+id: string;\s+\};/);
    expect(out).toContain('limit?: number;');
    const op = 'paths["/things/{id}"]["patch"]';
    expect(out).toContain(`params: ParamsIn<${op}, 'path'>;`);
    expect(out).toContain(`body: JsonBody<${op}>;`);
    expect(out).toContain(`200: ResponseBody<${op}['responses'][200]>;`);
    expect(out).toContain(`204: ResponseBody<${op}['responses'][204]>;`);
    expect(out).not.toContain(`${op}['responses'][404]`);
    expect(out).toContain(`export const OPERATION_KEYS = ["PATCH /things/{id}"] as const;`);
  });
});

/** Every /api operation and a call of the client method for it (a new route fails the type check here). */
type ApiOperation = Exclude<OperationKey, 'GET /health' | 'GET /ready' | 'GET /metrics'>;
const calls: Record<ApiOperation, (c: SellifyClient) => Promise<unknown>> = {
  'POST /api/v1/decision': (c) => c.makeDecision({ channelId: 'chn_1' }),
  'POST /api/v1/validate': (c) => c.validateText({ text: 'x' }),
  'POST /api/v1/messages': (c) =>
    c.recordMessage({ channelId: 'chn_1', contactId: 'ctc_1', direction: 'in', text: 'x' }),
  'GET /api/v1/channels': (c) => c.channels.list(),
  'POST /api/v1/channels': (c) => c.channels.create({ name: 'x', transport: 'sandbox' }),
  'GET /api/v1/channels/{id}': (c) => c.channels.get('ID'),
  'PATCH /api/v1/channels/{id}': (c) => c.channels.update('ID', { name: 'y' }),
  'DELETE /api/v1/channels/{id}': (c) => c.channels.delete('ID'),
  'GET /api/v1/contacts': (c) => c.contacts.list(),
  'GET /api/v1/contacts/{id}': (c) => c.contacts.get('ID'),
  'PATCH /api/v1/contacts/{id}': (c) => c.contacts.update('ID', { optedIn: true }),
  'GET /api/v1/contacts/{id}/messages': (c) => c.contacts.history('ID'),
  'GET /api/v1/products': (c) => c.products.list(),
  'POST /api/v1/products': (c) => c.products.create({ name: 'x', price: 1, currency: 'XOF' }),
  'GET /api/v1/products/{id}': (c) => c.products.get('ID'),
  'PATCH /api/v1/products/{id}': (c) => c.products.update('ID', { price: 2 }),
  'DELETE /api/v1/products/{id}': (c) => c.products.delete('ID'),
  'GET /api/v1/playbook': (c) => c.playbook.get(),
  'PUT /api/v1/playbook': (c) => c.playbook.put({}),
  'GET /api/v1/decisions': (c) => c.decisions.list(),
  'GET /api/v1/decisions/{id}': (c) => c.decisions.get('ID'),
  'GET /api/v1/orders': (c) => c.orders.list(),
  'GET /api/v1/orders/{id}': (c) => c.orders.get('ID'),
  'POST /api/v1/orders': (c) =>
    c.orders.create({ channelId: 'chn_1', contactId: 'ctc_1', items: [{ productId: 'prd_1', quantity: 1 }] }),
  'GET /api/v1/orders.csv': (c) => c.orders.exportCsv(),
  'GET /api/v1/stats': (c) => c.stats.get(),
  'GET /api/v1/experiments': (c) => c.stats.experiments(),
  'PATCH /api/v1/orders/{id}': (c) => c.orders.update('ID', { status: 'confirmed' }),
  'POST /api/v1/orders/{id}/payments': (c) => c.orders.recordPayment('ID', { amount: 1, method: 'wave' }),
  'GET /api/v1/failed-events': (c) => c.failedEvents.list(),
  'GET /api/v1/failed-events/{id}': (c) => c.failedEvents.get('ID'),
  'POST /api/v1/failed-events/{id}/replay': (c) => c.failedEvents.replay('ID'),
  'GET /api/v1/dead-letters': (c) => c.deadLetters.list(),
  'POST /api/v1/dead-letters/{id}/replay': (c) => c.deadLetters.replay('ID'),
  'GET /api/v1/keys': (c) => c.keys.list(),
  'POST /api/v1/keys': (c) => c.keys.create({ name: 'x', scopes: ['read'] }),
  'DELETE /api/v1/keys/{id}': (c) => c.keys.revoke('ID'),
  'POST /api/v1/tenants': (c) => c.tenants.create({ name: 'x' }),
  'POST /api/v1/channels/{id}/pairing': (c) => c.pairing.start('ID', { phoneNumber: '+2250700000000' }),
  'GET /api/v1/channels/{id}/pairing': (c) => c.pairing.state('ID', { refresh: true }),
  'GET /api/v1/channels/{id}/pairing/qr': (c) => c.pairing.qr('ID'),
  'POST /api/v1/channels/{id}/pairing/code': (c) => c.pairing.code('ID', '+2250700000000'),
  'POST /api/v1/channels/{id}/pairing/restart': (c) => c.pairing.restart('ID'),
  'POST /api/v1/channels/{id}/pairing/logout': (c) => c.pairing.logout('ID'),
  'GET /api/v1/users': (c) => c.users.list(),
  'POST /api/v1/users/invites': (c) => c.users.invite({ role: 'agent' }),
  'GET /api/v1/conversations': (c) => c.conversations.list({ filter: 'waiting' }),
  'GET /api/v1/conversations/{id}/messages': (c) => c.conversations.thread('ID'),
  'POST /api/v1/conversations/{id}/takeover': (c) => c.conversations.takeOver('ID', { owner: 'Awa' }),
  'POST /api/v1/conversations/{id}/handback': (c) => c.conversations.handBack('ID'),
  'POST /api/v1/conversations/{id}/messages': (c) => c.conversations.reply('ID', { text: 'x' }),
  'GET /api/v1/events': (c) => c.events.list({ after: 0 }),
  'GET /api/v1/events/stream': (c) => c.events.backlog({ after: 0 }),
  'POST /api/v1/webhook-endpoints': (c) => c.webhooks.create({ url: 'https://hooks.example/x' }),
  'GET /api/v1/webhook-endpoints': (c) => c.webhooks.list(),
  'GET /api/v1/webhook-endpoints/{id}': (c) => c.webhooks.get('ID'),
  'PATCH /api/v1/webhook-endpoints/{id}': (c) => c.webhooks.update('ID', { enabled: false }),
  'DELETE /api/v1/webhook-endpoints/{id}': (c) => c.webhooks.delete('ID'),
  'GET /api/v1/webhook-endpoints/{id}/deliveries': (c) => c.webhooks.deliveries('ID', { status: 'dead' }),
  'POST /api/v1/webhook-deliveries/{id}/replay': (c) => c.webhooks.replay('ID'),
};

describe('client coverage', () => {
  it('has a method for every /api operation of the OpenAPI document', () => {
    const api = OPERATION_KEYS.filter((k) => k.includes(' /api/')).sort();
    expect(Object.keys(calls).sort()).toEqual(api);
  });

  for (const [operation, call] of Object.entries(calls)) {
    it(`calls ${operation}`, async () => {
      const seen: string[] = [];
      const recording: FetchLike = async (input, init) => {
        seen.push(`${init.method} ${new URL(input).pathname}`);
        return new Response(JSON.stringify({ items: [], nextCursor: null }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      };
      await call(new SellifyClient({ baseUrl: 'http://sellify.test', apiKey: 'sk_x', fetch: recording }));
      expect(seen).toEqual([operation.replace('{id}', 'ID')]);
    });
  }
});
