/**
 * The seventh held-out corpus is well-formed: every label, product, variant and quantity refers to
 * something that exists, the tags derived from the fields and the text agree with them, and the hard
 * classes hold enough messages (a stop trap is a message where 'stop' or 'arrêt' — a bus stop, the
 * 'stop palu' slogan, a game that stops, a band told to stop playing — does not ask to stop the
 * messages). This test reads the labels only: the corpus is evaluated in aggregate, never listed
 * message by message.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'heldout-7.json',
  title: 'held-out corpus 7',
  writer: 'corpus-heldout-7',
  descriptionSays: ['2026-12-08', 'Use it only to report accuracy, never to tune'],
  catalogueIds: ['literie_pnovo', 'jardin_zig', 'gaming_pog', 'optic_benin', 'music_ho'],
  productsPerCatalogue: { min: 12, max: 22 },
  idPattern: /^h7-\d{3}$/,
  minMessages: 850,
  minPerIntent: { opt_out: 60, opt_in: 40, unknown: 45 },
  minOtherIntent: 35,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.05 },
  minTagged: { stop_trap: 30, not_sold: 25, off_topic: 25, counter_offer: 25 },
  derivedFromText: ['long', 'emoji', 'caps', 'no_accents'],
});
