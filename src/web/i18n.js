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
