package org.photobridge.gateway.persistence;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import org.photobridge.gateway.dicom.PhotoInstance.Identifier;
import org.photobridge.gateway.dicom.UidGenerator;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/**
 * Finds or creates the study of a patient's encounter and the series of a department and body site
 * within it, and hands out Instance Numbers. Creation races between requests or replicas are
 * settled by the database's unique constraints.
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
        for (int attempt = 0;; attempt++) {
            try {
                return reserveOnce(patient, encounter, department, bodySiteCode, uids);
            } catch (PersistenceException e) {
                // Another request created the same study or series first; the retry finds it.
                if (attempt >= 2) {
                    throw e;
                }
            }
        }
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    Slot reserveOnce(Identifier patient, Identifier encounter, String department, String bodySiteCode,
            UidGenerator uids) {
        EncounterStudy study = find(patient, encounter).orElseGet(() -> {
            var created = new EncounterStudy();
            created.id = UUID.randomUUID();
            created.patientSystem = patient.system();
            created.patientValue = patient.value();
            created.encounterSystem = encounter.system();
            created.encounterValue = encounter.value();
            created.studyInstanceUid = uids.next();
            created.createdAt = clock.instant();
            persistAndFlush(created);
            return created;
        });
        StudySeries series = seriesRows.of(study.id, department, bodySiteCode).orElseGet(() -> {
            Optional<Integer> highest = seriesRows.highestNumber(study.id);
            var created = new StudySeries();
            created.id = UUID.randomUUID();
            created.studyId = study.id;
            created.department = department;
            created.bodySiteCode = bodySiteCode;
            created.seriesInstanceUid = uids.next();
            created.seriesNumber = highest.map(n -> n + 1).orElse(1);
            created.instanceCount = 0;
            seriesRows.persistAndFlush(created);
            return created;
        });
        return new Slot(study, series, seriesRows.countPhoto(series));
    }
}
