package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One piece of outbound work in the work queue: a PACS delivery, a PACS withdrawal action or an EHR
 * publication. Every kind shares the lease, the attempts and the states; the kind's own columns
 * say what to do.
 */
@Entity
@Table(name = "work_item")
public class WorkItem {

    /** What kind of work, and so which handler does it. */
    public enum Kind {
        /** Send a photo to one destination. */
        PACS_DELIVERY,
        /** Carry out one destination's withdrawal action (rejection note, delete, nothing) for a photo. */
        PACS_WITHDRAWAL,
        /** Publish the current state of a Consent or ImagingStudy to the EHR's FHIR server. */
        EHR_PUBLICATION
    }

    /** Where work stands; the same four states for every kind. */
    public enum Status {
        /** Waiting for its first attempt, or asked for again. */
        QUEUED,
        /** An attempt failed in a way worth retrying; {@code nextAttemptAt} says when. */
        RETRYING,
        /** Done: the PACS confirmed storage or the withdrawal, or the EHR took the resource. */
        DONE,
        /** Parked: refused for good, or attempts ran out; {@code lastError} says why; an admin may retry. */
        FAILED;

        public boolean pending() {
            return this == QUEUED || this == RETRYING;
        }
    }

    @Id
    public UUID id;
    @Enumerated(EnumType.STRING)
    public Kind kind;
    @Enumerated(EnumType.STRING)
    public Status status;
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "lease_owner")
    public String leaseOwner;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    @Column(name = "lease_token")
    public UUID leaseToken;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "done_at")
    public Instant doneAt;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    public int generation;

    @Column(name = "photo_id")
    public UUID photoId;
    public String destination;

    /** Withdrawal: reject, delete or none. */
    public String action;
    @Column(name = "requested_at")
    public Instant requestedAt;
    @Column(name = "note_series_uid")
    public String noteSeriesUid;
    @Column(name = "note_sop_uid")
    public String noteSopUid;

    @Column(name = "resource_type")
    public String resourceType;
    @Column(name = "resource_id")
    public String resourceId;

    /** New queued work of {@code kind}; the caller fills in the kind's own fields. */
    public static WorkItem queued(Kind kind, Instant now) {
        var item = new WorkItem();
        item.id = UUID.randomUUID();
        item.kind = kind;
        item.status = Status.QUEUED;
        item.createdAt = now;
        item.updatedAt = now;
        return item;
    }

    public static WorkItem delivery(UUID photoId, String destination, Instant now) {
        WorkItem item = queued(Kind.PACS_DELIVERY, now);
        item.photoId = photoId;
        item.destination = destination;
        return item;
    }

    /** Closes the item as done without an attempt (nothing to do at this destination). */
    public void closeDone(Instant now, String note) {
        status = Status.DONE;
        doneAt = now;
        nextAttemptAt = null;
        lastError = note;
        updatedAt = now;
    }

    /** Parks the item without an attempt. */
    public void closeFailed(Instant now, String reason) {
        status = Status.FAILED;
        nextAttemptAt = null;
        lastError = reason;
        updatedAt = now;
    }

    /** Puts the item back in the queue as new work (an admin retry, or the same work asked for again). */
    public void requeue(Instant now) {
        status = Status.QUEUED;
        attempts = 0;
        nextAttemptAt = null;
        lastError = null;
        doneAt = null;
        generation++;
        updatedAt = now;
    }
}
