package org.photobridge.gateway.consent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.persistence.WorkItems;
import org.photobridge.gateway.routing.WithdrawalActions;

/**
 * Takes a photo out of use when the consent covering its clinical use is withdrawn: marks it
 * WITHDRAWN (no longer served or exported), closes deliveries not yet made, queues each PACS
 * destination's configured withdrawal action, asks for the ImagingStudy to be published to the EHR
 * again, and audits it, all in the transaction of the consent change.
 */
@ApplicationScoped
public class Withdrawals {

    @Inject
    java.time.Clock clock;

    @Inject
    AuditLog audit;

    @Inject
    WorkItems items;

    @Inject
    WorkQueue queue;


    @Inject
    WithdrawalActions actions;

    /**
     * Withdraws one photo and returns its audit entry, which the caller records once it has locked
     * everything else it needs: the audit chain's head is locked last in a transaction, as a delivery's
     * outcome (its work item, then the head) does; the other order deadlocked with it.
     */
    @Transactional
    public Runnable withdraw(PhotoRecord photo, EncounterStudy study, AuditLog.Agent agent, String reason) {
        Instant now = clock.instant();
        photo.withdrawnAt = now;
        // Locked: a delivery's outcome is recorded under the same lock (PacsDeliveryHandler.settle).
        for (WorkItem delivery : items.deliveriesLocked(photo.id)) {
            WorkItem withdrawal = actions.newWithdrawal(photo.id, delivery.destination, now);
            if (delivery.status != WorkItem.Status.DONE) {
                // Never reached this PACS: stop trying (an attempt under way is taken back if it lands),
                // and there is nothing to take back there.
                if (delivery.leaseToken == null) {
                    delivery.closeFailed(now, "not sent: consent was withdrawn before delivery");
                }
                withdrawal.closeDone(now, "never delivered to this destination");
            }
            queue.enqueue(withdrawal);
        }
        // The queue wakes a worker once this transaction has committed.
        queue.requestPublication(WorkQueue.IMAGING_STUDY, study.id.toString());
        return () -> audit.record(AuditAction.PHOTO_WITHDRAWN, true, agent,
                Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue)),
                List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid), reason);
    }
}
