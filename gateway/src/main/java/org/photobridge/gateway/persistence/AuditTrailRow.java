package org.photobridge.gateway.persistence;

import java.time.Instant;

/**
 * An audit_entry row without its chain columns (previous hash, hash, scheme): what an export of the
 * trail needs, so it does not depend on how the trail is chained or signed.
 */
public record AuditTrailRow(
        long sequence,
        String id,
        Instant recorded,
        String action,
        boolean success,
        String agent,
        String agentName,
        String agentRoles,
        String patientSystem,
        String patientValue,
        String entities,
        String detail) {
}
