-- Issue 7: one work queue for every kind of outbound work. The three tables that did one job three
-- ways (delivery, withdrawal, ehr_publication) become rows of work_item, told apart by kind, with one
-- lease (lease_owner, lease_until, lease_token), one retry schedule and one set of states:
-- QUEUED, RETRYING, DONE, FAILED. Kind-specific columns are null for the other kinds.
create table work_item (
    id               uuid primary key,
    kind             varchar(32) not null,
    status           varchar(16) not null,
    attempts         integer not null,
    next_attempt_at  timestamp with time zone,
    lease_owner      varchar(128),
    lease_until      timestamp with time zone,
    lease_token      uuid,
    last_error       varchar(1000),
    done_at          timestamp with time zone,
    created_at       timestamp with time zone not null,
    updated_at       timestamp with time zone not null,
    -- Raised when the same work is asked for again while an attempt runs (an EHR resource changed
    -- again): that attempt's outcome then does not close the item.
    generation       integer not null,
    -- PACS delivery and withdrawal: which photo, at which destination.
    photo_id         uuid references photo (id),
    destination      varchar(64),
    -- PACS withdrawal: reject, delete or none; a rejection note keeps its UIDs and time across retries.
    action           varchar(16),
    requested_at     timestamp with time zone,
    note_series_uid  varchar(64),
    note_sop_uid     varchar(64),
    -- EHR publication: Consent or ImagingStudy, and its id.
    resource_type    varchar(32),
    resource_id      varchar(64),
    constraint ck_work_item_status check (status in ('QUEUED', 'RETRYING', 'DONE', 'FAILED')),
    constraint ck_work_item_kind check (kind in ('PACS_DELIVERY', 'PACS_WITHDRAWAL', 'EHR_PUBLICATION')),
    constraint ck_work_item_subject check (
        (kind in ('PACS_DELIVERY', 'PACS_WITHDRAWAL') and photo_id is not null and destination is not null)
        or (kind = 'EHR_PUBLICATION' and resource_type is not null and resource_id is not null))
);

insert into work_item (id, kind, status, attempts, next_attempt_at, lease_owner, lease_until, last_error, done_at,
                       created_at, updated_at, generation, photo_id, destination)
    select id, 'PACS_DELIVERY', case status when 'STORED' then 'DONE' else status end, attempts, next_attempt_at,
           null, null, last_error, stored_at, updated_at, updated_at, 0, photo_id, destination
    from delivery;
insert into work_item (id, kind, status, attempts, next_attempt_at, last_error, done_at, created_at, updated_at,
                       generation, photo_id, destination, action, requested_at, note_series_uid, note_sop_uid)
    select id, 'PACS_WITHDRAWAL', status, attempts, next_attempt_at, last_error, done_at, requested_at, updated_at,
           0, photo_id, destination, action, requested_at, note_series_uid, note_sop_uid
    from withdrawal;
insert into work_item (id, kind, status, attempts, next_attempt_at, last_error, created_at, updated_at, generation,
                       resource_type, resource_id)
    select id, 'EHR_PUBLICATION', status, attempts, next_attempt_at, last_error, updated_at, updated_at, 0,
           resource_type, resource_id
    from ehr_publication;

drop table delivery;
drop table withdrawal;
drop table ehr_publication;

create unique index uq_work_item_photo on work_item (kind, photo_id, destination) where photo_id is not null;
create unique index uq_work_item_resource on work_item (kind, resource_type, resource_id)
    where resource_type is not null;
-- The claim query: due work, oldest first.
create index ix_work_item_due on work_item (next_attempt_at, created_at) where status in ('QUEUED', 'RETRYING');
create index ix_work_item_photo on work_item (photo_id);
