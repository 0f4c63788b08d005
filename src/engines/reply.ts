/**
 * Turns what the intent engine understood into the text a seller would send: facts from the
 * catalogue and the playbook, wording from templates (playbook first, then defaults), one part per
 * question asked, in the customer's language. Pure: the wording choice is seeded.
 */

import type { ConsentAction } from './consent.ts';
import type { PlaybookInput } from './context.ts';
import type { IntentVerdict } from './intent.ts';
import { formatPrice } from './money.ts';
import { DEFAULT_INFO, DEFAULT_TEMPLATES, type TemplateKey } from './templates.ts';
import type { Intent, Language, Product, ProductMention, Reason } from './types.ts';
import { renderTemplate } from './variation.ts';

export interface ComposeInput {
  intent: IntentVerdict;
  consentAction: ConsentAction;
  catalog: readonly Product[];
  playbook?: PlaybookInput;
  contactName?: string;
  seed: string;
}

export interface ComposedReply {
  text: string;
  /** Template keys used, in order (for the audit trail). */
  parts: TemplateKey[];
  /** The conversation should go to a person. */
  handoff: boolean;
  reasons: Reason[];
}

/** At most this many catalogue lines in one message: a wall of text reads like spam. */
const MAX_CATALOG_LINES = 8;
/** Below this score a product mention is a family match ("le sac" with two bags), not a specific product. */
export const SPECIFIC_MATCH_SCORE = 0.5;
/** At most this many answered questions in one reply. */
const MAX_PARTS = 3;

const SMALL_TALK: ReadonlySet<Intent> = new Set(['greeting', 'thanks', 'unknown']);
const INFO_INTENTS = ['payment', 'delivery', 'location', 'hours'] as const;
type InfoIntent = (typeof INFO_INTENTS)[number];

const LINE_TEXT: Record<
  Language,
  { colon: string; inStock: string; outOfStock: string; cta: string; moreOut: string }
> = {
  fr: {
    colon: ' : ',
    inStock: 'disponible ✅',
    outOfStock: 'en rupture de stock pour le moment ❌',
    cta: '{Souhaitez-vous passer commande ?|Voulez-vous commander ?|Je vous en réserve ?}',
    moreOut: '{Voulez-vous voir nos autres articles ?|Je peux vous proposer autre chose ?}',
  },
  en: {
    colon: ': ',
    inStock: 'available ✅',
    outOfStock: 'out of stock for now ❌',
    cta: '{Would you like to order?|Shall I reserve one for you?|Would you like to place an order?}',
    moreOut: '{Would you like to see our other items?|Can I suggest something else?}',
  },
};

function inStock(p: Product): boolean {
  return p.stock === undefined || p.stock === null || p.stock > 0;
}

class Composer {
  readonly parts: TemplateKey[] = [];
  readonly reasons: Reason[] = [];
  private renders = 0;
  readonly lang: Language;
  private readonly byId: Map<string, Product>;

  constructor(private readonly input: ComposeInput) {
    this.lang = input.intent.language;
    this.byId = new Map(input.catalog.map((p) => [p.id, p]));
  }

  /** Renders a template by key (playbook override first), filling the shared variables. */
  render(key: TemplateKey, variables: Record<string, string | number | undefined> = {}): string {
    this.parts.push(key);
    return this.renderRaw(key, this.templateFor(key), variables);
  }

  renderRaw(
    key: string,
    template: string,
    variables: Record<string, string | number | undefined> = {},
  ): string {
    const seed = `${this.input.seed}:${key}:${this.renders++}`;
    const out = renderTemplate({ template, variables: { name: this.firstName(), ...variables }, seed });
    for (const r of out.reasons) if (r.code !== 'variation.ok') this.reasons.push(r);
    return out.text;
  }

  private templateFor(key: TemplateKey): string {
    const custom = this.input.playbook?.templates?.[key]?.[this.lang];
    if (typeof custom === 'string') return custom;
    if (Array.isArray(custom) && custom.length > 0) {
      // A list of alternatives is spintax written another way.
      return `{${custom.map((t) => t.replaceAll('|', '\\|')).join('|')}}`;
    }
    return DEFAULT_TEMPLATES[this.lang][key];
  }

  private firstName(): string {
    const first = this.input.contactName?.trim().split(/\s+/)[0];
    return first ? ` ${first}` : '';
  }

  product(m: ProductMention): Product | undefined {
    return this.byId.get(m.productId);
  }

  price(p: Product, quantity = 1): string {
    return formatPrice(p.price * quantity, p.currency, this.lang);
  }

  catalogList(): string {
    const lines = this.input.catalog
      .filter(inStock)
      .slice(0, MAX_CATALOG_LINES)
      .map((p) => `• ${p.name} — ${this.price(p)}`);
    return lines.join('\n');
  }

  info(which: InfoIntent): string {
    const custom = this.input.playbook?.info?.[which]?.[this.lang];
    const template =
      typeof custom === 'string' ? custom : Array.isArray(custom) && custom[0] ? custom[0] : undefined;
    return this.renderRaw(`info_${which}`, template ?? DEFAULT_INFO[which][this.lang]);
  }
}

function productLines(
  c: Composer,
  mentions: readonly ProductMention[],
  withPrice: boolean,
): { text: string; anyOut: boolean; anyIn: boolean } {
  const t = LINE_TEXT[c.lang];
  let anyOut = false;
  let anyIn = false;
  const lines: string[] = [];
  for (const m of mentions) {
    const p = c.product(m);
    if (!p) continue;
    const qty = m.quantity && m.quantity > 1 ? m.quantity : 1;
    const label = qty > 1 ? `${qty} × ${p.name}` : p.name;
    if (inStock(p)) {
      anyIn = true;
      lines.push(
        withPrice
          ? `${label}${t.colon}${c.price(p, qty)} (${t.inStock})`
          : `${label}${t.colon}${t.inStock} (${c.price(p, qty)})`,
      );
    } else {
      anyOut = true;
      lines.push(`${p.name}${t.colon}${t.outOfStock}`);
    }
  }
  return { text: lines.join('\n'), anyOut, anyIn };
}

function answerProducts(c: Composer, input: ComposeInput, withPrice: boolean): string {
  const { entities } = input.intent;
  if (entities.products.length === 0) {
    if (input.catalog.length === 0) return c.render('catalog_empty');
    if (entities.unknownProduct) {
      c.reasons.push({
        engine: 'decide',
        code: 'decide.unknown_product',
        detail: 'Asked about an item that is not in the catalogue: listed what is available',
      });
      return c.render('unknown_product', { query: entities.unknownProduct, catalog: c.catalogList() });
    }
    return c.render('price_ask_product', { catalog: c.catalogList() });
  }
  c.parts.push(withPrice ? 'price_line' : 'availability_in_stock');
  const lines = productLines(c, entities.products, withPrice);
  const t = LINE_TEXT[c.lang];
  const closing = lines.anyIn ? c.renderRaw('cta', t.cta) : c.renderRaw('more', t.moreOut);
  if (lines.anyOut)
    c.reasons.push({
      engine: 'decide',
      code: 'decide.out_of_stock',
      detail: 'A product asked about is out of stock: said so',
    });
  return `${lines.text}\n${closing}`;
}

function answerOrder(c: Composer, input: ComposeInput): string {
  const mentions = input.intent.entities.products;
  if (mentions.length === 0) {
    if (input.catalog.length === 0) return c.render('catalog_empty');
    return c.render('order_ask_product', { catalog: c.catalogList() });
  }
  // "Je veux le sac" with two bags in the catalogue: ask which one instead of ordering both.
  if (mentions.length > 1 && mentions.every((m) => m.score < SPECIFIC_MATCH_SCORE)) {
    const options = mentions
      .map((m) => c.product(m))
      .filter((p): p is Product => p !== undefined)
      .map((p) => `• ${p.name} — ${c.price(p)}`)
      .join('\n');
    return c.render('order_which', { options });
  }
  const available: { p: Product; qty: number }[] = [];
  const out: Product[] = [];
  for (const m of mentions) {
    const p = c.product(m);
    if (!p) continue;
    const qty = m.quantity ?? (mentions.length === 1 ? input.intent.entities.quantity : undefined) ?? 1;
    if (inStock(p) && (p.stock === undefined || p.stock === null || p.stock >= qty))
      available.push({ p, qty });
    else out.push(p);
  }
  const pieces: string[] = [];
  if (available.length > 0) {
    const first = available[0]!;
    const sameCurrency = available.every((a) => a.p.currency === first.p.currency);
    const items = available.map((a) => `${a.qty} × ${a.p.name}`).join(', ');
    const totalMinor = available.reduce((sum, a) => sum + a.p.price * a.qty, 0);
    pieces.push(
      c.render('order_confirm', {
        items,
        total: sameCurrency ? formatPrice(totalMinor, first.p.currency, c.lang) : undefined,
      }),
    );
  }
  for (const p of out) pieces.push(c.render('out_of_stock', { product: p.name }));
  if (out.length > 0)
    c.reasons.push({
      engine: 'decide',
      code: 'decide.out_of_stock',
      detail: 'A product ordered is out of stock or short: said so',
    });
  return pieces.join('\n');
}

function answerNegotiate(c: Composer, input: ComposeInput): string {
  const m = input.intent.entities.products[0];
  const p = m ? c.product(m) : undefined;
  if (p) return c.render('negotiate_product', { product: p.name, price: c.price(p) });
  return c.render('negotiate');
}

/** Builds the reply text for an inbound message. */
export function composeReply(input: ComposeInput): ComposedReply {
  const c = new Composer(input);
  const finish = (text: string, handoff = false): ComposedReply => ({
    text: text.trim(),
    parts: c.parts,
    handoff,
    reasons: c.reasons,
  });

  if (input.consentAction === 'confirm_opt_out') return finish(c.render('opt_out'));
  if (input.consentAction === 'confirm_opt_in') return finish(c.render('opt_in'));

  const intents = input.intent.intents;
  if (intents.includes('human')) return finish(c.render('human'), true);
  if (intents.includes('complaint')) return finish(c.render('complaint'), true);

  const substantive = intents.filter((i) => !SMALL_TALK.has(i) && i !== 'opt_out' && i !== 'opt_in');
  const pieces: string[] = [];
  let productsAnswered = false;
  for (const intent of substantive) {
    if (pieces.length >= MAX_PARTS) break;
    switch (intent) {
      case 'price':
      case 'availability':
        // Price and availability about the same products get one answer that says both.
        if (productsAnswered) break;
        productsAnswered = true;
        pieces.push(answerProducts(c, input, intents.includes('price')));
        break;
      case 'order':
        productsAnswered = true;
        pieces.push(answerOrder(c, input));
        break;
      case 'negotiate':
        pieces.push(answerNegotiate(c, input));
        break;
      case 'catalog':
        if (productsAnswered) break;
        productsAnswered = true;
        pieces.push(
          input.catalog.length > 0
            ? c.render('catalog', { catalog: c.catalogList() })
            : c.render('catalog_empty'),
        );
        break;
      case 'payment':
        pieces.push(c.render('payment', { payment: c.info('payment') }));
        break;
      case 'delivery':
      case 'location':
      case 'hours':
        pieces.push(c.render(intent, { [intent]: c.info(intent) }));
        break;
      default:
        break;
    }
  }

  if (pieces.length > 0) {
    if (intents.includes('greeting')) pieces.unshift(c.render('greeting_prefix'));
    return finish(pieces.join('\n'));
  }
  if (intents.includes('thanks')) return finish(c.render('thanks'));
  if (intents.includes('greeting')) return finish(c.render('greeting'));
  return finish(c.render('unknown'));
}

/** Text of follow-up number `step` (0-based) of the ladder. */
export function composeFollowup(
  step: number,
  language: Language,
  seed: string,
  playbook: PlaybookInput | undefined,
  contactName: string | undefined,
): string {
  const key = (['followup_1', 'followup_2', 'followup_3'] as const)[Math.min(step, 2)] ?? 'followup_3';
  const c = new Composer({
    intent: { intent: 'unknown', intents: ['unknown'], language, entities: { products: [] }, reasons: [] },
    consentAction: 'allow',
    catalog: [],
    playbook,
    contactName,
    seed,
  });
  return c.render(key).trim();
}
