package org.photobridge.fhir;

import java.time.Instant;

/** One stored version of a FHIR resource, as JSON, with its version id and time. */
public record StoredVersion(String id, long version, Instant lastUpdated, String json) {
}
