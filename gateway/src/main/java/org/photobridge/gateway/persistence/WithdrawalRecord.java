package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** What one destination was asked to do about one withdrawn photo, retried like a delivery. */
@Entity
@Table(name = "withdrawal")
public class WithdrawalRecord {

    /** Where a withdrawal stands. */
    public enum Status {
        QUEUED, RETRYING, DONE, FAILED
    }

    @Id
    public UUID id;
    @Column(name = "photo_id")
    public UUID photoId;
    public String destination;
    /** reject, delete or none. */
    public String action;
    @Enumerated(EnumType.STRING)
    public Status status;
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "done_at")
    public Instant doneAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "requested_at")
    public Instant requestedAt;
    @Column(name = "note_series_uid")
    public String noteSeriesUid;
    @Column(name = "note_sop_uid")
    public String noteSopUid;
}
