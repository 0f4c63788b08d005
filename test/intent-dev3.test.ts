/**
 * The third development corpus (dev-3) is well-formed: every label, product, variant and quantity
 * refers to something that exists, the tags derived from the fields and the text agree with them, and
 * the hard classes it was written for (opt_out, opt_in, stop traps, off-topic chat, complaints) hold
 * enough messages. Development data: the engine may be trained and tuned on it. This test reads the
 * labels only.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'dev-3.json',
  title: 'development corpus 3',
  writer: 'corpus-dev-3',
  descriptionSays: ['2026-12-07', 'may be trained and tuned on'],
  catalogueIds: ['brico_lfw', 'elec_yde', 'market_acc', 'shoes_cot'],
  productsPerCatalogue: { min: 12 },
  idPattern: /^d3-\d{3}$/,
  minMessages: 720,
  // The classes this corpus is weighted to carry more messages than the 35 every other intent has.
  minPerIntent: { opt_out: 90, opt_in: 60, unknown: 70, complaint: 60 },
  minOtherIntent: 35,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.04 },
  minTagged: { stop_trap: 40, not_sold: 30, off_topic: 40, counter_offer: 20 },
  derivedFromText: ['long', 'emoji', 'caps'],
});
