package org.photobridge.gateway.persistence;

import java.io.Serializable;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A search key of a Consent's current version: a purpose token, a data reference or an identifier. */
@Entity
@Table(name = "consent_key")
public class ConsentKeyRow {
    @EmbeddedId
    public Key key;

    public ConsentKeyRow() {
    }

    public ConsentKeyRow(String consentId, String kind, String value) {
        this.key = new Key(consentId, kind, value);
    }

    /** Consent, kind (purpose, data, identifier) and value. */
    @Embeddable
    public record Key(@Column(name = "consent_id") String consentId, String kind,
            @Column(name = "key_value") String value) implements Serializable {
    }
}
