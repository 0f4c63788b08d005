/**
 * API fuzzing: requests generated from the app's own /openapi.json against every route of the real
 * app in process (app.inject). Valid bodies with boundary values, bodies broken in one place,
 * malformed JSON, bodies over the limit, hostile strings (SQL/NoSQL injection, path traversal, CRLF,
 * NUL, lone surrogates, right-to-left marks, emoji), junk in path parameters and queries, random
 * methods and paths, junk Idempotency-Key / X-API-Key / X-Request-Id headers — with a valid admin
 * key most of the time so the handlers run. No answer may be a 5xx, every 4xx must be
 * problem+json with a code from the catalogue, and the process must still answer /health.
 *
 * The pairing routes call the channel's own gateway: the world runs the simulated Evolution and WAHA
 * gateways, their channels are the ids those routes are given most often, and each pairing request
 * may meet a gateway fault (an error status with a junk body, a 200 with a junk body, a reset
 * socket) or a gateway whose clock moved on (QR codes refreshed, the QR limit reached). A gateway
 * failure must be a 502 `gateway_error`, never a 5xx of Sellify's own (issue 15).
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/http/errors.ts';
import { ENV_KEY, seedConversation } from '../http/helpers.ts';
import type { FaultSpec } from '../sim/index.ts';
import { createFuzzWorld, type FuzzWorld } from './lib/app.ts';
import { recordResult, sizeOf } from './lib/env.ts';
import { HOSTILE_STRINGS, hostileString, invalidArb, type JsonSchema, validArb } from './lib/schema-arb.ts';

const RUNS = sizeOf('RELIABILITY_FUZZ_RUNS', { ci: 10_000, full: 100_000 });
const SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? 20_261_127);
const CODES = new Set<string>(ERROR_CODES);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

interface Operation {
  method: string;
  path: string;
  pathParams: { name: string; schema: JsonSchema }[];
  query: { name: string; schema: JsonSchema; required: boolean }[];
  body?: JsonSchema;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  remoteAddress: string;
  /** The operation (or 'random') it came from, for the figures. */
  label: string;
  /** For a pairing route: what the gateway does during this request. */
  gateway?: GatewayStep;
}

/** What the simulated gateways do during one pairing request. */
type GatewayStep =
  | { kind: 'normal' }
  | { kind: 'fault'; fault: FaultSpec }
  /** The gateways' clock moves on first (QR codes refresh, WAHA gives up after 6, Evolution after 30). */
  | { kind: 'advance'; ms: number };

let world: FuzzWorld;
let operations: Operation[] = [];
/** Ids the app handed out, by prefix, so later requests hit existing resources too. */
const known = new Map<string, string[]>();
let keys: { admin: string; otherAdmin: string; read: string; write: string };
/** Channels on the simulated gateways (and one on a gateway that is down), with their tenant's key. */
const gatewayChannels: { id: string; key: string }[] = [];

function remember(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const id = (value as { id?: unknown }).id;
  if (typeof id === 'string' && /^[a-z]{3}_[A-Za-z0-9]+$/.test(id)) {
    const prefix = id.slice(0, 3);
    const list = known.get(prefix) ?? [];
    if (!list.includes(id)) list.push(id);
    if (list.length > 50) list.shift();
    known.set(prefix, list);
  }
}

function operationsOf(doc: {
  paths: Record<string, Record<string, { parameters?: unknown[]; requestBody?: unknown }>>;
}): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? []) as {
        in: string;
        name: string;
        schema: JsonSchema;
        required?: boolean;
      }[];
      const body = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
        ?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema })),
        query: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema, required: p.required === true })),
        ...(body ? { body } : {}),
      });
    }
  }
  return out;
}

const anyMethod = fc.constantFrom(...METHODS);

/** A path parameter: an id that exists, one that matches the pattern, or junk; usually encoded. */
function pathParamArb(schema: JsonSchema, pairing: boolean): fc.Arbitrary<string> {
  const prefix = schema.pattern ? /\^([a-z]{3})_/.exec(schema.pattern)?.[1] : undefined;
  const existing =
    prefix === undefined
      ? fc.constant('x')
      : pairing && prefix === 'chn' && gatewayChannels.length > 0
        ? fc.constantFrom(...gatewayChannels.map((c) => c.id))
        : fc.constant(null).map(() => {
            const list = known.get(prefix) ?? [];
            return list.length > 0 ? list[Math.floor(list.length / 2)]! : `${prefix}_missing`;
          });
  return fc
    .tuple(
      fc.oneof(
        { weight: 4, arbitrary: existing },
        { weight: 3, arbitrary: validArb(schema) as fc.Arbitrary<string> },
        { weight: 3, arbitrary: hostileString },
        { weight: 1, arbitrary: fc.constant('x'.repeat(5000)) },
      ),
      fc.nat(9),
    )
    .map(([v, n]) => {
      const raw = String(v);
      // Mostly encoded as a client would; sometimes raw, so the router sees odd bytes itself.
      if (n === 0 && /^[\x21-\x7e]*$/.test(raw)) return raw;
      return encodeURIComponent(raw.replace(/[\ud800-\udfff]/g, '\ufffd'));
    });
}

function queryArb(op: Operation): fc.Arbitrary<string> {
  const entries = op.query.map((q) =>
    fc.option(
      fc.oneof(
        { weight: 3, arbitrary: validArb(q.schema) },
        { weight: 2, arbitrary: invalidArb(q.schema) },
        { weight: 1, arbitrary: hostileString },
      ),
      { freq: 2 },
    ),
  );
  return fc
    .tuple(
      fc.tuple(...entries),
      fc.option(fc.tuple(fc.constantFrom('extra', 'limit', '__proto__', 'cursor[]', ''), hostileString)),
      fc.nat(19),
    )
    .map(([values, extra, n]) => {
      if (n === 0) return '?%%%&&=&limit=%ZZ';
      const params: string[] = [];
      op.query.forEach((q, i) => {
        const v = values[i];
        if (v === null || v === undefined) return;
        const text = typeof v === 'string' ? v : JSON.stringify(v);
        params.push(
          `${encodeURIComponent(q.name)}=${encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd'))}`,
        );
      });
      if (extra)
        params.push(
          `${encodeURIComponent(extra[0])}=${encodeURIComponent(extra[1].replace(/[\ud800-\udfff]/g, '\ufffd'))}`,
        );
      return params.length > 0 ? `?${params.join('&')}` : '';
    });
}

/** JSON text with lone surrogates kept (JSON.stringify escapes them as \udXXX, which is valid JSON). */
const json = (v: unknown) => JSON.stringify(v) ?? 'null';

const malformedBody = fc.oneof(
  fc.constantFrom(
    '',
    '{',
    '}',
    '[',
    '{"name":',
    '{"name": "a",}',
    "{'name': 'a'}",
    'null',
    'true',
    '0',
    '"just a string"',
    '{"a":1}{"b":2}',
    '{"a":1} trailing',
    '\u0000',
    '\ufeff{"name":"bom"}',
    `{"price": ${'9'.repeat(400)}}`,
    '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** Bodies over the 256 KiB API limit (and the 3 MB webhook limit for the random paths). */
const hugeBody = fc.constantFrom(
  json({ name: 'x'.repeat(300 * 1024) }),
  json({ items: Array.from({ length: 40_000 }, (_, i) => i) }),
  'x'.repeat(3 * 1024 * 1024 + 10),
);

function bodyArb(op: Operation): fc.Arbitrary<{ payload?: string; contentType?: string }> {
  const asJson = (a: fc.Arbitrary<unknown>) =>
    a.map((v) => ({ payload: json(v), contentType: 'application/json' }));
  const wrongType = fc
    .tuple(
      fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'application/xml',
        'application/json; charset=latin1',
        'application/problem+json',
        '',
      ),
      op.body ? validArb(op.body) : fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([contentType, v]) => ({ payload: json(v), contentType }));
  const none = fc.constant({});
  if (!op.body) {
    return fc.oneof(
      { weight: 8, arbitrary: none },
      { weight: 1, arbitrary: asJson(fc.jsonValue({ maxDepth: 2 })) },
      {
        weight: 1,
        arbitrary: malformedBody.map((payload) => ({ payload, contentType: 'application/json' })),
      },
    );
  }
  return fc.oneof(
    { weight: 10, arbitrary: asJson(validArb(op.body)) },
    { weight: 5, arbitrary: asJson(invalidArb(op.body)) },
    { weight: 2, arbitrary: malformedBody.map((payload) => ({ payload, contentType: 'application/json' })) },
    { weight: 1, arbitrary: hugeBody.map((payload) => ({ payload, contentType: 'application/json' })) },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: none },
  );
}

function headersArb(): fc.Arbitrary<Record<string, string>> {
  const key = fc.oneof(
    { weight: 12, arbitrary: fc.constant(ENV_KEY) },
    { weight: 3, arbitrary: fc.constant(null).map(() => keys.admin) },
    { weight: 1, arbitrary: fc.constant(null).map(() => keys.otherAdmin) },
    { weight: 1, arbitrary: fc.constant(null).map(() => keys.read) },
    { weight: 1, arbitrary: fc.constant(null).map(() => keys.write) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'sk_',
        'sk_short',
        `sk_${'A'.repeat(300)}`,
        `${ENV_KEY}x`,
        ENV_KEY.toUpperCase(),
        'Bearer sk_x',
        '',
        ' ',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 80,
  });
  return fc
    .record({
      key,
      bearer: fc.boolean(),
      idempotency: fc.option(
        fc.oneof(printable, fc.constantFrom('', ' ', 'k'.repeat(1000), 'same-key-every-time')),
        { freq: 3 },
      ),
      requestId: fc.option(printable, { freq: 5 }),
      extra: fc.dictionary(
        fc.constantFrom(
          'x-forwarded-for',
          'x-real-ip',
          'origin',
          'accept',
          'accept-encoding',
          'x-hub-signature-256',
          'x-sellify-token',
          'authorization',
          'cookie',
          'range',
          'if-none-match',
          'x-http-method-override',
        ),
        fc.oneof(
          { weight: 9, arbitrary: printable },
          // CR/LF and NUL would be refused by Node's HTTP parser on a real socket; inject hands
          // them to the app as they are, so the app itself is shown not to choke on them.
          {
            weight: 1,
            arbitrary: fc.constantFrom(
              'a\r\nx-injected: 1',
              'nul\u0000',
              '\r\n\r\nGET / HTTP/1.1',
              'tab\tok',
              'caf\u00e9',
            ),
          },
        ),
        { maxKeys: 3 },
      ),
    })
    .map(({ key, bearer, idempotency, requestId, extra }) => {
      const headers: Record<string, string> = { ...extra };
      if (key !== undefined) {
        if (bearer) headers.authorization = `Bearer ${key}`;
        else headers['x-api-key'] = key;
      }
      if (idempotency !== null) headers['idempotency-key'] = idempotency;
      if (requestId !== null) headers['x-request-id'] = requestId;
      return headers;
    });
}

const junkBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    '<html><body>502 Bad Gateway</body></html>',
    '',
    '{"error": true}',
    '{"error": true, "message": "Connection Closed"}',
    '{"status": 404, "error": "Not Found", "response": {"message": ["The \\"x\\" instance does not exist"]}}',
    '{"instance": {"state": "refused"}}',
    '{"instance": {"state": 42}}',
    '{"count": 0}',
    '{"code": "", "pairingCode": null, "base64": 7}',
    '{"code": 12, "base64": "data:image/png;base64,AAAA", "count": -1}',
    '{"status": "FAILED"}',
    '{"status": ["WORKING"], "me": "x"}',
    '{"value": 5}',
    '{"mimetype": "image/png", "data": {"a": 1}}',
    '{"code": {"nested": true}}',
    'x'.repeat(2 * 1024 * 1024),
  ),
);

/** Mostly a gateway that answers as documented; sometimes a fault, or time moved on. */
const gatewayStep: fc.Arbitrary<GatewayStep> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<GatewayStep>({ kind: 'normal' }) },
  {
    weight: 3,
    arbitrary: fc
      .record({
        transport: fc.constantFrom('evolution' as const, 'waha' as const),
        status: fc.constantFrom(200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503),
        body: junkBody,
        times: fc.integer({ min: 1, max: 3 }),
      })
      .map(({ transport, status, body, times }) => ({
        kind: 'fault' as const,
        fault: { transport, times, kind: 'status' as const, status, body },
      })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('evolution' as const, 'waha' as const).map((transport) => ({
      kind: 'fault' as const,
      fault: { transport, kind: 'reset' as const },
    })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(5_000, 20_000, 65_000, 200_000, 1_300_000).map((ms) => ({
      kind: 'advance' as const,
      ms,
    })),
  },
);

function operationRequest(op: Operation): fc.Arbitrary<FuzzRequest> {
  const pairing = op.path.includes('/pairing');
  const path = fc.tuple(...op.pathParams.map((p) => pathParamArb(p.schema, pairing))).map((values) => {
    let p = op.path;
    op.pathParams.forEach((param, i) => {
      p = p.replace(`{${param.name}}`, values[i]!);
    });
    return p;
  });
  return fc
    .record({
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: anyMethod }),
      path,
      query: queryArb(op),
      body: bodyArb(op),
      headers: headersArb(),
      remoteAddress: fc.ipV4(),
      gateway: pairing ? gatewayStep : fc.constant(undefined),
    })
    .map(({ method, path, query, body, headers, remoteAddress, gateway }) => ({
      method,
      // The event stream follows the log until the client leaves; the fuzzer reads whole answers.
      url: op.path.endsWith('/stream')
        ? `${path}${query}${query === '' ? '?' : '&'}follow=false`
        : `${path}${query}`,
      headers: body.contentType === undefined ? headers : { ...headers, 'content-type': body.contentType },
      ...(body.payload === undefined ? {} : { payload: body.payload }),
      remoteAddress,
      label: `${op.method} ${op.path}`,
      ...(gateway !== undefined ? { gateway } : {}),
    }));
}

/**
 * A well-formed pairing request (the channel's own tenant key, a valid body, now and then an
 * Idempotency-Key) on a gateway channel: the handlers run to the gateway and back, which the
 * generic requests above, broken somewhere most of the time, rarely reach.
 */
function pairingRequest(ops: Operation[]): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      op: fc.constantFrom(...ops),
      channel: fc.constantFrom(...gatewayChannels),
      refresh: fc.boolean(),
      phone: fc.stringMatching(/^\+?[1-9][0-9]{7,13}$/),
      withPhone: fc.boolean(),
      idempotency: fc.option(fc.uuid(), { freq: 3 }),
      gateway: gatewayStep,
    })
    .map(({ op, channel, refresh, phone, withPhone, idempotency, gateway }) => {
      const path = op.path.replace('{id}', channel.id);
      const body =
        op.path.endsWith('/code') || (op.method === 'POST' && op.path.endsWith('/pairing') && withPhone)
          ? JSON.stringify({ phoneNumber: phone })
          : op.method === 'POST'
            ? '{}'
            : undefined;
      return {
        method: op.method,
        url: op.method === 'GET' && op.path.endsWith('/pairing') && refresh ? `${path}?refresh=true` : path,
        headers: {
          'x-api-key': channel.key,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(idempotency !== null ? { 'idempotency-key': idempotency } : {}),
        },
        ...(body !== undefined ? { payload: body } : {}),
        remoteAddress: '198.51.100.7',
        label: `${op.method} ${op.path}`,
        gateway,
      };
    });
}

const randomPathRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: anyMethod,
    path: fc.oneof(
      fc.constantFrom(
        '/',
        '//',
        '/api',
        '/api/v1',
        '/api/v1/',
        '/api/v2/channels',
        '/api/v1/channels/',
        '/api/v1/channels//messages',
        '/api/v1/../../etc/passwd',
        '/api/v1/%2e%2e/%2e%2e/etc/passwd',
        '/api/v1/channels/%00',
        '/api/v1/channels/%E0%A4%A',
        '/API/V1/CHANNELS',
        '/docs',
        '/docs/json',
        '/openapi.json',
        '/metrics',
        '/health/',
        '/ready?x=1',
        '/webhooks/whatsapp',
        '/webhooks/sandbox/chn_missing',
        '/webhooks/evolution/..%2f..%2f',
        '/webhooks/waha/chn_x',
        `/api/v1/${'a'.repeat(9000)}`,
      ),
      fc
        .array(
          fc.oneof(
            fc.constantFrom('api', 'v1', 'channels', 'keys', '..', '.', '%2F', 'webhooks'),
            hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))),
          ),
          { maxLength: 5 },
        )
        .map((segments) => `/${segments.join('/')}`),
    ),
    headers: headersArb(),
    body: fc.option(fc.oneof(malformedBody, fc.jsonValue({ maxDepth: 2 }).map(json))),
    remoteAddress: fc.ipV4(),
  })
  .map(({ method, path, headers, body, remoteAddress }) => ({
    method,
    url: path,
    headers: body === null ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === null ? {} : { payload: body }),
    remoteAddress,
    label: 'random path',
  }));

/** Node refuses to put some header values or URLs on the wire; those requests never reach a server. */
function unsendable(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return [
    'ERR_INVALID_CHAR',
    'ERR_INVALID_HTTP_TOKEN',
    'ERR_HTTP_INVALID_HEADER_VALUE',
    'ERR_INVALID_URL',
  ].includes(code);
}

describe(`API fuzzing from /openapi.json: ${RUNS} requests, seed ${SEED}`, () => {
  beforeAll(async () => {
    world = await createFuzzWorld({ gateways: true });
    const doc = (await world.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    operations = operationsOf(doc);
    keys = {
      admin: world.a.admin,
      otherAdmin: world.b.admin,
      read: world.a.read,
      write: world.a.write,
    };
    // Some resources to find: a channel, a contact with a message, a product, for both tenants.
    for (const key of [ENV_KEY, world.a.admin]) {
      const seeded = await seedConversation(world, key);
      remember({ id: seeded.channelId });
      remember({ id: seeded.contactId });
      remember({ id: seeded.messageId });
      const product = await world.call('POST', '/api/v1/products', key, {
        name: 'Sac noir',
        price: 15000,
        currency: 'XOF',
        stock: 3,
      });
      remember(product.json());
    }
    // Channels on the simulated gateways for both tenants, and one whose gateway is down.
    const sim = world.sim!;
    for (const key of [ENV_KEY, world.a.admin]) {
      for (const body of [
        {
          name: 'Evolution',
          transport: 'evolution',
          baseUrl: sim.evolution.baseUrl,
          instance: `fuzz-${gatewayChannels.length}`,
          apiKey: sim.evolution.apiKey,
          webhookSecret: 'fuzz-evolution-secret-0123456789',
        },
        {
          name: 'WAHA',
          transport: 'waha',
          baseUrl: sim.waha.baseUrl,
          session: `fuzz-${gatewayChannels.length}`,
          apiKey: sim.waha.apiKey,
          hmacKey: 'fuzz-waha-hmac-0123456789',
        },
        {
          name: 'Evolution, down',
          transport: 'evolution',
          baseUrl: 'http://127.0.0.1:9',
          instance: 'down',
          apiKey: 'k',
          webhookSecret: 'fuzz-evolution-secret-0123456789',
        },
      ]) {
        const res = await world.call('POST', '/api/v1/channels', key, body);
        expect(res.statusCode, res.body).toBe(201);
        gatewayChannels.push({ id: res.json().id as string, key });
      }
    }
  });

  afterAll(async () => {
    await world?.close();
  });

  it('covers every operation of the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  it(`answers ${RUNS} generated requests without a 5xx, every 4xx problem+json with a catalogue code, and still answers /health`, {
    timeout: 3_600_000,
  }, async () => {
    const byStatus = new Map<number, number>();
    const byCode = new Map<string, number>();
    const byLabel = new Map<string, number>();
    let sent = 0;
    let notSendable = 0;
    /** Requests with CR, LF or NUL in a header value (inject hands them to the app as they are). */
    let controlCharHeaders = 0;
    /** Pairing requests by operation and status; 502 gateway_error answers in all. */
    const pairing = new Map<string, Record<string, number>>();
    let gatewayErrors = 0;
    const request = fc.oneof(
      { weight: 9, arbitrary: fc.constantFrom(...operations).chain(operationRequest) },
      {
        weight: 1,
        arbitrary: pairingRequest(operations.filter((op) => op.path.includes('/pairing'))),
      },
      { weight: 1, arbitrary: randomPathRequest },
    );
    const property = fc.asyncProperty(request, async (req) => {
      let res: Awaited<ReturnType<typeof world.app.inject>>;
      const sim = world.sim!;
      sim.faults.clear();
      if (req.gateway?.kind === 'fault') sim.faults.add(req.gateway.fault);
      if (req.gateway?.kind === 'advance') await sim.clock.advance(req.gateway.ms);
      try {
        res = await world.app.inject({
          method: req.method as InjectOptions['method'],
          url: req.url,
          headers: req.headers,
          remoteAddress: req.remoteAddress,
          ...(req.payload === undefined ? {} : { payload: req.payload }),
        });
      } catch (err) {
        if (unsendable(err)) {
          notSendable++;
          return;
        }
        throw err;
      }
      sent++;
      if (Object.values(req.headers).some((v) => /[\r\n\0]/.test(v))) controlCharHeaders++;
      byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
      byLabel.set(req.label, (byLabel.get(req.label) ?? 0) + 1);
      const where = `${req.method} ${req.url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
      if (req.gateway !== undefined) {
        const outcome = `${res.statusCode}`;
        const counts = pairing.get(req.label) ?? {};
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        pairing.set(req.label, counts);
      }
      // The one 5xx allowed: the channel's gateway failed, said as such (502 gateway_error).
      const gatewayFailed =
        req.gateway !== undefined && res.statusCode === 502 && res.body.includes('"code":"gateway_error"');
      if (res.statusCode >= 500 && !gatewayFailed) throw new Error(`5xx: ${where}`);
      if (gatewayFailed) gatewayErrors++;
      if (res.statusCode >= 200 && res.statusCode < 300 && req.method !== 'HEAD') {
        try {
          remember(res.json());
        } catch {
          // Not JSON (metrics, docs): nothing to remember.
        }
      }
      if (res.statusCode >= 400) {
        const type = String(res.headers['content-type'] ?? '');
        if (!type.startsWith('application/problem+json'))
          throw new Error(`4xx without problem+json (${type}): ${where}`);
        if (req.method === 'HEAD') return;
        const body = res.json() as { code?: string; status?: number };
        if (!CODES.has(String(body.code))) throw new Error(`4xx with an unknown code: ${where}`);
        if (body.status !== res.statusCode)
          throw new Error(`problem status differs from the HTTP status: ${where}`);
        byCode.set(String(body.code), (byCode.get(String(body.code)) ?? 0) + 1);
      }
    });
    try {
      await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
    } catch (err) {
      console.error(`[fuzz-api] failed with seed ${SEED} (RELIABILITY_FUZZ_SEED=${SEED} reproduces it)`);
      throw err;
    }
    const health = await world.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    // The pairing routes were fuzzed for real: their handlers answered (2xx) and met failing gateways.
    const pairingStatuses = [...pairing.values()].flatMap((c) => Object.entries(c));
    expect(pairingStatuses.some(([s]) => s.startsWith('2'))).toBe(true);
    expect(gatewayErrors).toBeGreaterThan(0);
    const statuses = Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0]));
    recordResult('fuzz-api', {
      seed: SEED,
      runs: RUNS,
      sent,
      notSendable,
      controlCharHeaders,
      operations: operations.length,
      statuses,
      twoHundreds: [...byStatus].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0),
      fiveHundreds: [...byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0),
      codes: Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])),
      perOperation: Object.fromEntries([...byLabel].sort()),
      pairing: Object.fromEntries([...pairing].sort()),
      gatewayErrors,
      hostileStrings: HOSTILE_STRINGS.length,
    });
  });
});
