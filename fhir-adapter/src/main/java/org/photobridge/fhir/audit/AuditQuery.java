package org.photobridge.fhir.audit;

import org.photobridge.domain.AuditAction;
import java.util.Optional;
import java.util.Set;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.DateRange;

/** An AuditEvent search, parsed from FHIR parameters: patient, entity, agent, date, type/subtype. */
public record AuditQuery(
        Optional<BusinessIdentifier> patientIdentifier,
        Optional<String> entity,
        Optional<String> agent,
        DateRange date,
        Set<AuditAction> actions) {
}
