-- Issue 10, benchmark 4 (docs/performance.md): a search page is read in its order (newest update
-- first) and stops one row after the page; the total is counted only for _total=accurate
-- (docs/fhir.md, paging). V11: another engineer may number a migration 11 too; renumber, not merge.

-- A patient's Consents newest first straight from one index, without sorting them (a patient with
-- many versions of many Consents pages in order). It replaces the index on the patient alone, which
-- it covers as a prefix.
create index ix_consent_patient_updated on consent_resource (patient_system, patient_value, last_updated desc, id);
drop index ix_consent_patient;

analyze consent_resource;
