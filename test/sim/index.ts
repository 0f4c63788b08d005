/**
 * A local WhatsApp provider simulator: one node:http server on 127.0.0.1 speaking the Cloud API
 * (under /cloud), Evolution API v2 (/evolution) and WAHA (/waha), with seeded randomness, a
 * controllable clock, fault injection and a recorder. Runs inside the test process; the
 * production clients and the real Sellify server talk to it over HTTP. See test/sim/README.md.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as realDelay } from 'node:timers/promises';
import { SimClock, type SimClockOptions } from './clock.ts';
import { CloudSim, type CloudSimOptions } from './cloud.ts';
import { digits, SimContext, type SimRequest, type SimResponse, type TransportHandler } from './context.ts';
import { EvolutionSim, type EvolutionSimOptions } from './evolution.ts';
import { Faults } from './faults.ts';
import { Recorder, type SimTransport } from './recorder.ts';
import { WahaSim, type WahaSimOptions } from './waha.ts';
import { WebhookDispatcher } from './webhooks.ts';

export { SimClock } from './clock.ts';
export { type CloudInboundInput, CloudSim, DEFAULT_CLOUD_NUMBER, graphError } from './cloud.ts';
export { EvolutionSim } from './evolution.ts';
export { type FaultHandle, type FaultSpec, Faults } from './faults.ts';
export { type SentMessage, type SimStatus, type StatusStep, statusPlans, UNDELIVERABLE } from './plans.ts';
export { type ApiCallRecord, Recorder, type WebhookRecord } from './recorder.ts';
export { WahaSim } from './waha.ts';
export { metaJson } from './webhooks.ts';

export interface SimulatorOptions {
  /** Seeds ids, jitter and duplicate draws; the same seed replays the same scenario. Default 'sellify-sim'. */
  seed?: string | number;
  clock?: SimClockOptions;
  /** Where each provider posts its webhooks (Sellify's webhook routes). Without one, it posts none. */
  webhookTargets?: { cloud?: string; evolution?: string; waha?: string };
  cloud?: CloudSimOptions;
  evolution?: EvolutionSimOptions;
  waha?: WahaSimOptions;
  /** Default 0: any free port. */
  port?: number;
}

export interface Simulator {
  /** 'http://127.0.0.1:<port>'. Clients use sim.cloud.graphUrl, sim.evolution.baseUrl, sim.waha.baseUrl. */
  readonly url: string;
  readonly cloud: CloudSim;
  readonly evolution: EvolutionSim;
  readonly waha: WahaSim;
  readonly recorder: Recorder;
  readonly faults: Faults;
  readonly clock: SimClock;
  /** Every transport then treats this number as not on WhatsApp (Cloud: async 131026; Evolution: 400 exists:false; WAHA: ack -1). */
  markNotOnWhatsApp(phone: string): void;
  /** Waits until no webhook delivery is in flight. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const TRANSPORTS = new Set<SimTransport>(['cloud', 'evolution', 'waha']);

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? 'sellify-sim';
  const clock = new SimClock(options.clock);
  const recorder = new Recorder();
  const faults = new Faults();
  const dispatcher = new WebhookDispatcher(clock, recorder, seed);
  let baseUrl = '';
  const ctx = new SimContext(seed, clock, recorder, dispatcher, () => baseUrl);
  const targets = options.webhookTargets ?? {};
  const cloud = new CloudSim(ctx, options.cloud ?? {}, targets.cloud);
  const evolution = new EvolutionSim(ctx, options.evolution ?? {}, targets.evolution);
  const waha = new WahaSim(ctx, options.waha ?? {}, targets.waha);
  const handlers: Record<SimTransport, TransportHandler> = { cloud, evolution, waha };

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: `simulator bug: ${err instanceof Error ? err.message : String(err)}` }),
        );
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const [first, ...rest] = url.pathname.split('/').filter((s) => s !== '');
    const transport =
      first !== undefined && TRANSPORTS.has(first as SimTransport) ? (first as SimTransport) : 'unknown';
    const segments = transport === 'unknown' ? [first ?? '', ...rest].filter(Boolean) : rest;
    const path = `/${segments.join('/')}`;
    const method = (req.method ?? 'GET').toUpperCase();
    let json: unknown;
    let jsonError = false;
    if (body.length > 0) {
      try {
        json = JSON.parse(body.toString('utf8')) as unknown;
      } catch {
        jsonError = true;
      }
    }
    const record = recorder.addCall({
      transport,
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      ...(json === undefined ? {} : { json }),
      atMs: clock.nowMs(),
    });

    const fault = faults.take(transport, method, path);
    if (fault?.kind === 'hang') {
      record.fault = 'hang';
      recorder.updated();
      return;
    }
    if (fault?.kind === 'reset') {
      record.fault = 'reset';
      recorder.updated();
      req.socket.destroy();
      return;
    }
    let response: SimResponse;
    if (fault?.kind === 'status') {
      record.fault = 'status';
      response = {
        status: fault.status,
        body: fault.body ?? { error: 'simulated failure' },
        ...(fault.headers ? { headers: fault.headers } : {}),
      };
    } else {
      if (fault?.kind === 'slow') {
        record.fault = 'slow';
        await realDelay(fault.delayMs);
      }
      const request: SimRequest = {
        method,
        path,
        segments,
        query: record.query,
        headers: req.headers,
        body,
        json,
        jsonError,
      };
      response =
        transport === 'unknown'
          ? { status: 404, body: { error: `no simulated transport at ${url.pathname}` } }
          : await handlers[transport].handle(request);
    }
    record.status = response.status;
    record.response = response.body;
    recorder.updated();
    send(res, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    url: baseUrl,
    cloud,
    evolution,
    waha,
    recorder,
    faults,
    clock,
    markNotOnWhatsApp(phone: string) {
      ctx.notOnWhatsApp.add(digits(phone));
    },
    settle: () => clock.settle(),
    async close() {
      clock.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, response: SimResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | string = '';
  if (Buffer.isBuffer(response.body)) {
    payload = response.body;
    headers['content-type'] ??= 'application/octet-stream';
  } else if (typeof response.body === 'string') {
    payload = response.body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}
