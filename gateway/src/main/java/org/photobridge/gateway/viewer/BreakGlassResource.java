package org.photobridge.gateway.viewer;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.photobridge.domain.AuditAction;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.BreakGlassConfig;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.access.PhotoGate;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.BreakGlassGrant;
import org.photobridge.gateway.persistence.BreakGlassGrants;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.problem.ProblemException;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/**
 * Break-the-glass: a clinician outside a photo's departments states a reason and may then view the
 * photo for a limited time. The grant and its reason are audited; compliance lists grants through
 * {@link BreakGlassListResource}.
 */
@Path("/api/v1/photos")
@Authenticated
@Blocking
public class BreakGlassResource {
    static final int MAX_REASON = 500;

    @Inject
    CallerResolver callers;

    @Inject
    Photos photos;

    @Inject
    PhotoGate gate;

    @Inject
    BreakGlassGrants grants;

    @Inject
    BreakGlassConfig config;

    @Inject
    AuditLog audit;

    @Inject
    ObjectMapper json;

    @Inject
    Clock clock;

    /** A grant as the API shows it. */
    public record GrantView(UUID id, UUID photoId, String user, String reason, Instant grantedAt, Instant expiresAt,
            boolean active) {
        static GrantView of(BreakGlassGrant g, Instant now) {
            return new GrantView(g.id, g.photoId, g.username, g.reason, g.grantedAt, g.expiresAt, g.activeAt(now));
        }
    }

    @POST
    @Path("/{id}/break-glass")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response breakGlass(@PathParam("id") String id, String body) {
        Caller caller = callers.current();
        var agent = AuditLog.Agent.of(caller);
        var role = AccessPolicy.breakGlass(caller);
        if (!role.permitted()) {
            // Refused before the photo is looked up: the answer says nothing about which photos exist.
            audit.record(AuditAction.ACCESS_DENIED, false, agent, Optional.empty(), List.of(),
                    "break-glass refused: " + role.reason());
            throw ProblemException.forbidden("role-not-permitted", role.reason());
        }
        PhotoRecord photo = find(id);
        EncounterStudy study = photos.study(photo.studyId);
        var patient = Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue));
        var entities = List.of("urn:dicom:uid:" + photo.sopInstanceUid);
        String reason = reason(body);
        if (caller.maySee(photo.accessTagList())) {
            throw new ProblemException(409, "break-glass-not-needed", "Break-the-glass not needed",
                    "you see this photo through your department; no grant is needed");
        }
        Instant now = clock.instant();
        BreakGlassGrant grant = grants.grant(photo.id, caller.subject(), caller.username(), reason, now,
                now.plus(config.duration()));
        audit.record(AuditAction.BREAK_GLASS, true, agent, patient,
                List.of(entities.get(0), "urn:uuid:" + grant.id),
                "break-glass granted to " + caller.username() + " until " + grant.expiresAt + "; reason: " + reason);
        return Response.status(201).entity(GrantView.of(grant, now)).header("Cache-Control", "no-store").build();
    }

    private String reason(String body) {
        JsonNode node;
        try {
            node = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (java.io.IOException e) {
            throw invalid("the body must be JSON: {\"reason\": \"…\"}");
        }
        JsonNode reason = node == null || !node.isObject() ? null : node.get("reason");
        if (reason == null || !reason.isTextual() || reason.asText().isBlank()) {
            throw invalid("a reason is required to break the glass: {\"reason\": \"…\"}");
        }
        String text = reason.asText().strip();
        if (text.length() < config.minReasonLength() || text.length() > MAX_REASON) {
            throw invalid("reason must be " + config.minReasonLength() + " to " + MAX_REASON + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i)) && text.charAt(i) != '\n') {
                throw invalid("reason must not contain control characters");
            }
        }
        return text;
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(400, "invalid-request", "Invalid request", detail, "reason");
    }

    private PhotoRecord find(String id) {
        try {
            return photos.find(UUID.fromString(id)).orElseThrow(() -> ProblemException.notFound("no photo with this id"));
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no photo with this id");
        }
    }
}
