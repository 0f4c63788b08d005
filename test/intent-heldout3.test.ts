/**
 * The third held-out corpus is well-formed: every label, product, variant and quantity refers to
 * something that exists, the tags derived from the fields agree with them, and the hard classes hold
 * enough messages (a stop trap is a message where 'stop', arrêt or s'arrête does not ask to stop the
 * messages). Retired into development data in the sixth pass (tuning split listed
 * by `npm run intents:errors`, validation split aggregate-only).
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'heldout-3.json',
  title: 'held-out corpus 3',
  writer: 'corpus-heldout-3',
  descriptionSays: ['2026-12-07'],
  catalogueIds: ['bebe_kin', 'electro_cot', 'moto_bko', 'sport_acc'],
  idPattern: /^h3-\d{3}$/,
  minMessages: 720,
  minPerIntent: { opt_out: 60, opt_in: 45, unknown: 45 },
  minOtherIntent: 35,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.04 },
  minTagged: { stop_trap: 25, not_sold: 25, off_topic: 25 },
  derivedFromText: [],
});
