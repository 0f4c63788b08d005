/**
 * A tiny HTTP server (node:http) whose answers a test scripts attempt by attempt, recording every
 * request it receives: for the client's retry, timeout and idempotency behaviour, which the real
 * server cannot be made to show on demand (a 503 twice, then a 200).
 */

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answer (until the server closes). */
  | 'hang'
  /** Drop the connection without answering. */
  | 'drop';

export interface Scripted {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/** `answer(n, req)` decides the answer to the n-th request (0-based). Bodies are sent as JSON. */
export async function scriptedServer(answer: (n: number, req: Received) => Answer): Promise<Scripted> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const r: Received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      const n = received.length;
      received.push(r);
      const a = answer(n, r);
      if (a === 'hang') return;
      if (a === 'drop') {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { ...a.headers };
      let payload = '';
      if (a.body !== undefined) {
        payload = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
      res.writeHead(a.status, headers);
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A problem+json answer as the Sellify API sends it. */
export function problemAnswer(
  status: number,
  code: string,
  extra: { headers?: Record<string, string>; errors?: { field: string; message: string }[] } = {},
): Answer {
  return {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...extra.headers },
    body: {
      type: `https://sellify.dev/errors/${code}`,
      title: code,
      status,
      code,
      detail: `detail of ${code}`,
      requestId: 'req_scripted',
      ...(extra.errors !== undefined ? { errors: extra.errors } : {}),
    },
  };
}

export const PRODUCT = {
  id: 'prd_1',
  name: 'Sac noir',
  aliases: [],
  price: 15000,
  currency: 'XOF',
  stock: 4,
  createdAt: '2026-11-27T10:15:00.000Z',
  updatedAt: '2026-11-27T10:15:00.000Z',
};
