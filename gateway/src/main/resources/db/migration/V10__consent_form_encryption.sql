-- Issue 9: signed consent forms encrypted at rest like photos. The form (Consent.sourceAttachment.data)
-- leaves resource_json and is kept in source_form, sealed in the store's blob format (AES-256-GCM under
-- a data key derived from the active storage key, bound to the Consent id and version). SQL cannot
-- encrypt: the rows that still hold a form in plaintext are marked here, and the gateway encrypts them
-- at start-up (consent/SignedForms), a batch at a time, clearing the mark.
alter table consent_version add column source_form bytea;
alter table consent_version add column form_pending boolean default false not null;
update consent_version set form_pending = true
 where resource_json like '%"sourceAttachment"%' and resource_json like '%"data"%';
create index ix_consent_version_form_pending on consent_version (consent_id, version) where form_pending;
-- The re-encryption job finds forms under a retired key without decrypting every one.
alter table consent_version add column form_key_id varchar(16);
create index ix_consent_version_form_key on consent_version (form_key_id) where source_form is not null;
