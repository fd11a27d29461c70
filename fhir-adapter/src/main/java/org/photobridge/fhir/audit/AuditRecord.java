package org.photobridge.fhir.audit;

import org.photobridge.domain.AuditAction;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.photobridge.domain.BusinessIdentifier;

/**
 * One entry of the gateway's tamper-evident audit trail, to be shown as a FHIR AuditEvent.
 *
 * @param id        logical id
 * @param sequence  position in the chain
 * @param recorded  when it happened
 * @param action    what happened
 * @param success   whether it succeeded (AuditEvent.outcome 0) or was refused/failed (4 or 8)
 * @param agent     who did it (token subject), or "photobridge" for the gateway itself
 * @param agentName display name (staff, never a patient)
 * @param agentRoles realm roles at the time
 * @param patient   the patient concerned, when there is one
 * @param entities  what was touched: "Consent/12/_history/2", "ImagingStudy/5", "urn:dicom:uid:2.25..."
 * @param detail    a short description free of patient data
 * @param hash      hex HMAC-SHA256 (keyed) chaining this entry to the previous one; plain SHA-256 for
 *                  entries written before the keyed chain
 */
public record AuditRecord(
        String id,
        long sequence,
        Instant recorded,
        AuditAction action,
        boolean success,
        String agent,
        String agentName,
        Set<String> agentRoles,
        Optional<BusinessIdentifier> patient,
        List<String> entities,
        String detail,
        String hash) {
}
