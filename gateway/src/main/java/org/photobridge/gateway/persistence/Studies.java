package org.photobridge.gateway.persistence;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.photobridge.gateway.dicom.PhotoInstance.Identifier;
import org.photobridge.gateway.dicom.UidGenerator;

/**
 * Finds or creates the study of a patient's encounter and the series of a department and body site
 * within it, and hands out Instance Numbers. Creation races between requests or replicas are
 * settled by the database's unique constraints.
 */
@ApplicationScoped
public class Studies {

    @Inject
    Session session;

    @Inject
    Clock clock;

    /** A slot for a new photo: its study, series and Instance Number. */
    public record Slot(EncounterStudy study, StudySeries series, int instanceNumber) {
    }

    public Optional<EncounterStudy> find(Identifier patient, Identifier encounter) {
        return session.createSelectionQuery("""
                from EncounterStudy where patientSystem = :ps and patientValue = :pv
                and encounterSystem = :es and encounterValue = :ev""", EncounterStudy.class)
                .setParameter("ps", patient.system()).setParameter("pv", patient.value())
                .setParameter("es", encounter.system()).setParameter("ev", encounter.value())
                .uniqueResultOptional();
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
            session.persist(created);
            session.flush();
            return created;
        });
        StudySeries series = session.createSelectionQuery(
                "from StudySeries where studyId = :s and department = :d and bodySiteCode = :b", StudySeries.class)
                .setParameter("s", study.id).setParameter("d", department).setParameter("b", bodySiteCode)
                .uniqueResultOptional().orElseGet(() -> {
                    Integer highest = session.createSelectionQuery(
                            "select max(seriesNumber) from StudySeries where studyId = :s", Integer.class)
                            .setParameter("s", study.id).getSingleResult();
                    var created = new StudySeries();
                    created.id = UUID.randomUUID();
                    created.studyId = study.id;
                    created.department = department;
                    created.bodySiteCode = bodySiteCode;
                    created.seriesInstanceUid = uids.next();
                    created.seriesNumber = highest == null ? 1 : highest + 1;
                    created.instanceCount = 0;
                    session.persist(created);
                    session.flush();
                    return created;
                });
        // An atomic increment, so concurrent uploads to one series get distinct numbers.
        session.createMutationQuery("update StudySeries set instanceCount = instanceCount + 1 where id = :id")
                .setParameter("id", series.id).executeUpdate();
        session.refresh(series);
        return new Slot(study, series, series.instanceCount);
    }
}
