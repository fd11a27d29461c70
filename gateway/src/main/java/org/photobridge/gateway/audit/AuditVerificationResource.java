package org.photobridge.gateway.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.Roles;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/** Tells a compliance officer whether the audit trail verified, as of its last check. */
@Path("/api/v1/audit/verification")
@Authenticated
@Blocking
public class AuditVerificationResource {

    @Inject
    AuditLog audit;

    @Inject
    AuditAgents agents;

    /** The last verification's result, as JSON; asking is itself audited (DICOM "Audit Log Used"). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record VerificationView(boolean intact, long entries, Long firstBrokenSequence, String reason,
            String detail, Instant checkedAt, String mode, long headSequence, long legacyEntries,
            Long lastCheckpointSequence, Instant lastCheckpointAt) {

        static VerificationView of(AuditVerification v) {
            return new VerificationView(v.intact(), v.entries(), v.firstBrokenSequence().orElse(null),
                    v.reason().map(Enum::name).orElse(null), v.describe(), v.checkedAt(), v.full() ? "full" : "incremental",
                    v.headSequence(), v.legacyEntries(), v.checkpoint().map(AuditCheckpoint::sequence).orElse(null),
                    v.checkpoint().map(AuditCheckpoint::time).orElse(null));
        }
    }

    @GET
    @Produces("application/json")
    @RolesAllowed(Roles.COMPLIANCE_OFFICER)
    public Response verification() {
        // Start-up verification normally left a result; verify now if it has not finished yet.
        AuditVerification result = audit.lastVerification().orElseGet(audit::verify);
        audit.record(AuditAction.AUDIT_LOG_USED, true, agents.current(), Optional.empty(), List.of(),
                "audit trail verification read: " + (result.intact() ? "intact" : "broken"));
        return Response.ok(VerificationView.of(result)).header("Cache-Control", "no-store").build();
    }
}
