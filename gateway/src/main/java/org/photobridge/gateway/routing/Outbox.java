package org.photobridge.gateway.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.photobridge.gateway.consent.Withdrawals;
import org.photobridge.gateway.ehr.EhrOutbox;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.DeliveryRecord;
import org.photobridge.gateway.persistence.DeliveryRecord.Status;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.WithdrawalRecord;

/**
 * The durable outbox in the database: which deliveries are due, who is working on them (a lease,
 * so replicas sharing one database never send the same delivery at once), and their outcomes.
 */
@ApplicationScoped
public class Outbox {

    @Inject
    Session session;

    @Inject
    Clock clock;

    @Inject
    RoutingConfig config;

    @Inject
    AuditLog audit;

    @Inject
    EhrOutbox ehr;

    @Inject
    Withdrawals withdrawals;

    /** Claims up to {@code limit} due deliveries for {@code owner}; returns the claimed ones. */
    @Transactional
    public List<DeliveryRecord> claimDue(String owner, int limit) {
        Instant now = clock.instant();
        List<UUID> candidates = session.createSelectionQuery("""
                select d.id from DeliveryRecord d
                where d.status in (:queued, :retrying)
                  and (d.nextAttemptAt is null or d.nextAttemptAt <= :now)
                  and (d.leaseUntil is null or d.leaseUntil < :now)
                order by d.nextAttemptAt nulls first""", UUID.class)
                .setParameter("queued", Status.QUEUED).setParameter("retrying", Status.RETRYING)
                .setParameter("now", now).setMaxResults(limit).getResultList();
        List<DeliveryRecord> claimed = new ArrayList<>();
        Instant until = now.plus(config.routing().lease());
        for (UUID id : candidates) {
            // The condition is checked again by the update itself: of two replicas, one wins.
            int updated = session.createMutationQuery("""
                    update DeliveryRecord set leaseOwner = :owner, leaseUntil = :until
                    where id = :id and (leaseUntil is null or leaseUntil < :now)""")
                    .setParameter("owner", owner).setParameter("until", until).setParameter("id", id)
                    .setParameter("now", now).executeUpdate();
            if (updated == 1) {
                claimed.add(session.find(DeliveryRecord.class, id));
            }
        }
        return claimed;
    }

    /** Records one attempt's outcome and releases the lease. */
    @Transactional
    public DeliveryRecord record(UUID deliveryId, DeliveryOutcome outcome) {
        Instant now = clock.instant();
        // Locked, and the photo read after the lock: a withdrawal committed meanwhile is seen here.
        DeliveryRecord delivery = session.find(DeliveryRecord.class, deliveryId, LockModeType.PESSIMISTIC_WRITE);
        PhotoRecord withdrawnPhoto = session.find(PhotoRecord.class, delivery.photoId);
        delivery.attempts++;
        delivery.leaseOwner = null;
        delivery.leaseUntil = null;
        delivery.updatedAt = now;
        if (withdrawnPhoto.withdrawnAt != null) {
            if (outcome instanceof DeliveryOutcome.Stored) {
                // It reached the PACS while consent was being withdrawn: take it back like the others.
                delivery.status = Status.STORED;
                delivery.storedAt = now;
                delivery.lastError = null;
                withdrawals.reopenAfterLateDelivery(delivery.photoId, delivery.destination);
            } else {
                delivery.status = Status.FAILED;
                delivery.lastError = "not sent: consent was withdrawn before delivery";
            }
            delivery.nextAttemptAt = null;
            return delivery;
        }
        if (outcome instanceof DeliveryOutcome.Stored) {
            delivery.status = Status.STORED;
            delivery.storedAt = now;
            delivery.nextAttemptAt = null;
            delivery.lastError = null;
            PhotoRecord photo = session.find(PhotoRecord.class, delivery.photoId);
            EncounterStudy study = session.find(EncounterStudy.class, photo.studyId);
            audit.record(AuditAction.PHOTO_STORED, true, AuditLog.Agent.SYSTEM,
                    Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue)),
                    List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid),
                    "stored at destination " + delivery.destination);
            ehr.enqueue(EhrOutbox.IMAGING_STUDY, study.id.toString());
        } else if (outcome instanceof DeliveryOutcome.Retry retry
                && delivery.attempts < config.routing().maxAttempts()) {
            delivery.status = Status.RETRYING;
            delivery.nextAttemptAt = now.plus(backoff(delivery.attempts));
            delivery.lastError = truncate(retry.reason());
        } else {
            delivery.status = Status.FAILED;
            delivery.nextAttemptAt = null;
            delivery.lastError = truncate(outcome instanceof DeliveryOutcome.Retry
                    ? "gave up after " + delivery.attempts + " attempts; last: " + outcome.message()
                    : outcome.message());
        }
        return delivery;
    }

    /** Releases a lease without counting an attempt (the gateway itself could not try). */
    @Transactional
    public void release(UUID deliveryId, String reason) {
        DeliveryRecord delivery = session.find(DeliveryRecord.class, deliveryId);
        delivery.leaseOwner = null;
        delivery.leaseUntil = null;
        delivery.lastError = truncate(reason);
        delivery.nextAttemptAt = clock.instant().plus(config.routing().initialBackoff());
        delivery.status = delivery.status == Status.QUEUED ? Status.QUEUED : Status.RETRYING;
        delivery.updatedAt = clock.instant();
    }

    /**
     * Releases every lease held under {@code owner}: called at start-up, when no delivery can be in
     * flight under this instance's name, so work interrupted by a crash resumes at once.
     */
    @Transactional
    public int releaseLeasesOf(String owner) {
        return session.createMutationQuery(
                "update DeliveryRecord set leaseOwner = null, leaseUntil = null where leaseOwner = :owner")
                .setParameter("owner", owner).executeUpdate();
    }

    /** Puts a photo's FAILED deliveries back in the queue; returns how many. */
    @Transactional
    public int requeueFailed(UUID photoId) {
        return session.createMutationQuery("""
                update DeliveryRecord set status = :queued, attempts = 0, nextAttemptAt = null,
                  leaseOwner = null, leaseUntil = null, updatedAt = :now
                where photoId = :photo and status = :failed""")
                .setParameter("queued", Status.QUEUED).setParameter("failed", Status.FAILED)
                .setParameter("photo", photoId).setParameter("now", clock.instant()).executeUpdate();
    }

    /**
     * Photos still holding bytes that no longer need them: every delivery stored and the retention
     * passed, or withdrawn with no withdrawal action left that might need the bytes.
     */
    @Transactional
    public List<PhotoRecord> purgeable(Duration retention, int limit) {
        Instant cutoff = clock.instant().minus(retention);
        return session.createSelectionQuery("""
                select p from PhotoRecord p where p.blobKey is not null and (
                  (p.withdrawnAt is null and not exists (select 1 from DeliveryRecord d where d.photoId = p.id
                                  and (d.status <> :stored or d.storedAt > :cutoff)))
                  or (p.withdrawnAt is not null and not exists (select 1 from WithdrawalRecord w
                                  where w.photoId = p.id and w.status in (:wq, :wr))))""", PhotoRecord.class)
                .setParameter("stored", Status.STORED).setParameter("cutoff", cutoff)
                .setParameter("wq", WithdrawalRecord.Status.QUEUED).setParameter("wr", WithdrawalRecord.Status.RETRYING)
                .setMaxResults(limit).getResultList();
    }

    /** Marks a photo's bytes as purged; returns the blob key to delete, if it still had one. */
    @Transactional
    public String markPurged(UUID photoId) {
        PhotoRecord photo = session.find(PhotoRecord.class, photoId);
        String key = photo.blobKey;
        photo.blobKey = null;
        photo.purgedAt = clock.instant();
        return key;
    }

    @Transactional
    public boolean isReferenced(String blobKey) {
        return session.createSelectionQuery("select count(p) from PhotoRecord p where p.blobKey = :k", Long.class)
                .setParameter("k", blobKey).getSingleResult() > 0;
    }

    public Duration backoff(int attempts) {
        Duration initial = config.routing().initialBackoff();
        Duration max = config.routing().maxBackoff();
        int shift = Math.min(attempts - 1, 30);
        Duration wait = initial.multipliedBy(1L << shift);
        return wait.compareTo(max) > 0 || wait.isNegative() ? max : wait;
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 997) + "...";
    }
}
