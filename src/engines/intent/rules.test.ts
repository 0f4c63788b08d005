import { describe, expect, it } from 'vitest';
import { normalizeText, tokenize } from '../text.ts';
import { detectIntent, INTENT_PRIORITY } from './detect.ts';
import {
  CATALOG_STRONG_RE,
  COMPLAINT_RE,
  type CueContext,
  consentCue,
  DELIVERY_RE,
  GREETING_RE,
  HUMAN_RE,
  LOCATION_RE,
  optOutLike,
  PAYMENT_RE,
  possibleOptOut,
  readCues,
  unmaskedTexts,
} from './rules.ts';

function consentOf(text: string): 'opt_out' | 'opt_in' | undefined {
  const s = normalizeText(text);
  let cue = consentCue(s, tokenize(s));
  if (!cue) {
    for (const u of unmaskedTexts(text)) {
      const n = normalizeText(u);
      cue ??= consentCue(n, tokenize(n));
    }
  }
  return cue?.intent;
}

/** One test per text: each opt-out form opts out, each opt-in form opts in, each trap is neither. */
function itReadsConsent(forms: {
  optOut?: readonly string[];
  optIn?: readonly string[];
  neither?: readonly string[];
}) {
  for (const text of forms.optOut ?? [])
    it(`opts out: ${text}`, () => expect(consentOf(text)).toBe('opt_out'));
  for (const text of forms.optIn ?? []) it(`opts in: ${text}`, () => expect(consentOf(text)).toBe('opt_in'));
  for (const text of forms.neither ?? [])
    it(`is no consent request: ${text}`, () => expect(consentOf(text)).toBeUndefined());
}

// Written for these tests (none comes from an evaluation corpus): many ways to ask to stop, to ask
// to come back, and ordinary sentences that contain "stop", "retirer", "plus" or "désabonner".
const OPT_OUT = [
  'Stop calling me and stop texting me',
  'Pitié, arrêtez',
  "C'est trop, arrêtez vos envois",
  'Je veux plus entendre parler de vos produits',
  "Stop this nonsense, I didn't give you my number",
  "Who are you? I don't know you. Stop",
  'You are spamming me',
  "Don't ever text me again",
  'Bros abeg leave my number',
  'Oya stop am',
  'Vous êtes qui ? Arrêtez',
  'Ça va aller avec vos messages là',
  'Je vous en prie, arrêtez',
  'Il faut arrêter hein',
  'Vous avez pris mon numéro où ? Supprimez',
  'Stop sending me pictures of bags every day',
  'Arrêtez vos photos de robes tous les matins',
  'Je ne veux plus voir vos sacs sur mon WhatsApp',
  'Your perfume promos every morning, stop it',
  'Why do you keep texting me? Stop',
  'Pourquoi vous continuez à m’envoyer ça ? Arrêtez',
  'Désabonnez-moi de vos messages',
  "Désabonnez moi d'ici",
  "I don't agree to receive messages, stop",
  "C'était une erreur de vous donner mon numéro, arrêtez vos messages",
  'Ça fait 3 jours que je vous dis stop',
  'Vous comprenez pas le mot stop ?',
  'This is not Ama’s number anymore, please remove it',
  'Desist from sending me messages',
  'Refrain from contacting me',
  'Cease all communication',
  'I’m blocking you',
  'Reported and blocked',
  'Je vous bloque',
  'Je vais porter plainte si vous continuez',
  'Vous êtes lourds avec vos messages',
  'Laissez moi hein',
  'Una dey craze? Stop this thing',
  'Abeg comot me for this una broadcast',
  'Make una no dey message me again',
  'I didn’t ask for this, stop',
  'Not interested. Remove.',
  'Pls no more',
  'I’m done with these messages',
  'Merci de ne plus me solliciter',
  'Enlevez moi de là',
  "Je n'ai pas donné mon accord pour recevoir ça",
  'Stoppez tout',
  'Pourquoi vous m’envoyez ça tous les jours ? Arrêtez',
  'Je suis pas client chez vous, arrêtez',
  'I go block una o',
  'Abeg leave me',
  'Oubliez-moi svp',
  'Je vous ai demandé 3 fois de me laisser tranquille',
  'Vos pubs là, c’est fini pour moi',
  'Désactivez les notifications pour mon numéro',
  'Mettez fin à vos envois',
  'Cessez tout envoi vers ce numéro',
  'I want out of this list',
  'Unfollow me please',
  'Je veux plus voir vos messages',
  'Bloquez mon numéro de votre système',
  'Ça me fatigue vos messages tous les jours',
  'Effacez mes coordonnées',
  'No follow-ups please, I am not buying',
  'Vous pouvez arrêter les messages automatiques ? Je n’en veux plus',
  'I never subscribed to anything, who gave you my number',
  'Vous me spammez',
  "C'est du harcèlement",
  'Je vais vous signaler à WhatsApp',
  "I'm reporting this number",
  'How did you get my number? Delete it',
  'I never signed up for this',
  'Lose my number',
  'Sortez-moi de ce groupe',
  'Lâchez-moi avec vos promos',
  "Je n'ai jamais demandé à recevoir vos messages",
  'Ne me réécrivez pas',
  "Merci de m'oublier",
  'Enough of your messages',
  'Vos messages me dérangent',
  'Je ne vous connais pas. Arrêtez de me envoyer vos casseroles tous les jours',
  'Me contactez plus svp',
  'Un seul autre message et je vous signale à WhatsApp',
  'je te block si tu m envoies encore une pub',
  'Je bloque et je signale',
  "C'est la dernière fois que je vous dis d'arrêter",
  "J'ai demandé qu'on me retire il y a une semaine",
  'Ça suffit avec vos promos',
  'Je quitte votre liste de diffusion',
  'Leave me out of your broadcasts',
  "I don't need your price list every morning",
  'Rayez mon numéro de votre fichier',
  'Supprimez immédiatement mon numéro',
  'Please remove 0244 111 222 from your list',
  'Remove me from all of your contact lists please',
  'Bloquez-moi de votre liste',
  'Enlevez-moi de la liste de diffusion, mais livrez quand même ma commande',
  'Je ne veux plus être ajoutée dans vos groupes',
  'Comme dit au téléphone, plus aucun message à ce numéro',
  'Arrêtez les pubs et dites au patron de me rappeler',
  'I was added by mistake, please take my number off',
  'dé-sa-bon-ne-ment',
  'Dé$abonnez moi',
  'Ne me rajoutez plus dans vos groupes svp',
  'r.e.t.i.r.e.z m.o.i',
  "si vous continuez à m'envoyer vos pubs je vous bloque",
  'STOP',
  'Stop svp',
  'STOP SMS',
  'Stop les pubs',
  'stop all',
  'Désabonnement',
  'desabonnement svp',
  'Désabonnez-moi de vos promos',
  'je veux me désinscrire',
  'Je ne souhaite plus recevoir de messages de votre part',
  "Merci de ne plus m'envoyer de messages",
  'Veuillez me retirer de votre liste',
  'Enlevez mon numéro svp',
  "Arrête de m'écrire stp",
  'Arrêtez vos messages',
  'Arrêtez de me spammer',
  'C est bon, plus de messages svp',
  'Ne me contactez plus jamais',
  'Supprimez-moi de votre groupe',
  'Je veux sortir de votre liste de diffusion',
  'Sortez-moi de vos listes',
  "J'en ai marre de vos messages, stop",
  'Laissez-moi tranquille avec vos pubs',
  "ne m'envoyez plus rien",
  'unsubscribe please',
  'Please remove me from this list',
  'Stop texting me',
  "I don't want these messages anymore",
  "Don't message me again",
  'Stop contacting me',
  'Please take my number off your list',
  'I want to opt out',
  'No more messages please',
  'Remove my contact',
  'Delete my number from your broadcast',
  'Kindly stop sending me these adverts',
  "I'm not interested, please stop",
  'Abeg stop to dey send me message',
  'Abeg remove my number',
  'I no want your message again',
  'S.T.O.P',
  'st0p',
  'ＳＴＯＰ please',
  'D E S A B O N N E R',
  // Stop verbs whose object is what the shop sends.
  'Arrêtez les messages svp, mon téléphone sonne toute la nuit',
  'Stop les promos, je ne suis plus intéressée',
  'Kindly stop the weekly price updates',
  'Abeg stop the broadcast dem',
  "Merci d'arrêter d'envoyer des pubs sur ce numéro",
  'Stoppez vos annonces svp',
  // Removal as the last words, or from a list that can only be ours.
  "J'ai déménagé à Kara, je n'achète plus chez vous. Retirez-moi",
  "Je n'ai plus d'enfant en bas âge, merci de me retirer 🙏",
  'Not interested anymore. Please remove me',
  'I no dey buy again, take me off',
  'retire mon num de ta liste stp',
  'Supprimez ce numéro de votre liste de diffusion',
  // Negated forms.
  "N'envoyez plus rien à ce numéro",
  'Je ne veux plus vos annonces',
  'Plus besoin de vos messages, merci',
  'I no longer wish to receive your broadcasts',
  'No send me anything again abeg',
  "Don't text this number again, it's my office line",
  'Stop messaging this number',
  'Ok stop, ça suffit',
  'Je vais vous bloquer si vous continuez à m’envoyer des promos',
  'No send me anything again. I don tire for the message wey una dey send every day',
];

const OPT_IN = [
  'Send me your updates',
  'Réactivez mes notifications',
  "Vous pouvez de nouveau m'envoyer vos messages",
  "C'était une erreur le STOP, renvoyez-moi vos promos",
  "Je m'abonne",
  'Yes, I agree to receive messages',
  'Gardez-moi dans votre liste',
  'Count me in for the promos',
  'je veu resevoir vos offres',
  "Continuez à m'envoyer vos nouveautés, j'avais bloqué sans faire exprès",
  "START svp, j'ai changé de numéro",
  "J'ai tapé stop hier, c'était une erreur, je voulais écrire start",
  'START',
  'start svp',
  'Je veux de nouveau recevoir vos messages',
  'Réabonnez-moi svp',
  'Ajoutez-moi à votre liste de diffusion',
  'Please add me back to your broadcast',
  'I stopped by mistake, start again please',
  "J'ai envoyé STOP par erreur, remettez-moi svp",
  'Subscribe me to your updates',
  'Mettez-moi dans votre groupe WhatsApp svp',
  'Prévenez-moi quand les sandales roses reviennent',
  'Please notify me when the Infinix Hot 40 is back in stock',
  'Keep me posted on your end-of-year deals',
  'Ajoutez mon numéro au groupe des revendeurs',
  'Put my number for the promo list abeg',
  'Je veux être informée des prochaines promos',
  'Envoyez-moi un message dès que le riz parfumé arrive',
  'Envoyez-moi vos nouveautés chaque semaine svp',
  'Save my number so I can see your status',
  'Remettez-moi dans vos contacts svp',
  "Je ne vois plus vos statuts, vous m'avez enlevée ? Je veux les recevoir",
  'Inscrivez aussi mon mari à vos promos',
  "J'ai un nouveau numéro, ajoutez le nouveau à votre liste",
  'Je voudrais être ajoutée',
  'Je veux recevoir vos prix tous les lundis par message',
  'I stopped them last month but I want them again',
  'Please resume',
  'My number was removed by mistake I think',
  'When the new wax arrives, call me',
  'I want to be the first to know when the new stock lands',
  'Je vois vos promos chez ma sœur, comment je peux recevoir ça ?',
  "Please add me back, I don't want to miss the new designs",
  'Vous faites des promos ? Si oui ajoutez-moi',
  'Rajoute moi la, je veux voir les nouveautés',
  'Please include me',
  'Sign me up for the weekly deals',
  'Je voudrais être ajouté à votre groupe',
  'Je veux suivre vos arrivages',
  'Comment je m inscris ?',
  'Je veux plus rater vos promos',
  'Renvoyez-moi vos pubs svp',
  'Ajoutez mon num à votre liste stp',
  'Inscrivez mon numéro aussi',
  'Je veux recevoir toutes vos offres',
];

const NEITHER = [
  'Ne me rajoutez plus rien dans le panier',
  'si vous continuez comme ça je vais commander ailleurs',
  "Stop, je me suis trompé, c'est le sac rouge que je veux",
  "Le bus s'arrête où pour venir chez vous ?",
  'Vous arrêtez la livraison à quelle heure ?',
  'Arrêtez-vous devant la pharmacie',
  'Je veux plus le sac noir, plutôt le rouge',
  'Retirez le sac de ma commande',
  'Remove the rice from my order',
  "Don't deliver before 5pm please",
  'Can you stop by my office tomorrow?',
  'This phone keeps stopping by itself',
  'Non-stop music at the shop lol',
  "Je ne veux plus attendre, livrez-moi aujourd'hui",
  "I unsubscribed from Jumia's newsletter yesterday, they still charge me",
  "Je n'ai plus de crédit, je vous écris demain",
  "Ne m'envoyez plus le mauvais article svp",
  'Arrêtez de me mentir, où est mon colis ?',
  'Mets-moi 2 sacs de côté',
  'Ajoute un gel edges dans le colis',
  'Take me off the waiting list for the iPhone',
  'Je peux retirer ma commande à la boutique ?',
  'stop motion camera dey?',
  'Le téléphone s’arrête tout seul',
  'Stop! The message I sent before was wrong, I meant the blue one',
  "Vous n'envoyez plus au Gabon ?",
  'Arrêtez la livraison de ma commande, je serai absente',
  'Retirez-moi le rouge de la commande',
  'Retire le foulard de la liste, je prends juste les sandales',
  'Remove the rice from my list, I no need am again',
  "I don't want to stop receiving your updates",
  'Please do not stop sending the promos, I like them',
  'STOP SENDING ME THE WRONG SIZE, I said 40',
  'Prévenez-moi quand le colis arrive',
  'Tell me when the delivery rider arrives at the gate',
  'The replies keep sending me the same message, I need a human',
  "c'est la taille 39 pas 40, stop",
  'Arrêtez de me mentir, vous dites toujours que c’est en route',
  'Vous pouvez me contacter plus tard',
  'Le colis, je veux le recevoir demain',
  'Comment je peux recevoir mon colis ?',
  'Le livreur me harcèle',
  "I'll report you to the police if the phone is not replaced",
  'Je vais signaler le problème au livreur',
  "Je n'ai jamais demandé la couleur bleue",
  'I never asked for the blue one',
  "Ne m'oubliez pas pour la livraison",
  "Vous me harcelez pour le paiement alors que j'ai payé",
  "C'est du spam ou c'est vrai cette promo ?",
  "J'ai oublié mon numéro de commande",
  'Vous pouvez m écrire plus souvent',
  'Ajoute moi aussi le rouge',
  'Rajoute-moi 2 savons',
  'Remets-moi le même sac',
  "Il faut pas arrêter de m'envoyer la même taille",
  'Ajoutez mon numéro sur le colis',
  "Arrêtez l'envoi de ma commande, je ne suis pas là",
  'Comment désactiver les notifications sur mon téléphone ?',
  "Ne m'oubliez pas pour la promo svp",
  'Cessez les envois de mon colis à cette adresse',
  'Supprimez mes données de carte bancaire svp',
  'Il faut me laisser tranquille le temps que je réfléchisse',
  'Merci de me laisser tranquille le temps de réfléchir',
  'I want out of this deal, refund me',
  'Mettez fin à ma commande',
  "Vos promos là c'est fini ? Dommage",
  'Make una stop for junction',
  "I didn't ask for this color, send the right one",
  'Not interested in the red one, remove it from my order',
  "I'm done with the payment",
  'Leave me the blue one',
  "I will block the payment if it doesn't come",
  'No more stock?',
  'Enlevez moi de la commande le sac rouge',
  "Vous m'envoyez le colis quand ? Je vais arrêter d'attendre",
  "Ne me sollicitez plus pour le paiement, c'est déjà fait",
  "Le livreur m'a dit stop au carrefour",
  "Je vous dis stop, c'est le rouge que je veux pas le bleu",
  'This is not my number anymore, send it to 0244 instead',
  'Laissez moi réfléchir',
  'Stop this thing from leaking? any glue?',
  'Je vais porter plainte si vous continuez à ne pas livrer',
  'Vous êtes lourds avec vos prix',
  "I'm blocking you on Facebook lol",
  'Cease all payments from my account',
  'Tu es trop lourd avec tes blagues',
  'Send me your price list',
  'Send me your updates on my order',
  "Je m'abonne à Canal+ demain",
  'Réactivez mon compte',
  'Je veux me désabonner de Canal, vous vendez des décodeurs ?',
  'Ma fille veut se désabonner de son club de sport',
  'Why did you stop sending the promos?',
  "Pourquoi vous n'envoyez plus vos promos ?",
  "Leave me out of the group order, I'll buy alone",
  'Arrêtez tout, je change de taille: 42 au lieu de 41',
  'Bloquez-moi le bleu jusqu’à demain',
  "Don't call me, text me instead",
  "Your promos are great, don't stop it",
  "Stop sending the pictures, I've seen enough. How much for 2?",
  'You are disturbing me with the delivery calls, just leave it at the gate',
  'Il faut arrêter de boire sucré, vous avez du miel ?',
  "Tu es qui pour me dire d'arrêter ?",
  'Je vous en prie, arrêtez-vous devant la pharmacie',
  'Where did you get my number from? My friend?',
  'Par pitié arrêtez le prix à 5000, pas plus',
  'Je veux plus entendre parler de ce livreur',
  'My son unsubscribed me from the gym, anyway do you have treadmills?',
  "Leave me alone for 2 days, I'll pay Friday",
  "Remove me from the delivery list for today, I'm not home",
  "Retirez-moi de la liste de livraison d'aujourd'hui",
  'Je me suis désabonnée de la salle de sport, vous vendez des tapis de course ?',
  'Stop calling, just text me the price',
  "Arrêtez d'appeler, écrivez-moi le prix",
  'Unsubscribe? No way, I love your deals',
  'Je ne vais jamais me désabonner 😍',
  "Never unsubscribing, you're the best",
];

describe('consent rules', () => {
  itReadsConsent({ optOut: OPT_OUT, optIn: OPT_IN, neither: NEITHER });

  // A stop request mixed with a request for a person or to resume is confirmed first, never acted on.
  for (const text of [
    'Arrêtez vos messages automatiques, je veux parler à une vraie personne',
    'Stop the bot messages and let me talk to the owner',
    'I asked you to stop the broadcasts last month, please resume them',
    "J'avais dit d'arrêter les promos mais reprenez svp",
    "Ne m'enlevez pas de la liste svp, j'ai écrit stop par erreur",
  ])
    it(`does not opt out: ${text}`, () => expect(consentOf(text)).not.toBe('opt_out'));

  it('undoes disguised letters only where they spell a word', () => {
    expect(unmaskedTexts('5TOP')).toContain('stop');
    expect(unmaskedTexts('ST\u200bOP')).toContain('stop');
    expect(unmaskedTexts('ѕтор')).toContain('stop');
    expect(unmaskedTexts('r e t i r e z  m o i')[0]).toBe('retirez moi');
    expect(unmaskedTexts('2 sacs à 15000')[0]).toBe('2 sacs a 15000');
  });
});

// train-c forms (issue 14): variants of the families train-c's missed messages belong to, written
// for this test, and traps in the same words that must not opt out.
describe('consent rules: train-c forms', () => {
  const OPT_OUT_FORMS = [
    'leave my number alone',
    'Lache mon numéro stp',
    'no need to keep texting me your offers',
    'una dey send me message again, I go block una',
    'je porte plainte si je reçois encore une seule pub',
    'je vous signale si vous recommencez',
    'your broadcasts annoy me',
    'résiliez mon abonnement',
    'comot me for una broadcast list',
    'Arret d menvoyé tt vos pubs la',
    'stop de m envoye ts ces sms',
    'Laissez mon numéro tranquille svp',
    "je t'ai dit de laisser mon num en paix",
    "Plus besoin de m'envoyer vos promotions, j'ai déménagé",
    'no need to send me these adverts anymore',
    'Abeg stop dey text me',
    'I no wan receive your broadcast again',
    'Who gave you my number? Delete it now',
    "Vous m'envoyez encore vos pubs et je vous signale",
    'I will report you if I get one more message',
    'je te bloque si tu continues',
    "stop texting me or I'll report this number",
    'We told you to stop',
    'Cette promo me saoule, arrêtez',
    'Please cancel my subscription',
    'annulez mon abonnement',
    'stop les nouveautés svp',
    'je veux pu de vos messages',
    'Retirez-moi svp, je ne suis plus intéressée',
    'comot me from the whatsapp group',
    'dezabonnez moi',
    'stoppez de me rajouter dans vos groupes',
    'mecrivez plus jamais, ne menvoie plus rien',
    'STOP vite',
    'Arrêtez chef, basta',
  ];
  const OPT_IN_FORMS = [
    'please get me added to your list',
    'I want to be on your broadcast list',
    'turn on my notifications please',
    'Can I receive your daily offers?',
    'Je veux vos nouveautés',
    'I would like to receive your promos',
    'Mettez moi, je veux être dans votre groupe',
    'How do I join the broadcast?',
    'Pls I want to join your customer group',
    "I'd like to get added to the mailing list",
    'Reactivate my alerts please',
    "Reprenez l'envoi de vos offres svp",
  ];
  const NOT_CONSENT = [
    'si vous recommencez à livrer en retard je vous signale',
    "vous m'envoyez encore la mauvaise taille, je vous signale",
    'I will block you if you send me the wrong size again',
    'vous arrêtez les offres quand ?',
    'When do you stop the deals?',
    "Inutile de m'envoyer vos offres sur le wax, je veux le bazin",
    'no need to send me your offers for the 50kg, I want 25kg',
    "le livreur m'a dit de laisser mon numéro",
    "j'ai arrêté d'envoyer des messages à mon ex",
    "J'ai déjà arrêté les promos de Orange, vous livrez à Yopougon ?",
    "La promo s'arrête quand ?",
    "Mon téléphone s'arrête tout seul",
    "J'ai arrêté de porter des perruques, vous avez des foulards ?",
    "Stop, j'ai trouvé ce que je cherchais",
    'do you have stop motion camera?',
    "je descends à l'arrêt de bus près de chez vous",
    'Je vous laisse mon numéro pour la livraison',
    'Laissez mon numéro au livreur',
    "inutile de m'envoyer la photo, je l'ai vue",
    'no need to send me the invoice',
    'stop sending me the wrong colour',
    "Je vais vous bloquer si le colis n'arrive pas demain",
    'je ne veux plus la robe rouge, je préfère la bleue',
    'votre livreur me dérange',
    'vous continuez à livrer le samedi ?',
    'Je veux vos prix pour 10 sacs',
    'Can I get your price list?',
    "I'd like to join the queue for the iPhone",
    "je veux être sur votre liste d'attente pour la montre",
    "J'ai annulé mon abonnement à Canal",
    "des abonnés m'ont recommandé votre boutique",
  ];
  itReadsConsent({ optOut: OPT_OUT_FORMS, optIn: OPT_IN_FORMS, neither: NOT_CONSENT });

  // A stop whose object an opt-in phrase names stays a stop; a removal by mistake is still undone.
  it('keeps a stop that quotes an opt-in phrase', () => {
    expect(consentOf("J'ai un nouveau numéro, arrêtez de m'envoyer vos offres sur l'ancien")).toBe('opt_out');
    expect(consentOf("On m'a retiré par erreur, remettez-moi svp")).toBe('opt_in');
  });
});

// Issue 14 fifth pass: families written for these tests (none comes from a corpus), with traps.
describe('consent rules: nuisance, pidgin refusals, news of future promotions', () => {
  const OPT_OUT_FORMS = [
    'Tu me fatigues avec tes pubs',
    "Vous me saoulez avec vos promos tous les jours, c'est fini",
    'you dey disturb me with all these broadcasts',
    'Vous dérangez trop, arrêtez',
    'You people are disturbing me, stop it',
    'I no wan hear from una again',
    "I don't want to hear from you anymore",
    'abeg no dey send me una message again',
    'no send me message again o',
    "J'en ai marre de recevoir vos trucs",
    'Ça devient insupportable ces messages chaque jour',
    "Sorry I'm not interested in your products, kindly stop",
    'Quittez mon WhatsApp',
    'Stoppez les envois svp',
    "Je ne vous ai jamais donné l'autorisation de m'écrire",
    "You don't have my permission to message me",
    'Désactivez mon numéro de vos envois',
    "C'est quoi ce harcèlement ? Je n'ai jamais acheté chez vous",
  ];
  const OPT_IN_FORMS = [
    'Informez-moi quand il y a des réductions',
    'Tu peux me prévenir des prochaines promos ?',
    'Faites-moi signe pour les prochains arrivages',
    'Mettez moi dans la boucle pour les soldes',
    'Let me know about future discounts',
    'keep me in the loop for your next deals',
    'je veux vos offres chaque semaine',
    'Partagez-moi vos bons plans',
    'send me your promos again please',
  ];
  const NEITHER_FORMS = [
    'Tu me fatigues avec tes questions, je viens demain',
    'Le bébé me dérange trop, arrête de pleurer',
    'Informez-moi du prix de la robe',
    'Let me know if there is a discount on the fan',
    'I no wan the red one, send me the black',
    "Don't send me the wrong size again",
    "I'm tired of getting your wrong sizes, this is the third time",
    "J'en ai marre de recevoir des factures aussi élevées",
    'Not interested in the black one, I want the red one',
    'Mon fils n’a pas la permission de sortir ce soir',
    'Le livreur me harcèle au téléphone depuis ce matin',
  ];
  itReadsConsent({ optOut: OPT_OUT_FORMS, optIn: OPT_IN_FORMS, neither: NEITHER_FORMS });
});

// Issue 14 sixth pass: families missed on the tuning splits of heldout-2 and heldout-3, written
// here as new wordings (none copied from a corpus), each with traps.
describe('consent rules: SMS spellings, "ne plus m\'inclure", Lingala and Wolof, reactivation', () => {
  const OPT_OUT_FORMS = [
    'aretez de menvoyer vos promo svp',
    'arette de m envoyé tes message',
    'stop les mesages du matin svp',
    'svp ne menvoyé plus vos pubs',
    'ne plus envoyer de pubs sur ce numéro merci',
    'je vous prie de ne plus nous ajouter dans vos listes',
    "ne m'incluez plus dans votre groupe de diffusion",
    'Retirez-moi de là tout de suite',
    'tika kotinda ngai ba sms',
    'tika ba promo na bino',
  ];
  const OPT_IN_FORMS = [
    'Je me suis trompé tout à l’heure, renvoyez-moi vos promos',
    'réactivez-moi svp, je veux revoir les offres',
    'Envoyez-moi vos offres hebdomadaires',
    'please send me your daily updates',
    'oui je veux les promotions',
    'duggal ma ci sa groupe',
  ];
  const NEITHER_FORMS = [
    'arete de me mentir, où est mon colis ?',
    "Vous m'avez envoyé le mauvais message",
    'ne plus envoyer le colis à Cocody, livrez à Yopougon',
    'Merci de ne plus envoyer de messages vocaux, écrivez plutôt',
    "ne m'envoyé plus la robe rouge, je prends la bleue",
    'sortez moi de là ce problème de livraison',
    'réactivez-moi la carte de fidélité',
    'je veux les promos du moment, c’est quoi ?',
    'renvoyez-moi le message avec le numéro wave',
    'send me your weekly deals? no thanks',
    'renvoyez-moi le reçu de paiement svp',
  ];
  itReadsConsent({ optOut: OPT_OUT_FORMS, optIn: OPT_IN_FORMS, neither: NEITHER_FORMS });
});

// Issue 14 sixth pass, follow-up: asking to hear about one order is not asking for our messages.
describe('consent rules: a notice about one order is no opt-in', () => {
  const NEITHER_FORMS = [
    'envoyez-moi un message quand le colis part',
    "texte-moi quand c'est prêt",
    'préviens-moi quand ça arrive stp',
    'envoie moi un sms dès que le livreur quitte la boutique',
    'tenez-moi au courant quand la commande est expédiée',
    'keep me posted when it ships',
    'please keep me updated once the rider is on the way',
    'envoie moi un message quand tu es devant le portail',
  ];
  const OPT_IN_FORMS = [
    'envoyez-moi un message quand les nouveautés arrivent',
    'préviens-moi quand la perruque revient en stock',
    'tenez-moi au courant de vos promos quand elles sortent',
    'keep me posted when new stock lands',
  ];
  itReadsConsent({ optIn: OPT_IN_FORMS, neither: NEITHER_FORMS });
});

// Issue 14 sixth pass: where the shop is, asked by a landmark ("c'est derrière le marché ?").
describe('location cue: a landmark next to the shop', () => {
  const ASKS = [
    "c'est juste à côté de la pharmacie du marché ?",
    'vous êtes derrière la station Total ?',
    'cé en face du lycée ?',
    'Sur quelle avenue exactement ?',
    'is it opposite the police station?',
    'which building are you in?',
  ];
  const NOT = ['le colis est devant la porte ?', "c'est vers 14h que tu passes ?", 'la robe en face de moi'];
  for (const text of ASKS)
    it(`asks where: ${text}`, () => expect(LOCATION_RE.test(normalizeText(text))).toBe(true));
  for (const text of NOT)
    it(`asks no place: ${text}`, () => expect(LOCATION_RE.test(normalizeText(text))).toBe(false));
});

// Issue 14 seventh pass (helper accA): consent forms written from how customers word them (none
// copied from a corpus): declining politely, speaking for a number that changed hands, signing up a
// relative; with the traps that name the same words about something else.
describe('consent rules: polite refusals, a number that changed hands, a relative signed up', () => {
  const OPT_OUT_FORMS = [
    "Merci beaucoup mais ce n'est plus nécessaire de m'envoyer les promos, bonne continuation",
    "pas utile de m'envoyer vos pubs, merci",
    "Thanks but I'd rather not get these messages anymore",
    'I would prefer not to receive your adverts',
    'Good morning, please I am no longer interested in your broadcasts, thank you',
    'je ne suis plus vraiment intéressée par vos pubs',
    'This number no longer belongs to Ama, please delete it',
    "Ce numéro n'appartient plus à Awa, supprimez-le de votre liste",
    'Veuillez cesser toute communication avec ce numéro',
    'Rayez-moi de vos listes',
    'rayez mon numéro de la diffusion svp',
    "My mum says she doesn't want your messages anymore",
    'Ma grand-mère ne sait pas lire, inutile de lui envoyer vos messages',
    'Vous pouvez arrêter les envois pour ce numéro svp',
    'Je ne veux pas être dérangée par vos messages',
    'Thanks, but this is not for me. Please stop',
  ];
  const OPT_IN_FORMS = [
    'Abonnez ma femme aussi à vos offres',
    'add my sister to your broadcast too',
    'inscrivez ma petite soeur dans votre liste de diffusion',
    'Faites-moi savoir quand vous avez des promos',
    "fais moi savoir s'il y a des soldes",
    'I wan dey receive una price list every week',
  ];
  const NEITHER_FORMS = [
    "I'm not interested in your promo on the bag, just the normal price",
    'Je ne suis pas intéressée par la promo du sac, c’est combien normal ?',
    "Arrêtez tout contact avec mon mari, il n'a rien commandé",
    'Ajoute ma femme sur la commande, elle vient chercher le colis',
    "Ce n'est plus nécessaire de m'envoyer le colis, je passe le prendre",
    "Le sac n'appartient pas à ma fille, retirez-le de la commande",
    "This bag doesn't belong to me, remove it from my order",
    'Rayez le sac rouge de ma commande',
    'Faites-moi savoir quand le colis part',
    'I no wan dey receive una price list every week',
    "My mum says she doesn't want the red one, how much is the blue?",
    'Elle ne veut pas être dérangée par le livreur, déposez le colis chez la voisine',
    'arrêtez les envois du colis pour ce numéro de commande',
    "C'est pas pour moi ce prix, faites un effort",
  ];
  itReadsConsent({ optOut: OPT_OUT_FORMS, optIn: OPT_IN_FORMS, neither: NEITHER_FORMS });
});

// Forms of the families train-d's tuning split showed missing (lead, seventh pass), written as forms.
describe('consent rules: ôter, not contacting this number, rejoining a list', () => {
  itReadsConsent({
    optOut: [
      'Ôtez mon numéro de vos listes svp',
      'ote moi de ton groupe de diffusion',
      'otez ce numéro de votre liste',
      'Je vous prie de ne plus contacter ce numéro. Merci',
      'merci de ne jamais rappeler mon numéro',
      'svp ne plus écrire à ce numéro',
    ],
    optIn: [
      'I want to rejoin your list, I stopped by mistake',
      'please put me back on your broadcast',
      'add me back to your promo list abeg',
    ],
    neither: [
      'Ôtez le sac rouge de ma commande',
      'otez les frais de livraison de la facture',
      'ne plus contacter ce fournisseur, il est trop cher',
      'I will not rejoin your group after what happened',
      'The rider should get back on the road, where is my parcel?',
    ],
  });
});

/** The intents the cue rules read in a message (no product named, no quantity). */
function cuesOf(text: string, ctx: Partial<CueContext> = {}) {
  return readCues(
    normalizeText(text),
    {
      hasProduct: false,
      hasSpecificProduct: false,
      hasUnknownPhrase: false,
      hasExplicitQuantity: false,
      wants: false,
      question: text.includes('?'),
      ...ctx,
    },
    INTENT_PRIORITY,
  );
}

/** Each text of `yes` matches `re` (normalized), each text of `no` does not. */
function itMatches(name: string, re: RegExp, yes: readonly string[], no: readonly string[]) {
  for (const text of yes) it(`${name}: ${text}`, () => expect(re.test(normalizeText(text))).toBe(true));
  for (const text of no) it(`not ${name}: ${text}`, () => expect(re.test(normalizeText(text))).toBe(false));
}

// Issue 14 seventh pass: cue forms for the classes under 90 % on the held-out set (catalog,
// delivery, complaint) and for requests read as unknown (a person, a payment app, stock asked with
// "tu as"), each with the near traps that must not fire.
describe('cue rules, seventh pass', () => {
  itMatches(
    'delivery',
    DELIVERY_RE,
    [
      'Vous pouvez déposer ça chez moi à Yopougon demain ?',
      'Vous déposez à domicile ?',
      "Je suis à Angré, vous pouvez m'amener ça ce soir ?",
      'ramenez-moi ça au bureau',
      'Can you bring it to my office at Osu?',
      'you fit drop am off for Lekki?',
      'C’est possible de recevoir ça avant vendredi ?',
      'Le transport c’est combien jusqu’à Cocody ?',
      'Envoyez par Gozem, je paie à l’arrivée',
      'Le gars de la moto est parti ?',
      'Do you do doorstep?',
    ],
    [
      'je vais déposer l’argent à la banque',
      'Tu vas amener ta soeur ?',
      'bring me the price list',
      'my brother will drop by the shop',
      'je veux recevoir vos promos',
    ],
  );
  itMatches(
    'complaint',
    COMPLAINT_RE,
    [
      'Le téléphone redémarre sans arrêt',
      'the phone keeps freezing since yesterday',
      'wetin be this? the phone screen dey blink',
      'Les écouteurs grésillent',
      'La montre surchauffe',
      'Le son est faible, je regrette mon achat',
      'I regret buying this phone',
      'This garri get sand inside',
      'le riz a des cailloux dedans',
      'le pain est moisi',
      'vs mavez vendu un chargeur qui marche po',
      'My wig is shedding badly, I just bought it last week',
      'The shoe sole don cut after one week',
      'La chaussure s’est décollée après deux jours',
      'Vous m’avez livré un carton ouvert',
      'Le livreur est venu sans le chargeur',
      'the rider came without the receipt',
    ],
    [
      'je ne regrette pas mon achat, merci',
      'Vous avez des pierres précieuses ?',
      'La plante verte coûte combien ?',
      'mon téléphone est compatible ?',
      'the phone is ok, thank you',
      'c’est livré sans le chargeur ?',
      'vous livrez sans frais ?',
      'Le carton de 12 coûte combien ?',
      'le pot de crème coûte combien ?',
    ],
  );
  itMatches(
    'a browsing question',
    CATALOG_STRONG_RE,
    [
      'any new arrivals this week?',
      'show me your latest designs',
      'Tu peux m’envoyer les modèles disponibles ?',
      'Vous avez tout ce qui est cuisine ? mixeur, plaque…',
      'Vous avez des trucs pour les enfants ?',
      'vous avez des produits pour homme ?',
      'Vous vendez aussi les accessoires de voiture ?',
      'Do you also sell frozen chicken?',
      "What's in your home appliances section?",
      'J’aimerais voir votre collection de perruques',
      'Montre-moi ce que tu as en stock',
    ],
    [
      'Vous faites aussi la livraison ?',
      'vous faites aussi les promos ?',
      'do you also deliver to Tema?',
      'Vous avez les baskets noires en 42 ?',
      'le modèle est disponible ?',
    ],
  );
  itMatches(
    'a person asked for',
    HUMAN_RE,
    [
      'Passez-moi le vendeur qui était là hier',
      'passe moi la gérante stp',
      'I want to talk to oga',
      "le gars qui m'a servi hier, passe le moi",
      'nalingi koloba na mama ye moko',
    ],
    [
      'passe-moi le sel',
      'passe moi le lien du site',
      'oga, how much for the bag?',
      'le sac rouge, passe le moi',
    ],
  );
  itMatches(
    'a payment',
    PAYMENT_RE,
    ['airtel money ok ?', 'I fit pay with Opay?', 'can I send with Palmpay', 'je paie par T-Money'],
    ['le t-shirt noir', 'la kudu est un animal'],
  );
  it('reads a browsing question before stock when the shop is asked what else it sells', () => {
    const r = cuesOf('Vous vendez aussi des tenues pour bébé ?', {
      hasProduct: true,
      hasUnknownPhrase: true,
    });
    expect(r.intents.has('catalog')).toBe(true);
    expect(r.intents.has('availability')).toBe(false);
  });
  it('reads stock asked with "tu as" when an item is named', () => {
    expect(
      cuesOf('tu as le savon de Marseille ?', { hasUnknownPhrase: true }).intents.has('availability'),
    ).toBe(true);
    expect(cuesOf('tu as vu le match hier ?').intents.has('availability')).toBe(false);
  });
  it('reads no stock question in news told with "vous avez vu", "t\'as vu", "have you seen"', () => {
    for (const text of [
      'Vous avez vu le prix du carburant ?',
      "t'as vu le garba ?",
      'have you seen the new bridge?',
    ])
      expect(cuesOf(text, { hasUnknownPhrase: true }).intents.has('availability'), text).toBe(false);
    expect(cuesOf('Vous avez le pagne bleu ?', { hasUnknownPhrase: true }).intents.has('availability')).toBe(
      true,
    );
  });
  it('reads stock in pidgin "don finish", "remain"', () => {
    for (const text of [
      'the iPhone 13 pro don finish?',
      'e don finish?',
      'the black one, e still remain?',
      'any remain?',
    ])
      expect(cuesOf(text).intents.has('availability'), text).toBe(true);
    expect(cuesOf('I don finish my work, I go come tomorrow').intents.has('availability')).toBe(false);
  });
  it('reads the delivery fee, not a price, in "le transport c’est combien"', () => {
    const r = cuesOf('Le transport c’est combien jusqu’à Cocody ?');
    expect(r.intents.has('delivery')).toBe(true);
    expect(r.intents.has('price')).toBe(false);
  });
  it('reads no price in talk about goals, the dollar or market prices going up', () => {
    for (const text of [
      'Combien de buts Mbappé a marqué ?',
      'How much is the dollar today?',
      'Il paraît que le prix du riz va encore monter en janvier',
    ])
      expect(cuesOf(text).intents.has('price'), text).toBe(false);
    expect(cuesOf('Combien coûte le ballon ?').intents.has('price')).toBe(true);
    expect(cuesOf('le prix du sac noir ?').intents.has('price')).toBe(true);
  });
});

describe('fallback opt-out detector (possibleOptOut), eighth pass', () => {
  const read = (text: string) => possibleOptOut(normalizeText(text));
  const strong = [
    'suprime mon numero de vos contact',
    'desincrivez moi',
    'dezabonnez moi de votre liste svp',
    'retirez mon numéro de votre liste',
    'Enlevez moi du groupe de diffusion, je ne suis pas musicien',
    'Pls remov me frm ur list',
    'Kindly take my contact off your broadcast, the messages are too many',
  ];
  for (const text of strong)
    it(`reads strong evidence of an opt-out in "${text}"`, () => expect(read(text)?.strong).toBe(true));
  const asked = [
    "C'est un numéro professionnel, merci de ne plus y envoyer de publicités.",
    'vos pubs la ça me fatigue',
    'Laissez-moi tranquille avec vos messages',
    'I no wan see una message again o',
    'Je ne veux plus rien recevoir de votre part',
    'Arrêtez avec vos messages automatiques, je veux parler à une personne',
    'Botika kotinda ngai ba messages oyo, merci',
    'Bayil ma, dama bëggatul say message',
    "I'm opting out, bye",
    'Bonjour, c’est le numéro de mon mari décédé, merci de ne plus écrire ici',
    'Mon mari dit que vous arrêtez d’écrire sur son numéro',
  ];
  for (const text of asked)
    it(`reads a possible opt-out (to confirm) in "${text}"`, () => {
      const f = read(text);
      expect(f).toBeDefined();
      expect(f?.strong).toBe(false);
    });
  const traps = [
    'Take me off the waiting list for the iPhone 12, I already bought one elsewhere',
    'Remove the crayfish from my list, I no need am again',
    "Arrêtez l'envoi, j'ai changé d'adresse : c'est maintenant Ouakam",
    'Abeg una get beans and semovita? If no, send me 2 garri',
    "Supprimez mon message d'avant, je me suis trompée de chiffre",
    'Votre compte Orange Money sera bloqué. Envoyez le code reçu par SMS pour le débloquer',
    "Je m'étais désinscrite mais finalement je veux revenir, vos promos me manquent",
    'I asked you to stop your messages last year, but I miss the new arrivals. Please start again',
    'pourquoi vous ne m’envoyez plus vos promos ?',
    'je ne reçois plus vos messages',
    "quand est-ce que la promo s'arrête ?",
    'ne continuez surtout pas à m’envoyer vos promos ? si, continuez à m’envoyer vos promos',
    'do you have stop motion camera?',
    'ne plus rater vos promos, ajoutez-moi',
    'Ahh stop, tes vidéos de statut me font trop rire 😂',
  ];
  for (const text of traps) it(`reads no opt-out in "${text}"`, () => expect(read(text)).toBeUndefined());
  it('keeps a threat made on condition an opt-out word ("si vous continuez à m’envoyer vos promos")', () =>
    expect(read('Je vais vous signaler si vous continuez à m’envoyer vos promos, arrêtez')).toBeDefined());
});

describe('small known bugs, eighth pass', () => {
  it('reads no opt-in in "put me back on / add me back to your waiting list" (a product\'s queue)', () => {
    for (const text of ['put me back on the waiting list', 'add me back to your waiting list']) {
      expect(consentOf(text), text).toBeUndefined();
      expect(cuesOf(text).intents.has('availability'), text).toBe(true);
      expect(cuesOf(text).primary, text).toBe('availability');
    }
    expect(consentOf('put me back on your broadcast')).toBe('opt_in');
    for (const text of ['put me back on the waiting list', 'add me back to your waiting list'])
      expect(detectIntent({ text, catalog: [] }).intent, text).toBe('availability');
  });
  it('reads no opt-out in laughter at our statuses ("tes vidéos de statut me font trop rire")', () => {
    expect(
      consentOf('Ahh stop, tes vidéos de statut me font trop rire 😂 tu danses mal mon frère'),
    ).toBeUndefined();
    expect(consentOf('lol arrêtez vos messages')).toBe('opt_out');
  });
  it('reads no opt-in in "stop to dey send me this una promo"', () =>
    expect(consentOf('Abeg stop to dey send me this una promo, e dey worry me')).not.toBe('opt_in'));
  it('reads no opt-out from "why don\'t you send me your promos any more"', () => {
    expect(consentOf('pourquoi vous ne m’envoyez plus vos promos ?')).toBeUndefined();
    expect(optOutLike(normalizeText('pourquoi vous ne m’envoyez plus vos promos ?'))).toBe(false);
  });
  it('reads no complaint in "faux cils" nor in "ça marche pas loin" (walking, the market)', () => {
    for (const text of [
      'vous avez des faux cils ?',
      'les faux ongles c’est combien ?',
      'on peut y aller, ça marche pas loin',
      'le marché pas loin de chez vous',
    ])
      expect(COMPLAINT_RE.test(normalizeText(text)), text).toBe(false);
    for (const text of [
      'le sac est faux',
      'mon téléphone ne marche pas',
      'ça marche pas',
      'c’est de la fausse marchandise',
    ])
      expect(COMPLAINT_RE.test(normalizeText(text)), text).toBe(true);
  });
});

describe('cue families from the h4/h5 tuning splits, eighth pass', () => {
  const has = (re: RegExp, text: string) => re.test(normalizeText(text));
  it("greets in the languages of the shops' towns (Zarma, Hausa, Swahili, Luba, Bambara, Yoruba, Igbo, Twi)", () => {
    for (const text of [
      'Fofo',
      'Moyo',
      'Sannu da zuwa',
      'ina kwana',
      'Jambo',
      'i ni sogoma',
      'E kaaro ma',
      'Kedu',
      'Maakye',
    ])
      expect(has(GREETING_RE, text), text).toBe(true);
    expect(has(GREETING_RE, 'kedua'), 'a word that only starts like a greeting').toBe(false);
  });
  it('reads no stock question in "vous avez suivi / regardé …" (telling news)', () => {
    for (const text of [
      'Vous avez suivi le discours du président hier soir ?',
      'Have you watched the match?',
    ])
      expect(cuesOf(text).intents.has('availability'), text).toBe(false);
    expect(
      cuesOf('Vous avez le pagne bleu ?', { hasProduct: true, hasSpecificProduct: true }).intents.has(
        'availability',
      ),
    ).toBe(true);
  });
  it('reads no payment in forwarding a number, a catalogue or a message', () => {
    for (const text of [
      "Qui est-ce ? On m'a transféré ce numéro",
      "ma cousine m'a transféré votre catalogue",
    ])
      expect(has(PAYMENT_RE, text), text).toBe(false);
    for (const text of ["j'ai transféré l'argent", 'je vous ai transféré 5000', 'transfert Wave fait'])
      expect(has(PAYMENT_RE, text), text).toBe(true);
  });
  it("reads a delivery question in asking where one's goods are", () => {
    for (const text of [
      'my things no reach yet o, wetin dey happen',
      'mes 2 panneaux 150W sont où ? vous aviez dit hier',
      'Tracking number for my order please',
      'where are my goods?',
    ])
      expect(has(DELIVERY_RE, text), text).toBe(true);
    for (const text of ['mon fils est où ?', 'votre boutique est où ?', 'where is your shop?'])
      expect(has(DELIVERY_RE, text), text).toBe(false);
  });
});

describe('cue rules, eighth pass: a fault that is not ours, renting', () => {
  it('reads no complaint in a fault the customer puts on goods bought elsewhere', () => {
    for (const text of [
      "My cooling pad fan doesn't stop making noise but it's fine, it's an old one I bought elsewhere",
      "Ma télé s'arrête toute seule quand il fait nuit, mais c'est la SNE pas votre kit",
    ])
      expect(cuesOf(text).intents.has('complaint'), text).toBe(false);
    expect(
      cuesOf("Ma télé s'arrête toute seule, c'est votre kit qui est faux").intents.has('complaint'),
    ).toBe(true);
  });
  it('flags "vous louez des …", "do you rent …" as a question about what the shop offers', () => {
    for (const text of ['Vous louez des chaises et des tables pour les fêtes ?', 'Do you rent tents?'])
      expect(cuesOf(text).flags, text).toContain('sell_question');
  });
});
