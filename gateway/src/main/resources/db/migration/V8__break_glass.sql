-- Issue 8: break-the-glass grants. A clinician outside a photo's departments may view it for a
-- limited time after giving a reason; every grant is kept (compliance lists them), none is updated.
create table break_glass_grant (
    id             uuid primary key,
    photo_id       uuid not null references photo (id),
    -- The OIDC subject (who) and the username at the time (for people reading the list).
    subject        varchar(255) not null,
    username       varchar(255) not null,
    reason         varchar(1000) not null,
    granted_at     timestamp with time zone not null,
    expires_at     timestamp with time zone not null,
    constraint ck_break_glass_period check (expires_at > granted_at)
);

-- The policy asks "does this subject hold an unexpired grant on this photo?" on every look.
create index ix_break_glass_subject_photo on break_glass_grant (subject, photo_id, expires_at);
-- Compliance lists grants newest first.
create index ix_break_glass_granted_at on break_glass_grant (granted_at desc);
