/**
 * The order dialogue (issue 13): from "je veux 2 sacs noirs" to a confirmed order, one question at a
 * time, accepting answers in any order or all at once ("2 sacs noirs livrés à Yopougon, je paie par
 * Wave"). Pure: the conversation state comes in, the changed state and the reply go out, and on a
 * "oui" to the summary an order draft that the pipeline places (src/pipeline/act.ts).
 *
 * Steps, asked in this order for what is still missing: the product (a cart line), its variant
 * (when the catalogue defines variants), the delivery address (its zone gives the fee), the
 * payment method, then a summary with lines, fee and total and a confirmation question. "oui / ok /
 * d'accord / yes / vas-y / 👍" to the summary confirms; "non / annule" cancels; a product, a
 * quantity ("plutôt 3"), a variant ("en rouge"), a zone or a payment method edits the state and
 * shows the summary again. Every amount said is a catalogue price × quantity, a configured fee or
 * a sum of them (formatted by money.ts); facts the seller did not give are never stated.
 */

import type { DeliveryFacts, DeliveryZone, PaymentMethod } from '../domain/selling.ts';
import { isoFromMs, msFromIso } from '../domain/time.ts';
import type { Language, Product, ProductMention, Reason, Stage } from '../domain/types.ts';
import type { CartLine, Conversation, PlaybookInput } from './context.ts';
import type { IntentVerdict } from './intent.ts';
import { formatPrice } from './money.ts';
import { ORDER_LABELS, ORDER_TEMPLATES, type OrderTemplateKey } from './order-templates.ts';
import { SPECIFIC_MATCH_SCORE } from './reply.ts';
import { DEFAULT_TEMPLATES } from './templates.ts';
import { damerauLevenshtein, normalizeText, phoneticKey, tokenize } from './text.ts';
import { renderTemplate } from './variation.ts';

/** A cart left alone this long is dropped: a "oui" a week later is not a confirmation of it. */
export const CART_TTL_MS = 3 * 86_400_000;
const MAX_CART_LINES = 20;
const MAX_ADDRESS_CHARS = 500;

export interface OrderInput {
  conversation?: Conversation;
  intent: IntentVerdict;
  /** The customer's message as written. */
  text: string;
  /** normalizeText(text), when the caller already has it (decide gets it from the intent reading). */
  normalizedText?: string;
  catalog: readonly Product[];
  playbook?: PlaybookInput;
  /** Id of the message (the order is idempotent on it). */
  messageId: string;
  contactName?: string;
  seed: string;
  nowMs: number;
  /**
   * The customer sent STOP and writes again (consent `reply_only`): the dialogue runs as for anyone
   * (an answer is service), and each of its replies ends with the START reminder, as every other
   * reply to them does (src/engines/consent.ts).
   */
  optedOut?: boolean;
}

export interface OrderLineDraft {
  productId: string;
  name: string;
  quantity: number;
  /** Catalogue price, minor units. */
  unitPrice: number;
  variant?: Record<string, string>;
}

/** The order to place when the customer confirmed: everything from the catalogue and the playbook. */
export interface OrderDraft {
  items: OrderLineDraft[];
  currency: string;
  subtotal: number;
  deliveryFee: number;
  total: number;
  delivery: { zone: string | null; zoneName: string | null; address: string | null; pickup: boolean };
  paymentMethod: PaymentMethod | null;
  /** The confirming message: one order per message. */
  sourceMessageId: string;
}

export interface OrderStep {
  /** The dialogue answers this message (`text`); otherwise the usual reply does. */
  handled: boolean;
  text?: string;
  /** The state after this message: null clears it, undefined leaves it as it is. */
  conversation?: Conversation | null;
  /** The customer confirmed the summary: place this order. */
  order?: OrderDraft;
  /** The state to keep when the order cannot be placed (stock taken meanwhile): the cart stays. */
  ifOutOfStock?: { conversation: Conversation };
  /** The funnel stage the dialogue implies, when it implies one (ordered on confirmation). */
  stage?: Stage;
  /**
   * The dialogue does not handle this message (a question about something else) but waits for an
   * answer: what it waits for, to say after the usual reply ("Pour votre commande (2 × Sac noir),
   * il me manque encore votre adresse de livraison").
   */
  pending?: string;
  /** The START reminder for an opted-out customer, to end a reply that carries `pending`. */
  startReminder?: string;
  reasons: Reason[];
}

export const ORDER_CODES = [
  'order.started',
  'order.updated',
  'order.ask_variant',
  'order.ask_address',
  'order.ask_zone',
  'order.ask_payment',
  'order.summary',
  'order.confirmed',
  'order.cancelled',
  'order.unavailable',
  'order.expired',
  'order.out_of_stock',
  'order.pending',
  'order.question_not_added',
] as const;

const reason = (code: (typeof ORDER_CODES)[number], detail: string): Reason => ({
  engine: 'order',
  code,
  detail,
});

// --- Reading the message -------------------------------------------------------------------------

const YES_WORDS = new Set([
  'oui',
  'ouais',
  'ouai',
  'ok',
  'okay',
  'oki',
  'dac',
  'dacc',
  'daccord',
  'yes',
  'yep',
  'yeah',
  'confirme',
  'confirmer',
  'valide',
  'valider',
  'go',
]);
/** Words that may stand beside a yes without changing it ("oui merci", "ok c'est bon", "vas-y"). */
const YES_FILLER = new Set([
  'merci',
  'je',
  'j',
  'c',
  'est',
  'cest',
  'bon',
  'parfait',
  'super',
  'svp',
  'stp',
  'allez',
  'vas',
  'va',
  'y',
  'd',
  'accord',
  'bien',
  'sur',
  'tout',
  'a',
  'fait',
  'please',
  'thanks',
  'thank',
  'you',
  'sure',
  'fine',
  'good',
  'it',
  'ca',
  'marche',
  'la',
  'commande',
  'do',
  'ahead',
]);
const YES_PHRASES = ['d accord', 'vas y', 'go ahead', 'c est bon', 'ca marche'];
const YES_EMOJI_RE = /👍|👌|✅|🆗/u;
const CANCEL_RE = /\b(?:annule|annuler|annulez|annulee|cancel|laisse tomber|laissez tomber|plus besoin)\b/;
const NO_RE = /^(?:non|no|nan|nope)\b/;
const PICKUP_RE =
  /\b(?:recuperer|recupere|retrait|je passe (?:le |la |les )?(?:prendre|chercher)|pick ?up|collect)\b/;
/** A change of mind about a quantity ("plutôt 3", "mettez-en 4", "finalement 2"). */
const CHANGE_RE = /\b(?:plutot|finalement|mettez|mets|met|change|instead|actually|make it)\b/;

/** Methods as customers name them; "orange" alone is a colour, so it needs "money" or "par". */
const PAYMENT_PATTERNS: readonly (readonly [PaymentMethod, RegExp])[] = [
  ['orange_money', /\b(?:orange money|orangemoney|om|(?:par|avec|via|en|by|with) orange)\b/],
  ['wave', /\bwave\b/],
  ['mtn_momo', /\b(?:mtn|momo)\b/],
  ['moov_money', /\b(?:moov|flooz)\b/],
  ['cash_on_delivery', /\b(?:cash|espece|especes|liquide|a la livraison|on delivery|cod)\b/],
  ['bank_transfer', /\b(?:virement|bank|banque|transfer)\b/],
  ['card', /\b(?:carte bancaire|carte|card|visa|mastercard)\b/],
];

export function readPayment(normalized: string): PaymentMethod | undefined {
  for (const [method, re] of PAYMENT_PATTERNS) if (re.test(normalized)) return method;
  return undefined;
}

/** Whether the whole message says yes (and nothing else). `tokens`: tokenize(normalized), if known. */
export function isConfirmation(
  text: string,
  normalized: string,
  tokens: readonly string[] = tokenize(normalized),
): boolean {
  if (tokens.length === 0) return YES_EMOJI_RE.test(text);
  if (tokens.length > 8) return false;
  const padded = ` ${normalized} `;
  const yes =
    YES_EMOJI_RE.test(text) ||
    tokens.some((t) => YES_WORDS.has(t)) ||
    YES_PHRASES.some((p) => padded.includes(` ${p} `));
  return yes && tokens.every((t) => YES_WORDS.has(t) || YES_FILLER.has(t));
}

export interface ZoneMatch {
  zone: DeliveryZone;
  /** Index of the first message token of the match. */
  start: number;
  /** The message token that starts the match. */
  token: string;
  distance: number;
  words: number;
}

function similar(a: string, b: string): number | undefined {
  if (a === b) return 0;
  if (a.length < 4 || b.length < 4) return undefined;
  const max = Math.min(a.length, b.length) >= 8 ? 2 : 1;
  const d = damerauLevenshtein(a, b, max);
  if (d <= max) return d;
  if (a.length >= 5 && phoneticKey(a) === phoneticKey(b)) return max;
  return undefined;
}

/**
 * The delivery zone a message names, tolerant of spelling like product matching: each word of a
 * zone name or alias must appear in order, exactly or within one edit (two for long words), or
 * sounding the same ("Yopougon", "yopougon", "yopogon", "Yop" when the seller lists it as an alias).
 * The longest, closest label wins.
 */
export function matchZone(
  normalized: string,
  delivery: DeliveryFacts | undefined,
  tokens: readonly string[] = tokenize(normalized),
): ZoneMatch | undefined {
  if (!delivery) return undefined;
  let best: ZoneMatch | undefined;
  for (const zone of delivery.zones) {
    for (const label of [zone.name, ...(zone.aliases ?? [])]) {
      const words = tokenize(normalizeText(label));
      if (words.length === 0) continue;
      for (let i = 0; i + words.length <= tokens.length; i++) {
        let distance = 0;
        let ok = true;
        for (let k = 0; k < words.length; k++) {
          const d = similar(tokens[i + k]!, words[k]!);
          if (d === undefined) {
            ok = false;
            break;
          }
          distance += d;
        }
        if (!ok) continue;
        const better =
          best === undefined ||
          words.length > best.words ||
          (words.length === best.words && distance < best.distance);
        if (better) best = { zone, start: i, token: tokens[i]!, distance, words: words.length };
      }
    }
  }
  return best;
}

/** Clauses of a message: sentences, and a comma followed by a new statement ("…, je paie par Wave"). */
function clauses(text: string): string[] {
  return text
    .split(/[.!?\n;]+|,(?=\s*(?:je |j'|j’|et je |i |paiement|payment|payer|pay))/i)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

const foldWord = (w: string) => tokenize(normalizeText(w))[0] ?? '';

/**
 * The address as the customer wrote it: the clauses that name the zone (from the zone on when the
 * clause also names the product), or with no zone the clauses that are not about payment, products
 * or a yes.
 */
function readAddress(text: string, zone: ZoneMatch | undefined, mentions: readonly ProductMention[]): string {
  const kept: string[] = [];
  for (const clause of clauses(text)) {
    const n = normalizeText(clause);
    if (zone && matchZone(n, { zones: [zone.zone] })) {
      const namesProduct = mentions.some((m) => n.includes(normalizeText(m.matched)));
      if (namesProduct) {
        const words = clause.split(/\s+/);
        const at = words.findIndex((w) => foldWord(w) === zone.token);
        kept.push(at >= 0 ? words.slice(at).join(' ') : clause);
      } else kept.push(clause);
      continue;
    }
    if (zone) continue;
    if (readPayment(n) !== undefined || isConfirmation(clause, n)) continue;
    if (mentions.some((m) => n.includes(normalizeText(m.matched)))) continue;
    kept.push(clause);
  }
  return kept.join(', ').slice(0, MAX_ADDRESS_CHARS).trim();
}

// --- State helpers -------------------------------------------------------------------------------

function inStockFor(p: Product, quantity: number): boolean {
  return p.stock === undefined || p.stock === null || p.stock >= quantity;
}

function sameVariant(a: CartLine['variant'], b: CartLine['variant']): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/** The variant names of a product the line has not chosen yet. */
function missingVariants(p: Product, line: CartLine): string[] {
  return Object.keys(p.variants ?? {}).filter((k) => line.variant?.[k] === undefined);
}

/** Variant values of the message for a product ("en rouge", "taille 40"), by whole words. */
function readVariantValues(p: Product, tokens: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [key, values] of Object.entries(p.variants ?? {})) {
    for (const value of values) {
      const words = tokenize(normalizeText(value));
      if (words.length === 0) continue;
      for (let i = 0; i + words.length <= tokens.length; i++) {
        if (words.every((w, k) => tokens[i + k] === w || tokens[i + k] === `${w}s`)) {
          found[key] = value;
          break;
        }
      }
      if (found[key] !== undefined) break;
    }
  }
  return found;
}

interface Resolved {
  fee: number | null;
  zoneName: string | null;
  delay?: string;
}

/** The fee of the chosen delivery under the current playbook; undefined when it no longer applies. */
function resolveDelivery(
  delivery: NonNullable<Conversation['delivery']>,
  playbook: PlaybookInput | undefined,
): Resolved | undefined {
  if (delivery.pickup) return { fee: 0, zoneName: null };
  const facts = playbook?.delivery;
  if (!facts) return { fee: null, zoneName: null };
  if (delivery.zone === null) {
    if (!facts.default) return undefined;
    return { fee: facts.default.fee, zoneName: null, delay: facts.default.delay };
  }
  const zone = facts.zones.find((z) => z.id === delivery.zone);
  if (!zone) return undefined;
  return { fee: zone.fee, zoneName: zone.name, delay: zone.delay };
}

// --- Wording -------------------------------------------------------------------------------------

type WordsInput = Pick<OrderInput, 'playbook' | 'seed' | 'contactName'>;

class Words {
  private renders = 0;
  constructor(
    readonly lang: Language,
    private readonly input: WordsInput,
  ) {}

  render(
    key: OrderTemplateKey | 'opted_out_reminder',
    variables: Record<string, string | number | undefined> = {},
  ): string {
    const custom = this.input.playbook?.templates?.[key]?.[this.lang];
    // The START reminder is the one the other replies use (templates.ts), overridden the same way.
    let template =
      key === 'opted_out_reminder' ? DEFAULT_TEMPLATES[this.lang][key] : ORDER_TEMPLATES[this.lang][key];
    if (typeof custom === 'string') template = custom;
    else if (Array.isArray(custom) && custom.length > 0)
      template = `{${custom.map((t) => t.replaceAll('|', '\\|')).join('|')}}`;
    const first = this.input.contactName?.trim().split(/\s+/)[0];
    const out = renderTemplate({
      template,
      variables: { name: first ? ` ${first}` : '', ...variables },
      seed: `${this.input.seed}:order:${key}:${this.renders++}`,
    });
    return out.text.trim();
  }

  price(amount: number, currency: string): string {
    return formatPrice(amount, currency, this.lang);
  }

  method(m: PaymentMethod): string {
    return ORDER_LABELS[this.lang].methods[m] ?? m;
  }

  lineLabel(p: Product, line: CartLine): string {
    const chosen = line.variant ? Object.values(line.variant) : [];
    return `${line.quantity} × ${p.name}${chosen.length > 0 ? ` (${chosen.join(', ')})` : ''}`;
  }
}

// --- The dialogue --------------------------------------------------------------------------------

function fresh(input: OrderInput, reasons: Reason[]): Conversation | undefined {
  const c = input.conversation;
  if (!c) return undefined;
  const at = c.updatedAt === undefined ? undefined : msFromIso(c.updatedAt);
  if (at !== undefined && input.nowMs - at > CART_TTL_MS) {
    reasons.push(reason('order.expired', 'The cart was left alone for more than 3 days: dropped'));
    return undefined;
  }
  return c;
}

/** Runs one step of the dialogue for one inbound message. */
export function continueOrder(input: OrderInput): OrderStep {
  const step = runOrder(input);
  if (!input.optedOut) return step;
  const words = new Words(input.conversation?.language ?? input.intent.language, {
    ...input,
    seed: `${input.seed}:start`,
  });
  const reminder = words.render('opted_out_reminder');
  if (step.handled && step.text !== undefined) return { ...step, text: `${step.text}\n${reminder}` };
  if (step.pending !== undefined) return { ...step, startReminder: reminder };
  return step;
}

function runOrder(input: OrderInput): OrderStep {
  const reasons: Reason[] = [];
  const state = fresh(input, reasons);
  const expired = input.conversation !== undefined && state === undefined;
  // The dialogue keeps the language it started in: "Orange Money" or "ok" alone reads as English.
  const lang = state?.language ?? input.intent.language;
  const words = new Words(lang, input);
  // Built on first use: most messages mention no product and have no cart, and building the map
  // of the whole catalogue was ~0.7 % of decide() (profile, issue 14).
  let byIdMap: ReadonlyMap<string, Product> | undefined;
  const byId = (): ReadonlyMap<string, Product> => {
    byIdMap ??= new Map(input.catalog.map((p) => [p.id, p]));
    return byIdMap;
  };
  const normalized = input.normalizedText ?? normalizeText(input.text);
  const tokens = tokenize(normalized);
  const intents = input.intent.intents;
  const entities = input.intent.entities;
  const mentions = entities.products.filter(
    (m) => m.score >= SPECIFIC_MATCH_SCORE && byId().has(m.productId),
  );
  const zone = matchZone(normalized, input.playbook?.delivery, tokens);
  const payment = readPayment(normalized);
  const yes = isConfirmation(input.text, normalized, tokens);
  const stamp = isoFromMs(input.nowMs);
  const unchanged = (): OrderStep => ({
    handled: false,
    ...(expired ? { conversation: null } : {}),
    reasons,
  });

  // Not selling yet: remember what a price or stock answer offered, so "oui" can order it.
  const cartLines = state?.cart ?? [];
  const active = cartLines.length > 0;
  const wantsOrder = intents.includes('order');
  const takesOffer =
    !active &&
    mentions.length === 0 &&
    (state?.offered?.length ?? 0) > 0 &&
    (yes || (wantsOrder && entities.unknownProduct === undefined));
  const starts =
    !active &&
    mentions.length > 0 &&
    (wantsOrder || zone !== undefined || payment !== undefined || state?.awaiting === 'product');
  if (!active && !starts && !takesOffer) {
    if (intents.includes('opt_out')) return unchanged();
    // Before any cart, what the customer says is kept for the order to come: the products a price
    // answer offers ("oui" orders them), that an order awaits its product ("je veux commander"),
    // and a delivery zone or a payment method given first. The usual reply answers the message.
    const pre: Conversation = {
      cart: [],
      ...(state?.offered ? { offered: state.offered } : {}),
      ...(state?.delivery ? { delivery: state.delivery } : {}),
      ...(state?.payment ? { payment: state.payment } : {}),
      ...(state?.awaiting === 'product' ? { awaiting: 'product' as const } : {}),
    };
    let kept = false;
    if (wantsOrder && mentions.length === 0) {
      pre.awaiting = 'product';
      kept = true;
    }
    const asked = intents.includes('price') || intents.includes('availability');
    const offered = mentions.filter((m) => inStockFor(byId().get(m.productId)!, 1)).map((m) => m.productId);
    if (asked && offered.length > 0) {
      pre.offered = [...new Set(offered)].slice(0, 5);
      kept = true;
    }
    if (zone) {
      const address = looksLikeAddress(input) ? readAddress(input.text, zone, mentions) : '';
      pre.delivery = { zone: zone.zone.id, address: address || zone.zone.name };
      kept = true;
    }
    const accepted = input.playbook?.payment?.methods;
    if (payment !== undefined && (accepted === undefined || accepted.includes(payment))) {
      pre.payment = payment;
      kept = true;
    }
    return kept ? { handled: false, conversation: { ...pre, updatedAt: stamp }, reasons } : unchanged();
  }

  // Cancelling: "annule" at any step, a bare "non" to the summary.
  if (
    active &&
    (CANCEL_RE.test(normalized) || (state?.awaiting === 'confirmation' && NO_RE.test(normalized)))
  ) {
    reasons.push(reason('order.cancelled', 'The customer cancelled the order being taken: cart emptied'));
    return { handled: true, text: words.render('order_cancelled'), conversation: null, reasons };
  }

  const next: Conversation = {
    language: lang,
    cart: cartLines.map((l) => ({ ...l, ...(l.variant ? { variant: { ...l.variant } } : {}) })),
    ...(state?.delivery ? { delivery: { ...state.delivery } } : {}),
    ...(state?.payment ? { payment: state.payment } : {}),
  };
  const notes: string[] = [];
  let changed = false;

  // A question about a product not in the cart ("c'est combien les escarpins ?") is answered by the
  // usual reply, not added: only an order, or a product named without asking, goes in the cart.
  const asking =
    active &&
    !wantsOrder &&
    (/\?\s*$/.test(input.text) || intents.some((i) => i === 'price' || i === 'availability'));
  const asked = asking ? mentions.filter((m) => !cartLines.some((l) => l.productId === m.productId)) : [];
  if (asked.length > 0)
    reasons.push(
      reason(
        'order.question_not_added',
        `A question about ${asked.map((m) => m.productId).join(', ')}: answered, not added to the cart`,
      ),
    );
  // Products: add a line, or change the quantity or variant of the line already there.
  const additions: ProductMention[] = takesOffer
    ? (state?.offered ?? []).map((id) => ({
        productId: id,
        name: byId().get(id)?.name ?? id,
        matched: '',
        score: 1,
        ...(entities.quantity !== undefined ? { quantity: entities.quantity } : {}),
      }))
    : mentions.filter((m) => !asked.includes(m));
  for (const m of additions) {
    const p = byId().get(m.productId);
    if (!p) continue;
    const quantity = m.quantity ?? (additions.length === 1 ? entities.quantity : undefined);
    const existing = next.cart.find(
      (l) =>
        l.productId === p.id &&
        (m.variant === undefined || sameVariant(l.variant, { ...l.variant, ...m.variant })),
    );
    const wanted = quantity ?? existing?.quantity ?? 1;
    if (!inStockFor(p, wanted)) {
      notes.push(
        p.stock !== undefined && p.stock !== null && p.stock > 0
          ? words.render('order_short', { stock: p.stock, product: p.name })
          : words.render('order_unavailable', { product: p.name }),
      );
      reasons.push(reason('order.unavailable', `${p.id}: not enough stock for ${wanted}`));
      continue;
    }
    if (existing) {
      existing.quantity = wanted;
      if (m.variant) existing.variant = { ...existing.variant, ...m.variant };
    } else if (next.cart.length < MAX_CART_LINES) {
      next.cart.push({
        productId: p.id,
        quantity: wanted,
        ...(m.variant && Object.keys(m.variant).length > 0 ? { variant: { ...m.variant } } : {}),
      });
    }
    changed = true;
  }

  // A variant or quantity said alone edits the last line ("en rouge", "plutôt 3").
  const last = next.cart[next.cart.length - 1];
  if (mentions.length === 0 && last && active) {
    const p = byId().get(last.productId);
    const values = p ? readVariantValues(p, tokens) : {};
    if (Object.keys(values).length > 0 && !sameVariant(last.variant, { ...last.variant, ...values })) {
      last.variant = { ...last.variant, ...values };
      changed = true;
    }
    const q = entities.quantity;
    const quantityWanted =
      q !== undefined && zone === undefined && (CHANGE_RE.test(normalized) || state?.awaiting !== 'address');
    if (p && quantityWanted && q !== last.quantity) {
      if (inStockFor(p, q)) {
        last.quantity = q;
        changed = true;
      } else {
        notes.push(
          p.stock !== undefined && p.stock !== null && p.stock > 0
            ? words.render('order_short', { stock: p.stock, product: p.name })
            : words.render('order_unavailable', { product: p.name }),
        );
      }
    }
  }

  // Delivery: a named zone, a pick-up, or (when the address was asked) whatever address was given.
  const facts = input.playbook?.delivery;
  let refusedPayment = false;
  if (input.playbook?.pickup && PICKUP_RE.test(normalized)) {
    next.delivery = { zone: null, address: input.playbook.pickup.address, pickup: true };
    changed = true;
  } else if (zone) {
    const address = readAddress(input.text, zone, mentions) || zone.zone.name;
    next.delivery = { zone: zone.zone.id, address };
    changed = true;
  } else if (state?.awaiting === 'address' && !yes && mentions.length === 0 && looksLikeAddress(input)) {
    const address = readAddress(input.text, undefined, mentions);
    const acceptsAny = !facts || facts.default !== undefined;
    if (address !== '' && acceptsAny) {
      next.delivery = { zone: null, address };
      changed = true;
    }
  }

  // Payment: a method the seller accepts (any when the seller listed none).
  if (payment !== undefined) {
    const accepted = input.playbook?.payment?.methods;
    if (accepted === undefined || accepted.includes(payment)) {
      if (next.payment !== payment) changed = true;
      next.payment = payment;
    } else refusedPayment = true;
  }

  if (next.cart.length === 0) {
    // Nothing could be added (out of stock): say so and let the usual reply go no further.
    reasons.push(reason('order.unavailable', 'No product of the order is available'));
    return {
      handled: true,
      text: notes.join('\n') || words.render('order_unavailable', { product: mentions[0]?.name ?? '' }),
      conversation: null,
      reasons,
    };
  }
  if (!active) reasons.push(reason('order.started', 'The customer ordered: cart started'));
  else if (changed) reasons.push(reason('order.updated', 'The customer changed the order'));

  // A "oui" to the summary, with nothing changed: the order.
  const delivery = next.delivery ? resolveDelivery(next.delivery, input.playbook) : undefined;
  if (next.delivery && delivery === undefined) delete next.delivery;
  const askFor = pendingQuestion(next, byId());
  if (state?.awaiting === 'confirmation' && yes && !changed && askFor === undefined && notes.length === 0) {
    const draft = orderDraft(next, byId(), input, delivery);
    if (draft) {
      reasons.push(reason('order.confirmed', 'The customer confirmed the summary: order to place'));
      const pay = payText(words, input.playbook, next.payment);
      const kept: Conversation = { ...next, updatedAt: stamp };
      delete kept.awaiting;
      return {
        handled: true,
        text: words.render('order_placed', { total: words.price(draft.total, draft.currency), pay }),
        conversation: null,
        order: draft,
        stage: 'ordered',
        ifOutOfStock: { conversation: kept },
        reasons,
      };
    }
  }

  // Neither a change nor an answer: a question about something else gets the usual reply, which
  // then says what the dialogue still waits for.
  const answered = changed || takesOffer || notes.length > 0 || refusedPayment;
  if (active && !answered && !yes) {
    const waitingFor = askFor ?? 'confirmation';
    reasons.push(
      reason(
        'order.pending',
        `Answered another question; reminded that the order waits for the ${waitingFor}`,
      ),
    );
    return { ...unchanged(), pending: pendingText(waitingFor, next, byId(), words, input) };
  }

  const pieces: string[] = [...notes];
  next.updatedAt = stamp;
  if (refusedPayment) {
    const accepted = input.playbook?.payment?.methods ?? [];
    pieces.push(
      words.render('order_payment_refused', { methods: accepted.map((m) => words.method(m)).join(', ') }),
    );
    next.awaiting = 'payment';
    reasons.push(
      reason('order.ask_payment', 'A method the seller does not accept: listed the accepted ones'),
    );
    return { handled: true, text: pieces.join('\n'), conversation: next, reasons };
  }
  pieces.push(question(askFor, next, byId(), words, input, reasons));
  next.awaiting = askFor ?? 'confirmation';
  return { handled: true, text: pieces.join('\n'), conversation: next, reasons };
}

/** Questions are not addresses ("c'est quoi vos horaires ?"), nor is a bare "merci" or "bonjour". */
const NOT_ADDRESS_INTENTS = new Set([
  'hours',
  'price',
  'availability',
  'catalog',
  'negotiate',
  'human',
  'complaint',
]);
function looksLikeAddress(input: OrderInput): boolean {
  if (/\?\s*$/.test(input.text)) return false;
  const intents = input.intent.intents;
  if (intents.some((i) => NOT_ADDRESS_INTENTS.has(i))) return false;
  return !intents.every((i) => i === 'greeting' || i === 'thanks');
}

type Pending = 'variant' | 'address' | 'payment' | undefined;

function pendingQuestion(state: Conversation, byId: ReadonlyMap<string, Product>): Pending {
  for (const line of state.cart) {
    const p = byId.get(line.productId);
    if (p && missingVariants(p, line).length > 0) return 'variant';
  }
  if (!state.delivery) return 'address';
  if (!state.payment) return 'payment';
  return undefined;
}

function itemsText(state: Conversation, byId: ReadonlyMap<string, Product>, words: Words): string {
  return state.cart
    .map((l) => {
      const p = byId.get(l.productId);
      return p ? words.lineLabel(p, l) : '';
    })
    .filter((s) => s !== '')
    .join(', ');
}

function question(
  pending: Pending,
  state: Conversation,
  byId: ReadonlyMap<string, Product>,
  words: Words,
  input: OrderInput,
  reasons: Reason[],
): string {
  const labels = ORDER_LABELS[words.lang];
  if (pending === 'variant') {
    for (const line of state.cart) {
      const p = byId.get(line.productId);
      const key = p ? missingVariants(p, line)[0] : undefined;
      if (!p || key === undefined) continue;
      reasons.push(reason('order.ask_variant', `Asked which ${key} of ${p.id}`));
      return words.render('order_ask_variant', {
        product: p.name,
        variant: labels.variant[key] ?? key,
        options: (p.variants?.[key] ?? []).join(', '),
      });
    }
  }
  if (pending === 'address') {
    const facts = input.playbook?.delivery;
    if (facts && !facts.default && facts.zones.length > 0) {
      reasons.push(reason('order.ask_zone', 'Asked for the delivery zone among the configured ones'));
      const currency = firstCurrency(state, byId);
      const zones = facts.zones
        .slice(0, 12)
        .map((z) => `• ${z.name}${currency ? ` — ${words.price(z.fee, currency)}` : ''}`)
        .join('\n');
      return `${words.render('order_ask_address', { items: itemsText(state, byId, words) })}\n${words.render('order_ask_zone', { zones })}`;
    }
    reasons.push(reason('order.ask_address', 'Asked for the delivery address'));
    return words.render('order_ask_address', { items: itemsText(state, byId, words) });
  }
  if (pending === 'payment') {
    reasons.push(reason('order.ask_payment', 'Asked how the customer will pay'));
    const accepted = input.playbook?.payment?.methods;
    const ask = words.render('order_ask_payment');
    return accepted ? `${ask} (${accepted.map((m) => words.method(m)).join(', ')})` : ask;
  }
  reasons.push(reason('order.summary', 'Showed the summary and asked for confirmation'));
  return summary(state, byId, words, input);
}

/** One sentence saying what the dialogue waits for, after an answer to another question. */
function pendingText(
  waitingFor: NonNullable<Pending> | 'confirmation',
  state: Conversation,
  byId: ReadonlyMap<string, Product>,
  words: Words,
  input: OrderInput,
): string {
  const labels = ORDER_LABELS[words.lang];
  const fill = (template: string, variables: Record<string, string>) =>
    renderTemplate({ template, variables, seed: `${input.seed}:pending` }).text;
  let what = labels.pending.confirmation;
  if (waitingFor === 'variant') {
    const line = state.cart.find((l) => {
      const p = byId.get(l.productId);
      return p !== undefined && missingVariants(p, l).length > 0;
    });
    const p = line ? byId.get(line.productId) : undefined;
    const key = p && line ? missingVariants(p, line)[0] : undefined;
    what =
      p && key !== undefined
        ? fill(labels.pending.variant, {
            variant: labels.variant[key] ?? key,
            product: p.name,
            options: (p.variants?.[key] ?? []).join(', '),
          })
        : labels.pending.address;
  } else if (waitingFor === 'address') {
    const facts = input.playbook?.delivery;
    what =
      facts && !facts.default && facts.zones.length > 0
        ? fill(labels.pending.zone, {
            zones: facts.zones
              .slice(0, 12)
              .map((z) => z.name)
              .join(', '),
          })
        : labels.pending.address;
  } else if (waitingFor === 'payment') {
    const accepted = input.playbook?.payment?.methods;
    what = fill(labels.pending.payment, {
      methods: accepted ? ` (${accepted.map((m) => words.method(m)).join(', ')})` : '',
    });
  } else {
    const currency = firstCurrency(state, byId) ?? 'XOF';
    const resolved = state.delivery ? resolveDelivery(state.delivery, input.playbook) : undefined;
    let total = resolved?.fee ?? 0;
    for (const l of state.cart) total += (byId.get(l.productId)?.price ?? 0) * l.quantity;
    what = fill(labels.pending.confirmation, { total: words.price(total, currency) });
  }
  return words.render('order_pending', { items: itemsText(state, byId, words), what });
}

function firstCurrency(state: Conversation, byId: ReadonlyMap<string, Product>): string | undefined {
  for (const l of state.cart) {
    const p = byId.get(l.productId);
    if (p) return p.currency;
  }
  return undefined;
}

function summary(
  state: Conversation,
  byId: ReadonlyMap<string, Product>,
  words: Words,
  input: OrderInput,
): string {
  const labels = ORDER_LABELS[words.lang];
  const currency = firstCurrency(state, byId) ?? 'XOF';
  const colon = words.lang === 'fr' ? ' : ' : ': ';
  let subtotal = 0;
  const lines: string[] = [];
  for (const l of state.cart) {
    const p = byId.get(l.productId);
    if (!p) continue;
    subtotal += p.price * l.quantity;
    lines.push(`• ${words.lineLabel(p, l)} — ${words.price(p.price * l.quantity, p.currency)}`);
  }
  const resolved = state.delivery ? resolveDelivery(state.delivery, input.playbook) : undefined;
  let deliveryLine = '';
  let fee = 0;
  if (state.delivery?.pickup) {
    const hours = input.playbook?.pickup?.hours;
    deliveryLine = `${labels.pickup}${colon}${state.delivery.address}${hours ? ` (${hours})` : ''}`;
  } else if (resolved && resolved.fee === null) {
    deliveryLine = `${labels.delivery}${colon}${labels.feeToConfirm}`;
  } else if (resolved) {
    fee = resolved.fee ?? 0;
    const where = [resolved.zoneName, resolved.delay].filter((x): x is string => !!x).join(', ');
    deliveryLine = `${labels.delivery}${where ? ` (${where})` : ''}${colon}${words.price(fee, currency)}`;
  }
  const address =
    state.delivery && !state.delivery.pickup ? `${labels.address}${colon}${state.delivery.address}\n` : '';
  const payment = state.payment ? `${labels.payment}${colon}${words.method(state.payment)}` : '';
  return words.render('order_summary', {
    lines: lines.join('\n'),
    delivery: deliveryLine,
    total: words.price(subtotal + fee, currency),
    address,
    payment,
  });
}

function payText(
  words: Words,
  playbook: PlaybookInput | undefined,
  method: PaymentMethod | undefined,
): string {
  if (!method) return '';
  const details = playbook?.payment?.details?.[method];
  if (!details) return '';
  const out = renderTemplate({
    template: ORDER_LABELS[words.lang].payWith,
    variables: { method: words.method(method), details },
    seed: 'pay',
  });
  return ` ${out.text}`;
}

function orderDraft(
  state: Conversation,
  byId: ReadonlyMap<string, Product>,
  input: OrderInput,
  resolved: Resolved | undefined,
): OrderDraft | undefined {
  const items: OrderLineDraft[] = [];
  let currency: string | undefined;
  let subtotal = 0;
  for (const l of state.cart) {
    const p = byId.get(l.productId);
    if (!p) return undefined;
    currency ??= p.currency.toUpperCase();
    items.push({
      productId: p.id,
      name: p.name,
      quantity: l.quantity,
      unitPrice: p.price,
      ...(l.variant && Object.keys(l.variant).length > 0 ? { variant: { ...l.variant } } : {}),
    });
    subtotal += p.price * l.quantity;
  }
  if (currency === undefined || !state.delivery) return undefined;
  const deliveryFee = resolved?.fee ?? 0;
  return {
    items,
    currency,
    subtotal,
    deliveryFee,
    total: subtotal + deliveryFee,
    delivery: {
      zone: state.delivery.zone,
      zoneName: resolved?.zoneName ?? null,
      address: state.delivery.address,
      pickup: state.delivery.pickup ?? false,
    },
    paymentMethod: state.payment ?? null,
    sourceMessageId: input.messageId,
  };
}

/**
 * What the customer hears when the confirmed order could not be placed because stock ran out
 * between the summary and the "oui" (the pipeline knows which products): the cart is kept.
 */
export function outOfStockReply(input: {
  language: Language;
  productNames: readonly string[];
  seed: string;
  playbook?: PlaybookInput;
  /** An opted-out customer buying: the reply ends with the START reminder, as the dialogue's do. */
  optedOut?: boolean;
}): string {
  const words = new Words(input.language, { playbook: input.playbook, seed: `${input.seed}:stock` });
  const text = words.render('order_out_of_stock_at_confirmation', {
    products: input.productNames.join(', '),
  });
  return input.optedOut ? `${text}\n${words.render('opted_out_reminder')}` : text;
}
