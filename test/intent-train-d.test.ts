/**
 * The development corpus train-d is well-formed: every label, product, variant and quantity refers to
 * something that exists, the tags derived from the fields and the text agree with them, and the hard
 * classes hold enough messages (a stop trap is a message where 'stop', arrêt or a police stop does not
 * ask to stop the messages). It was written apart from the engine but is training data: the floors
 * below are the writer's brief, scaled to what the corpus holds.
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'train-d.json',
  title: 'development corpus train-d',
  writer: 'corpus-train-d',
  descriptionSays: ['2026-12-07', 'Development (training) corpus', 'apart from the engine'],
  catalogueIds: ['fripe_ndjamena', 'btp_parakou', 'events_bafoussam', 'tiles_kano', 'bike_capecoast'],
  productsPerCatalogue: { min: 12, max: 22 },
  idPattern: /^td-\d{3,4}$/,
  minMessages: 1000,
  minPerIntent: { opt_out: 70, opt_in: 45, unknown: 80 },
  minOtherIntent: 40,
  minShare: { fr: 0.68, en: 0.22, pidginOrMixed: 0.05 },
  minTagged: { stop_trap: 35, not_sold: 40, off_topic: 35, counter_offer: 40, obfuscated: 2 },
  derivedFromText: ['emoji', 'caps', 'no_accents'],
});
