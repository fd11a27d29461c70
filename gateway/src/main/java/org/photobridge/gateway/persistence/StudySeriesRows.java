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

    /** The highest Series Number in a study, if it has a series. */
    public Optional<Integer> highestNumber(UUID studyId) {
        return Optional.ofNullable(find("select max(seriesNumber) from StudySeries where studyId = ?1", studyId)
                .project(Integer.class).singleResult());
    }

    /**
     * Counts one more photo in the series and returns the count, which is the new photo's Instance
     * Number. An atomic increment, so concurrent uploads to one series get distinct numbers.
     */
    public int countPhoto(StudySeries series) {
        update("instanceCount = instanceCount + 1 where id = ?1", series.id);
        getSession().refresh(series);
        return series.instanceCount;
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
