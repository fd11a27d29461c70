package org.photobridge.gateway.consent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.photobridge.fhir.StoredVersion;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.gateway.audit.AuditAgents;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;

/**
 * What a stored Consent change sets in motion, inside its transaction: the audit entry, the EHR
 * publication, and the withdrawal of every photo whose clinical use the change stopped covering.
 * Withdrawing teaching, publication or marketing alone changes no photo's status; exports check
 * those scopes when they happen.
 */
@ApplicationScoped
public class ConsentChanges {

    @Inject
    Session session;

    @Inject
    ConsentStore store;

    @Inject
    AuditLog audit;

    @Inject
    AuditAgents agents;

    @Inject
    WorkQueue work;

    @Inject
    Withdrawals withdrawals;

    @Inject
    java.time.Clock clock;

    @Transactional(Transactional.TxType.MANDATORY)
    public void changed(Optional<ConsentTerms> before, ConsentTerms after, StoredVersion stored) {
        AuditLog.Agent agent = agents.current();
        AuditAction action = before.isEmpty() ? AuditAction.CONSENT_CREATED
                : before.get().isActive() && !after.isActive() ? AuditAction.CONSENT_WITHDRAWN
                        : AuditAction.CONSENT_UPDATED;
        audit.record(action, true, agent, Optional.of(after.patient()),
                List.of("Consent/" + stored.id() + "/_history/" + stored.version()),
                "consent version " + stored.version() + " is " + after.status());
        work.requestPublication(WorkQueue.CONSENT, stored.id());

        List<ConsentTerms> now = store.termsOfPatient(after.patient());
        List<ConsentTerms> previous = new ArrayList<>();
        for (ConsentTerms terms : now) {
            if (!terms.id().equals(after.id())) {
                previous.add(terms);
            }
        }
        before.ifPresent(previous::add);

        var instant = clock.instant();
        for (Object[] row : session.createSelectionQuery("""
                select p, s from PhotoRecord p, EncounterStudy s where p.studyId = s.id
                and s.patientSystem = :ps and s.patientValue = :pv and p.withdrawnAt is null""", Object[].class)
                .setParameter("ps", after.patient().system()).setParameter("pv", after.patient().value())
                .getResultList()) {
            PhotoRecord photo = (PhotoRecord) row[0];
            EncounterStudy study = (EncounterStudy) row[1];
            var ref = Optional.of(new ConsentPolicy.PhotoRef(study.id.toString(), study.studyInstanceUid,
                    photo.sopInstanceUid));
            boolean was = ConsentPolicy.decide(previous, ConsentScope.CLINICAL_CARE, ref, instant).permitted();
            ConsentPolicy.Decision is = ConsentPolicy.decide(now, ConsentScope.CLINICAL_CARE, ref, instant);
            if (was && !is.permitted()) {
                withdrawals.withdraw(photo, study, agent, "consent for clinical care withdrawn (Consent/"
                        + stored.id() + "/_history/" + stored.version() + ")");
            }
        }
    }
}
