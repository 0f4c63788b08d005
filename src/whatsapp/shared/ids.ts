/**
 * WhatsApp id forms (see the protocols reference, section D): E.164 for us, bare digits for the
 * Cloud API and Evolution, `digits@c.us` for WAHA, `@s.whatsapp.net` / `@lid` / `@g.us` JIDs on
 * gateways. Inbound ids are mapped through src/domain/phone.ts so every transport yields the same
 * E.164 string for one customer.
 */
import { phoneFromWhatsAppId } from '../../domain/phone.ts';
import type { InboundSender } from '../types.ts';

/** '+225 07 01…' → '22507…'. Callers pass E.164; anything else is reduced to its digits. */
export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}

/** The Cloud API wants '+' and the country code; a bare digit string is taken as international. */
export function cloudTo(phone: string): string {
  const trimmed = phone.trim();
  return trimmed.startsWith('+') ? trimmed : `+${digitsOf(trimmed)}`;
}

export type JidKind = 'user' | 'lid' | 'group' | 'broadcast' | 'newsletter' | 'other';

export function jidKind(jid: string): JidKind {
  const at = jid.lastIndexOf('@');
  if (at === -1) return /^\+?\d+$/.test(jid.trim()) ? 'user' : 'other';
  const server = jid.slice(at + 1).toLowerCase();
  if (server === 's.whatsapp.net' || server === 'c.us') return 'user';
  if (server === 'lid') return 'lid';
  if (server === 'g.us') return 'group';
  if (server === 'broadcast') return 'broadcast';
  if (server === 'newsletter') return 'newsletter';
  return 'other';
}

/** Phone and digits of a user JID or bare number; waId falls back to the raw user part. */
export function senderFromJid(jid: string): Pick<InboundSender, 'phone' | 'waId' | 'lid'> {
  const kind = jidKind(jid);
  if (kind === 'lid') return { lid: jid };
  const phone = phoneFromWhatsAppId(jid);
  if (phone) return { phone: phone.e164, waId: phone.digits };
  const user = jid.split('@')[0]?.split(':')[0];
  return user && /^\d+$/.test(user) ? { waId: user } : {};
}

/** E.164 for a Cloud `wa_id` / `recipient_id` (digits), undefined when it is not a valid number. */
export function phoneFromDigits(digits: string | undefined): string | undefined {
  if (digits === undefined) return undefined;
  return phoneFromWhatsAppId(digits)?.e164;
}

/** Longest provider message id read back from a send answer (real ones are under 150 characters). */
export const MAX_SENT_ID_LENGTH = 256;
/** Cloud wamids (base64 with a `wamid.` prefix), Baileys hex ids, WAHA `true_<chat>@c.us_<id>` forms. */
const PROVIDER_ID_PATTERN = /^[A-Za-z0-9._:@=+/-]+$/;

/**
 * A message id from a transport's answer, or undefined when it is not a plausible one: a string of
 * at most MAX_SENT_ID_LENGTH characters from the alphabet real ids use. Such an id is stored and
 * shown to the seller, so an answer cannot smuggle arbitrary text (or megabytes) through it.
 */
export function sentIdOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length === 0 || value.length > MAX_SENT_ID_LENGTH) return undefined;
  return PROVIDER_ID_PATTERN.test(value) ? value : undefined;
}

/** A WhatsApp id (`wa_id`, a JID's user part) from an answer: 5 to 20 digits, else undefined. */
export function waIdOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^\d{5,20}$/.test(value) ? value : undefined;
}
