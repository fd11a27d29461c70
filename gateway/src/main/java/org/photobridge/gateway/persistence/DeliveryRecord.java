package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The outbox row for one photo and one destination. */
@Entity
@Table(name = "delivery")
public class DeliveryRecord {

    /** Where a delivery stands. */
    public enum Status {
        /** Waiting for its first or next attempt. */
        QUEUED,
        /** An attempt failed in a way worth retrying; next_attempt_at says when. */
        RETRYING,
        /** The destination confirmed storage. */
        STORED,
        /** Parked: the destination refused for good or retries ran out; an admin may retry. */
        FAILED
    }

    @Id
    public UUID id;
    @Column(name = "photo_id")
    public UUID photoId;
    public String destination;
    @Enumerated(EnumType.STRING)
    public Status status;
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "lease_owner")
    public String leaseOwner;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "stored_at")
    public Instant storedAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
