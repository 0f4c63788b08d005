/**
 * The sixth held-out corpus is well-formed: every label, product, variant and quantity refers to
 * something that exists, the tags derived from the fields and the text agree with them, and the hard
 * classes hold enough messages (a stop trap is a message where 'stop', a feu stop, a stop-and-go
 * engine, an arrêt de bus or a watch that stopped does not ask to stop the messages). This test reads
 * the labels only: the corpus is evaluated in aggregate, never listed message by message.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'heldout-6.json',
  title: 'held-out corpus 6',
  writer: 'corpus-heldout-6',
  descriptionSays: ['2026-12-07', 'Use it only to report accuracy, never to tune'],
  catalogueIds: ['cuisine_bouake', 'auto_pnoire', 'parfum_stlouis', 'school_ibadan', 'fish_takoradi'],
  productsPerCatalogue: { min: 12, max: 22 },
  idPattern: /^h6-\d{3}$/,
  minMessages: 700,
  minPerIntent: { opt_out: 60, opt_in: 40, unknown: 45 },
  minOtherIntent: 35,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.04 },
  minTagged: { stop_trap: 30, not_sold: 25, off_topic: 25, counter_offer: 25 },
  derivedFromText: ['emoji', 'caps', 'no_accents'],
});
