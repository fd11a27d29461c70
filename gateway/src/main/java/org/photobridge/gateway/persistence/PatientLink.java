package org.photobridge.gateway.persistence;

import java.io.Serializable;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A patient's literal reference in the EHR (for example Patient/123), found by identifier. */
@Entity
@Table(name = "patient_link")
public class PatientLink {
    @EmbeddedId
    public Key key;
    public String reference;
    @Column(name = "resolved_at")
    public Instant resolvedAt;

    /** The patient's business identifier. */
    @Embeddable
    public record Key(@Column(name = "patient_system") String system, @Column(name = "patient_value") String value)
            implements Serializable {
    }
}
