/**
 * Cloud API credential check: the phone number's details (GET /{version}/{phoneNumberId}), which
 * need a valid token that sees that number. Read-only; `sellify doctor` calls it per channel.
 */
import {
  type CredentialCheck,
  type CredentialCheckOptions,
  field,
  remoteText,
  safeOrigin,
  unreachable,
} from '../shared/credential-check.ts';
import { httpCall, joinUrl, pathSegment } from '../shared/http.ts';
import { type CloudCredentials, DEFAULT_GRAPH_URL, DEFAULT_GRAPH_VERSION } from '../types.ts';

export async function checkCloudCredentials(
  credentials: Pick<CloudCredentials, 'phoneNumberId' | 'accessToken'>,
  /** The Graph URL is the operator's (WHATSAPP_GRAPH_URL), never a channel's. */
  options: CredentialCheckOptions & { graphUrl?: string },
): Promise<CredentialCheck> {
  const base = options.graphUrl ?? DEFAULT_GRAPH_URL;
  const id = credentials.phoneNumberId;
  let path: string;
  try {
    path = `${pathSegment(DEFAULT_GRAPH_VERSION)}/${pathSegment(id)}`;
  } catch {
    return {
      status: 'fail',
      detail: `phone number id "${id}" is not one`,
      hint: 'copy the phone number id from the app dashboard (WhatsApp → API Setup)',
    };
  }
  const reply = await httpCall(options.fetch ?? fetch, {
    method: 'GET',
    url: `${joinUrl(base, path)}?fields=display_phone_number,verified_name,quality_rating`,
    headers: { authorization: `Bearer ${credentials.accessToken}` },
    timeoutMs: options.timeoutMs,
  });
  if (!reply.ok)
    return unreachable(
      safeOrigin(base),
      reply.error,
      options.timeoutMs,
      'check WHATSAPP_GRAPH_URL and the network',
    );
  if (reply.status === 200) {
    const display = remoteText(field(reply.body, 'display_phone_number')) ?? id;
    const verified = remoteText(field(reply.body, 'verified_name'));
    const quality = remoteText(field(reply.body, 'quality_rating'));
    const warn = quality !== undefined && quality !== 'GREEN' && quality !== 'UNKNOWN';
    return {
      status: warn ? 'warn' : 'ok',
      detail: `phone number ${display}${verified ? ` (${verified})` : ''}${quality ? `, quality ${quality}` : ''}`,
      ...(warn
        ? { hint: 'the number has a low quality rating: send less and only to people who wrote first' }
        : {}),
    };
  }
  const error = field(reply.body, 'error');
  const code = Number(field(error, 'code'));
  const message = remoteText(field(error, 'message')) ?? `HTTP ${reply.status}`;
  if (code === 190 || reply.status === 401) {
    return {
      status: 'fail',
      detail: `access token refused (code ${Number.isNaN(code) ? reply.status : code}: ${message})`,
      hint: 'make a new system-user token (Business settings → System users), then PATCH /api/v1/channels/<id> with all its credentials (they are replaced whole)',
    };
  }
  if (code === 100) {
    return {
      status: 'fail',
      detail: `phone number id ${id} not found for this token (${message})`,
      hint: 'copy the phone number id from the app dashboard (WhatsApp → API Setup); the system user needs the WhatsApp account as an asset',
    };
  }
  if (code === 10 || (code >= 200 && code <= 299)) {
    return {
      status: 'fail',
      detail: `the token lacks a permission (code ${code}: ${message})`,
      hint: 'give the token whatsapp_business_management and whatsapp_business_messaging',
    };
  }
  return {
    status: 'fail',
    detail: `Graph API answered ${reply.status}${Number.isNaN(code) ? '' : ` code ${code}`}: ${message}`,
  };
}
