-- Portable SQL: runs unchanged on H2 (embedded default) and PostgreSQL.

-- One DICOM study per patient + encounter; later photos of the encounter join it.
create table encounter_study (
    id                  uuid primary key,
    patient_system      varchar(255) not null,
    patient_value       varchar(255) not null,
    encounter_system    varchar(255) not null,
    encounter_value     varchar(255) not null,
    study_instance_uid  varchar(64)  not null,
    created_at          timestamp with time zone not null,
    constraint uq_encounter_study unique (patient_system, patient_value, encounter_system, encounter_value),
    constraint uq_study_uid unique (study_instance_uid)
);

-- One series per department + body site within a study.
create table study_series (
    id                   uuid primary key,
    study_id             uuid not null references encounter_study (id),
    department           varchar(64) not null,
    body_site_code       varchar(32) not null,
    series_instance_uid  varchar(64) not null,
    series_number        integer not null,
    instance_count       integer not null,
    constraint uq_study_series unique (study_id, department, body_site_code),
    constraint uq_series_uid unique (series_instance_uid)
);

create table photo (
    id                  uuid primary key,
    study_id            uuid not null references encounter_study (id),
    series_id           uuid not null references study_series (id),
    sop_class_uid       varchar(64)  not null,
    sop_instance_uid    varchar(64)  not null,
    instance_number     integer not null,
    source_sha256       varchar(64)  not null,
    source_format       varchar(8)   not null,
    transfer_syntax_uid varchar(64)  not null,
    department          varchar(64)  not null,
    access_tags         varchar(1024) not null,
    body_site_code      varchar(32)  not null,
    body_site_display   varchar(128),
    laterality          varchar(1)   not null,
    view_code           varchar(64),
    protocol_code       varchar(64),
    taken_at            timestamp with time zone,
    uploaded_by         varchar(255) not null,
    created_at          timestamp with time zone not null,
    blob_key            varchar(64),
    blob_bytes          bigint,
    purged_at           timestamp with time zone,
    constraint uq_photo_sop unique (sop_instance_uid),
    -- Idempotency: the same bytes for the same patient + encounter are one photo.
    constraint uq_photo_source unique (study_id, source_sha256)
);

-- The durable outbox: one row per photo and destination.
create table delivery (
    id               uuid primary key,
    photo_id         uuid not null references photo (id),
    destination      varchar(64) not null,
    status           varchar(16) not null,
    attempts         integer not null,
    next_attempt_at  timestamp with time zone,
    lease_owner      varchar(64),
    lease_until      timestamp with time zone,
    last_error       varchar(1000),
    stored_at        timestamp with time zone,
    updated_at       timestamp with time zone not null,
    constraint uq_delivery unique (photo_id, destination)
);
create index ix_delivery_due on delivery (status, next_attempt_at);
