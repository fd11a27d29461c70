package org.photobridge.fhir.consent;

import java.util.Optional;

import org.photobridge.domain.BusinessIdentifier;

/**
 * Resolves a patient's business identifier to the literal reference of the patient in the EHR (for
 * example {@code Patient/123}), supplied by the gateway when an EHR FHIR server is configured. The
 * Consent provider calls it before storing; an empty answer or a failure leaves the Consent linked
 * by identifier only, because the EHR being down must never block recording a consent.
 */
@FunctionalInterface
public interface PatientLinker {

    /** No EHR configured: consents stay linked by identifier only. */
    PatientLinker NONE = identifier -> Optional.empty();

    Optional<String> resolve(BusinessIdentifier patient);
}
