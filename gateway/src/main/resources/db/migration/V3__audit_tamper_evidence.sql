-- Tamper evidence for the audit trail (docs/security.md, "Audit trail: tamper evidence").
--
-- Entries written from now on are chained with HMAC-SHA256 under a key kept outside the database.
-- Entries already written (V2, plain SHA-256) stay as they are and are marked as the legacy
-- segment; the keyed chain starts after them (its first entry links to the last legacy hash).
-- Lines starting with the "postgresql" placeholder run on PostgreSQL only, those starting with the
-- "h2" placeholder on H2 only: each placeholder is an empty comment on its database and "--" (turning
-- the line into a comment) on the other (quarkus.flyway.*.placeholders in application.properties).

alter table audit_entry add column scheme varchar(16) default 'sha256' not null;
-- Every new entry names its scheme explicitly; a writer that forgets it fails instead of passing
-- off a keyed entry as legacy.
alter table audit_entry alter column scheme drop default;

-- Append-only: UPDATE, DELETE and TRUNCATE of audit entries are refused, even for the table's owner,
-- until a database administrator deliberately disables the triggers (which the MAC chain and the
-- checkpoints outside the database then detect).
${postgresql} create function audit_entry_append_only() returns trigger language plpgsql as $$
${postgresql} begin
${postgresql}     raise exception 'audit_entry is append-only: % refused', tg_op
${postgresql}         using errcode = 'insufficient_privilege';
${postgresql} end
${postgresql} $$;
${postgresql} create trigger audit_entry_append_only before update or delete on audit_entry
${postgresql}     for each row execute function audit_entry_append_only();
${postgresql} create trigger audit_entry_no_truncate before truncate on audit_entry
${postgresql}     for each statement execute function audit_entry_append_only();

-- H2 (development only) refuses UPDATE and DELETE through a Java trigger; H2 fires no trigger on
-- TRUNCATE TABLE.
${h2} create trigger audit_entry_append_only before update, delete on audit_entry
${h2}     for each row call 'org.photobridge.gateway.audit.AppendOnlyTrigger';
