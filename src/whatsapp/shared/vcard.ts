/**
 * The little of vCard that a sales bot needs: the display name and the phones, with WhatsApp's
 * `waid` parameter when present (`TEL;type=CELL;waid=2250701020304:+225 07 01 02 03 04`).
 */
import type { InboundContactCard } from '../types.ts';
import { compact } from './json.ts';

export function vcardPhones(vcard: string | undefined): InboundContactCard['phones'] {
  if (!vcard) return [];
  const phones: InboundContactCard['phones'] = [];
  for (const line of vcard.split(/\r?\n/)) {
    if (!/^(item\d+\.)?TEL/i.test(line)) continue;
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const waId = line.slice(0, colon).match(/waid=(\d+)/i)?.[1];
    const phone = line.slice(colon + 1).trim();
    phones.push(compact({ phone: phone || undefined, waId }));
  }
  return phones;
}

export function vcardName(vcard: string | undefined): string | undefined {
  return vcard?.match(/^FN(?:;[^:\n]*)?:(.*)$/im)?.[1]?.trim() || undefined;
}
