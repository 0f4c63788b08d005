/**
 * A stand-in for Sellify's webhook routes in simulator tests: records each request's raw bytes and
 * headers and answers with a programmable status.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

export interface Receiver {
  url: string;
  readonly requests: ReceivedRequest[];
  /** Decides each answer; default 200 'ok'. Return 'hang' to never answer. */
  respond: (req: ReceivedRequest, index: number) => number | 'hang' | { status: number; body: string };
  /** Headers in the shape src/whatsapp verifiers take. */
  headersOf(req: ReceivedRequest): Record<string, string | string[] | undefined>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const receiver: Receiver = {
    url: '',
    requests: [],
    respond: () => 200,
    headersOf: (req) => ({ ...req.headers }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        rawBody: Buffer.concat(chunks),
      };
      receiver.requests.push(request);
      const answer = receiver.respond(request, receiver.requests.length - 1);
      if (answer === 'hang') return;
      const { status, body } =
        typeof answer === 'number' ? { status: answer, body: answer === 200 ? 'ok' : 'no' } : answer;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
