package org.photobridge.domain;

import java.time.Instant;
import java.util.List;
import java.util.Optional;


/**
 * What a stored Consent means to the gateway, free of FHIR types: whose it is, whether it is in
 * force, and which scopes it permits or denies, for which period and which photos.
 *
 * @param id               the Consent's logical id on our server
 * @param version          its version
 * @param status           FHIR Consent.status code (draft, proposed, active, rejected, inactive, entered-in-error)
 * @param patient          the patient's business identifier (required by our profile)
 * @param patientReference literal reference in the EHR, when resolved (for example Patient/123)
 * @param dateTime         when the consent was given (Consent.dateTime)
 * @param provisions       the base provision and its nested provisions, flattened
 * @param formSha256       hex SHA-256 of the signed form, when one was attached and verified
 */
public record ConsentTerms(
        String id,
        long version,
        String status,
        BusinessIdentifier patient,
        Optional<String> patientReference,
        Optional<Instant> dateTime,
        List<Provision> provisions,
        Optional<String> formSha256) {

    public boolean isActive() {
        return "active".equals(status);
    }

    /**
     * One permit or deny rule.
     *
     * @param permit      true for permit, false for deny
     * @param scopes      the purposes it covers (empty = every scope)
     * @param start       start of the period, if any
     * @param end         end of the period, if any
     * @param data        references to what it covers: "ImagingStudy/&lt;id&gt;" or
     *                    "urn:dicom:uid:&lt;SOP or Study Instance UID&gt;" (empty = every photo of the patient)
     * @param description for specific-use: the named use (for example one conference)
     */
    public record Provision(boolean permit, List<ConsentScope> scopes, Optional<Instant> start,
            Optional<Instant> end, List<String> data, Optional<String> description) {

        public boolean inForceAt(Instant when) {
            return start.map(s -> !when.isBefore(s)).orElse(true) && end.map(e -> !when.isAfter(e)).orElse(true);
        }
    }
}
