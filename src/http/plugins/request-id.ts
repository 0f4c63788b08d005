/**
 * Request ids. Every request gets an id (`req_` + 24 base62 characters) that is logged with each
 * line about it, sent back in `X-Request-Id` on every response and put in every error body, so a
 * seller's support ticket and our logs meet on one string. A caller (or a proxy in front of us)
 * may send its own `X-Request-Id` to correlate across systems; it is honoured only when it is
 * short and made of safe characters, so it cannot inject log lines or response headers.
 */

import type { IncomingMessage } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { randomBase62 } from '../../store/ids.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
export const REQUEST_ID_PREFIX = 'req_';
const INBOUND_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** True for an inbound X-Request-Id value we are willing to reuse. */
export function isValidInboundRequestId(value: unknown): value is string {
  return typeof value === 'string' && INBOUND_PATTERN.test(value);
}

export function newRequestId(): string {
  return `${REQUEST_ID_PREFIX}${randomBase62(24)}`;
}

/**
 * Pass as Fastify's `genReqId` option (and leave `requestIdHeader` unset: Fastify would otherwise
 * take the header without checking it). Also used by Fastify for requests it refuses before routing.
 */
export function genReqId(req: IncomingMessage): string {
  const inbound = req.headers[REQUEST_ID_HEADER];
  return isValidInboundRequestId(inbound) ? inbound : newRequestId();
}

/** Echoes the request id in `X-Request-Id` on every response, errors and 404s included. */
const requestIdImpl: FastifyPluginAsync = async (app) => {
  // onRequest runs before parsing and auth, so even a request refused at the door carries the id.
  app.addHook('onRequest', async (req, reply) => {
    reply.header(REQUEST_ID_HEADER, req.id);
  });
};

export const requestIdPlugin = fp(requestIdImpl, { name: 'sellify-request-id', fastify: '5.x' });
