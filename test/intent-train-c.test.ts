/**
 * The training corpus C (train-c) is well-formed: every label, product, variant and quantity
 * refers to something that exists, the tags derived from the fields and the text agree with them, and
 * the hard classes it was written for (opt_out, opt_in, stop traps, off-topic chat, complaints) hold
 * enough messages. Training data: the engine may be trained and tuned on it. This test reads the
 * labels only.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'train-c.json',
  title: 'training corpus C',
  writer: 'corpus-train-c',
  descriptionSays: ['2026-12-07', 'may be trained and tuned on'],
  catalogueIds: ['cosm_abj', 'pagne_bko', 'phone_dla', 'prov_lag'],
  productsPerCatalogue: { min: 8, max: 14 },
  idPattern: /^c-\d{4}$/,
  minMessages: 1190,
  // The floors of the writer's brief: the classes engines find hard carry more than the 40 every
  // other intent has.
  minPerIntent: {
    opt_out: 120,
    opt_in: 60,
    unknown: 100,
    complaint: 60,
    order: 60,
    delivery: 60,
    negotiate: 60,
    availability: 60,
    catalog: 60,
    price: 60,
    payment: 50,
  },
  minOtherIntent: 40,
  minShare: { fr: 0.62, en: 0.23, pidginOrMixed: 0.08 },
  minTagged: { stop_trap: 55, not_sold: 35, off_topic: 75, counter_offer: 35, long: 40, obfuscated: 20 },
  derivedFromText: ['long', 'emoji', 'caps', 'no_accents'],
});
