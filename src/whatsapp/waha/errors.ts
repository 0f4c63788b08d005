/**
 * WAHA errors to TransportErrors. WAHA answers NestJS-style bodies (`{ statusCode, message }`),
 * 422 `{ error, session, status, expected }` when the session is not WORKING, and passes engine
 * failures through as 500 `{ exception: { message } }` (where WhatsApp's 463 shows up).
 */
import { bodyTexts, firstMessage, type GatewayErrorInput, reachoutLock } from '../shared/gateway-errors.ts';
import { classifyHttpStatus } from '../shared/http.ts';
import { str } from '../shared/json.ts';
import type { TransportError } from '../types.ts';

export function classifyWahaError(input: GatewayErrorInput): TransportError {
  const { httpStatus, body } = input;
  const texts = bodyTexts(body);
  const message = firstMessage(texts, httpStatus);
  const lock = reachoutLock(texts, httpStatus);
  if (lock) return lock;
  if (httpStatus === 401 || httpStatus === 403) {
    return { class: 'account', code: 'unauthorized', httpStatus, message, healthEvent: 'forbidden' };
  }
  const sessionStatus = str(body, 'status');
  if (httpStatus === 422 && sessionStatus !== undefined) {
    const detail = `session is ${sessionStatus}: ${message}`;
    switch (sessionStatus) {
      case 'SCAN_QR_CODE':
      case 'PASSKEY_REQUIRED':
      case 'PASSKEY_CONFIRMATION_REQUIRED':
        return {
          class: 'account',
          code: 'logged_out',
          httpStatus,
          message: detail,
          healthEvent: 'logged_out',
        };
      case 'STARTING':
        return { class: 'retry', code: 'session_starting', httpStatus, message: detail, retryAfterMs: 5_000 };
      default:
        return {
          class: 'account',
          code: 'session_stopped',
          httpStatus,
          message: detail,
          healthEvent: 'disconnected',
        };
    }
  }
  if (httpStatus === 404 && texts.some((t) => /session/i.test(t))) {
    return { class: 'account', code: 'session_not_found', httpStatus, message, healthEvent: 'logged_out' };
  }
  return { ...classifyHttpStatus(httpStatus, message, input.headers), message };
}
