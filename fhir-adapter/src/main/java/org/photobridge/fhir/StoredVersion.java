package org.photobridge.fhir;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored version of a FHIR resource, as JSON, with its version id and time. A Consent's signed
 * form may be kept apart ({@code form}): then {@code json} holds the sourceAttachment without its
 * data, and the form is read only by those who serve it.
 */
public record StoredVersion(String id, long version, Instant lastUpdated, String json, Optional<SignedForm> form) {

    public StoredVersion {
        Objects.requireNonNull(form, "form");
    }

    /** A version whose JSON is the whole resource. */
    public StoredVersion(String id, long version, Instant lastUpdated, String json) {
        this(id, version, lastUpdated, json, Optional.empty());
    }
}
