/**
 * Shared vocabulary of the decision engines. Every engine is a pure function of
 * (input, config, nowMs) and returns a verdict that carries stable reason codes.
 */

export type EngineName =
  | 'quota'
  | 'warmup'
  | 'schedule'
  | 'pacing'
  | 'content'
  | 'variation'
  | 'health'
  | 'funnel'
  | 'intent'
  | 'followup'
  | 'consent'
  | 'decide'
  | 'llm'
  | 'order';

/** One explained step of a decision. `code` is stable (`quota.daily_cap`); `detail` is for humans. */
export interface Reason {
  engine: EngineName;
  code: string;
  detail: string;
}

export type PresetName = 'conservative' | 'moderate' | 'aggressive';

export type Transport = 'cloud' | 'evolution' | 'waha' | 'sandbox';

/**
 * Why a message would be sent. Replies answer a customer who just wrote and get generous budgets;
 * follow-ups and proactive messages are business-initiated and get the strict caps and the window.
 */
export type SendKind = 'reply' | 'followup' | 'proactive';

export type Language = 'fr' | 'en';

export type Intent =
  | 'greeting'
  | 'price'
  | 'availability'
  | 'order'
  | 'negotiate'
  | 'payment'
  | 'delivery'
  | 'location'
  | 'hours'
  | 'catalog'
  | 'complaint'
  | 'human'
  | 'thanks'
  | 'opt_out'
  | 'opt_in'
  | 'unknown';

export const INTENTS: readonly Intent[] = [
  'greeting',
  'price',
  'availability',
  'order',
  'negotiate',
  'payment',
  'delivery',
  'location',
  'hours',
  'catalog',
  'complaint',
  'human',
  'thanks',
  'opt_out',
  'opt_in',
  'unknown',
];

export type Stage =
  | 'new'
  | 'engaged'
  | 'interested'
  | 'negotiating'
  | 'ordered'
  | 'paid'
  | 'fulfilled'
  | 'lost'
  | 'opted_out';

export const STAGES: readonly Stage[] = [
  'new',
  'engaged',
  'interested',
  'negotiating',
  'ordered',
  'paid',
  'fulfilled',
  'lost',
  'opted_out',
];

/** A catalogue entry. `price` is in minor units of `currency` (XOF and XAF have none: 15000 XOF = 15000). */
export interface Product {
  id: string;
  name: string;
  aliases?: string[];
  price: number;
  currency: string;
  /** Units in stock; absent or null means "not tracked" (treated as available). */
  stock?: number | null;
  /** The shelf it sits on, as customers name it ("sacs", "téléphones"); absent or null: none. */
  category?: string | null;
  /**
   * The choices it comes in: variant name → allowed values (`{size: ['39', '40'], colour: ['noir']}`).
   * `size` and `colour` are read in customers' words; other names are matched by their values.
   */
  variants?: Record<string, string[]>;
}

/** Counters of messages already sent by the channel (derived from stored messages). All default to 0. */
export interface SendStats {
  sentLastMinute: number;
  sentLastHour: number;
  /** Since local midnight in the channel's time zone. */
  sentToday: number;
  /** First messages today to contacts with no history in either direction. */
  coldToday: number;
  /** Sends of exactly the text being evaluated in the last hour. */
  identicalLastHour: number;
  /** Last send of the channel, to keep the gap between two sends. */
  lastSentAtMs?: number;
}

export type HealthEventType =
  | 'logged_out'
  | 'forbidden'
  | 'reachout_timelock'
  | 'disconnected'
  | 'connected'
  | 'send_failed'
  | 'send_ok'
  | 'spam_limit'
  | 'pair_limit'
  | 'throughput_limit'
  | 'account_restricted'
  | 'quality_low'
  | 'quality_ok';

export interface HealthEvent {
  type: HealthEventType;
  atMs: number;
  /** For `reachout_timelock`: when the server says the lock ends. */
  untilMs?: number;
}

/** A product found in a customer's message. */
export interface ProductMention {
  productId: string;
  name: string;
  /** What the customer wrote that matched. */
  matched: string;
  /** 1 = exact name or alias; lower = fuzzy; below 0.5 one of several products that match. */
  score: number;
  quantity?: number;
  /**
   * Variant values the customer chose, in the catalogue's spelling (`{size: '42', colour: 'rouge'}`):
   * only names and values the product's `variants` lists.
   */
  variant?: Record<string, string>;
  /** Variant values asked for that the product does not come in, as the customer wrote them (`{colour: 'marron'}`). */
  unavailable?: Record<string, string>;
}

export interface Entities {
  products: ProductMention[];
  /** A quantity said without a product ("j'en veux 3"). */
  quantity?: number;
  /** Words that look like a product request but match nothing in the catalogue. */
  unknownProduct?: string;
  /** The catalogue category the message names ("téléphones"), as the seller wrote it. */
  category?: string;
}

/**
 * What a decision says to do: `reply` to a customer, `send` a business-initiated message, `defer`
 * (decide again later), `skip` (silence is right), `handoff` to a person, `block` (the text failed
 * the content check). Stored with every decision, so the store shares it.
 */
export type DecisionAction = 'reply' | 'send' | 'defer' | 'skip' | 'handoff' | 'block';
