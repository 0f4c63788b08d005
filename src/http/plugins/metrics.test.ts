import { beforeAll, describe, expect, it } from 'vitest';
import { buildRealApp, OPEN_TIMEOUT_MS, sharedStore } from '../../../test/support/app.ts';
import { createMetrics, recordDecision } from './metrics.ts';

// Opens the shared in-memory database once, under the hook time-out.
beforeAll(async () => {
  await sharedStore();
}, OPEN_TIMEOUT_MS);

describe('metricsPlugin', () => {
  it('records request durations by method, route template and status code (ids never become labels)', async () => {
    const { app, auth, close } = await buildRealApp();
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: auth,
      payload: { name: 'Sac', price: 100, currency: 'XOF' },
    });
    await app.inject({ method: 'GET', url: `/api/v1/products/${created.json().id}`, headers: auth });
    await app.inject({ method: 'GET', url: '/api/v1/products/prd_other', headers: auth });
    await app.inject({ method: 'GET', url: '/no/such/path/123' });
    const text = await app.metrics.renderMetrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/api/v1/products/:id",status_code="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/api/v1/products/:id",status_code="404"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1',
    );
    expect(text).not.toContain(created.json().id);
    expect(text).not.toContain('prd_other');
    expect(text).not.toContain('/no/such/path');
    await close();
  });

  it('counts decisions by mode and action, and engine refusals by reason', async () => {
    const metrics = createMetrics({ collectDefaultMetrics: false });
    const deferred = {
      action: 'defer',
      verdicts: {
        quota: { allowed: false, reasons: [{ code: 'quota.daily_cap' }] },
        schedule: { allowed: true, reasons: [{ code: 'schedule.ok' }] },
      },
    };
    recordDecision(metrics, 'webhook', { action: 'reply', verdicts: {} });
    recordDecision(metrics, 'webhook', { action: 'reply', verdicts: {} });
    recordDecision(metrics, 'followup', deferred);
    recordDecision(metrics, 'advisor', { action: 'reply', verdicts: {} });
    const text = await metrics.renderMetrics();
    expect(text).toContain('sellify_decisions_total{mode="webhook",action="reply"} 2');
    expect(text).toContain('sellify_decisions_total{mode="followup",action="defer"} 1');
    expect(text).toContain('sellify_decisions_total{mode="advisor",action="reply"} 1');
    expect(text).toContain('sellify_engine_refusals_total{reason="quota.daily_cap"} 1');
    expect(text).not.toContain('schedule.ok');
  });

  it('shows queue depth and dead letters read once per scrape, and send outcomes', async () => {
    const metrics = createMetrics({ collectDefaultMetrics: false });
    let reads = 0;
    metrics.setQueueStats(async () => {
      reads += 1;
      return [
        { queue: 'outbound', state: 'created', count: 3 },
        { queue: 'outbound', state: 'active', count: 1 },
        { queue: 'outbound', state: 'dead', count: 2 },
      ];
    });
    metrics.sends.inc({ outcome: 'sent' });
    metrics.sends.inc({ outcome: 'retry' });
    metrics.webhookBatches.inc({ outcome: 'committed' });
    metrics.webhookBatchEvents.observe(12);
    const text = await metrics.renderMetrics();
    expect(text).toContain('sellify_webhook_batches_total{outcome="committed"} 1');
    expect(text).toContain('sellify_webhook_batch_events_bucket{le="16"} 1');
    expect(text).toContain('sellify_webhook_batch_events_bucket{le="8"} 0');
    expect(text).toContain('sellify_queue_jobs{queue="outbound",state="created"} 3');
    expect(text).toContain('sellify_queue_jobs{queue="outbound",state="active"} 1');
    expect(text).toContain('sellify_dead_letters{queue="outbound"} 2');
    expect(text).toContain('sellify_sends_total{outcome="sent"} 1');
    expect(text).toContain('sellify_sends_total{outcome="retry"} 1');
    expect(reads).toBe(1);
  });

  it('gives each app its own registry, so two apps in one process never share counts', async () => {
    const a = await buildRealApp();
    const b = await buildRealApp();
    a.app.metrics.decisions.inc({ mode: 'advisor', action: 'skip' });
    expect(a.app.metrics.registry).not.toBe(b.app.metrics.registry);
    expect(await b.app.metrics.renderMetrics()).not.toContain('action="skip"');
    await Promise.all([a.close(), b.close()]);
  });

  it('serves GET /metrics to the metrics token only, in the Prometheus text format', async () => {
    const { app, close } = await buildRealApp({ config: { metricsToken: 'scrape-token-0123456789' } });
    const refused = await app.inject({ method: 'GET', url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('unauthorized');
    const ok = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape-token-0123456789' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toContain('text/plain');
    expect(ok.body).toContain('# TYPE http_request_duration_seconds histogram');
    await close();
  });
});

describe('createMetrics', () => {
  it('collects Node process metrics by default and not when told not to', async () => {
    expect(await createMetrics().renderMetrics()).toContain('process_cpu_user_seconds_total');
    expect(await createMetrics({ collectDefaultMetrics: false }).renderMetrics()).not.toContain(
      'process_cpu',
    );
  });
});
