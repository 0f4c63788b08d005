/**
 * The fifth held-out corpus is well-formed: every label, product, variant and quantity refers to
 * something that exists, the tags derived from the fields and the text agree with them, and the hard
 * classes hold enough messages (a stop trap is a message where 'stop', arrêt, stoppé or a bus stop
 * does not ask to stop the messages). This test reads the labels only: the corpus is evaluated in
 * aggregate (`npm run bench intents`), never listed message by message.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'heldout-5.json',
  title: 'held-out corpus 5',
  writer: 'corpus-heldout-5',
  descriptionSays: ['2026-12-07', 'Use it only to report accuracy, never to tune'],
  catalogueIds: ['meuble_niamey', 'solaire_brazza', 'gateau_lubum', 'laptop_ph', 'agro_tamale'],
  productsPerCatalogue: { min: 10, max: 25 },
  idPattern: /^h5-\d{3}$/,
  minMessages: 700,
  minPerIntent: { opt_out: 60, opt_in: 40, unknown: 45 },
  minOtherIntent: 35,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.04 },
  minTagged: { stop_trap: 25, not_sold: 25, off_topic: 25, counter_offer: 20 },
  derivedFromText: ['emoji', 'caps', 'no_accents'],
});
