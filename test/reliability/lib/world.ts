/**
 * A world for the end-to-end reliability suites: the real `sellify serve` process (PGlite data
 * directory, or Postgres through DATABASE_URL) behind a fixed port, the WhatsApp Cloud simulator
 * with several business numbers (one channel each, preset `aggressive`), and many customers who
 * each ask one price question. The world can kill and restart the server, redeliver the webhooks
 * that never got a 200, wait until nothing is left to send, and classify what the customers got.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync } from 'node:fs';
import { createRng } from '../../../src/engines/prng.ts';
import { API_KEY, freePort, ROOT, type Server, sleep, stop, tempDir } from '../../e2e/harness.ts';
import type { CloudNumberConfig, CloudSimOptions } from '../../sim/cloud.ts';
import { DEFAULT_CLOUD_NUMBER, type Simulator, startSimulator, type WebhookRecord } from '../../sim/index.ts';
import { type AcceptedText, type Classification, classify } from './classify.ts';

export const PRICE_QUESTION = "Bonjour, c'est combien le sac noir ?";
/** How the reply names the price of the product every world sells (15000 XOF). */
export const PRICE_TEXT = '15 000 FCFA';
/** Aggressive preset: 60 replies per minute and channel; staying under it keeps quotas out of the way. */
export const CUSTOMERS_PER_CHANNEL = 40;

export interface WorldOptions {
  seed: string;
  customers: number;
  /** Default ceil(customers / CUSTOMERS_PER_CHANNEL). */
  channels?: number;
  /** SELLIFY_PACING_SCALE. Default 0.001. */
  pacingScale?: number;
  /** Simulated ms per real ms for the simulator's webhook retries and status delays. Default 1. */
  simSpeed?: number;
  /** More server environment (DATABASE_URL, SELLIFY_SHUTDOWN_TIMEOUT_MS…). */
  env?: Record<string, string>;
  /**
   * A data directory already set up by `World.template` for the same number of channels: copied,
   * so a trial starts in seconds instead of creating its database from nothing.
   */
  template?: Template;
  cloud?: Omit<CloudSimOptions, 'numbers'>;
}

export interface Customer {
  /** E.164. */
  phone: string;
  digits: string;
  numberIndex: number;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

const children = new Set<ChildProcess>();

/** SIGKILLs every server process a world started and did not see exit (for afterAll). */
export function killStrays(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface Spawned {
  child: ChildProcess;
  /** Resolves with the server once it printed its whole start-up banner; rejects if it exits first. */
  ready: Promise<Server>;
  exit: Promise<number | null>;
  stderr: () => string;
}

/**
 * Starts `node bin/sellify.js serve` like test/e2e/harness.ts does, but hands the process back at
 * once, so a test can kill it while it is still starting (opening the data directory, migrating).
 */
export function spawnServer(env: Record<string, string>): Spawned {
  const { SELLIFY_API_KEY: _k, DATABASE_URL: _d, REDIS_URL: _r, NODE_ENV: _n, ...inherited } = process.env;
  const child = spawn(process.execPath, ['bin/sellify.js', 'serve'], {
    cwd: ROOT,
    // The simulators listen on 127.0.0.1: gateways there are private, which the operator allows here.
    env: {
      ...inherited,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SELLIFY_ALLOW_PRIVATE_GATEWAYS: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const ready = new Promise<Server>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /Sellify listening on (http:\/\/[^\s]+)/.exec(out);
      if (m?.[1] && /^Admin key: .*\n/m.test(out)) {
        resolve({ child, url: m[1], stdout: () => out, stderr: () => err, exit });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
    });
    void exit.then((code) =>
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err.slice(-3000)}`)),
    );
  });
  // A caller that kills the process during start-up does not wait for `ready`.
  ready.catch(() => {});
  return { child, ready, exit, stderr: () => err };
}

function numberConfig(index: number): CloudNumberConfig {
  return {
    ...DEFAULT_CLOUD_NUMBER,
    phoneNumberId: String(106540352242922 + index),
    displayPhoneNumber: `22507000${String(index + 1).padStart(5, '0')}`,
    accessToken: `sim-cloud-token-${index}`,
    // One Meta app serves every number, with one app secret.
    appSecret: DEFAULT_CLOUD_NUMBER.appSecret,
    verifyToken: `sim-verify-token-${index}`,
  };
}

/** Customers with distinct Ivorian mobile numbers, spread over the business numbers. */
export function makeCustomers(count: number, numbers: number, offset = 0): Customer[] {
  return Array.from({ length: count }, (_, i) => {
    const phone = `+22507${String(offset + i + 1).padStart(8, '0')}`;
    return { phone, digits: digitsOf(phone), numberIndex: i % numbers };
  });
}

/** Runs `task` over `items` with at most `limit` running at once. */
export async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  });
  await Promise.all(workers);
}

export interface Template {
  dataDir: string;
  encryptionKey: string;
  channels: number;
}

export class World {
  readonly sim: Simulator;
  readonly customers: Customer[];
  readonly numbers: CloudNumberConfig[];
  readonly env: Record<string, string>;
  readonly port: number;
  server: Server | null = null;
  /** Delivery ids acknowledged by a redelivery the world made itself. */
  private readonly redelivered = new Set<string>();
  readonly log: string[] = [];
  restarts = 0;
  /** Wall-clock origin of the timeline in `log`. */
  readonly bornMs = Date.now();
  private readonly stderrs: string[] = [];

  private constructor(
    sim: Simulator,
    customers: Customer[],
    numbers: CloudNumberConfig[],
    env: Record<string, string>,
    port: number,
  ) {
    this.sim = sim;
    this.customers = customers;
    this.numbers = numbers;
    this.env = env;
    this.port = port;
  }

  static async create(options: WorldOptions): Promise<World> {
    const channels = options.channels ?? Math.max(1, Math.ceil(options.customers / CUSTOMERS_PER_CHANNEL));
    const numbers = Array.from({ length: channels }, (_, i) => numberConfig(i));
    const port = await freePort();
    const sim = await startSimulator({
      seed: options.seed,
      clock: { mode: 'real', speed: options.simSpeed ?? 1 },
      webhookTargets: { cloud: `http://127.0.0.1:${port}/webhooks/whatsapp` },
      cloud: { ...options.cloud, numbers },
    });
    const dataDir = tempDir();
    if (options.template) {
      if (options.template.channels !== channels)
        throw new Error(`template has ${options.template.channels} channels, the world needs ${channels}`);
      cpSync(options.template.dataDir, dataDir, { recursive: true });
    }
    const env: Record<string, string> = {
      PORT: String(port),
      SELLIFY_DATA_DIR: dataDir,
      SELLIFY_API_KEY: API_KEY,
      SELLIFY_ENCRYPTION_KEY: options.template?.encryptionKey ?? randomBytes(32).toString('base64'),
      WHATSAPP_GRAPH_URL: sim.cloud.graphUrl,
      SELLIFY_PACING_SCALE: String(options.pacingScale ?? 0.001),
      // The test polls the API for quiescence; its key must not be the bottleneck.
      SELLIFY_RATE_LIMIT: '1000000000',
      LOG_LEVEL: 'error',
      ...options.env,
    };
    return new World(sim, makeCustomers(options.customers, channels), numbers, env, port);
  }

  /**
   * A stopped server's data directory with the product and the channels of a world of `customers`
   * customers already created, for `WorldOptions.template`.
   */
  static async template(options: Omit<WorldOptions, 'template' | 'seed'>): Promise<Template> {
    const world = await World.create({ ...options, seed: 'template' });
    try {
      await world.start();
      await world.setUp();
      await world.stopGracefully();
    } finally {
      await world.close();
    }
    return {
      dataDir: world.env.SELLIFY_DATA_DIR!,
      encryptionKey: world.env.SELLIFY_ENCRYPTION_KEY!,
      channels: world.numbers.length,
    };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<Server> {
    this.server = await spawnServer(this.env).ready;
    return this.server;
  }

  /** Starts the server and SIGKILLs it `afterMs` later, whether or not it is listening yet. */
  async killDuringStart(afterMs: number): Promise<void> {
    const spawned = spawnServer(this.env);
    this.note('starting (to be killed)');
    await Promise.race([sleep(afterMs), spawned.exit]);
    spawned.child.kill('SIGKILL');
    await spawned.exit;
    this.note(`killed during start-up after ${afterMs} ms`);
    this.stderrs.push(spawned.stderr());
  }

  /** Creates the product and one aggressive-preset Cloud channel per simulated number. */
  async setUp(): Promise<void> {
    const product = await this.api('POST', '/api/v1/products', {
      name: 'Sac noir',
      price: 15000,
      currency: 'XOF',
      stock: 1_000_000,
    });
    if (product.status !== 201) throw new Error(`product: ${product.status} ${JSON.stringify(product.body)}`);
    for (const [i, n] of this.numbers.entries()) {
      const channel = await this.api('POST', '/api/v1/channels', {
        name: `Boutique ${i + 1}`,
        transport: 'cloud',
        preset: 'aggressive',
        phoneNumberId: n.phoneNumberId,
        accessToken: n.accessToken,
        appSecret: n.appSecret,
        verifyToken: n.verifyToken,
      });
      if (channel.status !== 201)
        throw new Error(`channel: ${channel.status} ${JSON.stringify(channel.body)}`);
    }
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        'x-api-key': API_KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // Not JSON: keep the text for the error message.
    }
    return { status: res.status, body: parsed };
  }

  /** The customers' questions, sent by the simulator as signed webhooks, `concurrency` at a time. */
  async burst(options: { concurrency: number; customers?: readonly Customer[] }): Promise<void> {
    await pool(options.customers ?? this.customers, options.concurrency, async (c) => {
      await this.sim.cloud.inbound({
        from: c.phone,
        name: `Client ${c.digits.slice(-4)}`,
        text: PRICE_QUESTION,
        phoneNumberId: this.numbers[c.numberIndex]!.phoneNumberId,
      });
    });
  }

  /** SIGKILL: no handler runs, nothing is flushed. */
  async kill(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.child.kill('SIGKILL');
    await server.exit;
    this.note('killed');
    this.stderrs.push(server.stderr());
  }

  /** Appends a timestamped line to the run's timeline. */
  note(what: string): void {
    this.log.push(`+${Date.now() - this.bornMs} ms ${what}`);
  }

  /**
   * Everything the simulator saw for one customer: the calls Sellify made to send to them and
   * the status webhooks about those sends (attempts, answers, errors), on the world's timeline.
   */
  trace(digits: string): string[] {
    const lines: string[] = [];
    const simStart = this.sim.recorder.calls[0]?.atMs ?? 0;
    const t = (atMs: number) => `sim+${atMs - simStart}`;
    const ids = new Set<string>();
    for (const c of this.sim.recorder.calls) {
      const body = c.json as { to?: string; type?: string; biz_opaque_callback_data?: string } | undefined;
      if (typeof body?.to !== 'string' || digitsOf(body.to) !== digits) continue;
      const response = c.response as { messages?: { id?: string }[] } | undefined;
      const id = response?.messages?.[0]?.id;
      if (id) ids.add(id);
      lines.push(
        `${t(c.atMs)} call ${c.method} ${c.path} type=${body.type} cb=${body.biz_opaque_callback_data} → ${c.status ?? c.fault ?? 'no answer'} ${id ?? ''}`,
      );
    }
    for (const w of this.sim.recorder.webhooksOf('cloud', 'statuses')) {
      const text = w.body.toString('utf8');
      if (![...ids].some((id) => text.includes(id))) continue;
      const status = /"status":"(\w+)"/.exec(text)?.[1];
      lines.push(
        `${t(w.atMs)} status ${status} attempt ${w.attempt}${w.duplicate ? ' dup' : ''} → ${w.status ?? w.error}`,
      );
    }
    return lines;
  }

  /** Starts the server again on the same port and data; retried while the port is still held. */
  async restart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.note('restarting');
        await this.start();
        this.note('listening');
        this.restarts++;
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        this.log.push(`restart attempt ${attempt} failed: ${(err as Error).message.slice(0, 300)}`);
        await sleep(200 * attempt);
      }
    }
  }

  async stopGracefully(): Promise<number | null> {
    const server = this.server;
    if (!server) return null;
    this.server = null;
    const code = await stop(server);
    this.stderrs.push(server.stderr());
    return code;
  }

  /** Inbound message deliveries (Cloud 'messages' webhooks), grouped by delivery id. */
  inboundDeliveries(): Map<string, WebhookRecord[]> {
    const byId = new Map<string, WebhookRecord[]>();
    for (const w of this.sim.recorder.webhooksOf('cloud', 'messages')) {
      const list = byId.get(w.deliveryId) ?? [];
      list.push(w);
      byId.set(w.deliveryId, list);
    }
    return byId;
  }

  /** Inbound deliveries none of whose attempts got a 200. */
  unacknowledged(): WebhookRecord[] {
    const out: WebhookRecord[] = [];
    for (const [id, attempts] of this.inboundDeliveries()) {
      if (this.redelivered.has(id)) continue;
      if (!attempts.some((a) => a.status === 200)) out.push(attempts[0]!);
    }
    return out;
  }

  /**
   * Re-POSTs, byte for byte with the same signature, every inbound webhook that never got a 200,
   * as Meta keeps doing until it does. Returns how many were acknowledged now.
   */
  async redeliverUnacknowledged(concurrency = 16): Promise<number> {
    const pending = this.unacknowledged();
    let acked = 0;
    await pool(pending, concurrency, async (w) => {
      try {
        const res = await fetch(w.url, {
          method: 'POST',
          headers: w.headers,
          body: new Uint8Array(w.body),
          signal: AbortSignal.timeout(30_000),
        });
        await res.text();
        if (res.status === 200) {
          this.redelivered.add(w.deliveryId);
          acked++;
        }
      } catch {
        // Still down: the next sweep tries again.
      }
    });
    return acked;
  }

  /** Every text the simulator accepted (HTTP 200), as the customers received them. */
  acceptedTexts(): AcceptedText[] {
    const out: AcceptedText[] = [];
    for (const c of this.sim.recorder.calls) {
      if (c.transport !== 'cloud' || c.method !== 'POST' || !c.path.endsWith('/messages')) continue;
      if (c.status !== 200) continue;
      const body = c.json as { type?: string; to?: string; text?: { body?: string } } | undefined;
      if (body?.type !== 'text' || typeof body.to !== 'string') continue;
      out.push({ to: digitsOf(body.to), text: body.text?.body ?? '' });
    }
    return out;
  }

  classify(): Classification {
    return classify(
      this.customers.map((c) => c.digits),
      this.acceptedTexts(),
      PRICE_TEXT,
    );
  }

  /** Outbound messages the server still holds as queued (read through the API, every contact). */
  async queuedOutbound(): Promise<{ contacts: number; queued: number; inbound: number }> {
    let cursor: string | null = null;
    const ids: string[] = [];
    do {
      const page = await this.api(
        'GET',
        `/api/v1/contacts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (page.status !== 200) throw new Error(`contacts: ${page.status}`);
      const body = page.body as { items: { id: string }[]; nextCursor: string | null };
      ids.push(...body.items.map((c) => c.id));
      cursor = body.nextCursor;
    } while (cursor !== null);
    let queued = 0;
    let inbound = 0;
    await pool(ids, 16, async (id) => {
      const page = await this.api('GET', `/api/v1/contacts/${id}/messages?limit=200`);
      if (page.status !== 200) throw new Error(`messages: ${page.status}`);
      for (const m of (page.body as { items: { direction: string; status: string }[] }).items) {
        if (m.direction === 'out' && m.status === 'queued') queued++;
        if (m.direction === 'in') inbound++;
      }
    });
    return { contacts: ids.length, queued, inbound };
  }

  /**
   * Waits until the run is over: every inbound webhook acknowledged (redelivering those that were
   * not), every customer answered at least once, and no outbound message left queued on the
   * server. Resolves with whether that happened before the deadline (a lost message shows as a
   * timeout, then in the classification).
   */
  async quiesce(timeoutMs: number): Promise<{ quiet: boolean; waitedMs: number; detail: string }> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    let detail = '';
    while (Date.now() < deadline) {
      const child = this.server?.child;
      if (child && (child.exitCode !== null || child.signalCode !== null)) {
        return {
          quiet: false,
          waitedMs: Date.now() - started,
          detail: `the server exited (${child.exitCode})`,
        };
      }
      if (this.unacknowledged().length > 0) await this.redeliverUnacknowledged();
      const unacked = this.unacknowledged().length;
      const answered = new Set(this.acceptedTexts().map((t) => t.to));
      const waiting = this.customers.filter((c) => !answered.has(c.digits)).length;
      detail = `unacknowledged ${unacked}, unanswered ${waiting}`;
      if (unacked === 0 && waiting === 0) {
        const state = await this.queuedOutbound();
        detail += `, contacts ${state.contacts}, queued ${state.queued}`;
        if (state.queued === 0) return { quiet: true, waitedMs: Date.now() - started, detail };
      }
      await sleep(500);
    }
    return { quiet: false, waitedMs: Date.now() - started, detail };
  }

  /** Server output of every run so far (for failure messages). */
  serverErrors(): string {
    const all = [...this.stderrs, this.server?.stderr() ?? ''];
    return all.join('\n--- restart ---\n').slice(-4000);
  }

  async close(): Promise<void> {
    if (this.server) {
      try {
        await this.stopGracefully();
      } catch {
        await this.kill();
      }
    }
    await this.sim.close();
  }
}

export interface KillPoint {
  /** Kill once this many inbound webhooks got a 200, or once this many replies were accepted. */
  during: 'inbound' | 'sends';
  n: number;
  /** How long the process stays dead before the restart. */
  downtimeMs: number;
  /** When set, the restart is itself killed this long after it began (mid-recovery), then restarted. */
  killStartAfterMs?: number;
}

/** A seeded draw of one to three kill points for one trial (see crash.test.ts). */
export function drawKills(seed: string, customers: number, longDowntimeShare = 0): KillPoint[] {
  const rng = createRng(seed, 'kills');
  const count = rng.int(1, 3);
  const points: KillPoint[] = [];
  for (let i = 0; i < count; i++) {
    const during = rng.next() < 0.5 ? 'inbound' : 'sends';
    const point: KillPoint = {
      during,
      n: during === 'inbound' ? rng.int(1, customers - 1) : rng.int(0, customers - 1),
      // Mostly an immediate restart; in full runs one kill in ten stays down 5–20 s, as a
      // supervisor backing off a crash loop would (long enough for Meta's webhook retries to fall
      // behind). CI runs the deterministic 16 s case in crash.test.ts instead, to stay short.
      downtimeMs: rng.next() < longDowntimeShare ? rng.int(5_000, 20_000) : rng.int(0, 1000),
    };
    if (rng.next() < 0.25) point.killStartAfterMs = rng.int(50, 2500);
    points.push(point);
  }
  // The burst comes before the replies: inbound points first, each kind in increasing order.
  const order = (p: KillPoint) => (p.during === 'inbound' ? 0 : 1);
  return points.sort((a, b) => order(a) - order(b) || a.n - b.n);
}
