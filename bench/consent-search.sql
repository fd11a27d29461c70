-- Bulk seeding for bench/consent-search.sh: clones the template Consents, study, series and photo
-- that the benchmark created through the API, so that every seeded row has exactly the shape the
-- gateway writes (search keys, provisions, stored JSON). jsonb_populate_record copies every column
-- of the template and overrides the ones that identify the clone.
--   :consents        Consents to make (patients get two each: SEED-0 … SEED-(consents/2 - 1))
--   :studies         studies to make, one photo each, for patients SEED-0 … SEED-(studies - 1)
--   :t_plain         id of the template Consent permitting clinical care
--   :t_teaching      id of the template Consent permitting clinical care and teaching (signed form)
--   :t_patient       the templates' patient identifier value
--   :form            the signed form (base64) of the teaching template, as the benchmark sent it
--   :t_study         id of the template study (its one series and one photo are cloned with it)
\set ON_ERROR_STOP on
begin;

create temporary table seed_consent as
select i,
       'seed-' || i as id,
       case when i % 10 = 0 then :'t_teaching' else :'t_plain' end as template,
       'SEED-' || (i % (:consents / 2)) as patient,
       case when i % 20 = 7 then 'inactive' else 'active' end as status,
       -- Two minutes apart for a million, wider for fewer: every size spans the same years (2022 to
       -- late 2025), so date=ge2025-06-01 matches the same share of them.
       timestamptz '2022-01-01 00:00:00+00' + i * (interval '2 minutes' * 1000000 / :consents) as date_time
from generate_series(0, :consents - 1) as i;

insert into consent_resource
select (jsonb_populate_record(null::consent_resource, to_jsonb(r) || jsonb_build_object(
        'id', s.id, 'status', s.status, 'patient_value', s.patient, 'patient_reference', null,
        'date_time', s.date_time, 'last_updated', s.date_time))).*
from seed_consent s join consent_resource r on r.id = s.template;

-- A signed form is sealed bound to its Consent's id and version, so a clone cannot share the
-- template's ciphertext: clones get the form back in their JSON in plaintext, marked pending, as
-- versions written before V10 were; the gateway seals each under its own id at its next start.
insert into consent_version
select (jsonb_populate_record(null::consent_version, to_jsonb(v) || jsonb_build_object(
        'consent_id', s.id, 'last_updated', s.date_time,
        'source_form', null, 'form_key_id', null, 'form_pending', v.source_form is not null,
        'resource_json', (with cloned(json) as (select regexp_replace(regexp_replace(regexp_replace(replace(
            v.resource_json, '"' || :'t_patient' || '"', '"' || s.patient || '"'),
            '"id" *: *"[^"]*"', '"id":"' || s.id || '"'),
            '"status" *: *"active"', '"status":"' || s.status || '"'),
            '"dateTime" *: *"[^"]*"', '"dateTime":"' || to_char(s.date_time at time zone 'UTC',
                'YYYY-MM-DD"T"HH24:MI:SS"Z"') || '"'))
            select case when v.source_form is null then json
                        else jsonb_set(json::jsonb, '{sourceAttachment,data}', to_jsonb(:'form'::text))::text end
            from cloned)))).*
from seed_consent s
join consent_resource r on r.id = s.template
join consent_version v on v.consent_id = r.id and v.version = r.current_version;

insert into consent_key
select (jsonb_populate_record(null::consent_key, to_jsonb(k) || jsonb_build_object('consent_id', s.id))).*
from seed_consent s join consent_key k on k.consent_id = s.template;

insert into consent_provision
select (jsonb_populate_record(null::consent_provision, to_jsonb(p) || jsonb_build_object('consent_id', s.id))).*
from seed_consent s join consent_provision p on p.consent_id = s.template;

create temporary table seed_study as
select i,
       md5('study' || i)::uuid as study_id,
       md5('series' || i)::uuid as series_id,
       md5('photo' || i)::uuid as photo_id,
       'SEED-' || i as patient
from generate_series(0, :studies - 1) as i;

insert into encounter_study
select (jsonb_populate_record(null::encounter_study, to_jsonb(t) || jsonb_build_object(
        'id', s.study_id, 'patient_value', s.patient, 'encounter_value', 'SEED-ENC-' || s.i,
        'study_instance_uid', '2.25.' || (100000000 + s.i) || '1'))).*
from seed_study s join encounter_study t on t.id = :'t_study'::uuid;

insert into study_series
select (jsonb_populate_record(null::study_series, to_jsonb(t) || jsonb_build_object(
        'id', s.series_id, 'study_id', s.study_id,
        'series_instance_uid', '2.25.' || (100000000 + s.i) || '2'))).*
from seed_study s join study_series t on t.study_id = :'t_study'::uuid;

insert into photo
select (jsonb_populate_record(null::photo, to_jsonb(t) || jsonb_build_object(
        'id', s.photo_id, 'study_id', s.study_id, 'series_id', s.series_id,
        'sop_instance_uid', '2.25.' || (100000000 + s.i) || '3'))).*
from seed_study s join photo t on t.study_id = :'t_study'::uuid;

commit;
analyze consent_resource, consent_version, consent_key, consent_provision, encounter_study, study_series, photo;
