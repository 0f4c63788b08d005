/**
 * The second held-out corpus (issue 14) is well-formed: every label, product, variant and quantity
 * refers to something that exists, the tags derived from the fields agree with them, and the hard
 * classes hold enough messages. Retired into development data in the sixth pass (tuning
 * split listed by `npm run intents:errors`, validation split aggregate-only).
 */
import { describeCorpusShape } from './support/intent-corpus-shape.ts';

describeCorpusShape({
  file: 'heldout-2.json',
  title: 'held-out corpus 2',
  writer: 'corpus-heldout-2',
  descriptionSays: ['2026-12-07'],
  catalogueIds: ['beaute_dkr', 'mode_abj', 'shop_lagos', 'tel_dla'],
  idPattern: /^h2-\d{3}$/,
  minMessages: 700,
  minPerIntent: {},
  minOtherIntent: 25,
  minShare: { fr: 0.65, en: 0.2, pidginOrMixed: 0.04 },
  minTagged: { stop_trap: 20, not_sold: 25, off_topic: 25 },
  derivedFromText: [],
});
