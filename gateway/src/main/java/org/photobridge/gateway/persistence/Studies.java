package org.photobridge.gateway.persistence;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.query.NativeQuery;
import org.photobridge.gateway.dicom.PhotoInstance.Identifier;
import org.photobridge.gateway.dicom.UidGenerator;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/**
 * Finds or creates the study of a patient's encounter and the series of a department and body site
 * within it, and hands out Instance Numbers. Once both exist, a reservation is one statement (an
 * {@code UPDATE ... RETURNING} of the series' count joined with its study). Creation races between
 * requests or replicas are settled by upserts ({@code INSERT ... ON CONFLICT DO NOTHING}, then read)
 * on the unique keys.
 */
@ApplicationScoped
public class Studies implements PanacheRepositoryBase<EncounterStudy, UUID> {

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
        Optional<Slot> slot = countPhoto(patient, encounter, department, bodySiteCode);
        if (slot.isPresent()) {
            return slot.get();
        }
        // The encounter's first photo of this department and body site: study and series made first.
        EncounterStudy study = find(patient, encounter).orElseGet(() -> {
            insertStudyUnlessPresent(patient, encounter, uids.next());
            return find(patient, encounter).orElseThrow();
        });
        insertSeriesUnlessPresent(study.id, department, bodySiteCode, uids.next());
        return countPhoto(patient, encounter, department, bodySiteCode).orElseThrow();
    }

    /**
     * Counts one more photo in the series of this encounter, department and body site, if it exists,
     * and returns the slot: the count after the increment is the photo's Instance Number. One atomic
     * statement (the row stays locked until the transaction ends), so concurrent uploads to one series
     * get distinct numbers.
     */
    @SuppressWarnings("unchecked")
    private Optional<Slot> countPhoto(Identifier patient, Identifier encounter, String department,
            String bodySiteCode) {
        List<Object[]> rows = getEntityManager().createNativeQuery("""
                update study_series s set instance_count = s.instance_count + 1
                from encounter_study e
                where s.study_id = e.id
                  and e.patient_system = ?1 and e.patient_value = ?2
                  and e.encounter_system = ?3 and e.encounter_value = ?4
                  and s.department = ?5 and s.body_site_code = ?6
                returning e.id as study_id, e.study_instance_uid, e.created_at, s.id as series_id,
                  s.series_instance_uid, s.series_number, s.instance_count""")
                .setParameter(1, patient.system()).setParameter(2, patient.value())
                .setParameter(3, encounter.system()).setParameter(4, encounter.value())
                .setParameter(5, department).setParameter(6, bodySiteCode)
                .unwrap(NativeQuery.class)
                .addScalar("study_id", UUID.class).addScalar("study_instance_uid", String.class)
                .addScalar("created_at", Instant.class).addScalar("series_id", UUID.class)
                .addScalar("series_instance_uid", String.class).addScalar("series_number", Integer.class)
                .addScalar("instance_count", Integer.class)
                .getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = rows.get(0);
        var study = new EncounterStudy();
        study.id = (UUID) row[0];
        study.patientSystem = patient.system();
        study.patientValue = patient.value();
        study.encounterSystem = encounter.system();
        study.encounterValue = encounter.value();
        study.studyInstanceUid = (String) row[1];
        study.createdAt = (Instant) row[2];
        var series = new StudySeries();
        series.id = (UUID) row[3];
        series.studyId = study.id;
        series.department = department;
        series.bodySiteCode = bodySiteCode;
        series.seriesInstanceUid = (String) row[4];
        series.seriesNumber = (Integer) row[5];
        series.instanceCount = (Integer) row[6];
        return Optional.of(new Slot(study, series, series.instanceCount));
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
