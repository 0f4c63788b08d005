/**
 * POST /messages: the advisor's bot records a message it sent or received, so quotas, the
 * funnel and the 24-hour window stay true without Sellify touching WhatsApp.
 *
 * - The contact is found or created by phone on the channel (or named by `contactId`).
 * - Inbound: the message is stored; the contact's last inbound time moves forward (it opens the
 *   Cloud API's 24-hour window) and the message is decided and applied as in integrated mode
 *   (src/pipeline/advisor.ts): the follow-up ladder restarts, the funnel advances, STOP / START
 *   update consent, the order dialogue's state moves on, and a "oui" to a summary creates the order.
 * - Outbound: the message is stored as sent (it then counts in the send counters behind every
 *   quota, since those are computed from stored messages); the last outbound time moves forward
 *   and a follow-up counts one step of the ladder.
 * - `providerId` is the transport's message id, unique per channel: the same message recorded
 *   twice returns the first one with 200 (201 when new), and changes nothing.
 */

import { randomUUID } from 'node:crypto';
import { type Static, Type } from '@sinclair/typebox';
import { BsuidError } from '../../../domain/bsuid.ts';
import { isMessageTime } from '../../../domain/instants.ts';
import { PhoneError } from '../../../domain/phone.ts';
import { assignVariant } from '../../../engines/experiments.ts';
import { applyAdvisorInbound } from '../../../pipeline/advisor.ts';
import {
  type Channel,
  type Contact,
  type ContactPatch,
  type Message,
  ProviderIdTakenError,
  playbookFields,
  type TenantRepos,
} from '../../../store/index.ts';
import { problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import {
  type Api,
  DateTime,
  idSchema,
  invalidField,
  msOrUndefined,
  notFound,
  type RouteContext,
  tx,
  txFor,
} from './common.ts';
import { ContactSchema, contactView, MessageSchema, messageView } from './views.ts';

export const MessageBody = Type.Object(
  {
    channelId: idSchema('chn', 'The channel the message went through'),
    contactId: Type.Optional(
      idSchema('ctc', 'The contact, when known; otherwise give contactPhone and/or contactBsuid'),
    ),
    contactPhone: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 64,
        description: "The customer's number (E.164 preferred) or WhatsApp id",
      }),
    ),
    contactBsuid: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 131,
        description:
          "Cloud business-scoped user id ('CI.1502576394655843'): alone for a username user without a phone number, or beside contactPhone",
      }),
    ),
    contactName: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'WhatsApp profile name (with contactPhone or contactBsuid)',
      }),
    ),
    direction: Type.Union([Type.Literal('in'), Type.Literal('out')], {
      description: 'in: the customer wrote; out: your bot sent',
    }),
    text: Type.String({ maxLength: 65_536 }),
    providerId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "The transport's message id (wamid…): makes the call idempotent",
      }),
    ),
    kind: Type.Optional(
      Type.Union([Type.Literal('reply'), Type.Literal('followup'), Type.Literal('proactive')], {
        description: 'Outbound only; default reply',
      }),
    ),
    type: Type.Optional(
      Type.String({ pattern: '^[a-z_]{1,32}$', description: 'text (default), image, audio…' }),
    ),
    sentAt: Type.Optional(DateTime('Outbound only: when it was sent; default now')),
    receivedAt: Type.Optional(DateTime('Inbound only: when the customer sent it; default now')),
    status: Type.Optional(
      Type.Union([Type.Literal('sent'), Type.Literal('queued')], {
        description: 'Outbound only; default sent',
      }),
    ),
    decisionId: Type.Optional(idSchema('dec', 'Outbound only: the decision this message carries out')),
    experimentId: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
        description: "Outbound only: the playbook's A/B experiment whose wording this message carries",
      }),
    ),
    variantId: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9_-]{0,19}$',
        description: "With experimentId: the variant sent; default: the contact's assigned variant",
      }),
    ),
  },
  { additionalProperties: false, title: 'RecordMessage' },
);
type MessageInput = Static<typeof MessageBody>;

const MessageResult = Type.Object(
  { message: MessageSchema, contact: ContactSchema },
  { title: 'RecordedMessage' },
);

/** The experiment and variant an outbound message carries: checked against the playbook, assigned when not given. */
async function experimentOf(
  r: TenantRepos,
  b: MessageInput,
  contactId: string,
): Promise<{ id: string; variantId: string } | null> {
  if (b.experimentId === undefined) {
    if (b.variantId !== undefined) throw invalidField('body.variantId', 'needs experimentId');
    return null;
  }
  const experiment = playbookFields(await r.playbook.get()).experiments.find((e) => e.id === b.experimentId);
  if (experiment === undefined)
    throw invalidField('body.experimentId', 'is not an experiment of the playbook');
  if (b.variantId === undefined)
    return { id: experiment.id, variantId: assignVariant(experiment, contactId).id };
  if (!experiment.variants.some((v) => v.id === b.variantId))
    throw invalidField('body.variantId', 'is not a variant of this experiment');
  return { id: experiment.id, variantId: b.variantId };
}

const OUT_ONLY = ['sentAt', 'status', 'kind', 'decisionId', 'experimentId', 'variantId'] as const;

function checkShape(b: MessageInput): void {
  const byIdentity = b.contactPhone !== undefined || b.contactBsuid !== undefined;
  if (b.contactId !== undefined && byIdentity) {
    const field = b.contactPhone !== undefined ? 'body.contactPhone' : 'body.contactBsuid';
    throw invalidField(field, 'give contactId or contactPhone/contactBsuid, not both');
  }
  if (b.contactId === undefined && !byIdentity) {
    throw invalidField('body.contactPhone', 'is required (or contactId, or contactBsuid)');
  }
  if (b.contactName !== undefined && !byIdentity) {
    throw invalidField('body.contactName', 'is only allowed with contactPhone or contactBsuid');
  }
  if (b.direction === 'in') {
    for (const field of OUT_ONLY) {
      if (b[field] !== undefined)
        throw invalidField(`body.${field}`, 'is only allowed when direction is "out"');
    }
  } else if (b.receivedAt !== undefined) {
    throw invalidField('body.receivedAt', 'is only allowed when direction is "in"');
  }
}

interface Recorded {
  created: boolean;
  message: Message;
  contact: Contact;
}

async function resolveContact(r: TenantRepos, channel: Channel, b: MessageInput): Promise<Contact> {
  if (b.contactId !== undefined) {
    const contact = await r.contacts.get(b.contactId);
    if (contact === null || contact.channelId !== channel.id) throw notFound('contact');
    return contact;
  }
  const identity = {
    ...(b.contactPhone === undefined ? {} : { phone: b.contactPhone }),
    ...(b.contactBsuid === undefined ? {} : { bsuid: b.contactBsuid }),
  };
  try {
    return (await r.contacts.upsertBySender(channel.id, identity, b.contactName ?? null)).contact;
  } catch (err) {
    if (err instanceof PhoneError) throw invalidField('body.contactPhone', err.message);
    if (err instanceof BsuidError) throw invalidField('body.contactBsuid', err.message);
    throw err;
  }
}

const later = (stored: number | null, atMs: number): number =>
  stored === null ? atMs : Math.max(stored, atMs);

async function recordInbound(
  r: TenantRepos,
  channel: Channel,
  b: MessageInput,
  atMs: number,
  nowMs: number,
): Promise<Recorded> {
  const contact = await resolveContact(r, channel, b);
  const { inserted, message } = await r.messages.insertInbound({
    channelId: channel.id,
    contactId: contact.id,
    // Without the transport's id there is nothing to deduplicate on: a fresh one stands in.
    providerId: b.providerId ?? `sellify:${randomUUID()}`,
    body: b.text,
    type: b.type ?? 'text',
    createdAtMs: atMs,
  });
  if (!inserted) return { created: false, message, contact };
  const applied = await applyAdvisorInbound(r, { channel, contact, message, atMs, nowMs });
  return { created: true, message, contact: applied.contact };
}

async function recordOutbound(
  r: TenantRepos,
  channel: Channel,
  b: MessageInput,
  atMs: number,
): Promise<Recorded> {
  const contact = await resolveContact(r, channel, b);
  if (b.providerId !== undefined) {
    const existing = await r.messages.getByProviderId(channel.id, b.providerId);
    if (existing !== null) return { created: false, message: existing, contact };
  }
  if (b.decisionId !== undefined && (await r.decisions.get(b.decisionId)) === null)
    throw notFound('decision');
  const kind = b.kind ?? 'reply';
  const status = b.status ?? 'sent';
  const experiment = await experimentOf(r, b, contact.id);
  const message = await r.messages.insertOutbound({
    experiment,
    channelId: channel.id,
    contactId: contact.id,
    kind,
    body: b.text,
    type: b.type ?? 'text',
    status,
    // A business-initiated first message to someone with no history is what the cold caps count.
    isCold: kind !== 'reply' && contact.lastInboundAtMs === null && contact.lastOutboundAtMs === null,
    decisionId: b.decisionId ?? null,
    providerId: b.providerId ?? null,
    createdAtMs: atMs,
    sentAtMs: status === 'sent' ? atMs : null,
  });
  if (status !== 'sent') return { created: true, message, contact };
  const patch: ContactPatch = { lastOutboundAtMs: later(contact.lastOutboundAtMs, atMs) };
  if (kind === 'followup') patch.followupsSent = contact.followupsSent + 1;
  const updated = await r.contacts.patch(contact.id, patch);
  return { created: true, message, contact: updated ?? contact };
}

export function messageRoutes(api: Api, ctx: RouteContext): void {
  api.post(
    '/messages',
    {
      config: { scope: 'write' },
      schema: {
        tags: ['advisor'],
        summary: 'Record a message your bot sent or received',
        description:
          'Keeps quotas, the funnel and the 24-hour window true in advisor mode. 201 when recorded, 200 with the stored message when `providerId` was already recorded on the channel.',
        body: MessageBody,
        response: {
          200: MessageResult,
          201: MessageResult,
          ...problemResponses(
            'validation_failed',
            'not_found',
            'idempotency_mismatch',
            'idempotency_in_flight',
          ),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      checkShape(b);
      const nowMs = ctx.clock();
      const given = b.direction === 'in' ? 'receivedAt' : 'sentAt';
      const atMs = msOrUndefined(b[given]) ?? nowMs;
      // The schema bounds every date-time; a message time may also not run ahead of our clock by
      // more than a day, or a message "from" 2099 would hold the 24-hour window open until then.
      if (!isMessageTime(atMs, nowMs)) {
        throw invalidField(`body.${given}`, 'must not be more than 1 day after the server clock');
      }
      let result: Recorded;
      try {
        result = await tx(ctx, req, async (r) => {
          const channel = await r.channels.get(b.channelId);
          if (channel === null) throw notFound('channel');
          return b.direction === 'in'
            ? recordInbound(r, channel, b, atMs, nowMs)
            : recordOutbound(r, channel, b, atMs);
        });
      } catch (err) {
        // Two requests raced to record the same outbound providerId: the loser returns the winner's row.
        if (!(err instanceof ProviderIdTakenError)) throw err;
        const providerId = err.providerId;
        const again = await txFor(ctx, principalOf(req).tenantId, async (r) => {
          const message = await r.messages.getByProviderId(b.channelId, providerId);
          const contact = message === null ? null : await r.contacts.get(message.contactId);
          return message === null || contact === null ? null : { created: false, message, contact };
        });
        if (again === null) throw err;
        result = again;
      }
      return reply
        .code(result.created ? 201 : 200)
        .send({ message: messageView(result.message), contact: contactView(result.contact) });
    },
  );
}
