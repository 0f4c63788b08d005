-- Why: customers ask for a shelf ("vous avez quoi comme téléphones ?") and for a size or a colour ("en 42", "pas en marron"); products now carry an optional category and their variants (variant name → allowed values, e.g. {"size": ["39", "40"], "colour": ["noir"]}) so the engine can list a category and answer or record the chosen variant.

ALTER TABLE products ADD COLUMN category text CHECK (category IS NULL OR char_length(category) BETWEEN 1 AND 100);
ALTER TABLE products ADD COLUMN variants jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(variants) = 'object');
CREATE INDEX products_tenant_category ON products (tenant_id, category) WHERE category IS NOT NULL;
