package org.photobridge.fhir.ehr;

import java.util.Optional;

/**
 * What the EHR did with a conditional update.
 *
 * @param reference the resource in the EHR, e.g. "Consent/17" (relative, without version)
 * @param version   the version the EHR assigned, when it said
 * @param created   true when the EHR created the resource (201), false when it updated an existing one
 */
public record PublishResult(String reference, Optional<String> version, boolean created) {
}
