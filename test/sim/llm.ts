/**
 * A local OpenAI-compatible chat-completions server for the language-model tests (issue 18). It
 * checks what a real server checks (POST /v1/chat/completions, a Bearer key, a JSON body with model
 * and messages) and answers the way the test scripts it: a well-formed completion with the given
 * content, an HTTP error (429 with Retry-After, 500), malformed JSON, or no answer at all (timeout).
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LlmRequestRecord {
  authorization: string | undefined;
  body: {
    model?: string;
    messages?: Array<{ role: string; content: string }>;
    response_format?: { type?: string; json_schema?: { schema?: unknown } };
  };
}

export type LlmScript =
  /** A completion whose message content is this string (JSON or not). */
  | { content: string; usage?: { prompt_tokens: number; completion_tokens: number } }
  | { status: number; retryAfter?: string; body?: string }
  /** Never answers (the client's timeout fires). */
  | 'hang'
  /** A 200 whose body is not JSON. */
  | 'garbage';

export interface FakeLlm {
  /** Base URL to give as OPENAI_BASE_URL (ends in /v1). */
  baseUrl: string;
  apiKey: string;
  readonly requests: LlmRequestRecord[];
  /**
   * Decides each answer from the request; default: `{"intent":"unknown",...}`. A promise holds the
   * answer until it settles (a slow model the test releases when it chooses).
   */
  respond: (req: LlmRequestRecord, index: number) => LlmScript | Promise<LlmScript>;
  close(): Promise<void>;
}

export async function startFakeLlm(apiKey = 'sk-test-fake'): Promise<FakeLlm> {
  const sockets = new Set<Socket>();
  const fake: FakeLlm = {
    baseUrl: '',
    apiKey,
    requests: [],
    respond: () => ({ content: JSON.stringify({ intent: 'unknown', language: 'fr', products: [] }) }),
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
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(body);
      };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return send(404, JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
      }
      if (req.headers.authorization !== `Bearer ${fake.apiKey}`) {
        return send(
          401,
          JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }),
        );
      }
      let body: LlmRequestRecord['body'];
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(
          400,
          JSON.stringify({ error: { message: 'invalid JSON body', type: 'invalid_request_error' } }),
        );
      }
      if (typeof body.model !== 'string' || !Array.isArray(body.messages)) {
        return send(
          400,
          JSON.stringify({
            error: { message: 'model and messages are required', type: 'invalid_request_error' },
          }),
        );
      }
      const record: LlmRequestRecord = { authorization: req.headers.authorization, body };
      fake.requests.push(record);
      void Promise.resolve(fake.respond(record, fake.requests.length - 1)).then((script) => {
        if (script === 'hang') return;
        if (script === 'garbage') return send(200, '<html>oops');
        if ('status' in script) {
          return send(
            script.status,
            script.body ??
              JSON.stringify({ error: { message: `status ${script.status}`, type: 'server_error' } }),
            script.retryAfter === undefined ? {} : { 'retry-after': script.retryAfter },
          );
        }
        send(
          200,
          JSON.stringify({
            id: `chatcmpl-${fake.requests.length}`,
            object: 'chat.completion',
            model: body.model,
            choices: [
              { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: script.content } },
            ],
            usage: script.usage ?? { prompt_tokens: 120, completion_tokens: 20, total_tokens: 140 },
          }),
        );
      });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
