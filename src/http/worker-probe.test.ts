import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from './plugins/metrics.ts';
import { createWorkerProbe, type WorkerProbe } from './worker-probe.ts';

describe('the worker-only process probe', () => {
  const metrics = createMetrics({ collectDefaultMetrics: false });
  let probe: WorkerProbe;
  let url: string;
  beforeAll(async () => {
    metrics.sends.inc({ outcome: 'sent' });
    probe = createWorkerProbe({ metrics, metricsToken: 'scrape-token-0123456789' });
    url = await probe.listen(0, '127.0.0.1');
  });
  afterAll(() => probe.close());

  it('answers the health check', async () => {
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('serves the metrics to the metrics token only', async () => {
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(`${url}/metrics`, {
      headers: { authorization: 'Bearer scrape-token-0123456789' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('sellify_sends_total{outcome="sent"} 1');
  });

  it('serves nothing else', async () => {
    expect((await fetch(`${url}/api/v1/contacts`)).status).toBe(404);
    expect((await fetch(`${url}/health`, { method: 'POST' })).status).toBe(405);
  });

  it('without a metrics token, has no /metrics', async () => {
    const bare = createWorkerProbe({ metrics });
    const bareUrl = await bare.listen(0, '127.0.0.1');
    try {
      expect((await fetch(`${bareUrl}/metrics`)).status).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
