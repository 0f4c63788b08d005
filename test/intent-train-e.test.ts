/**
 * The fifth training corpus (train-e) is well-formed: every label, product, variant and quantity
 * refers to something that exists, the tags derived from the fields and the text agree with them,
 * and the hard classes hold enough messages (a stop trap is a message where 'stop' or 'arrêt' — an
 * arrêt de cargo, a freezer that stopped, a band told to stop, a husband's 'stop la bière' — does not
 * ask to stop the messages). Training data: it may be trained and tuned on.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'train-e.json',
  title: 'training corpus E',
  writer: 'corpus-train-e',
  descriptionSays: ['2026-12-08', 'Training data: may be trained and tuned on'],
  catalogueIds: ['boissons_kribi', 'optique_pgentil', 'literie_dolisie', 'musique_bukavu', 'frozen_warri'],
  productsPerCatalogue: { min: 12, max: 22 },
  idPattern: /^te-\d{4}$/,
  minMessages: 1100,
  minPerIntent: { opt_out: 60, opt_in: 40, unknown: 45 },
  minOtherIntent: 35,
  minShare: { fr: 0.64, en: 0.19, pidginOrMixed: 0.12 },
  minTagged: {
    stop_trap: 30,
    not_sold: 25,
    off_topic: 25,
    counter_offer: 25,
    multi_intent: 300,
    pidgin: 100,
    long: 60,
  },
  derivedFromText: ['emoji', 'caps', 'no_accents'],
});
