package org.photobridge.gateway.persistence;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Every query of the series within encounters' studies (table study_series). Callers bring the transaction. */
@ApplicationScoped
public class StudySeriesRows implements PanacheRepositoryBase<StudySeries, UUID> {

    /** The series of a department and body site in a study. */
    public Optional<StudySeries> of(UUID studyId, String department, String bodySiteCode) {
        return find("studyId = ?1 and department = ?2 and bodySiteCode = ?3", studyId, department, bodySiteCode)
                .singleResultOptional();
    }

    /** The series of one study, by Series Number. */
    public List<StudySeries> ofStudy(UUID studyId) {
        return list("studyId = ?1 order by seriesNumber", studyId);
    }

    /** The series of these studies, by study and Series Number. */
    public List<StudySeries> ofStudies(Collection<UUID> studyIds) {
        return studyIds.isEmpty() ? List.of() : list("studyId in ?1 order by studyId, seriesNumber", studyIds);
    }
}
