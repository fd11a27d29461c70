-- Consents as versioned FHIR resources (JSON per version) with search keys of the current version.
create table consent_resource (
    id                  varchar(64) primary key,
    current_version     bigint not null,
    status              varchar(32) not null,
    patient_system      varchar(255) not null,
    patient_value       varchar(255) not null,
    patient_reference   varchar(255),
    date_time           timestamp with time zone,
    last_updated        timestamp with time zone not null
);
create index ix_consent_patient on consent_resource (patient_system, patient_value);

create table consent_version (
    consent_id    varchar(64) not null references consent_resource (id),
    version       bigint not null,
    last_updated  timestamp with time zone not null,
    resource_json ${long_text} not null,
    primary key (consent_id, version)
);
create index ix_consent_version_updated on consent_version (last_updated);

-- Search keys of the current version; replaced on every update.
create table consent_key (
    consent_id  varchar(64) not null references consent_resource (id),
    kind        varchar(16) not null,   -- purpose | data | identifier
    key_value   varchar(512) not null,
    primary key (consent_id, kind, key_value)
);
create index ix_consent_key on consent_key (kind, key_value);

-- The rules of the current version, as the gateway enforces them.
create table consent_provision (
    consent_id   varchar(64) not null references consent_resource (id),
    position     integer not null,
    permit       boolean not null,
    scopes       varchar(256) not null,   -- comma-separated ConsentScope names; empty = all
    period_start timestamp with time zone,
    period_end   timestamp with time zone,
    data         varchar(4000) not null,  -- space-separated references; empty = all photos
    description  varchar(1000),
    primary key (consent_id, position)
);

-- The audit trail: append-only, each entry chained to the previous one by SHA-256.
create table audit_entry (
    sequence        bigint primary key,
    id              varchar(64) not null,
    recorded        timestamp with time zone not null,
    action          varchar(32) not null,
    success         boolean not null,
    agent           varchar(255) not null,
    agent_name      varchar(255) not null,
    agent_roles     varchar(512) not null,
    patient_system  varchar(255),
    patient_value   varchar(255),
    entities        varchar(4000) not null,
    detail          varchar(1000) not null,
    previous_hash   varchar(64) not null,
    hash            varchar(64) not null,
    constraint uq_audit_id unique (id)
);
create index ix_audit_patient on audit_entry (patient_system, patient_value);
create index ix_audit_recorded on audit_entry (recorded);

-- Withdrawal: when a photo stopped being covered by consent, and what each PACS was asked to do.
alter table photo add column withdrawn_at timestamp with time zone;
alter table photo add column consent_warning boolean default false not null;

create table withdrawal (
    id               uuid primary key,
    photo_id         uuid not null references photo (id),
    destination      varchar(64) not null,
    action           varchar(16) not null,
    status           varchar(16) not null,
    attempts         integer not null,
    next_attempt_at  timestamp with time zone,
    last_error       varchar(1000),
    done_at          timestamp with time zone,
    updated_at       timestamp with time zone not null,
    -- A rejection note keeps its UIDs and time across retries, so a PACS ends up with one note.
    requested_at     timestamp with time zone not null,
    note_series_uid  varchar(64),
    note_sop_uid     varchar(64),
    constraint uq_withdrawal unique (photo_id, destination)
);

-- What must be published to the EHR's FHIR server (consents and studies), retried like deliveries.
create table ehr_publication (
    id               uuid primary key,
    resource_type    varchar(32) not null,
    resource_id      varchar(64) not null,
    status           varchar(16) not null,
    attempts         integer not null,
    next_attempt_at  timestamp with time zone,
    last_error       varchar(1000),
    updated_at       timestamp with time zone not null,
    constraint uq_ehr_publication unique (resource_type, resource_id)
);

-- The head of the audit chain: one row, locked by every writer so entries chain in order.
create table audit_head (
    id        integer primary key,
    sequence  bigint not null,
    hash      varchar(64) not null
);
insert into audit_head (id, sequence, hash) values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Literal references of patients in the EHR, resolved by identifier (Patient search).
create table patient_link (
    patient_system  varchar(255) not null,
    patient_value   varchar(255) not null,
    reference       varchar(255) not null,
    resolved_at     timestamp with time zone not null,
    primary key (patient_system, patient_value)
);
