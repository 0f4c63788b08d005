/**
 * The dashboard's files (src/web) served by the app: the shell at `/`, the modules under `/ui/`,
 * each with the dashboard's strict CSP (this origin only, no inline script), gzip when asked, and
 * a 304 for a copy the browser already holds. No other path reaches the file system.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CSP } from '../../src/http/routes/web.ts';
import { createWorld, type World } from './helpers.ts';

let w: World;
beforeAll(async () => {
  w = await createWorld();
});
afterAll(async () => {
  await w.close();
});

describe('the dashboard files', () => {
  it('serves the shell at / with a CSP that allows this origin only and no inline script', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<script type="module" src="/ui/app.js"></script>');
    expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).not.toContain('unsafe-inline');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('serves the modules gzipped when asked, and answers 304 to a matching ETag', async () => {
    const plain = await w.app.inject({ method: 'GET', url: '/ui/app.js' });
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const zipped = await w.app.inject({
      method: 'GET',
      url: '/ui/app.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    const again = await w.app.inject({
      method: 'GET',
      url: '/ui/app.js',
      headers: { 'if-none-match': String(plain.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('has no route for anything outside src/web', async () => {
    for (const url of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/README.md', '/ui/nothing.js']) {
      expect((await w.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('is not served when the app is built without the dashboard', async () => {
    const bare = await createWorld({ dashboard: false });
    try {
      expect((await bare.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
