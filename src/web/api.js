/**
 * The one module that talks to the server. Requests carry the session cookie (same origin) and,
 * on every POST/PUT/PATCH/DELETE, the CSRF token GET /api/session returned. A failed request
 * throws ApiFailure with the problem+json `code`; a session that ended sends the app back to
 * sign-in (onSignedOut). Screens built later (inbox, pairing, payments) add their calls here.
 */

let csrfToken = null;
let signedOutHandler = () => {};

export class ApiFailure extends Error {
  constructor(status, problem, headers) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? (status === 0 ? 'offline' : 'unknown');
    this.retryAfterS = Number(headers?.get('retry-after') ?? 0);
  }
}

export function onSignedOut(handler) {
  signedOutHandler = handler;
}

async function request(method, path, body, extraHeaders) {
  const headers = { accept: 'application/json', ...extraHeaders };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiFailure(0, null, null);
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const failure = new ApiFailure(res.status, data, res.headers);
    if (res.status === 401 && !path.startsWith('/api/session')) {
      csrfToken = null;
      signedOutHandler();
    }
    throw failure;
  }
  return data;
}

function remember(session) {
  csrfToken = session?.signedIn ? session.csrfToken : null;
  return session;
}

const v1 = (path) => `/api/v1${path}`;
const id = (value) => encodeURIComponent(value);

export const api = {
  // Session
  session: async () => remember(await request('GET', '/api/session')),
  signIn: async (email, password) => remember(await request('POST', '/api/session', { email, password })),
  acceptInvite: async (token, email, password) =>
    remember(await request('POST', '/api/session/invite', { token, email, password })),
  signOut: async (everywhere = false) => {
    const result = await request('DELETE', `/api/session${everywhere ? '?everywhere=true' : ''}`);
    csrfToken = null;
    return result;
  },
  // Team
  users: () => request('GET', v1('/users')),
  invite: (role) => request('POST', v1('/users/invites'), { role }),
  // Discussions
  contacts: () => request('GET', v1('/contacts?limit=100')),
  contact: (contactId) => request('GET', v1(`/contacts/${id(contactId)}`)),
  messages: (contactId) => request('GET', v1(`/contacts/${id(contactId)}/messages?limit=100`)),
  decision: (decisionId) => request('GET', v1(`/decisions/${id(decisionId)}`)),
  // Live inbox (the human loop's API): filter is all | people | waiting | human | bot.
  conversations: (filter = 'all') => request('GET', v1(`/conversations?limit=100&filter=${id(filter)}`)),
  conversationThread: (contactId) => request('GET', v1(`/conversations/${id(contactId)}/messages?limit=100`)),
  takeOver: (contactId) => request('POST', v1(`/conversations/${id(contactId)}/takeover`), {}),
  handBack: (contactId) => request('POST', v1(`/conversations/${id(contactId)}/handback`)),
  /** A person's reply; the idempotency key makes a retried send go out once. */
  reply: (contactId, text, idempotencyKey) =>
    request(
      'POST',
      v1(`/conversations/${id(contactId)}/messages`),
      { text },
      { 'idempotency-key': idempotencyKey },
    ),
  // Catalogue
  products: () => request('GET', v1('/products?limit=100')),
  createProduct: (product) => request('POST', v1('/products'), product),
  updateProduct: (productId, patch) => request('PATCH', v1(`/products/${id(productId)}`), patch),
  // Orders
  orders: () => request('GET', v1('/orders?limit=100')),
  order: (orderId) => request('GET', v1(`/orders/${id(orderId)}`)),
  changeOrder: (orderId, change) => request('PATCH', v1(`/orders/${id(orderId)}`), change),
  recordPayment: (orderId, payment) => request('POST', v1(`/orders/${id(orderId)}/payments`), payment),
  // Settings
  playbook: () => request('GET', v1('/playbook')),
  savePlaybook: (playbook) => request('PUT', v1('/playbook'), playbook),
  // Number
  channels: () => request('GET', v1('/channels')),
  channel: (channelId) => request('GET', v1(`/channels/${id(channelId)}`)),
  updateChannel: (channelId, patch) => request('PATCH', v1(`/channels/${id(channelId)}`), patch),
  pairing: (channelId, refresh = false) =>
    request('GET', v1(`/channels/${id(channelId)}/pairing${refresh ? '?refresh=true' : ''}`)),
  startPairing: (channelId, phoneNumber) =>
    request('POST', v1(`/channels/${id(channelId)}/pairing`), phoneNumber ? { phoneNumber } : {}),
  pairingQr: (channelId) => request('GET', v1(`/channels/${id(channelId)}/pairing/qr`)),
  pairingCode: (channelId, phoneNumber) =>
    request('POST', v1(`/channels/${id(channelId)}/pairing/code`), { phoneNumber }),
  restartPairing: (channelId) => request('POST', v1(`/channels/${id(channelId)}/pairing/restart`)),
  logoutPairing: (channelId) => request('POST', v1(`/channels/${id(channelId)}/pairing/logout`)),
  // Today
  stats: (fromIso) => request('GET', v1(`/stats${fromIso ? `?from=${encodeURIComponent(fromIso)}` : ''}`)),
  experiments: () => request('GET', v1('/experiments')),
};
