package org.photobridge.gateway.persistence;

import java.io.Serializable;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** One permit or deny rule of a Consent's current version. */
@Entity
@Table(name = "consent_provision")
public class ConsentProvisionRow {
    @EmbeddedId
    public Key key;
    public boolean permit;
    /** Comma-separated ConsentScope names; empty means every scope. */
    public String scopes;
    @Column(name = "period_start")
    public Instant periodStart;
    @Column(name = "period_end")
    public Instant periodEnd;
    /** Space-separated data references; empty means every photo of the patient. */
    public String data;
    public String description;

    /** Consent id and position of the provision. */
    @Embeddable
    public record Key(@Column(name = "consent_id") String consentId, int position) implements Serializable {
    }
}
