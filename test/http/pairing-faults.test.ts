/**
 * Issue 15: the API fuzzer found a 500 on `POST /channels/{id}/pairing/logout` (a deeply nested
 * JSON body with an Idempotency-Key, on a gateway channel). The cause: the route has no body schema,
 * so nothing refused the body before the idempotency hook hashed it with a recursive walk, which
 * overflowed the stack. This file reproduces it, then holds the pairing routes to the rule for the
 * whole class: bad input is a 4xx with a stable code, a failing gateway is `502 gateway_error`
 * (problem+json, no stack trace), a gateway that does not know the instance or session is
 * `409 pairing_not_ready` (start first), and none of it is ever a 500 or leaves a partial write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultSpec, type Simulator, startSimulator } from '../sim/index.ts';
import { createWorld, problem, type World } from './helpers.ts';

const EVO_SECRET = 'evolution-secret-0123456789';
const WAHA_HMAC = 'waha-hmac-key-0123456789';

const DEEP_ARRAYS = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const DEEP_OBJECTS = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;

let w: World;
let sim: Simulator;

beforeAll(async () => {
  w = await createWorld({}, { allowPrivateGateways: true });
  sim = await startSimulator({ seed: 'pairing-faults', evolution: { pairing: { autoScanMs: null } } });
});

afterAll(async () => {
  await sim?.close();
  await w?.close();
});

let counter = 0;
async function channel(transport: 'evolution' | 'waha', baseUrl?: string): Promise<string> {
  counter++;
  const body =
    transport === 'evolution'
      ? {
          name: `Evolution ${counter}`,
          transport,
          baseUrl: baseUrl ?? sim.evolution.baseUrl,
          instance: `faults-${counter}`,
          apiKey: sim.evolution.apiKey,
          webhookSecret: EVO_SECRET,
        }
      : {
          name: `WAHA ${counter}`,
          transport,
          baseUrl: baseUrl ?? sim.waha.baseUrl,
          session: `faults-${counter}`,
          apiKey: sim.waha.apiKey,
          hmacKey: WAHA_HMAC,
        };
  const res = await w.call('POST', '/api/v1/channels', w.a.admin, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

function raw(method: string, url: string, payload?: string, headers: Record<string, string> = {}) {
  return w.app.inject({
    method: method as 'POST',
    url,
    headers: {
      'x-api-key': w.a.write,
      ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(payload !== undefined ? { payload } : {}),
  });
}

const ROUTES = [
  { method: 'POST', path: '', body: '{}' },
  { method: 'GET', path: '?refresh=true' },
  { method: 'GET', path: '/qr' },
  { method: 'POST', path: '/code', body: '{"phoneNumber":"+2250700000009"}' },
  { method: 'POST', path: '/restart', body: '{}' },
  { method: 'POST', path: '/logout', body: '{}' },
] as const;

/** Asserts a problem+json answer without any trace of the server's internals. */
function expectCleanProblem(res: Awaited<ReturnType<typeof raw>>): { code: string; detail: string } {
  const body = problem(res);
  expect(res.statusCode, res.body).not.toBe(500);
  expect(res.body).not.toMatch(/at .*\.ts:\d+|RangeError|TypeError|stack/);
  return body;
}

describe('the fuzzer’s 500: deep JSON body + Idempotency-Key on pairing/logout', () => {
  for (const [name, payload] of [
    ['5,000 nested arrays', DEEP_ARRAYS],
    ['3,000 nested objects', DEEP_OBJECTS],
  ] as const) {
    it(`refuses ${name} with 400 validation_failed, and the key stays free`, async () => {
      const channelId = await channel('evolution');
      const key = `deep-${name.replace(/\W/g, '')}`;
      const res = await raw('POST', `/api/v1/channels/${channelId}/pairing/logout`, payload, {
        'idempotency-key': key,
      });
      expect(res.statusCode, res.body).toBe(400);
      expect(problem(res)).toMatchObject({
        code: 'validation_failed',
        errors: [{ field: 'body', message: expect.stringMatching(/deeper than 32 levels/) }],
      });
      // Refused before the idempotency hook: the key was never claimed, so it is not a mismatch now.
      const again = await raw('POST', `/api/v1/channels/${channelId}/pairing/logout`, undefined, {
        'idempotency-key': key,
      });
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json()).toMatchObject({ state: 'disconnected', reason: 'logged_out' });
    });
  }
});

describe('every pairing route, both gateways: failures are 4xx or 502, never 500', () => {
  const faults: { name: string; spec: FaultSpec }[] = [
    {
      name: 'a 500 with an HTML page',
      spec: { kind: 'status', status: 500, body: '<html>oops</html>', times: 9 },
    },
    { name: 'a 503 with an empty body', spec: { kind: 'status', status: 503, body: '', times: 9 } },
    { name: 'a 200 that is not JSON', spec: { kind: 'status', status: 200, body: 'OK', times: 9 } },
    {
      name: 'a 200 with fields of the wrong types',
      spec: {
        kind: 'status',
        status: 200,
        body: { instance: { state: 42 }, code: { x: 1 }, status: ['WORKING'], value: 5, count: 'x' },
        times: 9,
      },
    },
    {
      name: 'a 200 {error: true}',
      spec: { kind: 'status', status: 200, body: { error: true, message: 'nope' }, times: 9 },
    },
    {
      name: 'a 2 MB answer',
      spec: { kind: 'status', status: 200, body: 'x'.repeat(2 * 1024 * 1024), times: 9 },
    },
    { name: 'a 401', spec: { kind: 'status', status: 401, body: { message: 'Unauthorized' }, times: 9 } },
    { name: 'a reset socket', spec: { kind: 'reset', times: 9 } },
  ];
  for (const transport of ['evolution', 'waha'] as const) {
    for (const fault of faults) {
      it(`${transport}: ${fault.name}`, async () => {
        const channelId = await channel(transport);
        // Started once for real, so each route meets the fault on a call it really makes.
        const started = await raw('POST', `/api/v1/channels/${channelId}/pairing`, '{}');
        expect(started.statusCode, started.body).toBe(200);
        const outcomes: string[] = [];
        for (const route of ROUTES) {
          sim.faults.clear();
          sim.faults.add({ ...fault.spec, transport });
          const res = await raw(
            route.method,
            `/api/v1/channels/${channelId}/pairing${route.path}`,
            'body' in route ? route.body : undefined,
          );
          sim.faults.clear();
          if (res.statusCode === 200) {
            outcomes.push(`${route.method} ${route.path}: 200`);
            continue;
          }
          const body = expectCleanProblem(res);
          outcomes.push(`${route.method} ${route.path}: ${res.statusCode} ${body.code}`);
          expect([409, 502], `${route.method} ${route.path}: ${res.body}`).toContain(res.statusCode);
          if (res.statusCode === 502) expect(body.code).toBe('gateway_error');
        }
        // A gateway failure answers as one for at least the routes that must reach it.
        expect(outcomes.filter((o) => o.includes('502 gateway_error')).length).toBeGreaterThan(0);
        // The tracked state is still readable and one of the documented states.
        const state = await w.call('GET', `/api/v1/channels/${channelId}/pairing`, w.a.read);
        expect(state.statusCode, state.body).toBe(200);
        expect(['connecting', 'qr', 'connected', 'disconnected', 'failed']).toContain(state.json().state);
      });
    }
  }
});

describe('a gateway that does not have the instance or session', () => {
  for (const transport of ['evolution', 'waha'] as const) {
    it(`${transport}: 409 pairing_not_ready until the pairing starts; logging out is already done`, async () => {
      const channelId = await channel(transport);
      for (const route of ROUTES.filter((r) => r.path !== '' && r.path !== '/logout')) {
        const res = await raw(
          route.method,
          `/api/v1/channels/${channelId}/pairing${route.path}`,
          'body' in route ? route.body : undefined,
        );
        expect({ route: route.path, status: res.statusCode, code: problem(res).code }, res.body).toEqual({
          route: route.path,
          status: 409,
          code: 'pairing_not_ready',
        });
        expect(problem(res).detail).toMatch(/start the pairing/);
      }
      const out = await raw('POST', `/api/v1/channels/${channelId}/pairing/logout`);
      expect(out.statusCode, out.body).toBe(200);
      expect(out.json()).toMatchObject({ state: 'disconnected', reason: 'logged_out' });
      // Then the start creates it, as the 409 said.
      const started = await raw('POST', `/api/v1/channels/${channelId}/pairing`, '{}');
      expect(started.statusCode, started.body).toBe(200);
    });
  }

  it('a gateway that is down: 502 gateway_error on every route, nothing recorded', async () => {
    const channelId = await channel('evolution', 'http://127.0.0.1:9');
    for (const route of ROUTES) {
      const res = await raw(
        route.method,
        `/api/v1/channels/${channelId}/pairing${route.path}`,
        'body' in route ? route.body : undefined,
      );
      expect({ status: res.statusCode, code: expectCleanProblem(res).code }, res.body).toEqual({
        status: 502,
        code: 'gateway_error',
      });
    }
    const events = await w.store.tx(w.a.id, (r) => r.events.listAfter(0, { limit: 1000 }));
    expect(events.filter((e) => e.channelId === channelId)).toEqual([]);
  });
});

describe('a stored instance or session name no gateway URL can carry', () => {
  it('is 422 pairing_unsupported, not a thrown error', async () => {
    // Written past the channel routes (which refuse "." and ".."), as an older version or a script could.
    const created = await w.store.tx(w.a.id, (r) =>
      r.channels.create({
        name: 'Odd',
        transport: 'evolution',
        credentials: {
          baseUrl: sim.evolution.baseUrl,
          apiKey: 'k',
          instance: '..',
          webhookSecret: EVO_SECRET,
        },
      }),
    );
    for (const route of ROUTES) {
      const res = await raw(
        route.method,
        `/api/v1/channels/${created.id}/pairing${route.path}`,
        'body' in route ? route.body : undefined,
      );
      expect({ status: res.statusCode, code: expectCleanProblem(res).code }).toEqual({
        status: 422,
        code: 'pairing_unsupported',
      });
    }
  });
});
