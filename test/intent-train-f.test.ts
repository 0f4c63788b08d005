/**
 * Training corpus F is well-formed: every label, product, variant and quantity refers to something
 * that exists, the tags derived from the fields and the text agree with them, and the classes engines
 * find hardest (unknown, delivery, availability, greeting, opt_out, opt_in) hold at least 80 messages
 * each. A stop trap is a message where 'stop' or 'arrêt' does not ask to stop the messages (a bus stop,
 * a car stopped at a border, a generator or a product that stopped, 'stop' said to a child, an opt-in
 * that quotes an earlier 'stop'). Unlike the held-out sets this corpus may be trained and tuned on.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'train-f.json',
  title: 'training corpus F',
  writer: 'corpus-train-f',
  descriptionSays: ['2026-12-08', 'Training data: may be trained and tuned on'],
  catalogueIds: ['literie_thies', 'optique_segou', 'sono_kankan', 'volaille_bobo', 'print_koforidua'],
  productsPerCatalogue: { min: 12, max: 22 },
  idPattern: /^tf-\d{4}$/,
  minMessages: 1000,
  minPerIntent: { unknown: 80, delivery: 80, availability: 80, greeting: 80, opt_out: 80, opt_in: 80 },
  minOtherIntent: 35,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.05 },
  minTagged: { stop_trap: 30, not_sold: 25, off_topic: 25, counter_offer: 25, obfuscated: 10 },
  derivedFromText: ['emoji', 'caps', 'no_accents'],
});
