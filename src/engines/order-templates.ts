/**
 * Wording of the order dialogue (src/engines/order.ts), per key and language. Same syntax as
 * templates.ts (spintax `{a|b}`, `{{variable}}`); a seller's playbook overrides any key. Every
 * amount comes in a variable computed from the catalogue and the playbook: no template names a fact.
 */
import type { Language } from '../domain/types.ts';

export type OrderTemplateKey =
  | 'order_ask_variant'
  | 'order_ask_address'
  | 'order_ask_zone'
  | 'order_ask_payment'
  | 'order_payment_refused'
  | 'order_summary'
  | 'order_placed'
  | 'order_cancelled'
  | 'order_unavailable'
  | 'order_short'
  | 'order_out_of_stock_at_confirmation'
  | 'order_pending';

export const ORDER_TEMPLATES: Record<Language, Record<OrderTemplateKey, string>> = {
  fr: {
    order_ask_variant: '{Très bien|Parfait}, {{product}} : quelle {{variant}} ? ({{options}})',
    order_ask_address:
      "{C'est noté|Très bien} : {{items}}. {Où faut-il livrer ?|Quelle est votre adresse de livraison ?} {Indiquez votre quartier et un repère.|Merci de préciser le quartier et un repère.}",
    order_ask_zone: '{Dans quel quartier êtes-vous ?|Quel est votre quartier ?} Nous livrons à :\n{{zones}}',
    order_ask_payment: '{Et comment souhaitez-vous payer ?|Quel mode de paiement préférez-vous ?}',
    order_payment_refused: 'Nous acceptons : {{methods}}. {Lequel préférez-vous ?|Lequel vous convient ?}',
    order_summary:
      'Récapitulatif de votre commande :\n{{lines}}\n{{delivery}}\nTotal : {{total}}\n{{address}}{{payment}}\n{Je valide la commande ?|On valide ?} Répondez « oui » pour confirmer, ou dites-moi ce qu’il faut changer.',
    order_placed:
      '{Merci|Merci beaucoup}{{name}} ! Votre commande est confirmée ✅ ({{total}}).{{pay}} {Nous vous tenons informé(e) pour la livraison.|Nous revenons vers vous pour la livraison.}',
    order_cancelled:
      "{C'est annulé|Commande annulée}, {pas de souci|aucun problème}. {N'hésitez pas si vous changez d'avis.|Je reste disponible si besoin.}",
    order_unavailable: '{Désolé|Désolée}, {{product}} est en rupture de stock pour le moment.',
    order_short: '{Désolé|Désolée}, il ne reste que {{stock}} × {{product}}.',
    order_out_of_stock_at_confirmation:
      '{Désolé|Désolée}, {{products}} vient de partir : je ne peux pas valider la commande telle quelle. Voulez-vous changer la quantité ou choisir un autre article ?',
    order_pending:
      '{Pour votre commande|Côté commande} ({{items}}), {il me manque encore|j’attends encore} {{what}}.',
  },
  en: {
    order_ask_variant: '{Great|Perfect}, {{product}}: which {{variant}}? ({{options}})',
    order_ask_address:
      '{Noted|Great}: {{items}}. {Where should we deliver?|What is your delivery address?} {Please give your area and a landmark.|Your area and a landmark, please.}',
    order_ask_zone: '{Which area are you in?|What is your area?} We deliver to:\n{{zones}}',
    order_ask_payment: '{And how would you like to pay?|Which payment method do you prefer?}',
    order_payment_refused: 'We accept: {{methods}}. {Which one do you prefer?|Which suits you?}',
    order_summary:
      'Your order:\n{{lines}}\n{{delivery}}\nTotal: {{total}}\n{{address}}{{payment}}\n{Shall I confirm it?|Shall we confirm?} Reply "yes" to confirm, or tell me what to change.',
    order_placed:
      '{Thank you|Thanks}{{name}}! Your order is confirmed ✅ ({{total}}).{{pay}} {We will keep you posted about delivery.|We will be in touch about delivery.}',
    order_cancelled:
      "{Cancelled|Done, it's cancelled}, {no problem|no worries}. {Let me know if you change your mind.|I'm here if you need anything.}",
    order_unavailable: 'Sorry, {{product}} is out of stock for now.',
    order_short: 'Sorry, only {{stock}} × {{product}} left.',
    order_out_of_stock_at_confirmation:
      'Sorry, {{products}} just sold out: I cannot confirm the order as it is. Would you like to change the quantity or choose another item?',
    order_pending: '{About your order|For your order} ({{items}}), I still need {{what}}.',
  },
};

/** Labels of the summary and of the payment methods. */
export const ORDER_LABELS: Record<
  Language,
  {
    delivery: string;
    pickup: string;
    feeToConfirm: string;
    address: string;
    payment: string;
    variant: Record<string, string>;
    payWith: string;
    methods: Record<string, string>;
    /** What the dialogue still waits for, in `order_pending` after an answer to another question. */
    pending: Record<'variant' | 'address' | 'zone' | 'payment' | 'confirmation', string>;
  }
> = {
  fr: {
    delivery: 'Livraison',
    pickup: 'Retrait sur place',
    feeToConfirm: 'frais à confirmer par le vendeur',
    address: 'Adresse',
    payment: 'Paiement',
    variant: { size: 'taille', colour: 'couleur' },
    payWith: 'Pour payer par {{method}} : {{details}}.',
    pending: {
      variant: 'la {{variant}} pour {{product}} ({{options}})',
      address: 'votre adresse de livraison (quartier et repère)',
      zone: 'votre quartier de livraison ({{zones}})',
      payment: 'votre mode de paiement{{methods}}',
      confirmation: 'votre accord sur le récapitulatif (total {{total}}) : répondez « oui » pour confirmer',
    },
    methods: {
      orange_money: 'Orange Money',
      wave: 'Wave',
      mtn_momo: 'MTN MoMo',
      moov_money: 'Moov Money',
      cash_on_delivery: 'espèces à la livraison',
      bank_transfer: 'virement bancaire',
      card: 'carte bancaire',
    },
  },
  en: {
    delivery: 'Delivery',
    pickup: 'Pick-up',
    feeToConfirm: 'fee to be confirmed by the seller',
    address: 'Address',
    payment: 'Payment',
    variant: { size: 'size', colour: 'colour' },
    payWith: 'To pay by {{method}}: {{details}}.',
    pending: {
      variant: 'the {{variant}} for {{product}} ({{options}})',
      address: 'your delivery address (area and a landmark)',
      zone: 'your delivery area ({{zones}})',
      payment: 'your payment method{{methods}}',
      confirmation: 'your go-ahead on the summary (total {{total}}): reply "yes" to confirm',
    },
    methods: {
      orange_money: 'Orange Money',
      wave: 'Wave',
      mtn_momo: 'MTN MoMo',
      moov_money: 'Moov Money',
      cash_on_delivery: 'cash on delivery',
      bank_transfer: 'bank transfer',
      card: 'card',
    },
  },
};
