package org.photobridge.gateway.persistence;

import java.io.Serializable;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** One version of a Consent exactly as stored (FHIR JSON); versions are never changed. */
@Entity
@Table(name = "consent_version")
public class ConsentVersionRow {
    @EmbeddedId
    public Key key;
    @Column(name = "last_updated")
    public Instant lastUpdated;
    @Column(name = "resource_json")
    public String json;

    /** Consent id and version. */
    @Embeddable
    public record Key(@Column(name = "consent_id") String consentId, long version) implements Serializable {
    }
}
