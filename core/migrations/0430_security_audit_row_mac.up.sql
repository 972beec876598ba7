-- A keyed MAC per audit entry (issue 22, item 4): HMAC-SHA256 under AUDIT_HMAC_KEY of the entry's seq and content,
-- computed by the api when it appends (the key never reaches PostgreSQL). A superuser who edits an entry and
-- re-hashes the chain cannot recompute it, so `audit:verify` names the edited entry. NULL: written without the key
-- (entries from before this migration, or an api run without AUDIT_HMAC_KEY).
ALTER TABLE audit_log ADD COLUMN mac text;
