-- Why: the order dialogue (issue 13) keeps a conversation state per contact between messages: the cart, the delivery address or zone, the payment method and what the bot waits for. It holds an address (personal data), so it is sealed like the contact's name; it lives on the contact row, whose row-level security and grants already apply.

ALTER TABLE contacts ADD COLUMN conversation_enc text;
