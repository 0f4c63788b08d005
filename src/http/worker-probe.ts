/**
 * The HTTP face of a worker-only process (`sellify serve --role worker`), which runs no API:
 * `GET /health` for the container's health check (the image's HEALTHCHECK calls it on PORT) and
 * `GET /metrics` for Prometheus, behind `Authorization: Bearer <SELLIFY_METRICS_TOKEN>` (no token
 * set: 404, the worker has no API keys to check). Nothing else is served.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppMetrics } from './plugins/metrics.ts';

export interface WorkerProbe {
  /** Resolves with the probe's base URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function answer(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export function createWorkerProbe(options: {
  metrics: AppMetrics;
  metricsToken?: string | undefined;
}): WorkerProbe {
  const tokenDigest = options.metricsToken === undefined ? undefined : sha256(options.metricsToken);
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return answer(res, 405, '{"code":"method_not_allowed"}');
    if (path === '/health') return answer(res, 200, '{"status":"ok"}');
    if (path === '/metrics' && tokenDigest !== undefined) {
      const header = req.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? sha256(header.slice(7)) : undefined;
      if (given === undefined || !timingSafeEqual(given, tokenDigest))
        return answer(res, 401, '{"code":"unauthorized"}');
      void options.metrics.renderMetrics().then(
        (text) => answer(res, 200, text, options.metrics.contentType),
        () => answer(res, 500, '{"code":"internal_error"}'),
      );
      return;
    }
    answer(res, 404, '{"code":"route_not_found"}');
  });
  return {
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address() as AddressInfo;
          const shown =
            host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
          resolve(`http://${shown}:${address.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
