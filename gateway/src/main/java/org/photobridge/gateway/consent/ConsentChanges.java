package org.photobridge.gateway.consent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.photobridge.fhir.StoredVersion;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.gateway.audit.AuditAgents;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;

/**
 * What a stored Consent change sets in motion, inside its transaction: the audit entry, the EHR
 * publication, and the withdrawal of every photo whose clinical use the change stopped covering.
 * Withdrawing teaching, publication or marketing alone changes no photo's status; exports check
 * those scopes when they happen.
 */
@ApplicationScoped
public class ConsentChanges {

    @Inject
    Photos photos;

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
        // The audit entries are recorded last: the chain's head is the last lock this transaction
        // takes, after the photos' work items (a delivery's outcome locks its item, then the head).
        List<Runnable> photoEntries = new ArrayList<>();
        for (Photos.InStudy inStudy : photos.inUseOfPatient(after.patient().system(), after.patient().value())) {
            PhotoRecord photo = inStudy.photo();
            EncounterStudy study = inStudy.study();
            var ref = Optional.of(new ConsentPolicy.PhotoRef(study.id.toString(), study.studyInstanceUid,
                    photo.sopInstanceUid));
            boolean was = ConsentPolicy.decide(previous, ConsentScope.CLINICAL_CARE, ref, instant).permitted();
            ConsentPolicy.Decision is = ConsentPolicy.decide(now, ConsentScope.CLINICAL_CARE, ref, instant);
            if (was && !is.permitted()) {
                photoEntries.add(withdrawals.withdraw(photo, study, agent,
                        "consent for clinical care withdrawn (Consent/" + stored.id() + "/_history/"
                                + stored.version() + ")"));
            }
        }
        audit.record(action, true, agent, Optional.of(after.patient()),
                List.of("Consent/" + stored.id() + "/_history/" + stored.version()),
                "consent version " + stored.version() + " is " + after.status());
        photoEntries.forEach(Runnable::run);
    }
}
