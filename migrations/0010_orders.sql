-- Why: orders are taken in chat and followed by the seller (issue 13): an order has three independent states (the order itself, its payment, its delivery), a delivery fee and a delivery address (personal data: sealed), records the payments received, and is created at most once per confirming message (a redelivered "oui" never makes a second order).

UPDATE orders SET status = 'confirmed' WHERE status = 'paid';
UPDATE orders SET status = 'completed' WHERE status = 'fulfilled';

ALTER TABLE orders
  ADD COLUMN subtotal bigint,
  ADD COLUMN delivery_fee bigint NOT NULL DEFAULT 0 CHECK (delivery_fee >= 0),
  -- Sealed JSON: {zone, zoneName, address} as the customer gave them.
  ADD COLUMN delivery_enc text,
  ADD COLUMN payment_method text,
  ADD COLUMN payment_status text NOT NULL DEFAULT 'unpaid'
    CHECK (payment_status IN ('unpaid', 'partial', 'paid', 'refunded')),
  ADD COLUMN fulfilment_status text NOT NULL DEFAULT 'unfulfilled'
    CHECK (fulfilment_status IN ('unfulfilled', 'ready', 'out_for_delivery', 'delivered', 'returned')),
  ADD COLUMN source text NOT NULL DEFAULT 'api' CHECK (source IN ('chat', 'api', 'dashboard')),
  -- The customer message that confirmed the order (chat) or the caller's reference (API).
  ADD COLUMN source_message_id text,
  ADD COLUMN confirmed_at timestamptz,
  ADD COLUMN cancelled_at timestamptz,
  -- Whether the stock of the lines is currently taken (confirmed and not cancelled).
  ADD COLUMN stock_taken boolean NOT NULL DEFAULT false;

UPDATE orders SET subtotal = total - delivery_fee WHERE subtotal IS NULL;
ALTER TABLE orders ALTER COLUMN subtotal SET NOT NULL;
ALTER TABLE orders ADD CONSTRAINT orders_subtotal_nonneg CHECK (subtotal >= 0);
ALTER TABLE orders ADD CONSTRAINT orders_status_known
  CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled'));
CREATE UNIQUE INDEX orders_source_message ON orders (tenant_id, source_message_id)
  WHERE source_message_id IS NOT NULL;
CREATE INDEX orders_tenant_status ON orders (tenant_id, status, created_at DESC, id DESC);

CREATE TABLE order_payments (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  order_id text NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  amount bigint NOT NULL CHECK (amount > 0),
  method text NOT NULL,
  paid_at timestamptz NOT NULL,
  -- The operator's transaction reference (a mobile-money id) can identify the customer: sealed.
  reference_enc text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_payments_order ON order_payments (tenant_id, order_id, paid_at);

ALTER TABLE order_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE order_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON order_payments
  USING (tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
CREATE POLICY owner_maintenance ON order_payments
  USING (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on')
  WITH CHECK (current_user <> 'sellify_app' AND current_setting('app.owner_access', true) = 'on');
GRANT SELECT, INSERT, DELETE ON order_payments TO sellify_app;
