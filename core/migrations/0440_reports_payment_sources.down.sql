ALTER TABLE payment_imports DROP COLUMN source;
