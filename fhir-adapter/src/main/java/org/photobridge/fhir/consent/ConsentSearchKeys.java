package org.photobridge.fhir.consent;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.photobridge.domain.BusinessIdentifier;

/**
 * The values a Consent is found by, extracted once when it is stored.
 *
 * @param purposes    "system|code" of every provision purpose, nested provisions included
 * @param data        every provision.data reference (as written, for example "ImagingStudy/5")
 * @param identifiers Consent.identifier values (for conditional create)
 * @param categories  "system|code" of every Consent.category coding
 */
public record ConsentSearchKeys(
        String status,
        Optional<String> patientReference,
        BusinessIdentifier patientIdentifier,
        Set<String> purposes,
        Optional<java.time.Instant> dateTime,
        Set<String> data,
        List<BusinessIdentifier> identifiers,
        Set<String> categories) {
}
