-- Export of the audit trail to an IHE ATNA audit record repository: how far it got. One row; the
-- exporter locks it (FOR UPDATE SKIP LOCKED) for the whole of a pass, so when several gateways share
-- the database one of them exports at a time, and advances it only after the collector has the
-- entries. Resending from here after a failure may send an entry twice, never skip one.
create table audit_export_cursor (
    id             integer primary key,
    last_sequence  bigint not null,
    exported_at    timestamp with time zone
);
insert into audit_export_cursor (id, last_sequence, exported_at) values (1, 0, null);
