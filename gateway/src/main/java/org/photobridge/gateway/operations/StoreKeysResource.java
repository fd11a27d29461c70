package org.photobridge.gateway.operations;

import java.util.List;
import java.util.Optional;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.problem.ProblemException;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/**
 * The re-encryption job for gateway administrators (docs/operations.md, "Rotating the storage key"):
 * start it after a new key became active, and follow its progress. Shows key ids (fingerprints),
 * counts and times; never a key, a photo or a patient.
 */
@Path("/api/v1/store/re-encryption")
@Authenticated
@Blocking
public class StoreKeysResource {

    @Inject
    CallerResolver callers;

    @Inject
    StoreReencryption job;

    @Inject
    AuditLog audit;

    @GET
    @Produces("application/json")
    public Response progress() {
        Caller caller = permitted("re-encryption progress read");
        var progress = job.progress();
        audit.record(AuditAction.STORE_KEY_ROTATION, true, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                "re-encryption progress read: " + progress.state());
        return Response.ok(progress).header("Cache-Control", "no-store").build();
    }

    @POST
    @Produces("application/json")
    public Response start() {
        Caller caller = permitted("re-encryption start");
        var started = job.start(AuditLog.Agent.of(caller)).orElseThrow(() -> new ProblemException(409,
                "re-encryption-running", "Re-encryption already running",
                "a re-encryption is running on this gateway; follow it with GET /api/v1/store/re-encryption"));
        return Response.accepted(started).header("Location", "/api/v1/store/re-encryption")
                .header("Cache-Control", "no-store").build();
    }

    private Caller permitted(String what) {
        Caller caller = callers.current();
        var decision = AccessPolicy.workQueue(caller);
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                    what + " refused: " + decision.reason());
            throw ProblemException.forbidden("role-not-permitted", "re-encryption is for gateway administrators");
        }
        return caller;
    }
}
