/**
 * Connecting a WhatsApp number by QR code or pairing code (issue 15.6), one API for Evolution and
 * WAHA channels:
 *
 * - `POST /channels/{id}/pairing` creates or reuses the instance/session on the channel's gateway,
 *   sets Sellify's webhook on it (signed the way the channel's webhook route checks), starts the
 *   pairing and answers the state with the QR when one is ready (and a pairing code when a phone
 *   number is given);
 * - `GET /channels/{id}/pairing` the tracked state (`?refresh=true` asks the gateway first);
 * - `GET /channels/{id}/pairing/qr` the current QR, raw and as a PNG data URL;
 * - `POST /channels/{id}/pairing/code` a pairing code for a phone number;
 * - `POST /channels/{id}/pairing/restart`, `POST /channels/{id}/pairing/logout`.
 *
 * The state is moved by the gateway's webhooks as well (src/pipeline/pairing.ts), and every change
 * is an event in the tenant's log. A QR links a device to the seller's WhatsApp: it is shown to keys
 * with `write` scope only, and never stored.
 */

import { type Static, Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { readPairing, recordPairing } from '../../../pipeline/pairing.ts';
import {
  createPairingClient,
  PAIRING_REASONS,
  PAIRING_STATES,
  type PairingChannel,
  type PairingClient,
  type PairingRecord,
  type PairingResult,
  type PairingView,
  type PairingWebhook,
  pathSegment,
  qrDigest,
  TOKEN_HEADER,
  type TransportError,
} from '../../../whatsapp/index.ts';
import { ApiError, problemResponses } from '../../errors.ts';
import { type Api, DateTime, idParams, iso, Nullable, notFound, type RouteContext, tx } from './common.ts';

const PairingStateSchema = Type.Union(
  PAIRING_STATES.map((s) => Type.Literal(s)),
  {
    description:
      '`connecting` (started, no QR yet), `qr` (a QR or pairing code waits), `connected`, `disconnected`, `failed` (the gateway gave up: start again)',
  },
);
const PairingReasonSchema = Type.Union(
  PAIRING_REASONS.map((s) => Type.Literal(s)),
  { description: 'Why the pairing is `failed` or `disconnected`' },
);

const PairingSchema = Type.Object(
  {
    channelId: Type.String(),
    transport: Type.Union([Type.Literal('evolution'), Type.Literal('waha')]),
    state: PairingStateSchema,
    reason: Nullable(PairingReasonSchema),
    qrCount: Type.Integer({
      description: 'QR codes shown in this attempt (counted from the gateway webhooks)',
    }),
    updatedAt: DateTime('Last change of the state'),
    qr: Type.Optional(
      Nullable(
        Type.Object(
          {
            raw: Type.String({ description: 'The QR content: render it with any QR library' }),
            pngDataUrl: Nullable(Type.String({ description: '`data:image/png;base64,…` from the gateway' })),
          },
          { additionalProperties: false },
        ),
        { description: 'The QR to scan, when the gateway shows one now' },
      ),
    ),
    pairingCode: Type.Optional(
      Nullable(
        Type.String({
          description: 'Typed on the phone (Linked devices → Link with phone number), shown as XXXX-XXXX',
        }),
      ),
    ),
  },
  { title: 'Pairing', additionalProperties: false },
);
type PairingOut = Static<typeof PairingSchema>;

const PhoneNumber = Type.String({
  minLength: 6,
  maxLength: 32,
  pattern: '^\\+?[0-9 ().-]+$',
  description: 'The number to link, with its country code (`+2250700000000`)',
});

const StartBody = Type.Object(
  { phoneNumber: Type.Optional(PhoneNumber) },
  { additionalProperties: false, description: 'With a phone number, a pairing code is asked for as well' },
);
const CodeBody = Type.Object({ phoneNumber: PhoneNumber }, { additionalProperties: false });
const StateQuery = Type.Object(
  {
    refresh: Type.Optional(
      Type.Boolean({
        description: 'Ask the gateway now instead of reading the tracked state (default false)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A phone number's digits (6 to 15, E.164 without the +). */
function phoneDigits(value: string, field: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 15) {
    throw new ApiError(
      'validation_failed',
      'The phone number must have 6 to 15 digits with its country code.',
      {
        errors: [{ field, message: 'must have 6 to 15 digits with the country code' }],
      },
    );
  }
  return digits;
}

/** The gateway does not know the channel's instance or session (never started, or deleted there). */
function isMissingOnGateway(error: TransportError): boolean {
  return error.code === 'instance_not_found' || error.code === 'session_not_found';
}

/**
 * A gateway's refusal as the API says it: an instance or session the gateway does not have is the
 * caller's next step (start the pairing, which creates it), a 409 like any other "not now"; every
 * other failure is the gateway's, a 502 with its short, secret-free text. Never a 500.
 */
function gatewayError(error: TransportError): ApiError {
  if (isMissingOnGateway(error)) {
    return new ApiError(
      'pairing_not_ready',
      'The instance or session does not exist on the gateway yet: start the pairing (POST /channels/{id}/pairing), which creates it.',
    );
  }
  const what =
    error.code === 'unauthorized'
      ? "the gateway refused the channel's API key"
      : error.code === 'forbidden_address'
        ? 'the gateway address is not one Sellify may call (SELLIFY_ALLOW_PRIVATE_GATEWAYS)'
        : error.message.slice(0, 300);
  return new ApiError('gateway_error', `The gateway failed (${error.code}): ${what}.`);
}

/** Whether a gateway client can put the name in a URL path (shared/http.ts `pathSegment`). */
function isPathSegment(name: string): boolean {
  try {
    pathSegment(name);
    return true;
  } catch {
    return false;
  }
}

function unwrap<T>(result: PairingResult<T>): T {
  if (!result.ok) throw gatewayError(result.error);
  return result.value;
}

interface Target {
  id: string;
  transport: 'evolution' | 'waha';
  channel: PairingChannel;
}

export function pairingRoutes(api: Api, ctx: RouteContext): void {
  const tags = ['pairing'];
  const Params = idParams('chn');

  async function target(req: FastifyRequest, channelId: string): Promise<Target> {
    const found = await tx(ctx, req, async (r) => {
      const channel = await r.channels.get(channelId);
      if (channel === null) return null;
      return { channel, credentials: await r.channels.getCredentials(channelId) };
    });
    if (found === null) throw notFound('channel');
    const { channel, credentials } = found;
    if (channel.transport !== 'evolution' && channel.transport !== 'waha') {
      throw new ApiError(
        'pairing_unsupported',
        `A ${channel.transport} channel does not connect by QR code: only Evolution and WAHA channels do.`,
      );
    }
    const text = (key: string): string | undefined =>
      typeof credentials?.[key] === 'string' ? (credentials[key] as string) : undefined;
    const baseUrl = text('baseUrl');
    const apiKey = text('apiKey');
    if (credentials === null || baseUrl === undefined || apiKey === undefined) {
      throw new ApiError(
        'pairing_unsupported',
        'The channel has no gateway credentials: set baseUrl, apiKey and the instance or session first.',
      );
    }
    // The instance or session name is a path segment of every gateway call; the channel routes
    // check it, and a stored one that is missing or unusable (written some other way) is refused
    // here rather than thrown from the client.
    const name = channel.transport === 'evolution' ? text('instance') : (text('session') ?? 'default');
    if (name === undefined || !isPathSegment(name)) {
      throw new ApiError(
        'pairing_unsupported',
        `The channel has no usable ${channel.transport === 'evolution' ? 'instance' : 'session'} name: set it on the channel first.`,
      );
    }
    const hmacKey = text('hmacKey');
    const webhookSecret = text('webhookSecret');
    const pairing: PairingChannel =
      channel.transport === 'evolution'
        ? {
            transport: 'evolution',
            credentials: {
              baseUrl,
              apiKey,
              instance: name,
              webhookSecret: webhookSecret ?? '',
            },
          }
        : {
            transport: 'waha',
            credentials: {
              baseUrl,
              apiKey,
              session: name,
              ...(hmacKey !== undefined ? { hmacKey } : {}),
              ...(webhookSecret !== undefined ? { webhookSecret } : {}),
            },
          };
    return { id: channel.id, transport: channel.transport, channel: pairing };
  }

  const clientOf = (t: Target): PairingClient => createPairingClient(t.channel, { egress: ctx.egress });

  /** Where the gateway posts, authenticated as the channel's webhook route checks it. */
  function webhookFor(req: FastifyRequest, t: Target): PairingWebhook {
    const base = (ctx.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
    const url = `${base}/webhooks/${t.transport}/${t.id}`;
    const c = t.channel.credentials;
    if (t.channel.transport === 'waha' && t.channel.credentials.hmacKey !== undefined)
      return { url, headers: {}, hmacKey: t.channel.credentials.hmacKey };
    return { url, headers: { [TOKEN_HEADER]: c.webhookSecret ?? '' } };
  }

  /** The gateway's view folded into the tracked state (a poll: it never counts a QR). */
  async function track(
    req: FastifyRequest,
    t: Target,
    view: PairingView,
    options: { restart?: boolean } = {},
  ): Promise<PairingRecord> {
    const atMs = ctx.clock();
    const update = {
      state: view.state,
      atMs,
      ...(view.reason !== undefined ? { reason: view.reason } : {}),
      ...(view.qr !== undefined ? { key: `qr:${qrDigest(view.qr.raw)}` } : {}),
    };
    return tx(ctx, req, async (r) => (await recordPairing(r, t, update, options)).record);
  }

  function out(t: Target, record: PairingRecord, view?: PairingView): PairingOut {
    const body: PairingOut = {
      channelId: t.id,
      transport: t.transport,
      state: record.state,
      reason: record.reason,
      qrCount: record.qrCount,
      updatedAt: iso(record.updatedAtMs),
    };
    if (view !== undefined) {
      body.qr = view.qr ? { raw: view.qr.raw, pngDataUrl: view.qr.pngDataUrl ?? null } : null;
      body.pairingCode = view.pairingCode ?? null;
    }
    return body;
  }

  /**
   * A new attempt (start, restart) is recorded before the gateway is asked, so the webhooks the
   * gateway sends while answering apply on top of it. When the gateway then fails, its state is
   * read back (best effort) so the tracked state does not stay at `connecting`.
   */
  async function attempt(
    req: FastifyRequest,
    t: Target,
    client: PairingClient,
    call: () => Promise<PairingResult<PairingView>>,
  ): Promise<PairingOut> {
    await tx(ctx, req, (r) =>
      recordPairing(r, t, { state: 'connecting', atMs: ctx.clock() }, { restart: true }),
    );
    const result = await call();
    if (!result.ok) {
      const now = await client.status();
      if (now.ok) await track(req, t, now.value);
      throw gatewayError(result.error);
    }
    return out(t, await track(req, t, result.value), result.value);
  }

  const gatewayProblems = problemResponses(
    'not_found',
    'pairing_unsupported',
    'pairing_not_ready',
    'gateway_error',
  );

  api.post(
    '/channels/:id/pairing',
    {
      // A QR or pairing code links a device: never kept for idempotent replays (a replay is a 409).
      config: { scope: 'write', oneTimeSecrets: ['qr', 'pairingCode'] },
      schema: {
        tags,
        summary: 'Connect the number: create or reuse the instance/session, set the webhook, start pairing',
        params: Params,
        body: Type.Optional(StartBody),
        response: {
          200: PairingSchema,
          ...gatewayProblems,
          ...problemResponses('validation_failed', 'idempotency_secret_withheld'),
        },
      },
    },
    async (req) => {
      const t = await target(req, req.params.id);
      const phone = req.body?.phoneNumber;
      const digits = phone === undefined ? undefined : phoneDigits(phone, 'body.phoneNumber');
      const client = clientOf(t);
      unwrap(await client.prepare(webhookFor(req, t)));
      // A linked number stays as it is: starting it again would only add noise to the event log.
      const now = unwrap(await client.status());
      if (now.state === 'connected') return out(t, await track(req, t, now), now);
      return attempt(req, t, client, () => client.start(digits === undefined ? {} : { phone: digits }));
    },
  );

  api.get(
    '/channels/:id/pairing',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The connection state (tracked from the gateway webhooks; refresh=true asks the gateway)',
        params: Params,
        querystring: StateQuery,
        response: { 200: PairingSchema, ...gatewayProblems, ...problemResponses('validation_failed') },
      },
    },
    async (req) => {
      const t = await target(req, req.params.id);
      if (req.query.refresh === true) {
        const view = unwrap(await clientOf(t).status());
        return out(t, await track(req, t, view));
      }
      return out(t, await tx(ctx, req, (r) => readPairing(r, t.id, ctx.clock())));
    },
  );

  api.get(
    '/channels/:id/pairing/qr',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'The QR code to scan now (raw string and PNG data URL)',
        params: Params,
        response: { 200: PairingSchema, ...gatewayProblems },
      },
    },
    async (req) => {
      const t = await target(req, req.params.id);
      const view = unwrap(await clientOf(t).qr());
      const record = await track(req, t, view);
      if (view.qr === undefined) {
        throw new ApiError(
          'pairing_not_ready',
          record.state === 'connecting'
            ? 'No QR code yet: the gateway is starting; ask again in a few seconds.'
            : `No QR code to show: the connection is ${record.state}${record.reason ? ` (${record.reason})` : ''}. Start the pairing (POST /channels/{id}/pairing) to get one.`,
        );
      }
      return out(t, record, view);
    },
  );

  api.post(
    '/channels/:id/pairing/code',
    {
      // A QR or pairing code links a device: never kept for idempotent replays (a replay is a 409).
      config: { scope: 'write', oneTimeSecrets: ['qr', 'pairingCode'] },
      schema: {
        tags,
        summary: 'A pairing code for a phone number (instead of scanning the QR)',
        params: Params,
        body: CodeBody,
        response: {
          200: PairingSchema,
          ...gatewayProblems,
          ...problemResponses('validation_failed', 'idempotency_secret_withheld'),
        },
      },
    },
    async (req) => {
      const t = await target(req, req.params.id);
      const digits = phoneDigits(req.body.phoneNumber, 'body.phoneNumber');
      const view = unwrap(await clientOf(t).requestCode(digits));
      const record = await track(req, t, view);
      if (view.pairingCode === undefined) {
        throw new ApiError(
          'pairing_not_ready',
          record.state === 'connecting' || record.state === 'qr'
            ? 'No pairing code yet: the gateway is starting; ask again in a few seconds.'
            : `No pairing code: the connection is ${record.state}. Start the pairing first.`,
        );
      }
      return out(t, record, view);
    },
  );

  api.post(
    '/channels/:id/pairing/restart',
    {
      // A QR or pairing code links a device: never kept for idempotent replays (a replay is a 409).
      config: { scope: 'write', oneTimeSecrets: ['qr', 'pairingCode'] },
      schema: {
        tags,
        summary: 'Restart the connection (a linked number reconnects; otherwise new QR codes)',
        params: Params,
        response: {
          200: PairingSchema,
          ...gatewayProblems,
          ...problemResponses('idempotency_secret_withheld'),
        },
      },
    },
    async (req) => {
      const t = await target(req, req.params.id);
      const client = clientOf(t);
      // Asked first, so a gateway that is down (or has no such instance) is refused before a new
      // attempt is recorded: no `channel.pairing_started` for a restart that never reached it.
      unwrap(await client.status());
      return attempt(req, t, client, () => client.restart());
    },
  );

  api.post(
    '/channels/:id/pairing/logout',
    {
      config: { scope: 'write' },
      schema: {
        tags,
        summary: 'Log the number out of the gateway (the phone must pair again)',
        params: Params,
        response: { 200: PairingSchema, ...gatewayProblems },
      },
    },
    async (req) => {
      const t = await target(req, req.params.id);
      const result = await clientOf(t).logout();
      // An instance or session the gateway does not have links no number: already logged out.
      const view: PairingView =
        !result.ok && isMissingOnGateway(result.error)
          ? { state: 'disconnected', reason: 'logged_out' }
          : unwrap(result);
      return out(t, await track(req, t, view));
    },
  );
}
