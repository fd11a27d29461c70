package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * Studies, their series and their photos as DICOM query/retrieve looks them up: by patient
 * identifier, Study Instance UID and study date. Who may see what is not decided here.
 */
@ApplicationScoped
public class StudyCatalog {

    @Inject
    Studies studies;

    @Inject
    StudySeriesRows seriesRows;

    @Inject
    Photos photos;

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
        Map<String, Object> parameters = new HashMap<>();
        criteria.patientValue().ifPresent(v -> {
            where.add("s.patientValue = :pv");
            parameters.put("pv", v);
        });
        if (!criteria.patientSystems().isEmpty()) {
            where.add("s.patientSystem in (:ps)");
            parameters.put("ps", criteria.patientSystems());
        }
        if (!criteria.studyInstanceUids().isEmpty()) {
            where.add("s.studyInstanceUid in (:uids)");
            parameters.put("uids", criteria.studyInstanceUids());
        }
        criteria.createdFrom().ifPresent(f -> {
            where.add("s.createdAt >= :from");
            parameters.put("from", f);
        });
        criteria.createdBefore().ifPresent(b -> {
            where.add("s.createdAt < :before");
            parameters.put("before", b);
        });
        return studies.find("select s from EncounterStudy s"
                + (where.isEmpty() ? "" : " where " + String.join(" and ", where))
                + " order by s.createdAt desc, s.studyInstanceUid", parameters).page(0, max).list();
    }

    /** The series of these studies, by study and Series Number. */
    @Transactional
    public List<StudySeries> series(Collection<UUID> studyIds) {
        return seriesRows.ofStudies(studyIds);
    }

    /** Every photo of these studies, withdrawn ones included, by series and Instance Number. */
    @Transactional
    public List<PhotoRecord> photos(Collection<UUID> studyIds) {
        return photos.ofStudies(studyIds);
    }

    /** The study with this Study Instance UID. */
    @Transactional
    public Optional<EncounterStudy> study(String studyInstanceUid) {
        return studies.find("studyInstanceUid = ?1", studyInstanceUid).singleResultOptional();
    }
}
