import { describe, expect, it } from 'vitest';
import { createMetrics } from './metrics.ts';
import { buildTestApp } from './testApp.ts';

describe('metricsPlugin', () => {
  it('records request durations by method, route template and status code (ids never become labels)', async () => {
    const app = await buildTestApp();
    await app.inject({ method: 'GET', url: '/api/v1/channels/chn_known' });
    await app.inject({ method: 'GET', url: '/api/v1/channels/chn_other' });
    await app.inject({ method: 'GET', url: '/no/such/path/123' });
    const text = await app.metrics.renderMetrics();
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/api/v1/channels/:id",status_code="200"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="/api/v1/channels/:id",status_code="404"} 1',
    );
    expect(text).toContain(
      'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 1',
    );
    expect(text).not.toContain('chn_known');
    expect(text).not.toContain('/no/such/path');
    await app.close();
  });

  it('counts decisions by action and engine refusals by reason', async () => {
    const app = await buildTestApp();
    app.metrics.decisions.inc({ action: 'reply' });
    app.metrics.decisions.inc({ action: 'reply' });
    app.metrics.engineRefusals.inc({ reason: 'quota.daily_cap' });
    const text = await app.metrics.renderMetrics();
    expect(text).toContain('sellify_decisions_total{action="reply"} 2');
    expect(text).toContain('sellify_engine_refusals_total{reason="quota.daily_cap"} 1');
    await app.close();
  });

  it('gives each app its own registry, so two apps in one process never share counts', async () => {
    const a = await buildTestApp();
    const b = await buildTestApp();
    a.metrics.decisions.inc({ action: 'skip' });
    expect(a.metrics.registry).not.toBe(b.metrics.registry);
    expect(await b.metrics.renderMetrics()).not.toContain('action="skip"');
    await Promise.all([a.close(), b.close()]);
  });

  it('serves GET /metrics only to requests the authorize hook accepts', async () => {
    const app = await buildTestApp({
      metricsAuthorize: (req) => req.headers.authorization === 'Bearer scrape',
    });
    const refused = await app.inject({ method: 'GET', url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('unauthorized');
    const ok = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: 'Bearer scrape' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toContain('text/plain');
    expect(ok.body).toContain('# TYPE http_request_duration_seconds histogram');
    await app.close();
  });

  it('registers no /metrics route unless asked', async () => {
    const app = await buildTestApp();
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    await app.close();
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
