/**
 * Constant-time checks for webhook signatures and shared tokens. Both sides are hashed before
 * `timingSafeEqual`, so neither the content nor the length of the expected value leaks through
 * timing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest } from '../types.ts';

export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

export function hmacHex(algorithm: 'sha256' | 'sha512', key: string, data: Buffer | string): string {
  return createHmac(algorithm, key).update(data).digest('hex');
}

/** One header, whatever its case; the first value when repeated; undefined when absent or empty. */
export function headerValue(headers: WebhookRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== '') return first;
  }
  return undefined;
}

/** The token of `Authorization: Bearer <token>`, if that is the header's form. */
export function bearerToken(headers: WebhookRequest['headers']): string | undefined {
  const auth = headerValue(headers, 'authorization');
  const match = auth?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

/** The header every Sellify-configured gateway webhook carries when the gateway cannot sign. */
export const TOKEN_HEADER = 'x-sellify-token';
