package org.photobridge.gateway.persistence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.hibernate.Session;

/** Queries over photos and their deliveries. */
@ApplicationScoped
public class Photos {

    @Inject
    Session session;

    @Inject
    WorkItems workItems;

    @Inject
    Clock clock;

    @Transactional
    public Optional<PhotoRecord> find(UUID id) {
        return Optional.ofNullable(session.find(PhotoRecord.class, id));
    }

    /** The photos of a study made from these source bytes (one per department at most). */
    @Transactional
    public List<PhotoRecord> findBySource(UUID studyId, String sha256) {
        return session.createSelectionQuery("from PhotoRecord where studyId = :s and sourceSha256 = :h"
                + " order by createdAt", PhotoRecord.class).setParameter("s", studyId).setParameter("h", sha256)
                .getResultList();
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
        return session.find(EncounterStudy.class, studyId);
    }

    @Transactional
    public StudySeries series(UUID seriesId) {
        return session.find(StudySeries.class, seriesId);
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
        var query = session.createSelectionQuery(hql, PhotoRecord.class)
                .setParameter("ps", patientSystem).setParameter("pv", patientValue);
        if (encounterSystem.isPresent()) {
            query.setParameter("es", encounterSystem.get()).setParameter("ev", encounterValue.orElseThrow());
        }
        return query.setMaxResults(limit).getResultList();
    }

    /** Every access tag of every photo the gateway holds of a patient (withdrawn ones included). */
    @Transactional
    public Set<String> accessTagsOfPatient(String patientSystem, String patientValue) {
        var tags = new TreeSet<String>();
        session.createSelectionQuery("""
                select p.accessTags from PhotoRecord p, EncounterStudy s where p.studyId = s.id
                and s.patientSystem = :ps and s.patientValue = :pv""", String.class)
                .setParameter("ps", patientSystem).setParameter("pv", patientValue).getResultList()
                .forEach(list -> tags.addAll(Arrays.asList(list.split(","))));
        tags.remove("");
        return tags;
    }

    /** Commits a new photo and its delivery work in one transaction. */
    @Transactional
    public void insert(PhotoRecord photo, List<WorkItem> deliveries) {
        session.persist(photo);
        deliveries.forEach(session::persist);
        session.flush();
    }

    /**
     * Photos still holding bytes that no longer need them: every delivery done and the retention
     * passed, or withdrawn with no withdrawal action left that might need the bytes.
     */
    @Transactional
    public List<PhotoRecord> purgeable(Duration retention, int limit) {
        Instant cutoff = clock.instant().minus(retention);
        return session.createSelectionQuery("""
                select p from PhotoRecord p where p.blobKey is not null and (
                  (p.withdrawnAt is null and not exists (select 1 from WorkItem d where d.photoId = p.id
                                  and d.kind = :delivery and (d.status <> :done or d.doneAt > :cutoff)))
                  or (p.withdrawnAt is not null and not exists (select 1 from WorkItem w
                                  where w.photoId = p.id and w.kind = :withdrawal and w.status in (:q, :r))))""",
                PhotoRecord.class)
                .setParameter("delivery", WorkItem.Kind.PACS_DELIVERY)
                .setParameter("withdrawal", WorkItem.Kind.PACS_WITHDRAWAL)
                .setParameter("done", WorkItem.Status.DONE).setParameter("cutoff", cutoff)
                .setParameter("q", WorkItem.Status.QUEUED).setParameter("r", WorkItem.Status.RETRYING)
                .setMaxResults(limit).getResultList();
    }

    /** Marks a photo's bytes as purged; returns the blob key to delete, if it still had one. */
    @Transactional
    public Optional<String> markPurged(UUID photoId) {
        PhotoRecord photo = session.find(PhotoRecord.class, photoId, LockModeType.PESSIMISTIC_WRITE);
        String key = photo.blobKey;
        photo.blobKey = null;
        if (key != null) {
            photo.purgedAt = clock.instant();
        }
        return Optional.ofNullable(key);
    }

    @Transactional
    public boolean isBlobReferenced(String blobKey) {
        return session.createSelectionQuery("select count(p) from PhotoRecord p where p.blobKey = :k", Long.class)
                .setParameter("k", blobKey).getSingleResult() > 0;
    }
}
