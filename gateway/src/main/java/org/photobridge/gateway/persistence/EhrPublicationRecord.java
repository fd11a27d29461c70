package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A resource (Consent or ImagingStudy) that must be published, again, to the EHR's FHIR server. */
@Entity
@Table(name = "ehr_publication")
public class EhrPublicationRecord {

    /** Where a publication stands. */
    public enum Status {
        QUEUED, RETRYING, DONE, FAILED
    }

    @Id
    public UUID id;
    @Column(name = "resource_type")
    public String resourceType;
    @Column(name = "resource_id")
    public String resourceId;
    @Enumerated(EnumType.STRING)
    public Status status;
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "updated_at")
    public Instant updatedAt;
}
