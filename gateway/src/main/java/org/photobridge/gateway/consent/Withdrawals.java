package org.photobridge.gateway.consent;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.photobridge.fhir.BusinessIdentifier;
import org.photobridge.fhir.audit.AuditAction;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.ehr.EhrOutbox;
import org.photobridge.gateway.persistence.DeliveryRecord;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.WithdrawalRecord;
import org.photobridge.gateway.routing.RoutingConfig;

/**
 * Takes a photo out of use when the consent covering its clinical use is withdrawn: marks it
 * WITHDRAWN (no longer served or exported), cancels deliveries not yet made, queues each PACS
 * destination's configured withdrawal action, queues the ImagingStudy update for the EHR, and
 * audits it, all in the transaction of the consent change.
 */
@ApplicationScoped
public class Withdrawals {

    @Inject
    Session session;

    @Inject
    Clock clock;

    @Inject
    RoutingConfig routing;

    @Inject
    AuditLog audit;

    @Inject
    EhrOutbox ehr;

    @Inject
    UidGenerator uids;

    /**
     * A delivery that was under way when the photo was withdrawn has reached its PACS after all:
     * queue that destination's withdrawal action, which was first closed as "never delivered".
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void reopenAfterLateDelivery(UUID photoId, String destination) {
        WithdrawalRecord row = session.createSelectionQuery(
                "from WithdrawalRecord where photoId = :p and destination = :d", WithdrawalRecord.class)
                .setParameter("p", photoId).setParameter("d", destination).uniqueResultOptional().orElse(null);
        if (row == null) {
            session.persist(queued(newWithdrawal(photoId, destination)));
        } else if (row.status == WithdrawalRecord.Status.DONE && !"none".equals(row.action)) {
            queued(row);
        }
    }

    private WithdrawalRecord newWithdrawal(UUID photoId, String destination) {
        var now = clock.instant();
        var row = new WithdrawalRecord();
        row.id = UUID.randomUUID();
        row.photoId = photoId;
        row.destination = destination;
        row.action = routing.destinations().containsKey(destination)
                ? routing.destinations().get(destination).withdrawalAction() : "none";
        row.updatedAt = now;
        row.requestedAt = now;
        if ("reject".equals(row.action)) {
            row.noteSeriesUid = uids.next();
            row.noteSopUid = uids.next();
        }
        return row;
    }

    private WithdrawalRecord queued(WithdrawalRecord row) {
        row.status = "none".equals(row.action) ? WithdrawalRecord.Status.DONE : WithdrawalRecord.Status.QUEUED;
        row.doneAt = "none".equals(row.action) ? clock.instant() : null;
        row.lastError = null;
        row.attempts = 0;
        row.nextAttemptAt = null;
        row.updatedAt = clock.instant();
        return row;
    }

    @Transactional
    public void withdraw(PhotoRecord photo, EncounterStudy study, AuditLog.Agent agent, String reason) {
        var now = clock.instant();
        photo.withdrawnAt = now;
        // Locked: the outbox records a delivery's outcome under the same lock (see Outbox.record).
        List<DeliveryRecord> deliveries = session.createSelectionQuery(
                "from DeliveryRecord where photoId = :p", DeliveryRecord.class).setParameter("p", photo.id)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList();
        for (DeliveryRecord delivery : deliveries) {
            var row = newWithdrawal(photo.id, delivery.destination);
            if (delivery.status != DeliveryRecord.Status.STORED) {
                // Never reached this PACS: stop trying, and there is nothing to take back there.
                delivery.status = DeliveryRecord.Status.FAILED;
                delivery.lastError = "not sent: consent was withdrawn before delivery";
                delivery.nextAttemptAt = null;
                row.status = WithdrawalRecord.Status.DONE;
                row.lastError = "never delivered to this destination";
                row.doneAt = now;
            } else if ("none".equals(row.action)) {
                row.status = WithdrawalRecord.Status.DONE;
                row.doneAt = now;
            } else {
                row.status = WithdrawalRecord.Status.QUEUED;
            }
            session.persist(row);
        }
        audit.record(AuditAction.PHOTO_WITHDRAWN, true, agent,
                Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue)),
                List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid), reason);
        ehr.enqueue(EhrOutbox.IMAGING_STUDY, study.id.toString());
    }
}
