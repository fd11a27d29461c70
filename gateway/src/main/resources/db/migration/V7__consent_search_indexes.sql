-- Issue 10, consent search at a million Consents (docs/performance.md, benchmark 4).
-- A search by a purpose or category code in any system ("purpose=TRAIN") was a LIKE '%|TRAIN' over
-- every key, which no index serves. The code alone is now kept as a key of its own, beside the whole
-- "system|code" key; existing Consents get theirs here (each code once per Consent).
insert into consent_key (consent_id, kind, key_value)
select distinct consent_id, kind || '-code', substr(key_value, strpos(key_value, '|') + 1)
from consent_key
where kind in ('purpose', 'category');

-- The date search (Consent.dateTime) and the order of every search result (newest update first).
create index ix_consent_date_time on consent_resource (date_time);
create index ix_consent_last_updated on consent_resource (last_updated desc, id);

-- An ImagingStudy lists a series' photos in order: without this, every search by patient read the
-- whole photo table (a parallel sequential scan, about 100 ms at 200,000 photos).
create index ix_photo_series on photo (series_id, instance_number);

-- Fresh statistics for the planner: the backfill may have doubled the key rows.
analyze consent_key;
analyze consent_resource;
analyze photo;
