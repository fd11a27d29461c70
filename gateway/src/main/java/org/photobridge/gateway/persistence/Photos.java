package org.photobridge.gateway.persistence;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;

/** Queries over photos and their deliveries. */
@ApplicationScoped
public class Photos {

    @Inject
    Session session;

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
    public List<DeliveryRecord> deliveries(UUID photoId) {
        return session.createSelectionQuery("from DeliveryRecord where photoId = :p order by destination",
                DeliveryRecord.class).setParameter("p", photoId).getResultList();
    }

    @Transactional
    public List<WithdrawalRecord> withdrawals(UUID photoId) {
        return session.createSelectionQuery("from WithdrawalRecord where photoId = :p order by destination",
                WithdrawalRecord.class).setParameter("p", photoId).getResultList();
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

    /** Commits a new photo and its outbox rows in one transaction. */
    @Transactional
    public void insert(PhotoRecord photo, List<DeliveryRecord> deliveries) {
        session.persist(photo);
        deliveries.forEach(session::persist);
        session.flush();
    }
}
