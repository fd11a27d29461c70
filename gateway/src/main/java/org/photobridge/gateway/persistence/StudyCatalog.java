package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;

/**
 * Studies, their series and their photos as DICOM query/retrieve looks them up: by patient
 * identifier, Study Instance UID and study date. Who may see what is not decided here.
 */
@ApplicationScoped
public class StudyCatalog {

    @Inject
    Session session;

    /**
     * What to look up. Every present criterion must hold; an empty list or empty optional does not
     * restrict.
     *
     * @param patientValue      the patient identifier's value (an exact MRN)
     * @param patientSystems    the identifier's system, any of these (empty: any system)
     * @param studyInstanceUids any of these studies
     * @param createdFrom       studies made at or after this instant
     * @param createdBefore     studies made before this instant
     */
    public record Criteria(Optional<String> patientValue, List<String> patientSystems, List<String> studyInstanceUids,
            Optional<Instant> createdFrom, Optional<Instant> createdBefore) {
        public Criteria {
            patientSystems = List.copyOf(patientSystems);
            studyInstanceUids = List.copyOf(studyInstanceUids);
        }
    }

    /** Studies that meet the criteria, newest first, at most {@code max}. */
    @Transactional
    public List<EncounterStudy> studies(Criteria criteria, int max) {
        var where = new ArrayList<String>();
        criteria.patientValue().ifPresent(v -> where.add("s.patientValue = :pv"));
        if (!criteria.patientSystems().isEmpty()) {
            where.add("s.patientSystem in (:ps)");
        }
        if (!criteria.studyInstanceUids().isEmpty()) {
            where.add("s.studyInstanceUid in (:uids)");
        }
        criteria.createdFrom().ifPresent(f -> where.add("s.createdAt >= :from"));
        criteria.createdBefore().ifPresent(b -> where.add("s.createdAt < :before"));
        var query = session.createSelectionQuery("select s from EncounterStudy s"
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " order by s.createdAt desc, s.studyInstanceUid", EncounterStudy.class);
        criteria.patientValue().ifPresent(v -> query.setParameter("pv", v));
        if (!criteria.patientSystems().isEmpty()) {
            query.setParameterList("ps", criteria.patientSystems());
        }
        if (!criteria.studyInstanceUids().isEmpty()) {
            query.setParameterList("uids", criteria.studyInstanceUids());
        }
        criteria.createdFrom().ifPresent(f -> query.setParameter("from", f));
        criteria.createdBefore().ifPresent(b -> query.setParameter("before", b));
        return query.setMaxResults(max).getResultList();
    }

    /** The series of these studies, by study and Series Number. */
    @Transactional
    public List<StudySeries> series(Collection<UUID> studyIds) {
        if (studyIds.isEmpty()) {
            return List.of();
        }
        return session.createSelectionQuery("from StudySeries where studyId in (:ids) order by studyId, seriesNumber",
                StudySeries.class).setParameterList("ids", studyIds).getResultList();
    }

    /** Every photo of these studies, withdrawn ones included, by series and Instance Number. */
    @Transactional
    public List<PhotoRecord> photos(Collection<UUID> studyIds) {
        if (studyIds.isEmpty()) {
            return List.of();
        }
        return session.createSelectionQuery("from PhotoRecord where studyId in (:ids)"
                + " order by seriesId, instanceNumber", PhotoRecord.class).setParameterList("ids", studyIds)
                .getResultList();
    }

    /** The study with this Study Instance UID. */
    @Transactional
    public Optional<EncounterStudy> study(String studyInstanceUid) {
        return session.createSelectionQuery("from EncounterStudy where studyInstanceUid = :uid", EncounterStudy.class)
                .setParameter("uid", studyInstanceUid).uniqueResultOptional();
    }
}
