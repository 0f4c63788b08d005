/**
 * Webhook fuzzing: genuine signed webhooks of each transport (made by the simulator, captured
 * before delivery) are altered — bits flipped in the body or in the signature, the signature
 * dropped, the body cut short, a signature of another body — and posted to the real app in process
 * with the real inbound pipeline behind it. Every altered request must be refused (400 or 401),
 * or, for a Cloud body whose flipped bits changed or hid the phone number id (so no channel, and no
 * app secret, can be found for it), ignored with a 200 that stores nothing: the route answers Meta
 * 200 for numbers that are not ours, so it does not retry them for a week.
 * Nothing may be stored: messages, contacts, decisions, health events and jobs are counted after
 * every request. The unaltered originals are accepted at the end, so the refusals are the
 * alterations' doing.
 *
 * Evolution and the sandbox carry no body signature (a per-channel secret token in a header), so
 * for them the token is what is altered: a body changed in transit with the right token is, by the
 * transport's design, indistinguishable from a genuine one.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV_KEY } from '../http/helpers.ts';
import { type Simulator, startSimulator } from '../sim/index.ts';
import { type Receiver, startReceiver } from '../sim/receiver.ts';
import { createFuzzWorld, type FuzzWorld } from './lib/app.ts';
import { recordResult, sizeOf } from './lib/env.ts';

const RUNS = sizeOf('RELIABILITY_WEBHOOK_FUZZ_RUNS', { ci: 2_000, full: 20_000 });
const SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? 20_261_127);
const TRANSPORTS = ['cloud', 'evolution', 'waha', 'sandbox'] as const;
type Transport = (typeof TRANSPORTS)[number];
const EVOLUTION_SECRET = 'evolution-channel-secret-0123456789';
const WAHA_HMAC = 'waha-hmac-key-0123456789';
const SANDBOX_SECRET = 'whs_sandbox-secret-0123456789abcdef';

interface Captured {
  transport: Transport;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The header holding the signature or the token. */
  signatureHeader: string;
}

let world: FuzzWorld;
let sim: Simulator;
let receiver: Receiver;
const captured = new Map<Transport, Captured[]>();

async function counts(): Promise<string> {
  const { rows } = await world.db.exec(
    `SELECT (SELECT count(*) FROM messages) AS messages, (SELECT count(*) FROM contacts) AS contacts,
            (SELECT count(*) FROM decisions) AS decisions, (SELECT count(*) FROM health_events) AS health,
            (SELECT count(*) FROM pgboss.job) AS jobs`,
  );
  return JSON.stringify(rows[0]);
}

function headersOf(
  raw: Record<string, string | string[] | undefined>,
  keep: string[],
): Record<string, string> {
  const out: Record<string, string> = { 'content-type': 'application/json' };
  for (const k of keep) {
    const v = raw[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/** What the receiver got since `from`, as posts to the app's webhook route. */
function take(transport: Transport, from: number, path: string, signatureHeader: string, keep: string[]) {
  const list = captured.get(transport) ?? [];
  for (const r of receiver.requests.slice(from)) {
    list.push({
      transport,
      url: path,
      headers: headersOf(r.headers, keep),
      body: r.rawBody,
      signatureHeader,
    });
  }
  captured.set(transport, list);
}

async function createChannel(body: Record<string, unknown>): Promise<{ id: string; webhookPath: string }> {
  const res = await world.call('POST', '/api/v1/channels', ENV_KEY, body);
  if (res.statusCode !== 201) throw new Error(`channel: ${res.statusCode} ${res.body}`);
  return res.json();
}

function flipBits(buf: Buffer, positions: number[]): Buffer {
  const out = Buffer.from(buf);
  for (const p of positions) {
    const bit = p % (out.length * 8);
    out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
  }
  return out;
}

type Alteration =
  | { kind: 'flip-body'; bits: number[] }
  | { kind: 'flip-signature'; bits: number[] }
  | { kind: 'flip-both'; bits: number[]; signatureBits: number[] }
  | { kind: 'drop-signature' }
  | { kind: 'truncate-body'; keep: number }
  | { kind: 'other-signature'; from: number };

const bits = fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 3 });
const alteration: fc.Arbitrary<Alteration> = fc.oneof(
  { weight: 5, arbitrary: bits.map((b) => ({ kind: 'flip-body' as const, bits: b })) },
  { weight: 4, arbitrary: bits.map((b) => ({ kind: 'flip-signature' as const, bits: b })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(bits, bits)
      .map(([b, s]) => ({ kind: 'flip-both' as const, bits: b, signatureBits: s })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop-signature' as const }) },
  { weight: 1, arbitrary: fc.nat(100_000).map((keep) => ({ kind: 'truncate-body' as const, keep })) },
  { weight: 1, arbitrary: fc.nat(1000).map((from) => ({ kind: 'other-signature' as const, from })) },
);

/** Applies the alteration; token transports (no body signature) always get a bad or missing token. */
function alter(
  original: Captured,
  a: Alteration,
  pool: Captured[],
): { headers: Record<string, string>; body: Buffer } {
  const headers = { ...original.headers };
  let body = original.body;
  const signature = headers[original.signatureHeader] ?? '';
  const tokenOnly = original.transport === 'evolution' || original.transport === 'sandbox';
  const flipSignature = (b: number[]) => {
    const flipped = flipBits(Buffer.from(signature, 'latin1'), b).toString('latin1');
    // A flipped bit may land on a byte a header cannot carry; HTTP clients refuse those, so the
    // byte is replaced by a printable one that still differs from the original.
    headers[original.signatureHeader] = [...flipped]
      .map((ch, i) => (/[\x21-\x7e]/.test(ch) ? ch : signature[i] === 'x' ? 'y' : 'x'))
      .join('');
    if (headers[original.signatureHeader] === signature) headers[original.signatureHeader] = `${signature}x`;
  };
  switch (a.kind) {
    case 'flip-body':
      body = flipBits(body, a.bits);
      if (tokenOnly) flipSignature(a.bits);
      break;
    case 'flip-signature':
      flipSignature(a.bits);
      break;
    case 'flip-both':
      body = flipBits(body, a.bits);
      flipSignature(a.signatureBits);
      break;
    case 'drop-signature':
      delete headers[original.signatureHeader];
      break;
    case 'truncate-body':
      body = body.subarray(0, a.keep % Math.max(1, body.length));
      if (tokenOnly) delete headers[original.signatureHeader];
      break;
    case 'other-signature': {
      const other = pool[a.from % pool.length]!;
      if (other.body.equals(original.body) || tokenOnly) flipSignature([a.from + 1]);
      else headers[original.signatureHeader] = other.headers[original.signatureHeader] ?? '';
      break;
    }
  }
  return { headers, body };
}

describe(`webhook fuzzing: ${RUNS} altered webhooks of each transport, seed ${SEED}`, () => {
  const figures: Record<string, Record<string, number>> = {};

  beforeAll(async () => {
    world = await createFuzzWorld();
    receiver = await startReceiver();
    sim = await startSimulator({
      seed: `webhook-fuzz-${SEED}`,
      clock: { mode: 'manual' },
      webhookTargets: { cloud: `${receiver.url}/cloud` },
    });
    const n = sim.cloud.defaultNumber;
    await createChannel({
      name: 'Cloud',
      transport: 'cloud',
      phoneNumberId: n.phoneNumberId,
      accessToken: n.accessToken,
      appSecret: n.appSecret,
      verifyToken: n.verifyToken,
    });
    const evolution = await createChannel({
      name: 'Evolution',
      transport: 'evolution',
      baseUrl: sim.evolution.baseUrl,
      instance: 'sellify',
      apiKey: 'sim-evolution-key',
      webhookSecret: EVOLUTION_SECRET,
    });
    const waha = await createChannel({
      name: 'WAHA',
      transport: 'waha',
      baseUrl: sim.waha.baseUrl,
      session: 'default',
      apiKey: 'sim-waha-key',
      hmacKey: WAHA_HMAC,
    });
    const sandbox = await createChannel({
      name: 'Sandbox',
      transport: 'sandbox',
      webhookSecret: SANDBOX_SECRET,
    });
    sim.evolution.setWebhook('sellify', {
      enabled: true,
      url: `${receiver.url}/evolution`,
      headers: { 'X-Sellify-Token': EVOLUTION_SECRET },
      events: [],
    });
    sim.waha.defaultSession.webhooks = [
      { url: `${receiver.url}/waha`, events: ['message'], hmacKey: WAHA_HMAC, customHeaders: {} },
    ];

    const texts = ["Bonjour, c'est combien le sac noir ?", 'STOP', 'Je veux commander 2 sacs 😀', 'مرحبا'];
    for (const [i, text] of texts.entries()) {
      const from = `+22507${String(1000 + i).padStart(8, '0')}`;
      let at = receiver.requests.length;
      await sim.cloud.inbound({ from, text, name: 'Awa' });
      await sim.settle();
      take('cloud', at, '/webhooks/whatsapp', 'x-hub-signature-256', ['x-hub-signature-256']);
      at = receiver.requests.length;
      await sim.evolution.inbound({ from, text });
      await sim.settle();
      take('evolution', at, evolution.webhookPath, 'x-sellify-token', ['x-sellify-token']);
      at = receiver.requests.length;
      await sim.waha.inbound({ from, text });
      await sim.settle();
      take('waha', at, waha.webhookPath, 'x-webhook-hmac', ['x-webhook-hmac', 'x-webhook-hmac-algorithm']);
      const body = Buffer.from(JSON.stringify({ from, text, id: `sbx_${i}`, name: 'Awa' }));
      const list = captured.get('sandbox') ?? [];
      list.push({
        transport: 'sandbox',
        url: sandbox.webhookPath,
        headers: { 'content-type': 'application/json', 'x-sellify-token': SANDBOX_SECRET },
        body,
        signatureHeader: 'x-sellify-token',
      });
      captured.set('sandbox', list);
    }
  });

  afterAll(async () => {
    await sim?.close();
    await receiver?.close();
    await world?.close();
    if (Object.keys(figures).length > 0)
      recordResult('fuzz-webhooks', { seed: SEED, runsPerTransport: RUNS, outcomes: figures });
  });

  it('captured genuine webhooks of every transport', () => {
    for (const t of TRANSPORTS) expect(captured.get(t)?.length ?? 0, t).toBeGreaterThan(0);
  });

  it('refuses with 400 an authentic webhook whose message id is too long to store, and stores nothing', async () => {
    const sandbox = captured.get('sandbox')![0]!;
    const before = await counts();
    const longId = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join(
      '',
    );
    const res = await world.app.inject({
      method: 'POST',
      url: sandbox.url,
      headers: sandbox.headers,
      payload: JSON.stringify({ from: '+2250700009999', text: 'Bonjour', id: longId }),
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().code).toBe('payload_invalid');
    expect(await counts()).toBe(before);
  });

  for (const transport of TRANSPORTS) {
    it(`${transport}: refuses every altered webhook (400/401) and stores nothing; accepts the originals`, {
      timeout: 1_800_000,
    }, async () => {
      const pool = captured.get(transport)!;
      const before = await counts();
      const outcome: Record<string, number> = {};
      const property = fc.asyncProperty(fc.nat(pool.length - 1), alteration, async (index, a) => {
        const original = pool[index]!;
        const { headers, body } = alter(original, a, pool);
        if (
          body.equals(original.body) &&
          headers[original.signatureHeader] === original.headers[original.signatureHeader]
        )
          return; // the alteration cancelled itself out (the same bit flipped twice)
        const res = await world.app.inject({ method: 'POST', url: original.url, headers, payload: body });
        const ignored =
          transport === 'cloud' &&
          res.statusCode === 200 &&
          (res.json() as { received?: number; ignored?: string }).received === 0 &&
          ['unknown_phone_number_id', 'no_phone_number_id'].includes(
            String((res.json() as { ignored?: string }).ignored),
          );
        const key = `${a.kind} → ${res.statusCode}${ignored ? ' ignored' : ''}`;
        outcome[key] = (outcome[key] ?? 0) + 1;
        if (res.statusCode !== 400 && res.statusCode !== 401 && !ignored) {
          throw new Error(`${a.kind} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
        }
        const after = await counts();
        if (after !== before) throw new Error(`${a.kind} stored something: ${before} → ${after}`);
      });
      try {
        await fc.assert(property, { seed: SEED, numRuns: RUNS, endOnFailure: true });
      } catch (err) {
        console.error(`[fuzz-webhooks] ${transport} failed with seed ${SEED}`);
        throw err;
      }
      figures[transport] = outcome;
      expect(await counts()).toBe(before);

      // The originals themselves are accepted, so what was refused was refused for the alteration.
      for (const original of pool) {
        const res = await world.app.inject({
          method: 'POST',
          url: original.url,
          headers: original.headers,
          payload: original.body,
        });
        expect(res.statusCode, res.body).toBe(200);
      }
      expect(await counts()).not.toBe(before);
    });
  }
});
