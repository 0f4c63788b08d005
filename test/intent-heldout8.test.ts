/**
 * The eighth held-out corpus is well-formed: every label, product, variant and quantity refers to
 * something that exists, the tags derived from the fields and the text agree with them, and the hard
 * classes hold enough messages (a stop trap is a message where 'stop', an arrêt de bus, a pump or a
 * float switch that stops, power that stops or a switch's 'marche/arrêt' position does not ask to stop
 * the messages). This test reads the labels only: the corpus is evaluated in aggregate, never listed
 * message by message.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'heldout-8.json',
  title: 'held-out corpus 8',
  writer: 'corpus-heldout-8',
  descriptionSays: ['2026-12-08', 'Use it only to report accuracy, never to tune'],
  catalogueIds: ['elec_korhogo', 'menage_kaolack', 'relig_kisangani', 'water_enugu', 'pets_tema'],
  productsPerCatalogue: { min: 12, max: 22 },
  idPattern: /^h8-\d{3}$/,
  minMessages: 850,
  minPerIntent: { opt_out: 60, opt_in: 40, unknown: 45 },
  minOtherIntent: 35,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.05 },
  minTagged: { stop_trap: 30, not_sold: 25, off_topic: 25, counter_offer: 25, long: 60, multi_intent: 135 },
  derivedFromText: ['long', 'emoji', 'caps', 'no_accents'],
});
