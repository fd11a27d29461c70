package org.photobridge.fhir.consent;

import java.util.Optional;
import java.util.Set;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.DateRange;

/**
 * A Consent search, already parsed from FHIR search parameters. Within a set, values are OR-ed;
 * parameters are AND-ed. Purposes and categories are tokens "system|code" (or "|code" / "code" for any system).
 */
public record ConsentQuery(
        Optional<String> patientReference,
        Optional<BusinessIdentifier> patientIdentifier,
        Set<String> statuses,
        Set<String> purposes,
        DateRange date,
        Optional<String> data,
        DateRange lastUpdated,
        Set<String> categories) {
}
