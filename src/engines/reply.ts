/**
 * Turns what the intent engine understood into the text a seller would send: facts from the
 * catalogue and the playbook, wording from templates (playbook first, then defaults), one part per
 * question asked, in the customer's language. Pure: the wording choice is seeded.
 */

import { tryNormalizePhone } from '../domain/phone.ts';
import type { Intent, Language, Product, ProductMention, Reason } from '../domain/types.ts';
import type { ConsentAction } from './consent.ts';
import type { PlaybookInput } from './context.ts';
import { assignVariant, experimentFor } from './experiments.ts';
import { type FactTopic, factAnswer, topicWords } from './facts.ts';
import { type IntentVerdict, LOW_CONFIDENCE, rankProducts } from './intent.ts';
import { formatPrice } from './money.ts';
import { DEFAULT_TEMPLATES, type TemplateKey } from './templates.ts';
import { normalizeText } from './text.ts';
import { renderTemplate } from './variation.ts';

export interface ComposeInput {
  intent: IntentVerdict;
  consentAction: ConsentAction;
  catalog: readonly Product[];
  playbook?: PlaybookInput;
  contactName?: string;
  /** Assigns the contact's A/B variant when a template is under an experiment. */
  contactId?: string;
  seed: string;
  /** The customer's message, for facts that depend on what it names (a delivery zone). */
  text?: string;
}

/**
 * A question only the seller can answer: one of the fact topics the playbook is silent on, or the
 * products when there is no catalogue at all.
 */
export type SellerQuestion = FactTopic | 'catalog';

export interface ComposedReply {
  text: string;
  /** The A/B experiment variant whose wording the reply used (the first one, when several). */
  experiment?: { id: string; variantId: string };
  /** Template keys used, in order (for the audit trail). */
  parts: TemplateKey[];
  /** The conversation should go to a person. */
  handoff: boolean;
  /** Topics the reply said the bot will check with the seller: hand these questions over. */
  questionsForSeller: SellerQuestion[];
  reasons: Reason[];
}

/** At most this many catalogue lines in one message: a wall of text reads like spam. */
const MAX_CATALOG_LINES = 8;
/** Below this score a product mention is a family match ("le sac" with two bags), not a specific product. */
export const SPECIFIC_MATCH_SCORE = 0.5;
/**
 * A request for the prices in general ("vos prix ?", "send me your prices", "la liste des prix"):
 * the only case, besides a catalogue request, where a message naming no product gets a priced list.
 */
const GENERAL_PRICES_RE =
  /\b(?:(?:vos|tes|les|des|your|all|all the|all your) (?:prix|tarifs?|prices)|price ?list|liste (?:des|de) prix|tous (?:vos|les) prix|(?:prix|prices) (?:de|of) (?:tous|toutes|all|everything))\b/;

/** At most this many answered questions in one reply. */
const MAX_PARTS = 3;

const SMALL_TALK: ReadonlySet<Intent> = new Set(['greeting', 'thanks', 'unknown']);
/** Primary intents about the shop's ways rather than its goods: payment, delivery, place, hours. */
const FACT_INTENTS: ReadonlySet<Intent> = new Set(['payment', 'delivery', 'location', 'hours']);
/**
 * Words that ask what the shop sells: beside a question about payment, delivery, the place or the
 * hours, only these bring the catalogue list (not "ou seulement", "site", "photos" alone).
 */
const GOODS_REQUEST_RE =
  /\b(?:catalogu[a-z]*|catalog|vendez|vends|vendre|sell|proposez|(?:vos|tes|your|les|the) (?:produits|articles|modeles|products|models|collections?)|quoi comme|(?:vous avez|tu as|t as) quoi|what (?:do )?you (?:have|got)|wetin (?:una|you) (?:dey )?(?:sell|get|have)|price ?list|liste (?:des|de) prix)\b/;
/** Primary intents about the goods themselves, beside which a bargaining question is answered. */
const PRODUCT_INTENTS: ReadonlySet<Intent> = new Set([
  'price',
  'availability',
  'order',
  'negotiate',
  'catalog',
]);

const LINE_TEXT: Record<
  Language,
  {
    colon: string;
    inStock: string;
    outOfStock: string;
    cta: string;
    moreOut: string;
    notIn: string;
    weHave: string;
  }
> = {
  fr: {
    notIn: 'pas en',
    weHave: 'disponible en',
    colon: ' : ',
    inStock: 'disponible ✅',
    outOfStock: 'en rupture de stock pour le moment ❌',
    cta: '{Souhaitez-vous passer commande ?|Voulez-vous commander ?|Je vous en réserve ?}',
    moreOut: '{Voulez-vous voir nos autres articles ?|Je peux vous proposer autre chose ?}',
  },
  en: {
    notIn: 'not in',
    weHave: 'available in',
    colon: ': ',
    inStock: 'available ✅',
    outOfStock: 'out of stock for now ❌',
    cta: '{Would you like to order?|Shall I reserve one for you?|Would you like to place an order?}',
    moreOut: '{Would you like to see our other items?|Can I suggest something else?}',
  },
};

/**
 * Countries (ISO 3166-1) where customers write English: a message that gives no sign of its
 * language ("STOP", "👍", a product name alone) is answered in English for a number from there.
 */
const ENGLISH_COUNTRIES: ReadonlySet<string> = new Set([
  'NG',
  'GH',
  'LR',
  'SL',
  'GM',
  'KE',
  'UG',
  'TZ',
  'ZA',
  'ZM',
  'ZW',
  'MW',
  'BW',
  'NA',
  'SS',
  'GB',
  'IE',
  'US',
  'AU',
  'NZ',
  'IN',
  'JM',
  'TT',
]);

/**
 * The language to use when a message does not show one: the customer's, as their number's
 * country suggests when that is an English-speaking one, else the channel's (default French).
 */
export function customerLanguage(phone: string | undefined, channelLanguage: Language | undefined): Language {
  const country = phone === undefined ? undefined : tryNormalizePhone(phone)?.country;
  if (country !== undefined && ENGLISH_COUNTRIES.has(country)) return 'en';
  return channelLanguage ?? 'fr';
}

/**
 * Removes what joining sentences and the seller's texts can leave behind: a doubled full stop (an
 * ellipsis stays), a full stop after "!" or "?", a space before a full stop or comma, doubled spaces.
 */
export function tidyText(text: string): string {
  // Runs of spaces are collapsed first, so every later pattern looks at one space at most: each
  // pass stays linear in the length of the text.
  return text
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/([!?])\.(?!\.)/g, '$1')
    .replace(/(?<!\.)\.\.(?!\.)/g, '.')
    .replace(/\. \./g, '.')
    .replace(/ ([.,])/g, '$1')
    .replace(/ \n/g, '\n')
    .trim();
}

/** A stable number from the reply seed (FNV-1a), to rotate lists without randomness. */
function seedNumber(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function inStock(p: Product): boolean {
  return p.stock === undefined || p.stock === null || p.stock > 0;
}

class Composer {
  readonly parts: TemplateKey[] = [];
  readonly reasons: Reason[] = [];
  /** Questions the reply says the bot will check with the seller, in the order they came. */
  readonly questions = new Set<SellerQuestion>();
  /** The first A/B variant used (see templateFor). */
  experiment: { id: string; variantId: string } | undefined;
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
    const experiment =
      this.input.contactId === undefined ? null : experimentFor(this.input.playbook?.experiments ?? [], key);
    const variant =
      experiment && this.input.contactId ? assignVariant(experiment, this.input.contactId) : null;
    const custom = variant?.text[this.lang] ?? this.input.playbook?.templates?.[key]?.[this.lang];
    if (experiment && variant && variant.text[this.lang] !== undefined && this.experiment === undefined)
      this.experiment = { id: experiment.id, variantId: variant.id };
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

  /**
   * Up to MAX_CATALOG_LINES products in stock. With a query, those sharing words or the category
   * with it come first; the others follow in an order rotated by the conversation's seed, so not
   * every customer sees the same first eight.
   */
  catalogList(query?: string, only?: (p: Product) => boolean): string {
    const catalog = this.input.catalog;
    const order = rankProducts(catalog, query ?? '', seedNumber(this.input.seed));
    const lines: string[] = [];
    for (const i of order) {
      const p = catalog[i];
      if (!p || !inStock(p) || (only && !only(p))) continue;
      lines.push(`• ${p.name} — ${this.price(p)}`);
      if (lines.length >= MAX_CATALOG_LINES) break;
    }
    return lines.join('\n');
  }

  /** Up to MAX_CATALOG_LINES names of products in stock, without prices (rotated by the seed). */
  productNames(): string {
    const catalog = this.input.catalog;
    const names: string[] = [];
    for (const i of rankProducts(catalog, '', seedNumber(this.input.seed))) {
      const p = catalog[i];
      if (!p || !inStock(p)) continue;
      names.push(`• ${p.name}`);
      if (names.length >= MAX_CATALOG_LINES) break;
    }
    return names.join('\n');
  }

  /**
   * The customer asks a price, stock or order question naming no product: ask which one, naming
   * a few without their prices. A priced list goes only to a request for the prices in general.
   */
  askWhichProduct(): string {
    this.reasons.push({
      engine: 'decide',
      code: 'decide.ask_which_product',
      detail: 'The question needs a product and none was named: asked which one, quoting no price',
    });
    const names = this.productNames();
    return names === '' ? this.render('nothing_in_stock') : this.render('which_product', { names });
  }

  /** No catalogue at all: the bot says it checks with the seller, and the question goes to them. */
  catalogEmpty(): string {
    this.questions.add('catalog');
    return this.render('catalog_empty');
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
    const chosen = m.variant ? Object.values(m.variant) : [];
    const name = chosen.length > 0 ? `${p.name} (${chosen.join(', ')})` : p.name;
    const label = qty > 1 ? `${qty} × ${name}` : name;
    const missing = m.unavailable ? Object.entries(m.unavailable)[0] : undefined;
    if (missing && inStock(p)) {
      // "pas en marron, disponible en noir, rouge": the product exists, not in what was asked.
      const [key, asked] = missing;
      const offered = p.variants?.[key] ?? [];
      anyIn = true;
      lines.push(
        `${p.name}${t.colon}${t.notIn} ${asked}${offered.length > 0 ? `, ${t.weHave} ${offered.join(', ')}` : ''} (${c.price(p)})`,
      );
      continue;
    }
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

/** A product named exactly (its name or an alias), as opposed to a typo or a partial match. */
const EXACT_MATCH_SCORE = 1;

/**
 * The mentions a reply may quote: when one product is named exactly, a looser match beside it
 * ("Serrure 3 clés" also read as "Clé à molette", "4 bags of Royal Aroma" as "Lipton 100 bags")
 * is left out, so the reply never quotes the price of a product the customer did not ask about.
 */
export function quotableMentions(mentions: readonly ProductMention[]): ProductMention[] {
  const exact = mentions.filter((m) => m.score >= EXACT_MATCH_SCORE);
  return exact.length > 0 ? exact : [...mentions];
}

/** The products a family guess stands for, as a list to choose from. */
function optionList(c: Composer, mentions: readonly ProductMention[]): string {
  return mentions
    .map((m) => c.product(m))
    .filter((p): p is Product => p !== undefined)
    .map((p) => `• ${p.name} — ${c.price(p)}`)
    .join('\n');
}

function answerProducts(c: Composer, input: ComposeInput, withPrice: boolean): string {
  const { entities } = input.intent;
  if (entities.products.length === 0) {
    if (input.catalog.length === 0) return c.catalogEmpty();
    if (entities.unknownProduct) {
      c.reasons.push({
        engine: 'decide',
        code: 'decide.unknown_product',
        detail: 'Asked about an item that is not in the catalogue: listed what is available',
      });
      const list = c.catalogList(entities.unknownProduct);
      if (list === '')
        return `${c.render('not_in_catalog', { query: entities.unknownProduct })}\n${c.render('nothing_in_stock')}`;
      return c.render('unknown_product', { query: entities.unknownProduct, catalog: list });
    }
    if (!GENERAL_PRICES_RE.test(normalizeText(input.text ?? ''))) return c.askWhichProduct();
    const list = c.catalogList();
    return list === '' ? c.render('nothing_in_stock') : c.render('price_ask_product', { catalog: list });
  }
  // A family named without the one wanted ("le sac" with two bags): offer the choice as a list.
  // Products named precisely are answered alone, without the family guesses next to them.
  // A lone guess below the specific score is a kind of goods asked about ("combien de modèles de
  // télé ?"): listed as a choice too, not priced as the one product asked for.
  const specific = quotableMentions(entities.products.filter((m) => m.score >= SPECIFIC_MATCH_SCORE));
  if (specific.length === 0) return c.render('order_which', { options: optionList(c, entities.products) });
  const mentions = specific.length > 0 ? specific : entities.products;
  // "Le frigo et le climatiseur, c'est combien ?": say plainly what the shop lacks, then answer
  // for what it has.
  const lacking = entities.unknownProduct
    ? `${c.render('not_in_catalog', { query: entities.unknownProduct })}\n`
    : '';
  c.parts.push(withPrice ? 'price_line' : 'availability_in_stock');
  const lines = productLines(c, mentions, withPrice);
  const t = LINE_TEXT[c.lang];
  const closing = lines.anyIn ? c.renderRaw('cta', t.cta) : c.renderRaw('more', t.moreOut);
  if (lines.anyOut)
    c.reasons.push({
      engine: 'decide',
      code: 'decide.out_of_stock',
      detail: 'A product asked about is out of stock: said so',
    });
  return `${lacking}${lines.text}\n${closing}`;
}

function answerOrder(c: Composer, input: ComposeInput): string {
  const mentions = input.intent.entities.products;
  if (mentions.length === 0) {
    if (input.catalog.length === 0) return c.catalogEmpty();
    return c.askWhichProduct();
  }
  // "Je veux le sac" with two bags in the catalogue: ask which one instead of ordering both.
  if (mentions.length > 1 && mentions.every((m) => m.score < SPECIFIC_MATCH_SCORE)) {
    return c.render('order_which', { options: optionList(c, mentions) });
  }
  const specificOnly = quotableMentions(mentions.filter((m) => m.score >= SPECIFIC_MATCH_SCORE));
  if (specificOnly.length > 0 && specificOnly.length < mentions.length) {
    return answerOrder(c, {
      ...input,
      intent: { ...input.intent, entities: { ...input.intent.entities, products: specificOnly } },
    });
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
  const m = quotableMentions(input.intent.entities.products).find((x) => x.score >= SPECIFIC_MATCH_SCORE);
  const p = m ? c.product(m) : undefined;
  if (p) return c.render('negotiate_product', { product: p.name, price: c.price(p) });
  return c.render('negotiate');
}

/**
 * The question to ask instead of answering when the engine is not sure: a possible opt-out the
 * fallback detector found, or a likely but unconfirmed opt-out (or opt-in), asks for STOP (or START); any other unsure request asks what the customer
 * wants. Small talk, hand-over requests and complaints (a person looks at them anyway) and a price
 * or stock question about a named product (the answer gives both) are answered as they are.
 */
function clarification(v: IntentVerdict): TemplateKey | undefined {
  // A possible opt-out (the fallback detector) is asked about whatever the confidence; a person
  // asked for answers it instead.
  // An unsure verdict's other requests are guesses: the question comes first then.
  if (v.optOutQuestion && !v.intents.includes('human'))
    return asksForMore(v) && v.confidence >= LOW_CONFIDENCE ? undefined : 'clarify_opt_out';
  if (v.confidence >= LOW_CONFIDENCE) return undefined;
  if (v.unconfirmedConsent === 'opt_out') return 'clarify_opt_out';
  if (v.unconfirmedConsent === 'opt_in') return 'clarify_opt_in';
  if (SMALL_TALK.has(v.intent) || v.intent === 'human' || v.intent === 'complaint') return undefined;
  const named = v.entities.products.some((m) => m.score >= SPECIFIC_MATCH_SCORE);
  if (named && (v.intent === 'price' || v.intent === 'availability')) return undefined;
  return 'clarify';
}

/**
 * The message asks for something besides a possible opt-out ("send one carton as usual, but after
 * this remove me from that broadcast"): the answer goes first and the STOP question after it.
 */
function asksForMore(v: IntentVerdict): boolean {
  return v.intents.some((i) => !SMALL_TALK.has(i) && i !== 'opt_out' && i !== 'opt_in');
}

/** Builds the reply text for an inbound message. */
export function composeReply(input: ComposeInput): ComposedReply {
  const c = new Composer(input);
  const finish = (text: string, handoff = false): ComposedReply => {
    let out = text.trim();
    // A customer who sent STOP and writes again is answered (service, not marketing), and told
    // how to get our messages again; nothing else goes out to them until START.
    if (input.consentAction === 'reply_only' && !c.parts.includes('clarify_opt_in'))
      out = `${out}\n${c.render('opted_out_reminder')}`;
    const questionsForSeller = [...c.questions];
    if (questionsForSeller.length > 0)
      c.reasons.push({
        engine: 'decide',
        code: 'decide.question_for_seller',
        detail: `The seller has not said (${questionsForSeller.join(', ')}): the reply says the bot will check, the question goes to the seller`,
      });
    return {
      text: tidyText(out),
      parts: c.parts,
      handoff,
      questionsForSeller,
      reasons: c.reasons,
      ...(c.experiment ? { experiment: c.experiment } : {}),
    };
  };

  if (input.consentAction === 'confirm_opt_out') return finish(c.render('opt_out'));
  if (input.consentAction === 'confirm_opt_in') return finish(c.render('opt_in'));

  const intents = input.intent.intents;
  const clarify = clarification(input.intent);
  if (clarify) {
    c.reasons.push(
      input.intent.optOutQuestion && clarify === 'clarify_opt_out'
        ? {
            engine: 'decide',
            code: 'decide.ask_opt_out',
            detail:
              'The message may ask to stop our messages but no rule confirms it: asked to confirm with STOP; nothing business-initiated goes out until the customer answers',
          }
        : {
            engine: 'decide',
            code: 'decide.low_confidence',
            detail: `Not sure what the customer wants (confidence ${input.intent.confidence}): asked instead of guessing`,
          },
    );
    return finish(c.render(clarify));
  }
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
        // A bargaining word beside a question about something else ("la remise de diplôme", when
        // the customer asks the opening hours) is not answered with a price.
        if (intent !== input.intent.intent && !PRODUCT_INTENTS.has(input.intent.intent)) break;
        pieces.push(answerNegotiate(c, input));
        break;
      case 'catalog': {
        if (productsAnswered) break;
        // A catalogue cue beside a question about the shop's ways ("vous prenez Flooz ou seulement
        // T-Money ?", "do you have a branch in Kumasi or only Accra?", "is the shop open 24/7 or just
        // day time?") asks about payment, place or hours, not the goods: a priced list goes out only
        // when the message asks in so many words what the shop sells ("c'est où ? et vous vendez quoi ?").
        if (
          intent !== input.intent.intent &&
          FACT_INTENTS.has(input.intent.intent) &&
          !GOODS_REQUEST_RE.test(normalizeText(input.text ?? ''))
        )
          break;
        productsAnswered = true;
        const category = input.intent.entities.category;
        const shelf = category === undefined ? '' : c.catalogList(category, (p) => p.category === category);
        if (input.catalog.length === 0) pieces.push(c.catalogEmpty());
        else if (shelf !== '') pieces.push(c.render('catalog_category', { category, catalog: shelf }));
        else {
          // Everything out of stock: say so rather than introduce an empty list.
          const list = c.catalogList();
          pieces.push(list === '' ? c.render('nothing_in_stock') : c.render('catalog', { catalog: list }));
        }
        break;
      }
      case 'payment':
      case 'delivery':
      case 'location':
      case 'hours': {
        // Only what the seller said; a topic they have not covered is checked with them.
        const fact = factAnswer(intent, {
          playbook: input.playbook,
          catalog: input.catalog,
          language: c.lang,
          text: input.text,
        });
        if (fact === undefined) c.questions.add(intent);
        else pieces.push(c.render(intent, { [intent]: fact }));
        break;
      }
      default:
        break;
    }
  }
  const unanswered = [...c.questions].filter((q): q is FactTopic => q !== 'catalog');
  if (unanswered.length > 0)
    pieces.push(c.render('check_with_seller', { topics: topicWords(unanswered, c.lang) }));

  if (pieces.length > 0) {
    if (intents.includes('greeting')) pieces.unshift(c.render('greeting_prefix'));
    if (input.intent.optOutQuestion) {
      pieces.push(c.render('clarify_opt_out'));
      c.reasons.push({
        engine: 'decide',
        code: 'decide.ask_opt_out',
        detail:
          'The message may also ask to stop our messages but no rule confirms it: answered, then asked to confirm with STOP; nothing business-initiated goes out until the customer answers',
      });
    }
    return finish(pieces.join('\n'));
  }
  if (intents.includes('thanks')) return finish(c.render('thanks'));
  if (intents.includes('greeting')) return finish(c.render('greeting'));
  return finish(c.render('unknown'));
}

/**
 * The question whether the customer wants to stop our messages (clarify_opt_out), on its own: decide
 * adds it after an answer the order dialogue wrote.
 */
export function composeOptOutQuestion(
  language: Language,
  seed: string,
  playbook: PlaybookInput | undefined,
  contactName: string | undefined,
): string {
  return tidyText(
    bareComposer(language, `${seed}|opt_out_question`, playbook, contactName).render('clarify_opt_out'),
  );
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
  return tidyText(bareComposer(language, seed, playbook, contactName).render(key));
}

/** A composer for a message of the business's own (a follow-up, a question), answering nothing. */
function bareComposer(
  language: Language,
  seed: string,
  playbook: PlaybookInput | undefined,
  contactName: string | undefined,
): Composer {
  return new Composer({
    intent: {
      intent: 'unknown',
      intents: ['unknown'],
      confidence: 1,
      language,
      entities: { products: [] },
      reasons: [],
    },
    consentAction: 'allow',
    catalog: [],
    playbook,
    contactName,
    seed,
  });
}
