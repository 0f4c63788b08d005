/**
 * Default answer templates, per key and language. Spintax `{a|b}` varies the wording (the choice
 * is seeded by the message id), `{{variable}}` and `{{variable|default}}` fill in facts. A seller's
 * playbook overrides any key. Texts are short and warm, the way a small seller writes on WhatsApp.
 */
import type { Language } from '../domain/types.ts';

export type TemplateKey =
  | 'greeting'
  | 'greeting_prefix'
  | 'price_line'
  | 'price_intro'
  | 'price_ask_product'
  | 'availability_in_stock'
  | 'out_of_stock'
  | 'unknown_product'
  | 'not_in_catalog'
  | 'nothing_in_stock'
  | 'order_confirm'
  | 'order_ask_product'
  | 'order_which'
  | 'which_product'
  | 'negotiate'
  | 'negotiate_product'
  | 'payment'
  | 'delivery'
  | 'location'
  | 'hours'
  | 'check_with_seller'
  | 'opted_out_reminder'
  | 'catalog'
  | 'catalog_category'
  | 'catalog_empty'
  | 'clarify'
  | 'clarify_opt_out'
  | 'clarify_opt_in'
  | 'complaint'
  | 'human'
  | 'thanks'
  | 'opt_out'
  | 'opt_in'
  | 'unknown'
  | 'followup_1'
  | 'followup_2'
  | 'followup_3';

export type TemplateSet = Record<TemplateKey, string>;

const fr: TemplateSet = {
  greeting:
    '{Bonjour|Bonjour et bienvenue|Salut}{{name|}} ! {Comment puis-je vous aider ?|Que puis-je faire pour vous ?|Je vous écoute 😊}',
  greeting_prefix: 'Bonjour{{name|}} !',
  price_intro: '{Voici le prix :|Voici nos prix :|Avec plaisir :}',
  price_line: '{{product}} : {{price}}',
  price_ask_product:
    '{De quel article parlez-vous ?|Quel article vous intéresse ?} {Voici ce que nous avons :|Nous avons :}\n{{catalog}}',
  availability_in_stock: '{Oui,|Oui bien sûr,} {{product}} est {disponible|en stock} ✅ ({{price}}).',
  out_of_stock:
    '{Désolé,|Malheureusement,} {{product}} est en rupture de stock {pour le moment|actuellement}. {Je peux vous proposer autre chose ?|Voulez-vous voir nos autres articles ?}',
  unknown_product:
    "{Désolé,|Pardon,} je n'ai pas « {{query}} » dans notre catalogue. {Voici ce que nous avons :|Nous avons par exemple :}\n{{catalog}}",
  not_in_catalog: "{Désolé,|Pardon,} je n'ai pas « {{query}} » dans notre catalogue.",
  nothing_in_stock:
    "{Tous nos articles sont en rupture de stock pour le moment.|Nous n'avons plus rien en stock pour le moment.}",
  order_confirm:
    "{Très bien|Parfait|Super} ! Je note {{items}}, soit {{total}}. {Pour finaliser, merci de m'indiquer votre adresse et votre mode de paiement.|Pour la livraison, pouvez-vous m'envoyer votre adresse et votre mode de paiement ?}",
  order_which:
    '{Nous avons plusieurs modèles :|Nous avons plusieurs articles qui correspondent :}\n{{options}}\n{Lequel souhaitez-vous ?|Lequel vous intéresse ?}',
  order_ask_product:
    '{Avec plaisir|Bien sûr} ! {Quel article souhaitez-vous commander ?|Que voulez-vous commander ?}\n{{catalog}}',
  which_product:
    '{De quel article parlez-vous ?|Quel article vous intéresse ?} {Dites-moi son nom et je vous réponds tout de suite.|Donnez-moi son nom, je vous réponds aussitôt.} {Nous avons par exemple :|Nous avons notamment :}\n{{names}}',
  negotiate:
    '{Nos prix sont déjà au plus juste|Nous faisons déjà nos meilleurs prix} 🙏 {Dites-moi quel article vous intéresse.|Quel article vous intéresse ?}',
  negotiate_product:
    "{{product}} : {{price}}, {c'est déjà notre meilleur prix|nos prix sont déjà au plus juste} 🙏 {Souhaitez-vous passer commande ?|On vous le réserve ?}",
  payment: '{{payment}}',
  delivery: '{{delivery}}',
  location: '{{location}}',
  hours: '{{hours}}',
  check_with_seller:
    '{Je vérifie|Je me renseigne sur} {{topics}} auprès du vendeur et je reviens vers vous {très vite|dès que possible}.',
  opted_out_reminder: 'Vous êtes désabonné(e) de nos messages : répondez START pour les recevoir de nouveau.',
  catalog: '{Voici nos articles disponibles :|Voici ce que nous avons en ce moment :}\n{{catalog}}',
  catalog_category: '{Voici nos|En ce moment, nos} {{category}} :\n{{catalog}}',
  clarify:
    "{Pardon,|Excusez-moi,} je n'ai pas bien compris 🙏 {Vous souhaitez|Vous voulez} connaître un prix, la disponibilité d'un article, la livraison ou passer commande ?",
  clarify_opt_out:
    'Souhaitez-vous ne plus recevoir nos messages ? Si oui, répondez STOP et nous ne vous écrirons plus.',
  clarify_opt_in: 'Souhaitez-vous recevoir de nouveau nos messages ? Si oui, répondez START.',
  catalog_empty:
    '{Je vérifie nos articles|Je me renseigne sur nos articles} auprès du vendeur et je reviens vers vous {très vite|dès que possible}.',
  complaint:
    '{Je suis vraiment désolé(e)|Toutes nos excuses} pour ce désagrément. {Un conseiller va reprendre la conversation au plus vite.|Je transmets tout de suite à un conseiller.}',
  human:
    '{Bien sûr|Pas de souci} ! {Je transmets votre demande à un conseiller|Un conseiller va vous répondre} {très vite|rapidement}.',
  thanks:
    "{Avec plaisir|C'est moi qui vous remercie|Merci à vous} ! {N'hésitez pas si vous avez d'autres questions|Je reste disponible} 😊",
  opt_out:
    "C'est noté, vous ne recevrez plus de messages de notre part. Répondez START si vous souhaitez vous réabonner.",
  opt_in:
    '{Merci|Parfait} ! Vous recevrez de nouveau nos messages. Répondez STOP à tout moment pour arrêter.',
  unknown:
    "{Merci pour votre message !|Bien reçu !} Je peux vous renseigner sur nos prix, la disponibilité, la livraison ou le paiement. {Que souhaitez-vous ?|Qu'est-ce qui vous intéresse ?}",
  followup_1:
    '{Bonjour|Re-bonjour}{{name|}} ! {Avez-vous pu réfléchir|Avez-vous eu le temps de réfléchir} {{about|à notre échange}} ? {Je reste disponible pour vos questions.|Je suis là si vous avez des questions.}',
  followup_2:
    "{Petit rappel|Je me permets de revenir vers vous}{{name|}} : {{about_short|votre demande}} {vous intéresse toujours ?|est toujours d'actualité ?} {Je peux vous le réserver.|Dites-moi si je vous le garde.}",
  followup_3:
    "{Dernier message de ma part|Je ne vous embête plus après ce message}{{name|}} 🙂 {Si vous changez d'avis, écrivez-moi simplement.|Je reste disponible si besoin.} Répondez STOP pour ne plus recevoir de messages.",
};

const en: TemplateSet = {
  greeting:
    '{Hello|Hi|Hello and welcome}{{name|}}! {How can I help you?|What can I do for you?|How can I help? 😊}',
  greeting_prefix: '{Hello|Hi}{{name|}}!',
  price_intro: '{Here is the price:|Here are our prices:|Sure:}',
  price_line: '{{product}}: {{price}}',
  price_ask_product:
    '{Which item do you mean?|Which item are you interested in?} {Here is what we have:|We have:}\n{{catalog}}',
  availability_in_stock: '{Yes,|Yes of course,} {{product}} is {available|in stock} ✅ ({{price}}).',
  out_of_stock:
    '{Sorry,|Unfortunately,} {{product}} is out of stock {for now|at the moment}. {Can I suggest something else?|Would you like to see our other items?}',
  unknown_product:
    '{Sorry,|Apologies,} we don\'t have "{{query}}" in our catalogue. {Here is what we have:|We have for example:}\n{{catalog}}',
  not_in_catalog: '{Sorry,|Apologies,} we don\'t have "{{query}}" in our catalogue.',
  nothing_in_stock: '{All our items are out of stock for now.|Everything is out of stock at the moment.}',
  order_confirm:
    '{Great|Perfect|Noted}! {{items}}, that is {{total}}. {To complete the order,|For delivery,} {please send me|could you share} your address and how you would like to pay?',
  order_which:
    '{We have several models:|Several items match:}\n{{options}}\n{Which one would you like?|Which one do you want?}',
  order_ask_product:
    '{With pleasure|Sure}! {Which item would you like to order?|What would you like to order?}\n{{catalog}}',
  which_product:
    '{Which item do you mean?|Which item are you interested in?} {Tell me its name and I will answer right away.|Give me its name and I will reply at once.} {We have for example:|Among our items:}\n{{names}}',
  negotiate:
    '{Our prices are already as low as we can go|These are already our best prices} 🙏 {Which item are you interested in?|Tell me which item you want.}',
  negotiate_product:
    '{{product}}: {{price}}, {already our best price|as low as we can go} 🙏 {Shall I reserve it for you?|Should I keep one for you?}',
  payment: '{{payment}}',
  delivery: '{{delivery}}',
  location: '{{location}}',
  hours: '{{hours}}',
  check_with_seller:
    '{I will check|Let me check} {{topics}} with the seller and get back to you {shortly|as soon as I can}.',
  opted_out_reminder: 'You unsubscribed from our messages: reply START to receive them again.',
  catalog: '{Here are our available items:|Here is what we have right now:}\n{{catalog}}',
  catalog_category: '{Here are our|Our} {{category}} {right now|available}:\n{{catalog}}',
  clarify:
    "{Sorry,|Apologies,} I didn't quite understand 🙏 Would you like a price, to check an item is available, delivery, or to place an order?",
  clarify_opt_out:
    'Would you like to stop receiving our messages? If so, reply STOP and we will not write to you again.',
  clarify_opt_in: 'Would you like to receive our messages again? If so, reply START.',
  catalog_empty:
    '{I will check our items|Let me check our items} with the seller and get back to you {shortly|as soon as I can}.',
  complaint:
    "{I'm really sorry|Our apologies} for the trouble. {A team member will take over as soon as possible.|I'm passing this to a team member right away.}",
  human:
    '{Of course|Sure}! {I am passing your request to a team member|Someone from the team will answer you} {shortly|very soon}.',
  thanks:
    "{You're welcome|My pleasure|Thank you}! {Let me know if you have any other questions|I'm here if you need anything} 😊",
  opt_out: "Done, you won't receive any more messages from us. Reply START if you want to subscribe again.",
  opt_in: '{Thank you|Great}! You will receive our messages again. Reply STOP at any time to stop.',
  unknown:
    '{Thanks for your message!|Got it!} I can help with prices, availability, delivery or payment. {What would you like to know?|What are you looking for?}',
  followup_1:
    '{Hello|Hi again}{{name|}}! {Have you had time to think|Did you get a chance to think} about {{about|our conversation}}? {I am here if you have any questions.|Happy to answer any question.}',
  followup_2:
    '{Quick reminder|Just checking in}{{name|}}: {are you still interested in|is this still relevant:} {{about_short|your request}}? {I can reserve it for you.|Tell me if I should keep it for you.}',
  followup_3:
    "{Last message from me|I won't bother you after this}{{name|}} 🙂 {If you change your mind, just write to me.|I'm here if you need anything.} Reply STOP to stop receiving messages.",
};

export const DEFAULT_TEMPLATES: Readonly<Record<Language, TemplateSet>> = { fr, en };
