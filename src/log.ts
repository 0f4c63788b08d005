/**
 * The one structured logger of a process (pino). The composition root creates it from LOG_LEVEL and
 * hands child loggers down (`component: http | pipeline | worker | queue | server`), so every line
 * of a process has the same shape and can be filtered by component.
 *
 * Records go to stderr: JSON lines, or short readable lines when stderr is a terminal. stdout is
 * left to the start-up banner (the URL, where the admin key is), so the two never mix and a log
 * shipper reading stderr gets JSON only.
 *
 * Request lines carry the path without its query string (Meta's handshake puts the verify token
 * there) and one request id field, `requestId`, the same as in error bodies.
 */
import { type DestinationStream, type Logger, pino, stdSerializers } from 'pino';

export type { Logger };

export type LogComponent = 'http' | 'pipeline' | 'worker' | 'queue' | 'server';

/** The log field that carries the request id (Fastify's `requestIdLogLabel`). */
export const REQUEST_ID_LOG_FIELD = 'requestId';

/** The path of a request URL without its query string (which may carry a verify token). */
export function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Fastify's request serializer, minus the query string. */
function safeRequest(req: { method?: string; url?: string; ip?: string; socket?: { remotePort?: number } }) {
  return {
    method: req.method,
    url: pathOnly(req.url ?? ''),
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields every record has, or that the readable line shows in its own place. */
const SHOWN_APART = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'component']);

/**
 * One JSON record as a readable line: `12:00:01.234 INFO  [worker] sent messageId=msg_… outcome=sent`.
 * Nested values are shown as JSON; an error's stack follows on its own lines.
 */
export function readableLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const level = (LEVEL_NAMES[Number(record.level)] ?? String(record.level)).padEnd(5);
  const component = typeof record.component === 'string' ? ` [${record.component}]` : '';
  const parts = [`${time} ${level}${component} ${String(record.msg ?? '')}`];
  let stack = '';
  for (const [key, value] of Object.entries(record)) {
    if (SHOWN_APART.has(key) || value === undefined) continue;
    if (key === 'err' && typeof value === 'object' && value !== null && 'stack' in value) {
      stack = `\n${String((value as { stack: unknown }).stack)}`;
      continue;
    }
    parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return `${parts.join(' ')}${stack}\n`;
}

/** A destination that writes readable lines to `out`. */
function readable(out: { write(text: string): unknown }): DestinationStream {
  return { write: (line: string) => void out.write(readableLine(line)) };
}

export interface LoggerOptions {
  /** pino level name; `silent` logs nothing. */
  level: string;
  /** Where the JSON lines go. Default stderr, readable when stderr is a terminal. */
  stream?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? (process.stderr.isTTY ? readable(process.stderr) : process.stderr);
  return pino(
    {
      level: options.level,
      // Fastify takes the serializers of the instance it is given over its own.
      serializers: { req: safeRequest, err: stdSerializers.err },
    },
    stream,
  );
}

/** A logger that drops everything (tests, commands that print their own output). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
