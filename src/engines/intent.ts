/**
 * Intent engine: what a customer wants, in which language, about which products, how many and in
 * which variant. `detectIntent` is the public entry; the work is split by responsibility in
 * `intent/`:
 *
 * - `lexicon.ts`: word lists (language cues, shop words, colours, number words, category words).
 * - `catalogue.ts`: the catalogue index (cached by content) and product, variant and category matching.
 * - `quantities.ts`: which numbers are quantities.
 * - `rules.ts`: cue patterns and the exact consent rules (opt-out, opt-in).
 * - `prefilter.ts`: literal prefilters read from the patterns' sources, so most messages skip them.
 * - `features.ts`, `model.ts`, `model.json`: the statistical model (trained by `npm run train:intents`).
 * - `detect.ts`: reading, classification and the verdict.
 */
export { catalogIndexBuilds, INDEX_CACHE_CHARS, rankProducts } from './intent/catalogue.ts';
export {
  detectIntent,
  INTENT_CODES,
  INTENT_PRIORITY,
  type IntentCode,
  type IntentInput,
  type IntentVerdict,
  LOW_CONFIDENCE,
  MAX_INTENT_TEXT_CHARS,
  readIntent,
} from './intent/detect.ts';
