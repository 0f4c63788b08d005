/**
 * Word lists of the intent engine: language cue words, the shop lexicon (words that are never a
 * misspelt product), descriptors, number words and the small function-word sets the quantity and
 * wish rules look at. Every list holds normalized words (lower-case ASCII, see text.ts).
 */
import { stemToken } from '../text.ts';

export function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ''));
}

/** Every form of each entry (space-separated) to the entry's canonical word. */
function canonicalForms(
  entries: readonly (readonly [canonical: string, forms: string])[],
): ReadonlyMap<string, string> {
  return new Map(
    entries.flatMap(([canonical, forms]) => forms.split(' ').map((form) => [form, canonical] as const)),
  );
}

/** English cue words for language detection (function words and shop vocabulary). */
export const EN_WORDS = words(`
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
export const FR_WORDS = words(`
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
export const EXTRA_WORDS = words(`
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
  mama mamie mamy mummy auntie aunty uncle oga sista sister brother bros cherie tantine yaya
  laisse laisser laisses laissez liste listes list lists match matchs ensemble bank half balance whole full
  korite tabaski ramadan noel christmas fete mariage bapteme anniversaire ecole rentree week end local
  magnifique magnifiques neat nice jolie joli belle beau top arrivage arrivages
  changer change changez changes changement echanger echange remplacer remplace remplacez
`);

export const LEXICON: ReadonlySet<string> = new Set([...EN_WORDS, ...FR_WORDS, ...EXTRA_WORDS]);

/** Colours, sizes, materials and other descriptors: alone they never name a product. */
export const MODIFIER_STEMS: ReadonlySet<string> = new Set(
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

export const STOP_IN_NAMES = words('a de du des en le la les l d the of et and pour for avec with au aux');

/** Number words; `un`, `une`, `one` and `neuf` ("new") only count right before a product. */
export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
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
export const WEAK_NUMBER_WORDS = words('un une one neuf');

/** A number right after these is a size, a price or a reference, not a quantity. */
export const NOT_QTY_BEFORE = words(
  `taille pointure size sizes numero no n a at iphone ip galaxy samsung version depuis since model modele ref t
  couleur couleurs color colour coloris teinte shade tone code reference num nr
  le du au avant before after apres vers around until jusqu`,
);
/** A number right before these is a duration, a price or a measure, not a quantity. */
export const NOT_QTY_AFTER = words(`
  jours jour days day semaines semaine weeks week mois months month ans years year h heures heure hours hour
  min minutes minute fois times pouces pouce inch inches cm mm m kg g f fr fcfa cfa xof xaf francs franc eur
  euros euro dollars naira cedis k mille ml go gb pm am ans
  janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
  january february march april may june july august september october november december
  jan feb mar apr jun jul aug sep sept oct nov dec janv fev avr juil
  heure mn ko mo mb mah w v l litre litres cl kilo kilos tonnes grammes gr
  numero number minute secondes h00 ieme eme
`);

export const WANT_TOKENS = words(
  'veux voudrais aimerais want need donnez donne envoyez envoie envoyer send give',
);
export const WANT_FILLER = words(
  'moi me m le la les l un une des du de the a an of to buy get order acheter commander prendre aussi also juste just encore svp please meme same',
);
export const DETERMINERS = words(
  'le la les l un une des du the an your votre vos ce cette ces cet mon ma mes my this that',
);
export const ASK_WORDS = words('combien prix price disponible available tarif cost');

/**
 * Colour words to one canonical colour, French and English, masculine, feminine and plural, so
 * "white", "blanche" and "blancs" all meet "blanc". A colour is compared only with colours: a typo
 * never turns one colour into another ("marron" is never "noir").
 */
export const COLOURS: ReadonlyMap<string, string> = canonicalForms([
  ['noir', 'noir noire noirs noires black'],
  ['blanc', 'blanc blanche blancs blanches white'],
  ['rouge', 'rouge rouges red'],
  ['bleu', 'bleu bleue bleus bleues blue'],
  ['vert', 'vert verte verts vertes green'],
  ['jaune', 'jaune jaunes yellow'],
  ['rose', 'rose roses pink'],
  ['gris', 'gris grise grises grey gray'],
  ['marron', 'marron marrons brown chocolat'],
  ['beige', 'beige beiges'],
  ['dore', 'dore doree dores dorees gold golden'],
  ['argent', 'argent argente argentee argentes silver'],
  ['violet', 'violet violette violets violettes purple mauve'],
  ['orange', 'orange oranges'],
  ['kaki', 'kaki khaki'],
  ['bordeaux', 'bordeaux burgundy maroon'],
  ['nude', 'nude nudes'],
  ['chatain', 'chatain chatains'],
  ['blond', 'blond blonde blonds blondes'],
  ['turquoise', 'turquoise'],
  ['multicolore', 'multicolore multicolor'],
]);

/** Words that introduce a size ("taille 39", "en 42", "size 6x7"). */
export const SIZE_CUES = words('taille tailles pointure pointures size sizes en in t numero');

/** Letter sizes, read as sizes only after a size cue or right after the product. */
export const LETTER_SIZES = words('xs s m l xl xxl xxxl');

/** After these a later variant value replaces an earlier one ("remplace la 39 par 40"). */
export const REPLACING_WORDS = words('par contre plutot instead voulais wanted want veux prefere');

/** Ordinal endings split from their digits by normalization ("2e fois", "3rd time"): not quantities. */
export const ORDINAL_SUFFIXES = words('e eme er ere em nd rd th st');

/**
 * Category words to a shared stem, French and English, so "phones" finds the category
 * "téléphones" and "habits" finds "vêtements".
 */
export const CATEGORY_SYNONYMS: ReadonlyMap<string, string> = canonicalForms([
  ['telephone', 'telephone telephones phone phones portable portables smartphone smartphones tel'],
  ['chaussure', 'chaussure chaussures shoe shoes soulier souliers'],
  ['vetement', 'vetement vetements habit habits clothes clothing tenue tenues'],
  ['accessoire', 'accessoire accessoires accessory accessories'],
  ['cheveux', 'cheveux hair meche meches'],
  ['parfum', 'parfum parfums perfume perfumes fragrance'],
  ['soin', 'soin soins care skincare'],
  ['maquillage', 'maquillage makeup cosmetique cosmetiques cosmetics'],
  ['food', 'food foodstuff foodstuffs nourriture vivres provisions'],
  ['kitchen', 'kitchen cuisine'],
  ['bijou', 'bijou bijoux jewelry jewellery'],
]);

/**
 * Common product nouns to a shared key, French and English, so a customer writing in one language
 * finds a catalogue written in the other ("stroller" finds "Poussette", "lit bébé" meets "baby cot",
 * "solar kit" meets "Kit solaire"). Nouns only, each form unambiguous as a shop word (not "charger",
 * a French verb; not "bag", mostly a measure: "2 bags of rice"), except the few in AMBIGUOUS_NOUN_FORMS, which also name an everyday verb or person.
 */
export const PRODUCT_NOUNS: ReadonlyMap<string, string> = canonicalForms([
  ['poussette', 'poussette poussettes stroller strollers pram prams pushchair pushchairs'],
  ['lit', 'lit lits bed beds cot cots crib cribs'],
  ['bebe', 'bebe bebes baby babies'],
  ['matelas', 'matelas mattress mattresses'],
  ['ventilateur', 'ventilateur ventilateurs ventilo ventilos fan fans'],
  ['fer', 'fer fers iron irons'],
  ['montre', 'montre montres watch watches'],
  ['solaire', 'solaire solaires solar'],
  ['panneau', 'panneau panneaux panel panels'],
  ['chaussure', 'chaussure chaussures shoe shoes'],
  ['refrigerateur', 'refrigerateur refrigerateurs frigo frigos fridge fridges refrigerator refrigerators'],
  ['congelateur', 'congelateur congelateurs freezer freezers'],
  ['bouilloire', 'bouilloire bouilloires kettle kettles'],
  ['mixeur', 'mixeur mixeurs blender blenders'],
  ['chaise', 'chaise chaises chair chairs'],
  ['canape', 'canape canapes sofa sofas couch couches'],
  ['oreiller', 'oreiller oreillers pillow pillows'],
  ['couverture', 'couverture couvertures blanket blankets'],
  ['rideau', 'rideau rideaux curtain curtains'],
  ['armoire', 'armoire armoires wardrobe wardrobes'],
  ['robe', 'robe robes dress dresses'],
  ['chemise', 'chemise chemises shirt shirts'],
  ['jupe', 'jupe jupes skirt skirts'],
  ['pantalon', 'pantalon pantalons trousers'],
  ['collier', 'collier colliers necklace necklaces'],
  ['perruque', 'perruque perruques wig wigs'],
  ['savon', 'savon savons soap soaps'],
  ['ecouteur', 'ecouteur ecouteurs earphone earphones earbud earbuds'],
  ['ampoule', 'ampoule ampoules bulb bulbs'],
  ['lampe', 'lampe lampes lamp lamps'],
  ['miroir', 'miroir miroirs mirror mirrors'],
  ['parapluie', 'parapluie parapluies umbrella umbrellas'],
  ['ordinateur', 'ordinateur ordinateurs computer computers laptop laptops'],
  ['imprimante', 'imprimante imprimantes printer printers'],
  ['engrais', 'engrais fertilizer fertilizers fertiliser fertilisers'],
  ['brouette', 'brouette brouettes wheelbarrow wheelbarrows'],
  ['pulverisateur', 'pulverisateur pulverisateurs sprayer sprayers'],
  ['gateau', 'gateau gateaux cake cakes'],
]);

/**
 * English forms of PRODUCT_NOUNS that are also everyday words ("watch the match", "I'm a fan",
 * "iron out"): they name the catalogue's product in the other language only as a noun,
 * after a determiner, a possessive, a count or a colour, and never before "of", "out" or "it".
 */
export const AMBIGUOUS_NOUN_FORMS = words('fan fans iron irons watch watches');
