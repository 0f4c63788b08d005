/**
 * Evolution API errors (`{ status, error, response: { message } }`, message a string or an array)
 * to TransportErrors.
 */
import { bodyTexts, firstMessage, type GatewayErrorInput, reachoutLock } from '../shared/gateway-errors.ts';
import { classifyHttpStatus } from '../shared/http.ts';
import { arr, isObject, obj } from '../shared/json.ts';
import type { TransportError } from '../types.ts';

export function classifyEvolutionError(input: GatewayErrorInput): TransportError {
  const { httpStatus, body } = input;
  const texts = bodyTexts(body);
  // The useful text is in response.message; `error` only repeats the HTTP reason phrase.
  const response = obj(body, 'response');
  const message = firstMessage(bodyTexts(response ? response.message : body), httpStatus);
  const lock = reachoutLock(texts, httpStatus);
  if (lock) return lock;

  // sendText on a number that is not on WhatsApp: 400 { response: { message: [{ exists: false, jid, number }] } }.
  const items = arr(obj(body, 'response'), 'message');
  const missing = items.find((m) => isObject(m) && m.exists === false);
  if (missing !== undefined) {
    const number = isObject(missing) && typeof missing.number === 'string' ? missing.number : '?';
    return {
      class: 'unreachable',
      code: 'not_on_whatsapp',
      httpStatus,
      message: `${number} is not on WhatsApp`,
    };
  }
  // Baileys throws 'Connection Closed' when the socket is down; only a reconnection (a
  // connection.update 'open') makes the number usable again, so it is reported as logged out.
  if (texts.some((t) => /connection closed|not connected|socket.*(closed|not open)/i.test(t))) {
    return {
      class: 'account',
      code: 'connection_closed',
      httpStatus,
      message,
      healthEvent: 'logged_out',
    };
  }
  if (httpStatus === 401 || httpStatus === 403) {
    // The gateway refused our API key: nothing will send until the seller fixes the channel.
    return { class: 'account', code: 'unauthorized', httpStatus, message, healthEvent: 'forbidden' };
  }
  if (httpStatus === 404 && texts.some((t) => /instance.*does not exist|instance not found/i.test(t))) {
    return { class: 'account', code: 'instance_not_found', httpStatus, message, healthEvent: 'logged_out' };
  }
  return { ...classifyHttpStatus(httpStatus, message, input.headers), message };
}
