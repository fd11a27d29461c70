package org.photobridge.gateway.persistence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.photobridge.gateway.dicom.PhotoInstance.Identifier;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Queries over photos and their deliveries. */
@ApplicationScoped
public class Photos implements PanacheRepositoryBase<PhotoRecord, UUID> {

    @Inject
    WorkItems workItems;

    @Inject
    Studies studies;

    @Inject
    StudySeriesRows seriesRows;

    @Inject
    Clock clock;

    /** A photo with the study it belongs to. */
    public record InStudy(PhotoRecord photo, EncounterStudy study) {
    }

    @Transactional
    public Optional<PhotoRecord> find(UUID id) {
        return findByIdOptional(id);
    }

    /** The photos of a study made from these source bytes (one per department at most). */
    @Transactional
    public List<PhotoRecord> findBySource(UUID studyId, String sha256) {
        return list("studyId = ?1 and sourceSha256 = ?2 order by createdAt", studyId, sha256);
    }

    /**
     * The photos of a patient's encounter made from these source bytes (one per department at most):
     * the duplicate-upload check, one query whether or not the encounter has a study yet.
     */
    @Transactional
    public List<PhotoRecord> findBySource(Identifier patient, Identifier encounter, String sha256) {
        return find("""
                select p from PhotoRecord p, EncounterStudy s where p.studyId = s.id
                and s.patientSystem = ?1 and s.patientValue = ?2 and s.encounterSystem = ?3 and s.encounterValue = ?4
                and p.sourceSha256 = ?5 order by p.createdAt""", patient.system(), patient.value(),
                encounter.system(), encounter.value(), sha256).list();
    }

    /** A photo with its study, in one query. */
    @Transactional
    public Optional<InStudy> findInStudy(UUID id) {
        return find("select p, s from PhotoRecord p, EncounterStudy s where p.studyId = s.id and p.id = ?1", id)
                .project(InStudy.class).firstResultOptional();
    }

    @Transactional
    public List<WorkItem> deliveries(UUID photoId) {
        return workItems.ofPhoto(photoId, WorkItem.Kind.PACS_DELIVERY);
    }

    @Transactional
    public List<WorkItem> withdrawals(UUID photoId) {
        return workItems.ofPhoto(photoId, WorkItem.Kind.PACS_WITHDRAWAL);
    }

    @Transactional
    public EncounterStudy study(UUID studyId) {
        return studies.findById(studyId);
    }

    @Transactional
    public StudySeries series(UUID seriesId) {
        return seriesRows.findById(seriesId);
    }

    /** Photos of one patient, optionally of one encounter, newest first. */
    @Transactional
    public List<PhotoRecord> list(String patientSystem, String patientValue, Optional<String> encounterSystem,
            Optional<String> encounterValue, int limit) {
        String hql = """
                select p from PhotoRecord p, EncounterStudy s where p.studyId = s.id
                and s.patientSystem = :ps and s.patientValue = :pv"""
                + (encounterSystem.isPresent() ? " and s.encounterSystem = :es and s.encounterValue = :ev" : "")
                + " order by p.createdAt desc";
        Map<String, Object> parameters = new HashMap<>();
        parameters.put("ps", patientSystem);
        parameters.put("pv", patientValue);
        if (encounterSystem.isPresent()) {
            parameters.put("es", encounterSystem.get());
            parameters.put("ev", encounterValue.orElseThrow());
        }
        return find(hql, parameters).page(0, limit).list();
    }

    /** Every photo of these studies, withdrawn ones included, by series and Instance Number. */
    @Transactional
    public List<PhotoRecord> ofStudies(Collection<UUID> studyIds) {
        return studyIds.isEmpty() ? List.of() : list("studyId in ?1 order by seriesId, instanceNumber", studyIds);
    }

    /** The photos of a series still in use (not withdrawn), by Instance Number. */
    @Transactional
    public List<PhotoRecord> inUseOfSeries(UUID seriesId) {
        return list("seriesId = ?1 and withdrawnAt is null order by instanceNumber", seriesId);
    }

    /**
     * The photos of a patient still in use (not withdrawn), with their studies, in the caller's
     * transaction: a consent change decides which of them it withdraws.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<InStudy> inUseOfPatient(String patientSystem, String patientValue) {
        return find("""
                select p, s from PhotoRecord p, EncounterStudy s where p.studyId = s.id
                and s.patientSystem = ?1 and s.patientValue = ?2 and p.withdrawnAt is null""", patientSystem,
                patientValue).project(InStudy.class).list();
    }

    /** Every access tag of every photo the gateway holds of a patient (withdrawn ones included). */
    @Transactional
    public Set<String> accessTagsOfPatient(String patientSystem, String patientValue) {
        var tags = new TreeSet<String>();
        find("""
                select p.accessTags from PhotoRecord p, EncounterStudy s where p.studyId = s.id
                and s.patientSystem = ?1 and s.patientValue = ?2""", patientSystem, patientValue)
                .project(String.class).list()
                .forEach(list -> tags.addAll(Arrays.asList(list.split(","))));
        tags.remove("");
        return tags;
    }

    /** Commits a new photo and its delivery work in one transaction. */
    @Transactional
    public void insert(PhotoRecord photo, List<WorkItem> deliveries) {
        persist(photo);
        workItems.persist(deliveries);
        flush();
    }

    /** A photo whose bytes were marked purged, and the blob to delete now. */
    public record Purged(UUID photoId, String blobKey) {
    }

    /**
     * Marks up to {@code limit} photos' bytes as purged, in one statement, and returns the blobs to
     * delete: photos still holding bytes that no longer need them (every delivery done and the
     * retention passed, or withdrawn with no withdrawal action left that might need the bytes). A
     * photo locked by a reader ({@link #lockedWithBlob}) or by another instance's purge is left for
     * the next purge ({@code SKIP LOCKED}). The blobs are deleted after the commit; a crash before
     * leaves them to the orphan sweep.
     */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<Purged> purge(Duration retention, int limit) {
        Instant now = clock.instant();
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                with purgeable as (
                  select p.id, p.blob_key from photo p
                  where p.blob_key is not null and (
                    (p.withdrawn_at is null and not exists (select 1 from work_item d where d.photo_id = p.id
                        and d.kind = 'PACS_DELIVERY' and (d.status <> 'DONE' or d.done_at > :cutoff)))
                    or (p.withdrawn_at is not null and not exists (select 1 from work_item w where w.photo_id = p.id
                        and w.kind = 'PACS_WITHDRAWAL' and w.status in ('QUEUED', 'RETRYING'))))
                  limit :limit
                  for update of p skip locked)
                update photo p set blob_key = null, purged_at = :now
                from purgeable where p.id = purgeable.id
                returning p.id, purgeable.blob_key""")
                .setParameter("cutoff", now.minus(retention)).setParameter("now", now)
                .setParameter("limit", limit)
                .unwrap(org.hibernate.query.NativeQuery.class)
                .addScalar("id", UUID.class).addScalar("blob_key", String.class)
                .getResultList();
        return rows.stream().map(row -> new Purged((UUID) row[0], (String) row[1])).toList();
    }

    @Transactional
    public boolean isBlobReferenced(String blobKey) {
        return count("blobKey = ?1", blobKey) > 0;
    }

    /** Ids of photos that still hold local bytes, in id order after {@code after}: the re-encryption job's pages. */
    @Transactional
    public List<UUID> withBlobsAfter(Optional<UUID> after, int limit) {
        var query = after.isPresent()
                ? find("blobKey is not null and id > ?1 order by id", after.get())
                : find("blobKey is not null order by id");
        return query.page(0, limit).list().stream().map(p -> p.id).toList();
    }

    /** How many photos still hold local bytes. */
    @Transactional
    public long countWithBlobs() {
        return count("blobKey is not null");
    }

    /**
     * A photo locked for the caller's transaction (the purge leaves it alone meanwhile), if it still holds bytes.
     * Must be called inside a transaction.
     */
    public Optional<PhotoRecord> lockedWithBlob(UUID id) {
        PhotoRecord photo = findById(id, LockModeType.PESSIMISTIC_WRITE);
        return photo == null || photo.blobKey == null ? Optional.empty() : Optional.of(photo);
    }
}
