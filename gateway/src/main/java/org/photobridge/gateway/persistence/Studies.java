package org.photobridge.gateway.persistence;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.photobridge.gateway.dicom.PhotoInstance.Identifier;
import org.photobridge.gateway.dicom.UidGenerator;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/**
 * Finds or creates the study of a patient's encounter and the series of a department and body site
 * within it, and hands out Instance Numbers. Creation races between requests or replicas are
 * settled by upserts ({@code INSERT ... ON CONFLICT DO NOTHING}, then read) on the unique keys.
 */
@ApplicationScoped
public class Studies implements PanacheRepositoryBase<EncounterStudy, UUID> {

    @Inject
    StudySeriesRows seriesRows;

    @Inject
    Clock clock;

    /** A slot for a new photo: its study, series and Instance Number. */
    public record Slot(EncounterStudy study, StudySeries series, int instanceNumber) {
    }

    public Optional<EncounterStudy> find(Identifier patient, Identifier encounter) {
        return find("patientSystem = ?1 and patientValue = ?2 and encounterSystem = ?3 and encounterValue = ?4",
                patient.system(), patient.value(), encounter.system(), encounter.value()).singleResultOptional();
    }

    /** Reserves an Instance Number in the right series, creating study and series as needed. */
    public Slot reserve(Identifier patient, Identifier encounter, String department, String bodySiteCode,
            UidGenerator uids) {
        return reserveOnce(patient, encounter, department, bodySiteCode, uids);
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Slot reserveOnce(Identifier patient, Identifier encounter, String department, String bodySiteCode,
            UidGenerator uids) {
        EncounterStudy study = find(patient, encounter).orElseGet(() -> {
            insertStudyUnlessPresent(patient, encounter, uids.next());
            return find(patient, encounter).orElseThrow();
        });
        StudySeries series = seriesRows.of(study.id, department, bodySiteCode).orElseGet(() -> {
            insertSeriesUnlessPresent(study.id, department, bodySiteCode, uids.next());
            return seriesRows.of(study.id, department, bodySiteCode).orElseThrow();
        });
        return new Slot(study, series, seriesRows.countPhoto(series));
    }

    /**
     * Creates the encounter's study unless another request (or replica) has: {@code ON CONFLICT DO
     * NOTHING} waits for a concurrent creator to commit and then leaves its row, which the next read
     * (a new snapshot under READ COMMITTED) finds. No unique-key violation, so nothing logs the
     * patient's identifiers.
     */
    private void insertStudyUnlessPresent(Identifier patient, Identifier encounter, String studyInstanceUid) {
        getEntityManager().createNativeQuery("""
                insert into encounter_study (id, patient_system, patient_value, encounter_system, encounter_value,
                    study_instance_uid, created_at)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                on conflict (patient_system, patient_value, encounter_system, encounter_value) do nothing""")
                .setParameter(1, UUID.randomUUID()).setParameter(2, patient.system())
                .setParameter(3, patient.value()).setParameter(4, encounter.system())
                .setParameter(5, encounter.value()).setParameter(6, studyInstanceUid)
                .setParameter(7, clock.instant()).executeUpdate();
    }

    /** Creates the department's and body site's series in a study unless present, numbered after the highest. */
    private void insertSeriesUnlessPresent(UUID studyId, String department, String bodySiteCode,
            String seriesInstanceUid) {
        getEntityManager().createNativeQuery("""
                insert into study_series (id, study_id, department, body_site_code, series_instance_uid,
                    series_number, instance_count)
                select ?1, ?2, ?3, ?4, ?5, coalesce(max(series_number), 0) + 1, 0
                from study_series where study_id = ?2
                on conflict (study_id, department, body_site_code) do nothing""")
                .setParameter(1, UUID.randomUUID()).setParameter(2, studyId).setParameter(3, department)
                .setParameter(4, bodySiteCode).setParameter(5, seriesInstanceUid).executeUpdate();
    }
}
