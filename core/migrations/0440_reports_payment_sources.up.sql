-- The source of a payment file (docs/payments.md): the documented format, a payment gateway's transaction export, the
-- National Public Service Portal's payment results, or a bank account statement; the import job reads it with that
-- source's adapter.
ALTER TABLE payment_imports ADD COLUMN source text NOT NULL DEFAULT 'standard'
  CHECK (source IN ('standard', 'gateway', 'portal', 'bank-statement'));
