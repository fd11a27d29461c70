-- Issue 10 (docs/performance.md, "the purge's table scan"): the purge of local copies
-- (Photos.purge, after every pass of the work queue, at most once per poll interval) looks for
-- photos that still hold bytes. Without an index it read the whole photo table each time, and every
-- photo ever received stays a row there after its bytes are gone: on 200,000 photos 51 ms of scan
-- and, because the estimated cost crossed PostgreSQL's JIT thresholds, 445 ms of LLVM compilation,
-- every few seconds. Only photos still holding bytes are in this index: those in flight and those
-- within the retention, a few at any time. The re-encryption job's pages (id order) and its count
-- use it too. V12: another engineer may number a migration 12 too; renumber, not merge.
create index ix_photo_holding_bytes on photo (id) where blob_key is not null;
