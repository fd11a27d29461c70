package org.photobridge.gateway.persistence;

import java.io.Serializable;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/**
 * One version of a Consent as stored (FHIR JSON, its signed form sealed apart); versions are never
 * changed, except that a form written in plaintext before V10 is moved into {@link #sourceForm} and a
 * form is re-encrypted when the storage key rotates.
 */
@Entity
@Table(name = "consent_version")
public class ConsentVersionRow {
    @EmbeddedId
    public Key key;
    @Column(name = "last_updated")
    public Instant lastUpdated;
    /** The FHIR JSON; since V10 without the signed form's data, which is in {@link #sourceForm}. */
    @Column(name = "resource_json")
    public String json;
    /** The signed form (sourceAttachment.data), sealed by the encrypted store; null when there is none. */
    @Column(name = "source_form")
    public byte[] sourceForm;
    /** The id of the storage key {@link #sourceForm} is sealed under. */
    @Column(name = "form_key_id")
    public String formKeyId;
    /** True while {@link #json} still holds the form in plaintext (written before V10). */
    @Column(name = "form_pending")
    public boolean formPending;

    /** Consent id and version. */
    @Embeddable
    public record Key(@Column(name = "consent_id") String consentId, long version) implements Serializable {
    }
}
