import { describe, expect, it } from 'vitest';
import { detectIntent } from '../intent.ts';

// Issue 14, sixth pass follow-up: a reproach about a delivery is a complaint; a plain tracking
// question stays delivery. Sentences written for this test, in no corpus.
const intentOf = (text: string) => detectIntent({ text, catalog: [] }).intent;

describe('complaint before delivery when the customer reproaches the shop', () => {
  const COMPLAINTS = [
    "Vous m'aviez dit mardi et toujours rien, c'est pas sérieux",
    'On m’avait promis le colis pour samedi, on est mercredi',
    "ça fait 4 jours que j'attends ma commande",
    'Le livreur est arrivé avec 2h de retard et il était impoli',
    'your rider insulted my sister at the gate',
    'The delivery guy collected 3000 extra from me for fuel',
    'You said Tuesday and still nothing. This is unacceptable',
    "J'ai attendu toute la journée pour rien, personne n'est venu",
    'My parcel was supposed to come yesterday and nobody showed up',
    'toujours pas livré depuis lundi',
  ];
  const DELIVERIES = [
    'mon colis est où ?',
    'When will my order arrive?',
    'Vous livrez à Yopougon demain ?',
    "Ma commande n'est toujours pas arrivée, le livreur est en route ?",
    "It's been 2 days, is my parcel on the way?",
    'How long does delivery take to Kumasi?',
    'Le livreur peut passer après 18h ?',
  ];
  for (const text of COMPLAINTS)
    it(`reads a complaint: ${text}`, () => expect(intentOf(text)).toBe('complaint'));
  for (const text of DELIVERIES)
    it(`reads a delivery question: ${text}`, () => expect(intentOf(text)).toBe('delivery'));

  it('keeps delivery among the intents a complaint answers, and says why', () => {
    const v = detectIntent({
      text: 'Le livreur m’a mal parlé et il m’a demandé 1000 F en plus',
      catalog: [],
    });
    expect(v.intent).toBe('complaint');
    expect(v.intents).toContain('delivery');
  });
});
