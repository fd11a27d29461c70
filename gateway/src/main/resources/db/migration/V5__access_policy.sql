-- Issue 6: the same source bytes may be filed once per department. A duplicate within the caller's
-- departments still answers with the existing photo; a photo of another department is neither
-- revealed nor reused, so the second department's upload becomes its own photo.
alter table photo drop constraint uq_photo_source;
alter table photo add constraint uq_photo_source unique (study_id, source_sha256, department);
