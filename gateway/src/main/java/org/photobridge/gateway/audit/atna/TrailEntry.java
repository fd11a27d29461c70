package org.photobridge.gateway.audit.atna;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.photobridge.domain.BusinessIdentifier;

/**
 * One audit_entry row as the exporter reads it: only the columns that describe the event, so the
 * export does not depend on how the trail is chained or signed.
 *
 * @param action the stored action name; an {@code AuditAction} of this build, or of another one
 */
public record TrailEntry(
        long sequence,
        String id,
        Instant recorded,
        String action,
        boolean success,
        String agent,
        String agentName,
        Set<String> agentRoles,
        Optional<BusinessIdentifier> patient,
        List<String> entities,
        String detail) {

    public TrailEntry {
        Objects.requireNonNull(recorded, "recorded");
        Objects.requireNonNull(action, "action");
        agentRoles = Set.copyOf(agentRoles);
        entities = List.copyOf(entities);
    }
}
