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
  idPattern: /^td-\d{3}$/,
  minMessages: 800,
  minPerIntent: { opt_out: 60, opt_in: 40, unknown: 45 },
  minOtherIntent: 35,
  minShare: { fr: 0.68, en: 0.22, pidginOrMixed: 0.04 },
  minTagged: { stop_trap: 30, not_sold: 25, off_topic: 25, counter_offer: 25, obfuscated: 1 },
  derivedFromText: ['emoji', 'caps', 'no_accents'],
});
