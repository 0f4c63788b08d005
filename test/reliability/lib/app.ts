/**
 * The real app in process for the fuzz suites: the HTTP world of test/http/helpers.ts (PGlite in
 * memory, tenants A and B with keys of every scope, SELLIFY_API_KEY) plus the webhook routes wired
 * to the real inbound pipeline and a real queue (no workers: sends stay queued, nothing leaves).
 * With `gateways: true` it also runs the simulated Evolution and WAHA gateways (test/sim, manual
 * clock), so the pairing routes, which call the channel's own gateway, run against a real HTTP
 * server that the suite can make fail (`sim.faults`).
 */
import { type PipelineDeps, processEvents } from '../../../src/pipeline/index.ts';
import { type Queue, startQueue } from '../../../src/queue/index.ts';
import { createWorld, type World as HttpWorld } from '../../http/helpers.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';

export interface FuzzWorld extends HttpWorld {
  queue: Queue;
  /** The simulated gateways, with `gateways: true`. */
  sim?: Simulator;
}

export async function createFuzzWorld(options: { gateways?: boolean } = {}): Promise<FuzzWorld> {
  let pipeline: PipelineDeps | undefined;
  let started: Queue | undefined;
  // The queue needs the world's database, the app needs the queue (a person's replies, webhook
  // replays): the app gets one that forwards to the queue started below.
  const lateQueue = new Proxy({} as Queue, {
    get: (_target, name) => {
      const value: unknown = started?.[name as keyof Queue];
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
  const world = await createWorld(
    {
      queue: lateQueue,
      webhooks: {
        processEvents: (target, events) => {
          if (!pipeline) throw new Error('pipeline not ready');
          return processEvents(pipeline, target, events);
        },
      },
    },
    // Every request must reach its handler: no per-key or per-IP limit gets in the way. The
    // simulator's gateways listen on 127.0.0.1, which only SELLIFY_ALLOW_PRIVATE_GATEWAYS allows.
    {
      rateLimitPerMinute: 1_000_000_000,
      webhookRateLimitPerMinute: 1_000_000_000,
      allowPrivateGateways: true,
    },
  );
  const queue = await startQueue(world.db, { onError: () => {} });
  started = queue;
  pipeline = {
    store: world.store,
    queue,
    nowMs: () => world.clock.nowMs,
    clientFor: () => {
      throw new Error('no sends in the fuzz world');
    },
    sleep: async () => {},
    pacingScale: 0,
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  // Time stands still for the gateways (manual clock): QR codes refresh and expire only when the
  // suite advances it, and their webhooks (to the address the app was called on) go nowhere.
  const sim = options.gateways
    ? await startSimulator({ seed: 'fuzz-gateways', evolution: { pairing: { autoScanMs: null } } })
    : undefined;
  const close = world.close;
  return {
    ...world,
    queue,
    ...(sim !== undefined ? { sim } : {}),
    async close() {
      await sim?.close();
      await queue.stop({ graceful: false });
      await close();
    },
  };
}
