/**
 * Intent engine: what a customer wants, in which language, about which products. Pure and cheap
 * (tens of microseconds): regexes are compiled at module load and the normalized catalogue index
 * is memoized by catalogue content (the names and aliases), which keeps the function pure. Its cost
 * is linear in the text it reads (at most MAX_INTENT_TEXT_CHARS) and bounded by CATALOG_LIMITS.
 */
import { limitCatalog } from './catalog.ts';
import {
  damerauLevenshtein,
  MAX_WORD_CHARS,
  normalizeText,
  phoneticKey,
  stemToken,
  tokenize,
} from './text.ts';
import type { Entities, Intent, Language, Product, ProductMention, Reason } from './types.ts';

export interface IntentInput {
  text: string;
  /**
   * The seller's products; only the part within CATALOG_LIMITS is read. Its normalized index is
   * cached by the names and aliases (an equal catalogue in a new array reuses it) and by array, so
   * treat the array as immutable: a changed catalogue must be a new array.
   */
  catalog: readonly Product[];
  /** Language used when the message gives no clear sign (a tie, an emoji, a product name alone). Default 'fr'. */
  defaultLanguage?: Language;
}

export interface IntentVerdict {
  /** Primary intent: the first present in PRIORITY. */
  intent: Intent;
  /** Every intent found, no duplicates, primary first; ['unknown'] when none. */
  intents: Intent[];
  language: Language;
  entities: Entities;
  reasons: Reason[];
}

export const INTENT_CODES = [
  'intent.detected',
  'intent.none',
  'intent.product_matched',
  'intent.product_fuzzy',
  'intent.unknown_product',
  'intent.quantity',
  'intent.language',
] as const;
export type IntentCode = (typeof INTENT_CODES)[number];

/**
 * When several intents are present, the first in this list is the primary one. Consent comes first
 * because it must never be missed; a person asking for a human or complaining comes before sales.
 */
export const INTENT_PRIORITY: readonly Intent[] = [
  'opt_out',
  'opt_in',
  'human',
  'complaint',
  'order',
  'negotiate',
  'price',
  'availability',
  'payment',
  'delivery',
  'location',
  'hours',
  'catalog',
  'thanks',
  'greeting',
];

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ''));
}

/** English cue words for language detection (function words and shop vocabulary). */
const EN_WORDS = words(`
  the an is are am was be been do does did you your yours i me my mine we us our it its this that these those
  there here how much many what whats where when which who why price prices cost costs hello hi hey please
  thanks thank want wanna buy buying deliver delivery delivered have has got get can could will would should
  to for of and or with from at in by about still any some good morning evening afternoon night yes not don
  doesn didn isn ll ve re send sent take need like size shop store open close closing time order available
  real person bye goodbye money number account card cash ship shipping long fee fees same day anyone someone
  back think let last final better give reduce discount expensive too done check dear god bless text again
  remove list subscribe unsubscribe add receive updates broadcast call speak talk owner human wrong colour
  color fake shoes refund bad very service waiting week unacceptable located physical address near until
  today now tomorrow sunday monday tuesday wednesday thursday friday saturday hours opening see more pictures
  else sell show nice alright okay so abeg make sir madam dear just only also if then because but all
  already yet im ive id dont cant wont pay paid payment transfer after before tonight soon come go going look
  looking interested left kindly one two three four five dozen pair how far cheaper small big
`);

/** French cue words for language detection. */
const FR_WORDS = words(`
  le la les l de des du d un une est c ce cet cette ces ca je j tu il elle nous vous ils elles y et ou pour par
  avec sans sur dans au aux chez combien prix merci bonjour bonsoir salut svp oui non pas ne n plus moins
  encore toujours disponible livrez livrer livraison livre livreur quel quelle quels quelles quoi comment
  quand moi toi mon ma mes ton ta tes votre vos notre nos sont suis es etes sommes avez avons ai as ont
  faire fais fait faites peux peut pouvez veux veut voudrais voulais prends prendre prend qui que qu si tres
  trop cher chere aujourd hui demain hier dernier derniere boutique magasin heure heures ouvert ouverts
  ouvrez ouvre fermez ferme madame monsieur accord bien bon bonne journee soiree revoir bientot coucou ici
  voila alors mais donc comme tout tous toute toutes rien quelqu quelque personne parler envoyez envoyer
  envoye mettez commande commander commande paie payer paye paiement numero argent depot quartier adresse
  dimanche samedi lundi mardi mercredi jeudi vendredi semaine semaines jour jours reduction diminuer recu
  avoir etre gratuit gratuite frais ville apres avant depuis deja jamais reste vendez vendre taille pointure
  couleur modele modeles articles produits achete acheter reserve mdr allo dit dis sais savoir connaitre
  aimerais reflechis reviens note mari soeur frere fille fils femme homme enfant beaucoup peu petit grand
  vraie vrai conseiller humain robot appelez telephone arretez arreter desabonner ecrire situe trouve
  exactement horaires travaillez catalogue vos nouveautes photos montrez autres ailleurs chercher arrete
  trouver cote place passer venir voir faut baisser remise diminuez geste casse deux trois quatre cinq
  douze fois
`);

/**
 * Other frequent words and the cue words of the detectors. A word in the lexicon is never read as
 * a misspelt product ("like" is not "nike", "montrez" is not "montre", "cash" is not "case") and
 * never reported as an unknown product.
 */
const EXTRA_WORDS = words(`
  ok okay oki dac daccord nickel super top cool merci thanks svp please stp bjr salam assalam assalamou
  alaykoum salamalekoum allo yo hey hello bonsoir bonjour stop start arret message messages sms spam whatsapp
  wave om orange mtn moov momo flooz wari visa mastercard carte bancaire especes virement transfert depot
  paiement payement paiements facture recu commande commandes reservation stock disponibilite disponibles
  dispo prix tarif tarifs cout coute coutent montant combien cher chers reduction remise rabais promo
  promotion promos discount nego negocier livraison livraisons livrer livreur livre livree livrees colis
  expedition expedier expediez envoi adresse localisation location position quartier boutique magasin shop
  store bureau domicile maison marche gare bus taxi gbaka moto arret loin proche cote situe situee situes
  trouve horaire horaires heure heures ouvert ouverte ouverts ouvrez fermez ferme fermeture ouverture
  catalogue catalog photo photos image images pictures pics video videos site web website page instagram
  tiktok facebook nouveaute nouveautes collection collections modele modeles article articles produit
  produits chose choses truc trucs ca cela ceci it this that one thing things item items stuff model models
  plainte arnaque arnaqueur arnaqueurs voleur voleurs escroc escrocs rembourse remboursement refund fake
  faux fausse mauvais mauvaise qualite quality defaut dechire dechiree abime abimee casse cassee probleme
  problem souci humain human agent conseiller conseillere gerant gerante proprietaire patron patronne owner
  manager responsable robot bot vraie reel reelle real personne person appelez appelle call telephone
  taille tailles pointure pointures size sizes couleur couleurs color colour colors colours longueur pouces
  pouce inch inches cm kg fcfa cfa xof xaf francs franc euro euros dollars naira cedi cedis mille jours
  semaines mois ans semaine annee minute minutes temps fois times pieces piece paquet paquets unite unites
  exemplaire exemplaires douzaine dozen paire pair air door like likes bike mike soir matin midi apres
  midi nuit montrez montrer moi voir vu vue regarde regarder sauvegarder phone cas etc tout gratuit
  free demain aujourd hui maintenant now today tomorrow hier encore toujours deja bientot plus moins tres
  trop vraiment genre style frais port gros detail prochain prochaine semaine lol mdr ptdr hein oh ah eh
  euh hmm hm bon ben bah voila ouais oui non yes no yeah nope ma madame monsieur tonton tantie maman
  papa frere soeur chef boss patron dear bro sis mami dame mademoiselle
`);

const LEXICON: ReadonlySet<string> = new Set([...EN_WORDS, ...FR_WORDS, ...EXTRA_WORDS]);

/** Colours, sizes, materials and other descriptors: alone they never name a product. */
const MODIFIER_STEMS: ReadonlySet<string> = new Set(
  [
    ...words(`
    noir noire rouge bleu bleue blanc blanche vert verte jaune rose gris grise marron beige dore doree argent
    argente violet orange black red blue white green yellow pink grey gray brown gold golden silver purple
    petit petite grand grande mini maxi small big large medium xl xxl xs homme femme enfant men women kids
    man woman kid cuir leather wax coton cotton soie silk jean daim main bresilien bresilienne brazilian
    lace nouveau nouvelle new original pro max plus classic classique simple long longue court courte
  `),
  ].map(stemToken),
);

const STOP_IN_NAMES = words('a de du des en le la les l d the of et and pour for avec with au aux');

/** Number words; `un`, `une`, `one` and `neuf` ("new") only count right before a product. */
const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
  ['un', 1],
  ['une', 1],
  ['one', 1],
  ['deux', 2],
  ['two', 2],
  ['trois', 3],
  ['three', 3],
  ['quatre', 4],
  ['four', 4],
  ['cinq', 5],
  ['five', 5],
  ['six', 6],
  ['sept', 7],
  ['seven', 7],
  ['huit', 8],
  ['eight', 8],
  ['neuf', 9],
  ['nine', 9],
  ['dix', 10],
  ['ten', 10],
  ['onze', 11],
  ['eleven', 11],
  ['douze', 12],
  ['twelve', 12],
  ['quinze', 15],
  ['vingt', 20],
  ['douzaine', 12],
  ['dozen', 12],
]);
const WEAK_NUMBER_WORDS = words('un une one neuf');

/** A number right after these is a size, a price or a reference, not a quantity. */
const NOT_QTY_BEFORE = words(
  'taille pointure size sizes numero no n a at iphone ip galaxy samsung version depuis since model modele ref t',
);
/** A number right before these is a duration, a price or a measure, not a quantity. */
const NOT_QTY_AFTER = words(`
  jours jour days day semaines semaine weeks week mois months month ans years year h heures heure hours hour
  min minutes minute fois times pouces pouce inch inches cm mm m kg g f fr fcfa cfa xof xaf francs franc eur
  euros euro dollars naira cedis k mille ml go gb pm am ans
`);

const WANT_TOKENS = words('veux voudrais aimerais want need donnez donne envoyez envoie envoyer send give');
const WANT_FILLER = words(
  'moi me m le la les l un une des du de the a an of to buy get order acheter commander prendre aussi also juste just encore svp please meme same',
);
const DETERMINERS = words(
  'le la les l un une des du the an your votre vos ce cette ces cet mon ma mes my this that',
);
const ASK_WORDS = words('combien prix price disponible available tarif cost');

// ---------------------------------------------------------------------------------------------
// Cue patterns, compiled once. They run on normalized text: lowercase ASCII words and spaces.

const OPT_OUT_STRONG_RE = /\b(?:desabonn[a-z]*|desinscri[a-z]*|unsubscribe[a-z]*|unsub|opt out|optout)\b/;
const OPT_OUT_PHRASE_RE =
  /\b(?:ne (?:m|me) (?:envoyez|envoie|envoyer|ecrivez|ecris|ecrire|contactez|contacte|contacter|derangez) plus|n? ?(?:veux|veut|voudrais) plus (?:recevoir|de (?:vos )?messages?)|plus (?:de|aucun) messages?|retire[rz]? moi|enleve[rz]? moi|supprime[rz]? moi|remove me|take me off|don t (?:text|message|contact|write|send|call) me|dont (?:text|message|contact) me|stop (?:sending|texting|messaging|contacting|writing)|laisse[rz]? moi tranquille|leave me alone|arrete[rz]? (?:de|d) (?:m|me) (?:ecrire|envoyer|contacter|deranger|spammer)|no more messages)\b/;
const OPT_OUT_WEAK_RE = /\b(?:stop|arret|arrete|arretez|arreter|arretes)\b/;
/**
 * "non stop", "le bus s'arrête", "je m'arrête là", "arrêt de bus", "bus stop", "a stop motion
 * camera", "le panneau stop": ordinary sentences.
 */
const OPT_OUT_NEG_RE =
  /\b(?:non stop|nonstop|sans arret|[sm] arret[a-z]*|bus|taxi|gbaka|arret de (?:bus|taxi|car|gbaka|woro)|stop (?:at|near|by|over|motion|sign)|stopmotion|(?:panneau|feu|bouton) stop)\b/;
const OPT_IN_RE =
  /\b(?:subscribe|reabonn[a-z]*|reinscri[a-z]*|(?:m|s|me|se) abonner|abonne[rz]? moi|recevoir (?:vos|tes|les) (?:messages?|promos?|promotions?|offres?|nouveautes?|notifications?|infos?)|envoyer (?:vos|tes) (?:promos?|promotions?|offres?|nouveautes?)|tenez moi (?:au courant|informee?s?)|ajoute[rz]? moi|add me|broadcast|liste de diffusion|receive (?:your|the) (?:messages?|updates?|offers?|promos?|news)|keep me (?:posted|updated|informed)|(?:get|receive) your (?:promos?|promotions?|offers?|updates?|news)|opt in|optin)\b/;
const START_RE = /\bstart\b/;
const HUMAN_RE =
  /\b(?:humain|human|vraie? personne|personne reelle|real (?:person|human)|quelqu un de (?:reel|vrai)|conseill[a-z]*|agent|gerante?|proprio|proprietaire|patronne?|owner|manager|responsable|robot|bot|chatbot|appele[rz]? moi|appelle moi|call me|au telephone|on the phone|parler (?:a|au|avec) (?:un|une|le|la|quelqu|votre|vous|qqn)|speak (?:to|with)|talk (?:to|with) (?:a|the|someone|somebody|your)|service client|customer (?:service|care)|someone real)\b/;
const COMPLAINT_RE =
  /\b(?:arnaqu?[a-z]*|voleurs?|escroc[a-z]*|rembours[a-z]*|refund[a-z]*|pas recu|rien recu|jamais recu|toujours (?:pas|rien)|not received|never (?:received|arrived|came)|(?:not|n t) (?:arrived|come|received|delivered)|still waiting|been waiting|dechiree?s?|abimee?s?|(?:est|sont|deja|arrive|arrivee|recu) cassee?s?|ne marche (?:pas|plus)|marche pas|ne fonctionne[a-z]* (?:pas|plus)|fonctionne pas|mauvaise?s?|pas (?:la|le) bonn?e?|faux|fausse|fake|wrong|bad|poor quality|unacceptable|inadmissible|pas (?:content|contente|satisfaite?)|mecontente?|decue?|deception|disappoint[a-z]*|mal (?:parle|servi|servie|traite|traitee)|plainte|complain[a-z]*|scam[a-z]*|pas serieux|honte|n importe quoi|not happy|broken|damaged|defectueu[a-z]*|defect[a-z]*|faulty|plaindre|(?:il )?manque[a-z]*|missing|incomplete?|torn|ripped|spoilt|spoiled|stained|troue?e?s?|tachee?s?|not working|doesn t work|don t work|stopped working|j attends (?:toujours|encore|depuis)|attends toujours|waiting since)\b/;
/** An angry emoji alone is a complaint only when the message asks nothing else. */
const ANGER_RE = /\bcolere\b/;
const ORDER_RE =
  /(?<!\b(?:si|if|quand|when) (?:je |j |i |on |we )?)\b(?:je (?:prends|prend|vais prendre|veux prendre|le prends|la prends|les prends|prendrai|valide|confirme)|commande[rsz]?|commandee?s?|(?<!\bin )order(?:s|ed|ing)?|acheter|buy|buying|purchase|reserv[a-z]*|mettez moi|mets moi|met moi|mettre de cote|de cote|gardez moi|garde moi|gardez (?:le|la|les) moi|i ll take|ill take|i will take|take (?:it|one|two|both|this|that)|book (?:one|it|me|for))\b/;
const NEGOTIATE_RE =
  /\b(?:dernier prix|last price|final price|best price|better price|meilleur prix|prix ami|bon prix|petit prix|diminu[a-z]*|baiss[a-z]*|reduc[a-z]*|reduire|reduis[a-z]*|reduce[a-z]*|remise|rabais|discount[a-z]*|promos?|promotions?|trop cher|c est cher|tres cher|moins cher|too (?:expensive|much|costly)|expensive|cheaper|geste|effort|faire un prix|c est trop(?! (?:beau|belle|bien|joli|jolie|bon|top|mignon|mignonne|classe|chic|doux|style))|trop pour moi|too much for me|discut[a-z]*|negoci[a-z]*|nego|casse[rz]? (?:le|un|la)|can you do \d+|(?:faire|fais|faites|do) (?:[a-z0-9]+ ){0,4}(?:a|at|for) \d{3,}|a \d{4,} (?:ca va|c est bon|ok|possible))\b/;
const PRICE_RE =
  /\b(?:combien|prix|tarif[a-z]*|cout|coute|coutent|couter|couts|how much|price[sd]?|pricing|cost[s]?|hm (?:for|is|be|please|abeg)|montant)\b/;
/** Phrases that contain a price word but ask something else (a delay, a stock count, a discount, the list). */
const PRICE_EXCLUDE_RE =
  /\b(?:combien de (?:jours|temps|semaines|heures|minutes|mois|fois|pieces|unites)|(?:il )?(?:en )?reste(?:nt)? combien|combien (?:il )?(?:en )?reste(?:nt)?|combien (?:vous )?en avez|dernier prix|last price|final price|best price|better price|meilleur prix|prix ami|bon prix|petit prix|faire un prix|price list|liste (?:des|de) prix)\b/g;
const AVAIL_STRONG_RE =
  /\b(?:disponible[a-z]*|available|availability|en stock|in stock|stock|il reste|reste (?:des|du|de|encore|t il|combien)|restent|combien (?:il )?(?:en )?reste|il y a (?:encore|toujours)|vous (?:en )?avez (?:encore|toujours)|still (?:have|available|there|got|in)|any size|have you got|(?:do you have|you have|vous avez|avez vous) (?:it|this|that|these|those|ca|ce modele|celui ci|celle ci|le meme|la meme|the same)|in size \d+|vous (?:l|les) avez)\b/;
/** These only ask about stock when a product is named ("vous avez le sac noir ?"). */
const AVAIL_WEAK_RE =
  /\b(?:vous (?:en )?avez|avez vous|je cherche|cherche|recherche|looking for|vous vendez|vendez vous|qui vendez|do you (?:have|sell|get)|you sell|you have|il y a|existe[a-z]*|exist[a-z]*|toujours la|encore|still|en taille|in size|pointure|taille|size)\b/;
const PAYMENT_RE =
  /\b(?:pai|paie|paies|paient|paye|payes|payer|payez|payee|paiements?|payements?|pay|paid|paying|payments?|orange money|om|wave|momo|mtn|moov|mobile money|flooz|free money|wari|depot|transferts?|transfer[a-z]*|virement|envoye l argent|sent the money|send (?:the )?money|account (?:number|details)|numero (?:wave|om|orange|momo|de paiement|de compte|moov|mtn)|carte bancaire|carte|card|cash|especes|visa|mastercard|iban|rib|paypal|western union|mpesa)\b/;
const DELIVERY_RE =
  /\b(?:livr[a-z]*|deliver[a-z]*|shipping|ship|expedi[a-z]*|envoye[rz]? (?:en|au|a|jusqu|par (?:car|bus|dhl|colis|la poste))|envoie[rz]? (?:en|au|jusqu)|colis|frais de port|when will i (?:get|receive)|receive (?:it|my|the)|recevoir (?:le|mon|ma|la) (?:colis|commande)|arrive quand|ca arrive|arrivera|combien de (?:jours|temps)|how long|how many days|delais?|same day|dispatch[a-z]*|courier|coursier)\b/;
const LOCATION_RE =
  /\b(?:vous etes ou|etes vous ou|vous etes situee?s?|situee?s?|se trouve[a-z]*|c est ou|c ou|ou (?:est|se trouve|etes|sont|se situe)|ou exactement|adresse|address|localisation|location|located|geoloc[a-z]*|position|maps?|itineraire|boutique physique|magasin physique|physical (?:store|shop)|where|sur place|venir (?:voir|a la boutique|chercher|recuperer)|passer (?:voir|recuperer|chercher|a la boutique)|quel (?:quartier|cote|niveau|endroit)|vers quel|(?:vous etes|etes vous|you are|you re) (?:basee?s?|installee?s?)|on se (?:voit|retrouve) ou|which (?:area|part|side)|what area|based (?:in|at)|(?:tu es|t es|tu etes) ou|where (?:are|r) you|where you dey|bus|taxi|loin|proche|near|nearest|landmark|repere|retrait|pick ?up)\b/;
const HOURS_RE =
  /\b(?:heures?|horaires?|ouverte?s?|ouvre[sz]?|ouvrez|ouvrir|ouverture|fermez|fermer|fermeture|fermes?|open(?:ing|s)?|close[sd]?(?! to)|closing|what time|jours? feries?|jours? de fete|(?:vous etes|etes vous) (?:la|ouverte?s?) (?:demain|aujourd hui|ce (?:soir|matin|week end|weekend)|le (?:dimanche|samedi|lundi|mardi|mercredi|jeudi|vendredi|week end|weekend)|dimanche|samedi|lundi|mardi|mercredi|jeudi|vendredi)|vous travaillez|you work|working (?:hours|days)|business hours)\b/;
const CATALOG_RE =
  /\b(?:catalogu[a-z]*|catalog|qu est ce que vous (?:vendez|avez|proposez)|vous vendez quoi|vendez quoi|vous avez quoi|quoi comme|vos (?:produits|articles|modeles|collections?)|les articles|autres (?:modeles|articles|produits|couleurs)|d autres|nouveaute[a-z]*|nouvelle collection|nouveaux? (?:arrivages?|articles|modeles)|arrivages?|photos?|images?|pictures?|pics?|what do you (?:have|sell)|what (?:else )?(?:do )?you (?:have|sell|got)|what else|price list|liste (?:des|de) prix|tout ce que vous avez|site(?: web)?|website|page|facebook|instagram|tiktok|montre[zr] moi|show me|voir (?:vos|les|tous|toutes)|products|items)\b/;
/** Browsing questions that win over a stock question ("vous avez quoi comme sacs ?"). */
const CATALOG_STRONG_RE =
  /\b(?:quoi comme|what (?:kind|type)s? of|autres modeles|d autres|what (?:else )?(?:do )?you (?:have|sell|got)|tout ce que vous avez|que vous avez|montre[zr] moi|show me|catalogu[a-z]*|catalog)\b/;
const THANKS_RE =
  /\b(?:merci[a-z]*|thanks?|thank you|thankyou|au revoir|aurevoir|bye|goodbye|a bientot|bonne (?:journee|soiree|nuit|fin de journee|semaine|continuation)|bon (?:week end|weekend|apres midi|dimanche)|have a (?:nice|good|great|blessed) (?:day|evening|night|weekend)|good night|god bless|dieu (?:vous |te )?benisse|see you|take care|appreciate[a-z]*|ciao|tchao)\b|(?<!\by )\ba plus(?: tard)?$/;
/** Thanking for something ("merci pour la livraison") is not a question about it. */
const THANKS_FOR_RE =
  /\b(merci|thanks|thank you) (?:pour|for) (?:(?:la|le|les|l|votre|vos|the|your|ma|mon|my) )?[a-z]+/g;
const GREETING_RE =
  /\b(?:bonjour|bonsoir|salut|hello|helo|hi|hey|hii|coucou|cc|good (?:morning|afternoon|evening|day)|salam|salamalek[a-z]*|salamalec[a-z]*|assalam[a-z]*|as salam[a-z]*|allo|yo|on dit quoi|ca dit quoi|comment (?:allez vous|vas tu|ca va)|how are you|how far|nanga ?def|bonne annee)\b|(?:^|\b(?:salut|bonjour|bonsoir|coucou|cc|hello|hi) )ca va\b/;

/** Long cue words a customer may misspell by one letter ("lvraison", "disponnible"). */
const CUE_TYPO_TARGETS: readonly string[] = [
  'livraison',
  'livrer',
  'livrez',
  'disponible',
  'commande',
  'commander',
  'paiement',
  'catalogue',
  'boutique',
  'combien',
  'reduction',
  'desabonner',
  'localisation',
  'adresse',
  'horaires',
  'rembourser',
  'arnaque',
  'conseiller',
  'proprietaire',
  'discount',
  'delivery',
  'deliver',
  'available',
  'unsubscribe',
  'address',
  'location',
];

// ---------------------------------------------------------------------------------------------
// Catalogue index, memoized by catalogue content.

interface Variant {
  product: number;
  stems: string[];
}

interface VocabEntry {
  raw: string;
  stem: string;
  /** Letters a–z present in the word, one bit each: a cheap exact filter before the edit distance. */
  mask: number;
  /** Position in catalogue order: among equally near words the first one wins. */
  order: number;
}

interface CatalogIndex {
  variants: Variant[];
  /** Stem of a catalogue word → [variant, position] pairs flattened (v0, p0, v1, p1…). */
  stemRefs: Map<string, number[]>;
  /** Stem of a name's head word → products that share it, for "le sac" or "les baskets". */
  family: Map<string, number[]>;
  /** Plural-free forms of catalogue words, to tell an exact or plural match (score 1) from a near one. */
  exactForms: Set<string>;
  /** Catalogue words of 4+ letters, the only targets of fuzzy matching, by length. */
  vocabByLength: VocabEntry[][];
  /** Sound key → stem of the first catalogue word with that key. */
  phonetic: Map<string, string>;
}

/** Words of a name or alias beyond this are ignored; positions are bits of a 32-bit mask. */
const MAX_NAME_WORDS = 30;
/**
 * Only the first words of a message are analysed, which bounds the cost of a 4 KB message. Customer
 * questions are far shorter; explicit opt-out words are still looked for in the whole text read.
 */
const MAX_MESSAGE_WORDS = 150;
/**
 * The engine reads at most this many UTF-16 code units of a message (cut at a word boundary).
 * WhatsApp caps a text body at 4,096 characters on the Cloud API; an emoji or a mathematical letter
 * takes two code units, so 8,192 holds any such message whole. Webhooks and the API accept up to
 * 64 KB: the rest is stored but not read, so a hostile message costs at most what 8 KB costs.
 */
export const MAX_INTENT_TEXT_CHARS = 8192;
/**
 * Consent words also recognised when spelt to dodge a plain match ("st0p", "S T O P", "$top",
 * "d3s4b0nn3r"); full-width, mathematical and invisible-character spellings are already folded by
 * normalizeText for every word.
 */
const CONSENT_SPELLINGS = words(
  'stop arret arrete arretez arreter arretes start desabonner desabonnez desabonne desinscrire unsubscribe unsub optout subscribe',
);

function stripPlural(token: string): string {
  return token.length >= 4 && ((token.endsWith('s') && !token.endsWith('ss')) || token.endsWith('x'))
    ? token.slice(0, -1)
    : token;
}

function isDigits(token: string): boolean {
  const c = token.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Set bits of a 32-bit integer. */
function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function letterMask(word: string): number {
  let mask = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i) - 97;
    if (c >= 0 && c < 26) mask |= 1 << c;
  }
  return mask;
}

function buildIndex(catalog: readonly Product[]): CatalogIndex {
  const variants: Variant[] = [];
  const stemRefs = new Map<string, number[]>();
  const family = new Map<string, number[]>();
  const exactForms = new Set<string>();
  const vocabByLength: VocabEntry[][] = [];
  const phonetic = new Map<string, string>();
  const seenVocab = new Set<string>();
  catalog.forEach((product, p) => {
    for (const label of [product.name, ...(product.aliases ?? [])]) {
      const all = tokenize(normalizeText(label));
      const kept = all.filter((t) => !STOP_IN_NAMES.has(t));
      const raws = (kept.length > 0 ? kept : all).slice(0, MAX_NAME_WORDS);
      if (raws.length === 0) continue;
      const v = variants.length;
      const stems = raws.map((t) => (isDigits(t) ? t : stemToken(t)));
      variants.push({ product: p, stems });
      stems.forEach((stem, pos) => {
        const refs = stemRefs.get(stem);
        if (refs) refs.push(v, pos);
        else stemRefs.set(stem, [v, pos]);
        const raw = raws[pos]!;
        exactForms.add(stripPlural(raw));
        if (raw.length >= 4 && !isDigits(raw) && !seenVocab.has(raw) && seenVocab.size < MAX_FUZZY_VOCAB) {
          const entry = { raw, stem, mask: letterMask(raw), order: seenVocab.size };
          seenVocab.add(raw);
          const bucket = vocabByLength[raw.length];
          if (bucket) bucket.push(entry);
          else vocabByLength[raw.length] = [entry];
          const key = phoneticKey(raw);
          if (!phonetic.has(key)) phonetic.set(key, stem);
        }
        const significant =
          raw.length >= 3 && !isDigits(raw) && !MODIFIER_STEMS.has(stem) && !LEXICON.has(raw);
        if (significant) {
          const members = family.get(stem);
          if (!members) family.set(stem, [p]);
          else if (members[members.length - 1] !== p) members.push(p);
        }
      });
    }
  });
  return { variants, stemRefs, family, exactForms, vocabByLength, phonetic };
}

// The index depends only on the names and aliases, in catalogue order. Callers build a fresh
// array for every decision (the pipeline reads the catalogue from the database each time), so the
// cache is keyed by content: a cheap fingerprint (one step per label, not per character) finds the
// candidate and an exact comparison of every label confirms it, so two catalogues never share an
// index. A hit costs one comparison pass; a rebuild costs normalizing every label.

interface CachedIndex {
  /** Aliases count of each product, then the labels (name, aliases…) in order, as indexed. */
  shape: number[];
  labels: string[];
  index: CatalogIndex;
}

/** Indexes kept: one per recently active catalogue, the least recently used out first. */
const INDEX_CACHE_ENTRIES = 64;
const byContent = new Map<number, CachedIndex>();
/** A caller that keeps its array (the benchmarks, a long-lived process) skips even the comparison. */
const byIdentity = new WeakMap<readonly Product[], CatalogIndex>();
let builds = 0;

/** How many catalogue indexes were built since start: tests use it to prove a cache hit. */
export function catalogIndexBuilds(): number {
  return builds;
}

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function fingerprint(catalog: readonly Product[]): number {
  let h = mix(0x811c9dc5, catalog.length);
  for (const p of catalog) {
    const aliases = p.aliases ?? [];
    h = mix(h, aliases.length);
    for (let j = -1; j < aliases.length; j++) {
      const label = j < 0 ? p.name : aliases[j]!;
      const n = label.length;
      h = mix(mix(mix(h, n), n > 0 ? label.charCodeAt(0) : 0), n > 1 ? label.charCodeAt(n >> 1) : 0);
      h = mix(h, n > 2 ? label.charCodeAt(n - 1) : 0);
    }
  }
  return h >>> 0;
}

function sameLabels(catalog: readonly Product[], cached: CachedIndex): boolean {
  if (catalog.length !== cached.shape.length) return false;
  let k = 0;
  for (let i = 0; i < catalog.length; i++) {
    const p = catalog[i]!;
    const aliases = p.aliases ?? [];
    if (aliases.length !== cached.shape[i] || p.name !== cached.labels[k++]) return false;
    for (const alias of aliases) if (alias !== cached.labels[k++]) return false;
  }
  return true;
}

function indexFor(input: readonly Product[]): CatalogIndex {
  const known = byIdentity.get(input);
  if (known) return known;
  // Only the part within the catalogue limits is indexed, compared and fingerprinted, so a
  // caller that skipped validation cannot make any of it cost more than the limits allow.
  const catalog = limitCatalog(input);
  const key = fingerprint(catalog);
  let entry = byContent.get(key);
  if (entry && sameLabels(catalog, entry)) {
    byContent.delete(key); // set again below: the most recently used is last
  } else {
    builds++;
    const shape: number[] = [];
    const labels: string[] = [];
    for (const p of catalog) {
      shape.push(p.aliases?.length ?? 0);
      labels.push(p.name, ...(p.aliases ?? []));
    }
    entry = { shape, labels, index: buildIndex(catalog) };
  }
  byContent.set(key, entry);
  if (byContent.size > INDEX_CACHE_ENTRIES) byContent.delete(byContent.keys().next().value!);
  byIdentity.set(input, entry.index);
  return entry.index;
}

interface TokenMatch {
  stem: string;
  score: number;
}

/**
 * Edit distances computed for one message at most. A message reads at most 150 words and a real
 * one has a few unknown words of 4+ letters, each compared with the catalogue words of about its
 * length and letters (a few hundred even for 2,000 products), so the budget is never reached by a
 * real message; it bounds a hostile one (150 invented words against a catalogue of look-alike
 * words) to a few milliseconds. Words met after it is spent only get exact and sound matches.
 */
const MAX_FUZZY_COMPARISONS = 20_000;
/**
 * Distinct catalogue words kept as typo targets, in catalogue order. 2,000 products with a name
 * and a few aliases each hold well under this many distinct words of 4+ letters.
 */
const MAX_FUZZY_VOCAB = 20_000;

interface FuzzyBudget {
  left: number;
}

/** Matches one message word to a catalogue word: exact or plural (1), same stem (0.95), typo, sound. */
function matchToken(token: string, index: CatalogIndex, budget: FuzzyBudget): TokenMatch | undefined {
  if (isDigits(token)) return index.stemRefs.has(token) ? { stem: token, score: 1 } : undefined;
  const stem = stemToken(token);
  const known = LEXICON.has(token);
  if (index.stemRefs.has(stem)) {
    if (index.exactForms.has(stripPlural(token))) return { stem, score: 1 };
    if (!known) return { stem, score: 0.95 };
  }
  // Fuzzy matching never applies to short or ordinary words.
  if (known || token.length < 4) return undefined;
  const max = token.length <= 6 ? 1 : 2;
  // Each edit adds or removes at most two letters from the set of letters a word uses, so a word
  // whose letter set differs in more than 2 × max letters is too far without computing anything.
  const mask = letterMask(token);
  let best: VocabEntry | undefined;
  let bestDistance = max + 1;
  for (let length = token.length - max; length <= token.length + max && budget.left > 0; length++) {
    for (const entry of index.vocabByLength[length] ?? []) {
      if (popcount(entry.mask ^ mask) > 2 * max) continue;
      if (budget.left-- <= 0) break;
      const d = damerauLevenshtein(token, entry.raw, max);
      if (d < bestDistance || (d === bestDistance && best !== undefined && entry.order < best.order)) {
        bestDistance = d;
        best = entry;
      }
    }
  }
  if (best) return { stem: best.stem, score: bestDistance === 1 ? 0.85 : 0.7 };
  const key = phoneticKey(token);
  if (key.length < 3) return undefined;
  const sound = index.phonetic.get(key);
  return sound === undefined ? undefined : { stem: sound, score: 0.8 };
}

interface Mention {
  product: number;
  /** Message token positions, ascending. */
  positions: number[];
  score: number;
  /** False when the word names a family of several products ("le sac" with two bags). */
  specific: boolean;
  quantity?: number;
}

interface VariantHit {
  mask: number;
  count: number;
  scoreSum: number;
  positions: number[];
}

function findMentions(
  tokens: readonly string[],
  matches: readonly (TokenMatch | undefined)[],
  index: CatalogIndex,
  consumed: boolean[],
): Mention[] {
  const hits = new Map<number, VariantHit>();
  for (let i = 0; i < tokens.length; i++) {
    const m = matches[i];
    if (!m) continue;
    const refs = index.stemRefs.get(m.stem);
    if (!refs) continue;
    for (let r = 0; r < refs.length; r += 2) {
      const v = refs[r]!;
      const bit = 1 << refs[r + 1]!;
      let hit = hits.get(v);
      if (!hit) {
        hit = { mask: 0, count: 0, scoreSum: 0, positions: [] };
        hits.set(v, hit);
      }
      if ((hit.mask & bit) !== 0) continue;
      hit.mask |= bit;
      hit.count++;
      hit.scoreSum += m.score;
      hit.positions.push(i);
    }
  }
  // Full matches: every word of a name or alias is present. Most words first, then best score,
  // then the tightest span, so "sac a main rouge" beats "sac" and "sac rouge" never reads "sac noir".
  const full: { product: number; count: number; score: number; span: number; positions: number[] }[] = [];
  for (const [v, hit] of hits) {
    const variant = index.variants[v]!;
    if (hit.count !== variant.stems.length) continue;
    const positions = hit.positions;
    full.push({
      product: variant.product,
      count: hit.count,
      score: hit.scoreSum / hit.count,
      span: Math.max(...positions) - Math.min(...positions),
      positions,
    });
  }
  full.sort((a, b) => b.count - a.count || b.score - a.score || a.span - b.span || a.product - b.product);
  const mentions: Mention[] = [];
  const taken = new Set<number>();
  for (const c of full) {
    if (taken.has(c.product) || c.positions.some((i) => consumed[i])) continue;
    taken.add(c.product);
    for (const i of c.positions) consumed[i] = true;
    mentions.push({
      product: c.product,
      positions: [...c.positions].sort((a, b) => a - b),
      score: c.score,
      specific: true,
    });
  }
  // Partial matches: a head word alone ("les baskets", "le sac") names the family. One product in
  // the family scores 0.5; several are all reported at 0.4 so the reply can list them.
  for (let i = 0; i < tokens.length; i++) {
    const m = matches[i];
    if (!m || consumed[i]) continue;
    const members = index.family.get(m.stem);
    if (!members) continue;
    const factor = members.length === 1 ? 0.5 : 0.4;
    let used = false;
    for (const p of members) {
      if (taken.has(p)) continue;
      taken.add(p);
      used = true;
      mentions.push({ product: p, positions: [i], score: factor * m.score, specific: members.length === 1 });
    }
    if (used) consumed[i] = true;
  }
  mentions.sort((a, b) => a.positions[0]! - b.positions[0]!);
  return mentions;
}

interface QuantityToken {
  position: number;
  value: number;
  /** False for "un"/"une"/"one" before a product: an article more than a quantity. */
  explicit: boolean;
}

function findQuantities(
  tokens: readonly string[],
  consumed: readonly boolean[],
  mentionStart: readonly boolean[],
): QuantityToken[] {
  const out: QuantityToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (consumed[i]) continue;
    const t = tokens[i]!;
    let value: number | undefined;
    if (isDigits(t)) {
      if (t.charCodeAt(0) === 48 || t.length > 3) continue;
      value = Number(t);
      const prev = tokens[i - 1];
      const next = tokens[i + 1];
      if (prev !== undefined && NOT_QTY_BEFORE.has(prev)) continue;
      if (prev === 'en' && value > 12) continue; // "dispo en 42": a size
      if (next !== undefined && NOT_QTY_AFTER.has(next)) continue;
    } else {
      value = NUMBER_WORDS.get(t);
      if (value === undefined) continue;
      if (WEAK_NUMBER_WORDS.has(t) && !mentionStart[i + 1]) continue;
      const next = tokens[i + 1];
      if (next !== undefined && NOT_QTY_AFTER.has(next)) continue;
    }
    if (value >= 1) out.push({ position: i, value, explicit: !WEAK_NUMBER_WORDS.has(t) });
  }
  return out;
}

/** "je veux le sac noir", "I need 3 t-shirts": a wish followed by a product or a quantity is an order. */
function wantsSomething(
  tokens: readonly string[],
  mentionStart: readonly boolean[],
  quantityAt: ReadonlySet<number>,
): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const isWish =
      WANT_TOKENS.has(t) || (t === 'like' && (tokens[i - 1] === 'd' || tokens[i - 1] === 'would'));
    if (!isWish) continue;
    for (let j = i + 1; j < tokens.length && j <= i + 5; j++) {
      if (mentionStart[j] || quantityAt.has(j)) return true;
      if (!WANT_FILLER.has(tokens[j]!)) break;
    }
  }
  return false;
}

/** The words after a determiner or a price word when nothing in the catalogue matched ("le parfum"). */
function unknownProductPhrase(tokens: readonly string[]): string | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!DETERMINERS.has(t) && !ASK_WORDS.has(t)) continue;
    const phrase: string[] = [];
    for (let j = i + 1; j < tokens.length && phrase.length < 3; j++) {
      const w = tokens[j]!;
      if (LEXICON.has(w) || isDigits(w) || w.length < 3) break;
      if (phrase.length === 0 && MODIFIER_STEMS.has(stemToken(w))) break;
      phrase.push(w);
    }
    if (phrase.length > 0) return phrase.join(' ');
  }
  return undefined;
}

function correctCueTypos(tokens: string[], matches: readonly (TokenMatch | undefined)[]): boolean {
  let changed = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.length < 6 || matches[i] || LEXICON.has(t) || isDigits(t)) continue;
    for (const target of CUE_TYPO_TARGETS) {
      if (Math.abs(target.length - t.length) > 1) continue;
      if (damerauLevenshtein(t, target, 1) <= 1) {
        tokens[i] = target;
        changed = true;
        break;
      }
    }
  }
  return changed;
}

/** The first MAX_INTENT_TEXT_CHARS code units, without the word the cut would split. */
function capText(text: string): string {
  if (text.length <= MAX_INTENT_TEXT_CHARS) return text;
  let end = MAX_INTENT_TEXT_CHARS;
  const stop = MAX_INTENT_TEXT_CHARS - MAX_WORD_CHARS;
  while (end > stop && !/\s/.test(text[end] ?? ' ')) end--;
  return text.slice(0, end > stop ? end : MAX_INTENT_TEXT_CHARS);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Detects every intent in a customer's message, the primary one by INTENT_PRIORITY, the language,
 * and the catalogue products and quantities it mentions.
 */
export function detectIntent(input: IntentInput, _config?: unknown, _nowMs?: number): IntentVerdict {
  const catalog = input.catalog;
  const index = indexFor(catalog);
  const fullText = normalizeText(capText(input.text), CONSENT_SPELLINGS);
  let tokens = tokenize(fullText);
  let normalized = fullText;
  if (tokens.length > MAX_MESSAGE_WORDS) {
    tokens = tokens.slice(0, MAX_MESSAGE_WORDS);
    normalized = tokens.join(' ');
  }
  const n = tokens.length;

  // Words repeat within a message; each distinct word is matched against the catalogue once.
  const matches: (TokenMatch | undefined)[] = new Array(n);
  const seen = new Map<string, TokenMatch | undefined>();
  const budget: FuzzyBudget = { left: MAX_FUZZY_COMPARISONS };
  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    if (seen.has(t)) {
      matches[i] = seen.get(t);
    } else {
      const m = matchToken(t, index, budget);
      seen.set(t, m);
      matches[i] = m;
    }
  }
  const consumed: boolean[] = new Array(n).fill(false);
  const mentions = findMentions(tokens, matches, index, consumed);
  const mentionStart: boolean[] = new Array(n + 1).fill(false);
  for (const m of mentions) mentionStart[m.positions[0]!] = true;

  // Quantities attach to the nearest following product, else the nearest preceding one.
  const quantities = findQuantities(tokens, consumed, mentionStart);
  const quantityAt = new Set<number>();
  let bareQuantity: number | undefined;
  for (const q of quantities) {
    quantityAt.add(q.position);
    let target: Mention | undefined;
    for (const m of mentions) {
      const first = m.positions[0]!;
      if (m.quantity === undefined && first > q.position && first - q.position <= 4) {
        target = m;
        break;
      }
    }
    if (!target) {
      for (let k = mentions.length - 1; k >= 0; k--) {
        const m = mentions[k]!;
        const last = m.positions[m.positions.length - 1]!;
        if (m.quantity === undefined && last < q.position && q.position - last <= 3) {
          target = m;
          break;
        }
      }
    }
    if (target) target.quantity = q.value;
    else if (bareQuantity === undefined) bareQuantity = q.value;
  }

  // Cue detection runs on the text with misspelt cue words repaired and thanks-for phrases cut.
  let s = normalized;
  if (correctCueTypos(tokens, matches)) s = tokens.join(' ');
  if (s.includes('merci') || s.includes('thank')) s = s.replace(THANKS_FOR_RE, '$1');

  const hasProduct = mentions.length > 0;
  const hasSpecificProduct = mentions.some((m) => m.specific);
  const found = new Set<Intent>();
  if (HUMAN_RE.test(s)) found.add('human');
  if (COMPLAINT_RE.test(s)) found.add('complaint');
  if (ORDER_RE.test(s) || wantsSomething(tokens, mentionStart, quantityAt)) found.add('order');
  if (NEGOTIATE_RE.test(s)) found.add('negotiate');
  PRICE_EXCLUDE_RE.lastIndex = 0;
  const priceText = PRICE_EXCLUDE_RE.test(s) ? s.replace(PRICE_EXCLUDE_RE, ' ') : s;
  if (PRICE_RE.test(priceText)) found.add('price');
  // "Vous avez X ?" asks about stock when X is a product, known or not ("do you have the perfume?").
  const unknownPhrase = hasProduct ? undefined : unknownProductPhrase(tokens);
  if (AVAIL_STRONG_RE.test(s) || ((hasProduct || unknownPhrase !== undefined) && AVAIL_WEAK_RE.test(s))) {
    found.add('availability');
  }
  if (PAYMENT_RE.test(s)) found.add('payment');
  if (DELIVERY_RE.test(s)) found.add('delivery');
  if (LOCATION_RE.test(s)) found.add('location');
  if (HOURS_RE.test(s)) found.add('hours');
  if (CATALOG_RE.test(s)) found.add('catalog');
  if (THANKS_RE.test(s)) found.add('thanks');
  if (GREETING_RE.test(s)) found.add('greeting');

  // "La livraison c'est combien ?" asks the delivery fee, not a product price.
  if (found.has('delivery') && found.has('price') && !hasProduct) found.delete('price');
  // "Vous avez quoi comme sacs ?" and "what do you have in stock" are browsing, not a stock check.
  if (
    found.has('catalog') &&
    found.has('availability') &&
    (!hasSpecificProduct || CATALOG_STRONG_RE.test(s))
  ) {
    found.delete('availability');
  }
  if (!found.has('complaint') && ANGER_RE.test(s)) {
    let other = false;
    for (const i of found) if (i !== 'greeting' && i !== 'thanks') other = true;
    if (!other) found.add('complaint');
  }
  // A product named with no question ("sac noir ?", "bonjour, robe wax") asks its price; with a
  // quantity ("robe wax x2") it is an order.
  let asks = false;
  for (const i of found) if (i !== 'greeting' && i !== 'thanks') asks = true;
  if (!asks && hasSpecificProduct) found.add(quantities.some((q) => q.explicit) ? 'order' : 'price');

  // Consent. Strong words opt out anywhere; STOP/ARRET only in a short message that asks nothing
  // else and is not an ordinary sentence ("le bus s'arrête", "non stop").
  const business =
    found.has('order') ||
    found.has('negotiate') ||
    found.has('price') ||
    found.has('availability') ||
    found.has('payment') ||
    found.has('delivery') ||
    found.has('location') ||
    found.has('hours') ||
    found.has('catalog');
  const optOut =
    OPT_OUT_STRONG_RE.test(fullText) ||
    OPT_OUT_PHRASE_RE.test(fullText) ||
    (n <= 8 && !business && OPT_OUT_WEAK_RE.test(s) && !OPT_OUT_NEG_RE.test(s));
  if (optOut) found.add('opt_out');
  else if (OPT_IN_RE.test(s) || (n <= 4 && START_RE.test(s))) found.add('opt_in');

  const intents: Intent[] = [];
  for (const intent of INTENT_PRIORITY) if (found.has(intent)) intents.push(intent);
  if (intents.length === 0) intents.push('unknown');
  const intent = intents[0]!;

  // Language: English cue words against French ones; a tie goes to the seller's default.
  let en = 0;
  let fr = 0;
  for (const t of tokens) {
    if (EN_WORDS.has(t)) en++;
    else if (FR_WORDS.has(t)) fr++;
  }
  const fallback = input.defaultLanguage ?? 'fr';
  const language: Language = en > fr ? 'en' : fr > en ? 'fr' : fallback;

  const reasons: Reason[] = [];
  if (intent === 'unknown') {
    reasons.push({ engine: 'intent', code: 'intent.none', detail: 'no intent cue found in the message' });
  } else {
    reasons.push({
      engine: 'intent',
      code: 'intent.detected',
      detail: intents.length > 1 ? `${intent} (also ${intents.slice(1).join(', ')})` : intent,
    });
  }
  reasons.push({
    engine: 'intent',
    code: 'intent.language',
    detail: `${language} (${en} English and ${fr} French cue words${en === fr ? ', tie' : ''})`,
  });

  const products: ProductMention[] = [];
  for (const m of mentions) {
    const product = catalog[m.product]!;
    const matched = m.positions.map((i) => tokens[i]).join(' ');
    const score = round2(m.score);
    const mention: ProductMention = { productId: product.id, name: product.name, matched, score };
    if (m.quantity !== undefined) mention.quantity = m.quantity;
    products.push(mention);
    reasons.push({
      engine: 'intent',
      code: score === 1 ? 'intent.product_matched' : 'intent.product_fuzzy',
      detail: `"${matched}" → ${product.name} (${product.id}, score ${score})`,
    });
    if (m.quantity !== undefined) {
      reasons.push({ engine: 'intent', code: 'intent.quantity', detail: `${m.quantity} × ${product.name}` });
    }
  }
  const entities: Entities = { products };
  if (bareQuantity !== undefined) {
    entities.quantity = bareQuantity;
    reasons.push({ engine: 'intent', code: 'intent.quantity', detail: `${bareQuantity} without a product` });
  }
  if (
    !hasProduct &&
    (found.has('price') || found.has('availability') || found.has('order') || found.has('negotiate'))
  ) {
    const phrase = unknownPhrase;
    if (phrase !== undefined) {
      entities.unknownProduct = phrase;
      reasons.push({
        engine: 'intent',
        code: 'intent.unknown_product',
        detail: `"${phrase}" matches nothing in the catalogue`,
      });
    }
  }
  return { intent, intents, language, entities, reasons };
}
