/**
 * Scaffolding for the tests of the model-backed consent lines (src/engines/intent/opt-*-model.test.ts):
 * a model whose bias alone gives one intent the wanted probability, and an analysis whose only
 * unread text is a given message.
 */
import type { Intent } from '../../src/domain/types.ts';
import type { Analysis } from '../../src/engines/intent/detect.ts';
import type { IntentModel } from '../../src/engines/intent/model.ts';
import { normalizeText } from '../../src/engines/text.ts';

/** A model with no features over two classes, unknown and `intent`: p(intent) = 1 / (1 + e^-(d/scale)). */
export function biasModel(intent: Intent, probability: number): IntentModel {
  const scale = 1000;
  const d = Math.round(scale * Math.log(probability / (1 - probability)));
  return {
    classes: ['unknown', intent],
    scale,
    chars: false,
    bias: Int32Array.from([0, d]),
    rowOf: new Map(),
    rows: new Int16Array(0),
  };
}

/** An analysis that read nothing but left `text` unread for the consent lines. */
export function unreadConsentAnalysis(text: string): Analysis {
  return {
    tokens: [],
    mentions: [],
    ruleIntents: new Set(),
    rulePrimary: 'unknown',
    features: [],
    language: 'fr',
    languageCounts: { en: 0, fr: 0 },
    unreadConsent: { normalized: normalizeText(text), raw: text },
  };
}
