package org.photobridge.gateway.viewer;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.BreakGlassGrant;
import org.photobridge.gateway.persistence.BreakGlassGrants;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.problem.ProblemException;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/** The break-the-glass grants, for compliance: who opened which patient's photo, when, why, until when. */
@Path("/api/v1/break-glass")
@Authenticated
@Blocking
public class BreakGlassListResource {
    static final int MAX_GRANTS = 500;

    @Inject
    CallerResolver callers;

    @Inject
    BreakGlassGrants grants;

    @Inject
    Photos photos;

    @Inject
    AuditLog audit;

    @Inject
    Clock clock;

    public record Patient(String system, String value) {
    }

    public record Grant(UUID id, UUID photoId, String user, String subject, Patient patient, String reason,
            Instant grantedAt, Instant expiresAt, boolean active) {
    }

    public record GrantList(List<Grant> grants) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@QueryParam("active") String active, @QueryParam("limit") Integer limit) {
        Caller caller = callers.current();
        var decision = AccessPolicy.breakGlassList(caller);
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                    "break-glass list refused: " + decision.reason());
            throw ProblemException.forbidden("role-not-permitted", decision.reason());
        }
        if (active != null && !active.equals("true") && !active.equals("false")) {
            throw new ProblemException(400, "invalid-query", "Invalid query", "active must be true or false");
        }
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > MAX_GRANTS) {
            throw new ProblemException(400, "invalid-query", "Invalid query", "limit must be between 1 and " + MAX_GRANTS);
        }
        Instant now = clock.instant();
        List<BreakGlassGrant> found = grants.newest("true".equals(active), now, max);
        Map<UUID, EncounterStudy> studies = new java.util.HashMap<>();
        var out = found.stream().map(g -> {
            PhotoRecord photo = photos.find(g.photoId).orElseThrow();
            EncounterStudy study = studies.computeIfAbsent(photo.studyId, photos::study);
            return new Grant(g.id, g.photoId, g.username, g.subject, new Patient(study.patientSystem,
                    study.patientValue), g.reason, g.grantedAt, g.expiresAt, g.activeAt(now));
        }).toList();
        audit.record(AuditAction.AUDIT_LOG_USED, true, AuditLog.Agent.of(caller), Optional.empty(),
                out.stream().map(g -> "urn:uuid:" + g.id()).toList(),
                "break-glass grants listed: " + out.size() + " returned");
        return Response.ok(new GrantList(out)).header("Cache-Control", "no-store").build();
    }
}
