/**
 * French first, English second. The language is the one chosen in the top bar (kept in
 * localStorage), else the browser's when it is English, else French. Money and dates go through
 * Intl: 15000 XOF reads "15 000 F CFA" in French.
 */

const FR = {
  'app.loading': 'Chargement…',
  'app.error': 'Une erreur est survenue. Réessayez.',
  'app.offline': 'Le serveur ne répond pas. Vérifiez la connexion.',
  'app.retry': 'Réessayer',
  'app.language': 'English',
  'app.signout': 'Se déconnecter',
  'app.signoutAll': 'Déconnecter tous mes appareils',
  'app.save': 'Enregistrer',
  'app.saved': 'Enregistré',
  'app.cancel': 'Annuler',
  'app.close': 'Fermer',
  'app.menu': 'Menu',
  'tab.discussions': 'Discussions',
  'tab.catalogue': 'Catalogue',
  'tab.orders': 'Commandes',
  'tab.settings': 'Réglages',
  'tab.number': 'Mon numéro',
  'signin.title': 'Connexion',
  'signin.email': 'E-mail',
  'signin.password': 'Mot de passe',
  'signin.submit': 'Se connecter',
  'signin.invalid': 'E-mail ou mot de passe incorrect.',
  'signin.throttled': 'Trop de tentatives. Réessayez dans {s} s.',
  'invite.title': 'Créer votre compte',
  'invite.lead': 'Choisissez votre e-mail et un mot de passe (10 caractères au moins).',
  'invite.submit': 'Créer mon compte',
  'invite.invalid': 'Ce lien n’est plus valable. Demandez un nouveau lien.',
  'invite.short': 'Le mot de passe doit faire au moins 10 caractères.',
  'invite.taken': 'Un compte existe déjà avec cet e-mail.',
  'disc.empty': 'Aucune discussion pour l’instant. Les messages de vos clients apparaîtront ici.',
  'disc.back': 'Discussions',
  'disc.noMessages': 'Aucun message.',
  'disc.why': 'Pourquoi ?',
  'disc.whyTitle': 'Pourquoi cette réponse ?',
  'disc.whyNone': 'Pas de décision enregistrée pour ce message.',
  'disc.action': 'Action',
  'disc.intent': 'Ce que voulait le client',
  'disc.stage': 'Étape de vente',
  'disc.reasons': 'Raisons',
  'disc.optedOut': 'Désabonné',
  'status.queued': 'En attente d’envoi',
  'status.sent': 'Envoyé',
  'status.delivered': 'Distribué',
  'status.read': 'Lu',
  'status.failed': 'Échec de l’envoi',
  'cat.empty': 'Votre catalogue est vide. Ajoutez votre premier produit.',
  'cat.add': 'Ajouter un produit',
  'cat.edit': 'Modifier le produit',
  'cat.name': 'Nom',
  'cat.price': 'Prix',
  'cat.currency': 'Devise',
  'cat.stock': 'Stock',
  'cat.stockHint': 'Laisser vide si vous ne suivez pas le stock',
  'cat.aliases': 'Autres noms',
  'cat.aliasesHint': 'Séparés par des virgules : « sac noir, sacoche »',
  'cat.inStock': '{n} en stock',
  'cat.outOfStock': 'Rupture',
  'cat.untracked': 'Stock non suivi',
  'cat.markOut': 'Marquer en rupture',
  'orders.empty': 'Aucune commande pour l’instant.',
  'orders.items': '{n} article(s)',
  'order.pending': 'En attente',
  'order.confirmed': 'Confirmée',
  'order.paid': 'Payée',
  'order.fulfilled': 'Livrée',
  'order.completed': 'Terminée',
  'order.cancelled': 'Annulée',
  'payment.unpaid': 'Non payée',
  'payment.partial': 'Payée en partie',
  'payment.paid': 'Payée',
  'payment.refunded': 'Remboursée',
  'set.shop': 'Boutique',
  'set.sellerName': 'Nom de la boutique',
  'set.hours': 'Horaires',
  'set.hoursHint': 'Comme vous le diriez : « Lun–Sam 8h–19h »',
  'set.away': 'Message d’absence',
  'set.awayHint': 'Envoyé en dehors de vos horaires',
  'set.delivery': 'Livraison',
  'set.zone': 'Quartier ou ville',
  'set.fee': 'Frais',
  'set.delay': 'Délai',
  'set.addZone': 'Ajouter une zone',
  'set.removeZone': 'Retirer',
  'set.payment': 'Paiement',
  'set.paymentDetails': 'Numéro ou consignes',
  'set.pickup': 'Retrait en boutique',
  'set.pickupAddress': 'Adresse de retrait',
  'set.team': 'Équipe',
  'set.invite': 'Inviter un vendeur',
  'set.inviteLink': 'Lien à envoyer (valable 7 jours, une seule fois) :',
  'pay.orange_money': 'Orange Money',
  'pay.wave': 'Wave',
  'pay.mtn_momo': 'MTN MoMo',
  'pay.moov_money': 'Moov Money',
  'pay.cash_on_delivery': 'Paiement à la livraison',
  'pay.bank_transfer': 'Virement',
  'pay.card': 'Carte bancaire',
  'num.empty': 'Aucun numéro connecté.',
  'num.connected': 'Connecté',
  'num.connecting': 'Connexion…',
  'num.disconnected': 'Déconnecté',
  'num.paused': 'En pause pour protéger le numéro',
  'num.resumes': 'Reprise prévue {when}',
  'num.why': 'Raison',
  'num.sandbox': 'Numéro de test',
  'role.owner': 'Propriétaire',
  'role.agent': 'Vendeur',
  'role.viewer': 'Lecture seule',
  // Live Discussions (inbox, thread, take over, composer, "Pourquoi ?")
  'disc.filters': 'Filtrer les discussions',
  'disc.filterTodo': 'À traiter',
  'disc.filterBot': 'Le bot gère',
  'disc.filterAll': 'Tout',
  'disc.emptyFilter': 'Rien ici pour l’instant.',
  'disc.badgeBot': 'Bot',
  'disc.badgeHuman': 'Vous',
  'disc.badgeWaiting': 'En attente',
  'disc.owner.bot': 'Le bot répond.',
  'disc.owner.human': 'Vous répondez : le bot est en pause.',
  'disc.owner.waiting': 'Le client attend une personne.',
  'disc.you': 'Vous',
  'disc.bot': 'Bot',
  'disc.unread': '{n} non lu(s)',
  'disc.takeOver': 'Je prends la main',
  'disc.handBack': 'Rendre au bot',
  'disc.replyLabel': 'Votre réponse',
  'disc.replyHint': 'Envoyée sur WhatsApp par votre numéro. Le bot se met en pause.',
  'disc.replyEmpty': 'Écrivez un message avant d’envoyer.',
  'disc.send': 'Envoyer',
  'disc.product': 'Produit et prix',
  'disc.priceSource': 'Prix tiré de votre catalogue (prix actuel).',
  'disc.noProduct': 'Aucun produit nommé',
  'disc.waited': 'Attente',
  'disc.waitedFor': '{s} s avant l’envoi, dont {typing} s « en train d’écrire »',
  'disc.noWait': 'Aucune',
  'disc.whyWait': 'Pourquoi cette attente',
  'disc.err.service_window_closed':
    'Le client a écrit il y a plus de 24 h : WhatsApp n’accepte plus qu’un modèle approuvé. Attendez qu’il vous réécrive.',
  'disc.err.contact_opted_out': 'Ce client s’est désabonné : rien ne peut lui être envoyé.',
  'disc.err.unavailable': 'L’envoi est indisponible pour le moment. Réessayez.',
  'disc.err.forbidden': 'Votre compte est en lecture seule.',
  'disc.err.not_found': 'Cette discussion n’existe plus.',
  'live.on': 'En direct',
  'live.reconnecting': 'Reconnexion…',
  'action.reply': 'Répondre',
  'action.send': 'Envoyer',
  'action.defer': 'Attendre',
  'action.skip': 'Ne rien envoyer',
  'action.handoff': 'Passer la main à une personne',
  'action.block': 'Bloqué (texte refusé)',
  'intent.greeting': 'Salutation',
  'intent.price': 'Le prix',
  'intent.availability': 'La disponibilité',
  'intent.order': 'Commander',
  'intent.negotiate': 'Négocier',
  'intent.payment': 'Le paiement',
  'intent.delivery': 'La livraison',
  'intent.location': 'L’adresse',
  'intent.hours': 'Les horaires',
  'intent.catalog': 'Le catalogue',
  'intent.complaint': 'Une réclamation',
  'intent.human': 'Parler à une personne',
  'intent.thanks': 'Remercier',
  'intent.opt_out': 'Se désabonner',
  'intent.opt_in': 'Se réabonner',
  'intent.unknown': 'Pas compris',
  'stage.new': 'Nouveau',
  'stage.engaged': 'En discussion',
  'stage.interested': 'Intéressé',
  'stage.negotiating': 'Négociation',
  'stage.ordered': 'Commande passée',
  'stage.paid': 'Payé',
  'stage.fulfilled': 'Livré',
  'stage.lost': 'Perdu',
  'stage.opted_out': 'Désabonné',
};

const EN = {
  'app.loading': 'Loading…',
  'app.error': 'Something went wrong. Try again.',
  'app.offline': 'The server does not answer. Check the connection.',
  'app.retry': 'Try again',
  'app.language': 'Français',
  'app.signout': 'Sign out',
  'app.signoutAll': 'Sign out all my devices',
  'app.save': 'Save',
  'app.saved': 'Saved',
  'app.cancel': 'Cancel',
  'app.close': 'Close',
  'app.menu': 'Menu',
  'tab.discussions': 'Chats',
  'tab.catalogue': 'Catalogue',
  'tab.orders': 'Orders',
  'tab.settings': 'Settings',
  'tab.number': 'My number',
  'signin.title': 'Sign in',
  'signin.email': 'Email',
  'signin.password': 'Password',
  'signin.submit': 'Sign in',
  'signin.invalid': 'Wrong email or password.',
  'signin.throttled': 'Too many attempts. Try again in {s} s.',
  'invite.title': 'Create your account',
  'invite.lead': 'Choose your email and a password (at least 10 characters).',
  'invite.submit': 'Create my account',
  'invite.invalid': 'This link is no longer valid. Ask for a new one.',
  'invite.short': 'The password needs at least 10 characters.',
  'invite.taken': 'An account with this email exists.',
  'disc.empty': 'No chats yet. Your customers’ messages will appear here.',
  'disc.back': 'Chats',
  'disc.noMessages': 'No messages.',
  'disc.why': 'Why?',
  'disc.whyTitle': 'Why this answer?',
  'disc.whyNone': 'No decision recorded for this message.',
  'disc.action': 'Action',
  'disc.intent': 'What the customer wanted',
  'disc.stage': 'Sales stage',
  'disc.reasons': 'Reasons',
  'disc.optedOut': 'Unsubscribed',
  'status.queued': 'Waiting to send',
  'status.sent': 'Sent',
  'status.delivered': 'Delivered',
  'status.read': 'Read',
  'status.failed': 'Not sent',
  'cat.empty': 'Your catalogue is empty. Add your first product.',
  'cat.add': 'Add a product',
  'cat.edit': 'Edit product',
  'cat.name': 'Name',
  'cat.price': 'Price',
  'cat.currency': 'Currency',
  'cat.stock': 'Stock',
  'cat.stockHint': 'Leave empty if you do not track stock',
  'cat.aliases': 'Other names',
  'cat.aliasesHint': 'Comma separated: “black bag, satchel”',
  'cat.inStock': '{n} in stock',
  'cat.outOfStock': 'Out of stock',
  'cat.untracked': 'Stock not tracked',
  'cat.markOut': 'Mark out of stock',
  'orders.empty': 'No orders yet.',
  'orders.items': '{n} item(s)',
  'order.pending': 'Pending',
  'order.confirmed': 'Confirmed',
  'order.paid': 'Paid',
  'order.fulfilled': 'Delivered',
  'order.completed': 'Completed',
  'order.cancelled': 'Cancelled',
  'payment.unpaid': 'Unpaid',
  'payment.partial': 'Partly paid',
  'payment.paid': 'Paid',
  'payment.refunded': 'Refunded',
  'set.shop': 'Shop',
  'set.sellerName': 'Shop name',
  'set.hours': 'Opening hours',
  'set.hoursHint': 'As you would say it: “Mon–Sat 8am–7pm”',
  'set.away': 'Away message',
  'set.awayHint': 'Sent outside your opening hours',
  'set.delivery': 'Delivery',
  'set.zone': 'Area or town',
  'set.fee': 'Fee',
  'set.delay': 'Delay',
  'set.addZone': 'Add an area',
  'set.removeZone': 'Remove',
  'set.payment': 'Payment',
  'set.paymentDetails': 'Number or instructions',
  'set.pickup': 'Pick-up',
  'set.pickupAddress': 'Pick-up address',
  'set.team': 'Team',
  'set.invite': 'Invite a seller',
  'set.inviteLink': 'Link to send (valid 7 days, once):',
  'pay.orange_money': 'Orange Money',
  'pay.wave': 'Wave',
  'pay.mtn_momo': 'MTN MoMo',
  'pay.moov_money': 'Moov Money',
  'pay.cash_on_delivery': 'Cash on delivery',
  'pay.bank_transfer': 'Bank transfer',
  'pay.card': 'Card',
  'num.empty': 'No number connected.',
  'num.connected': 'Connected',
  'num.connecting': 'Connecting…',
  'num.disconnected': 'Disconnected',
  'num.paused': 'Paused to protect the number',
  'num.resumes': 'Expected to resume {when}',
  'num.why': 'Reason',
  'num.sandbox': 'Test number',
  'role.owner': 'Owner',
  'role.agent': 'Seller',
  'role.viewer': 'Read only',
  // Live Discussions (inbox, thread, take over, composer, "Why?")
  'disc.filters': 'Filter chats',
  'disc.filterTodo': 'To handle',
  'disc.filterBot': 'Bot handles',
  'disc.filterAll': 'All',
  'disc.emptyFilter': 'Nothing here yet.',
  'disc.badgeBot': 'Bot',
  'disc.badgeHuman': 'You',
  'disc.badgeWaiting': 'Waiting',
  'disc.owner.bot': 'The bot answers.',
  'disc.owner.human': 'You answer: the bot is paused.',
  'disc.owner.waiting': 'The customer is waiting for a person.',
  'disc.you': 'You',
  'disc.bot': 'Bot',
  'disc.unread': '{n} unread',
  'disc.takeOver': 'Take over',
  'disc.handBack': 'Hand back to the bot',
  'disc.replyLabel': 'Your reply',
  'disc.replyHint': 'Sent on WhatsApp from your number. The bot pauses.',
  'disc.replyEmpty': 'Write a message before sending.',
  'disc.send': 'Send',
  'disc.product': 'Product and price',
  'disc.priceSource': 'Price from your catalogue (current price).',
  'disc.noProduct': 'No product named',
  'disc.waited': 'Wait',
  'disc.waitedFor': '{s} s before sending, {typing} s of it “typing”',
  'disc.noWait': 'None',
  'disc.whyWait': 'Why it waited',
  'disc.err.service_window_closed':
    'The customer wrote more than 24 h ago: WhatsApp only accepts an approved template now. Wait until they write again.',
  'disc.err.contact_opted_out': 'This customer unsubscribed: nothing can be sent to them.',
  'disc.err.unavailable': 'Sending is unavailable right now. Try again.',
  'disc.err.forbidden': 'Your account is read only.',
  'disc.err.not_found': 'This chat no longer exists.',
  'live.on': 'Live',
  'live.reconnecting': 'Reconnecting…',
  'action.reply': 'Reply',
  'action.send': 'Send',
  'action.defer': 'Wait',
  'action.skip': 'Send nothing',
  'action.handoff': 'Hand over to a person',
  'action.block': 'Blocked (text refused)',
  'intent.greeting': 'Greeting',
  'intent.price': 'The price',
  'intent.availability': 'Availability',
  'intent.order': 'To order',
  'intent.negotiate': 'To negotiate',
  'intent.payment': 'Payment',
  'intent.delivery': 'Delivery',
  'intent.location': 'The address',
  'intent.hours': 'Opening hours',
  'intent.catalog': 'The catalogue',
  'intent.complaint': 'A complaint',
  'intent.human': 'To talk to a person',
  'intent.thanks': 'Thanks',
  'intent.opt_out': 'To unsubscribe',
  'intent.opt_in': 'To subscribe again',
  'intent.unknown': 'Not understood',
  'stage.new': 'New',
  'stage.engaged': 'Chatting',
  'stage.interested': 'Interested',
  'stage.negotiating': 'Negotiating',
  'stage.ordered': 'Ordered',
  'stage.paid': 'Paid',
  'stage.fulfilled': 'Delivered',
  'stage.lost': 'Lost',
  'stage.opted_out': 'Unsubscribed',
};

const DICTS = { fr: FR, en: EN };
const STORAGE_KEY = 'sellify.lang';

function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'fr' || saved === 'en') return saved;
  } catch {
    // Storage can be disabled; the default applies.
  }
  return (navigator.language ?? '').toLowerCase().startsWith('en') ? 'en' : 'fr';
}

let lang = initialLang();

export function currentLang() {
  return lang;
}

export function setLang(next) {
  lang = next === 'en' ? 'en' : 'fr';
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered; still applied.
  }
}

/** The text of `key` in the current language, with `{name}` placeholders filled. */
export function t(key, vars) {
  const text = DICTS[lang][key] ?? FR[key] ?? key;
  if (vars === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

function locale() {
  return lang === 'en' ? 'en-GB' : 'fr-FR';
}

/** Minor units → "15 000 F CFA" (XOF has no minor unit; EUR has two). */
export function money(minor, currency = 'XOF') {
  const code = String(currency || 'XOF').toUpperCase();
  let format;
  try {
    format = new Intl.NumberFormat(locale(), { style: 'currency', currency: code });
  } catch {
    return `${minor} ${code}`;
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
  return format.format(minor / 10 ** digits);
}

/** Digits of the currency's minor unit (XOF 0, EUR 2). */
export function currencyDigits(currency = 'XOF') {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      0
    );
  } catch {
    return 0;
  }
}

/** "14:05" today, "lun. 12:30" this week, "12/11" before. */
export function when(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  const now = new Date();
  const sameDay = date.toDateString() === now.toDateString();
  const ageMs = now.getTime() - date.getTime();
  const options = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : ageMs < 6 * 24 * 3600_000
      ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
      : { day: '2-digit', month: '2-digit' };
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

/** "le 12 déc. à 14:05" style, for a time in the future. */
export function dateTime(iso) {
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
