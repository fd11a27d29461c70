package org.photobridge.gateway.problem;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.photobridge.gateway.access.SecondFactorRequiredException;
import org.photobridge.gateway.consent.ConsentRequiredException;
import org.photobridge.gateway.consent.PhotoUseRefusedException;
import org.photobridge.gateway.persistence.DatabaseUnavailableException;
import org.photobridge.gateway.persistence.FailureNames;
import org.photobridge.gateway.photo.MemoryBusyException;
import org.photobridge.gateway.photo.PhotoRejectedException;
import org.photobridge.gateway.routing.PhotoNotReadableException;
import org.photobridge.gateway.store.StoreUnavailableException;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/** Maps the gateway's exceptions to problem+json responses. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return respond(e.problem());
    }

    /** RFC 9470: the token is valid but shows no second factor; the challenge names the acr to obtain. */
    @ServerExceptionMapper
    public Response secondFactorRequired(SecondFactorRequiredException e) {
        return Response.fromResponse(respond(new Problem(Problem.TYPE_PREFIX + "step-up-required",
                "Second factor required", 401, e.getMessage(), null)))
                .header("WWW-Authenticate", "Bearer error=\"insufficient_user_authentication\", error_description=\""
                        + "a second factor is needed for photos of this body site\", acr_values=\"" + e.acr() + "\"")
                .header("Cache-Control", "no-store").build();
    }

    @ServerExceptionMapper
    public Response rejectedPhoto(PhotoRejectedException e) {
        return respond(switch (e.reason()) {
            case UNSUPPORTED_FORMAT -> new Problem(Problem.TYPE_PREFIX + "unsupported-media-type",
                    "Unsupported media type", 415, e.getMessage(), "file");
            case UNSUPPORTED_VARIANT -> new Problem(Problem.TYPE_PREFIX + "unsupported-image-variant",
                    "Unsupported image variant", 415, e.getMessage(), "file");
            case CORRUPT -> new Problem(Problem.TYPE_PREFIX + "corrupt-image", "Corrupt image", 400,
                    e.getMessage(), "file");
            case TOO_MANY_PIXELS -> new Problem(Problem.TYPE_PREFIX + "too-many-pixels", "Image too large", 413,
                    e.getMessage(), "file");
            case FILE_TOO_LARGE -> new Problem(Problem.TYPE_PREFIX + "file-too-large", "File too large", 413,
                    e.getMessage(), "file");
            case TOO_COMPLEX -> new Problem(Problem.TYPE_PREFIX + "image-too-complex", "Image too complex", 422,
                    e.getMessage(), "file");
        });
    }

    /** Image work that waited too long for memory: nothing was done, the client may try again. */
    @ServerExceptionMapper
    public Response memoryBusy(MemoryBusyException e) {
        long seconds = Math.max(1, e.retryAfter().toSeconds());
        return Response.status(503).type(Problem.MEDIA_TYPE).header("Retry-After", String.valueOf(seconds))
                .entity(new Problem(Problem.TYPE_PREFIX + "busy", "Busy", 503, e.getMessage(), null))
                .build();
    }

    @ServerExceptionMapper
    public Response storeUnavailable(StoreUnavailableException e) {
        LOG.errorf("photo store unavailable: %s", e.getMessage());
        return respond(new Problem(Problem.TYPE_PREFIX + "storage-unavailable", "Storage unavailable", 503,
                "the gateway could not store the photo durably; nothing was kept; try again later", null));
    }

    @ServerExceptionMapper
    public Response photoUseRefused(PhotoUseRefusedException e) {
        return respond(switch (e.reason()) {
            case WITHDRAWN -> new Problem(Problem.TYPE_PREFIX + "photo-withdrawn", "Photo withdrawn", 403,
                    e.getMessage(), null);
            case NOT_COVERED -> new Problem(Problem.TYPE_PREFIX + "consent-not-given", "Not covered by consent", 403,
                    e.getMessage(), null);
        });
    }

    @ServerExceptionMapper
    public Response photoNotReadable(PhotoNotReadableException e) {
        return respond(switch (e.reason()) {
            case NOT_HELD -> new Problem(Problem.TYPE_PREFIX + "photo-not-available", "Photo not available", 404,
                    e.getMessage(), null);
            case PACS_UNREACHABLE -> new Problem(Problem.TYPE_PREFIX + "pacs-unavailable", "PACS unavailable", 503,
                    e.getMessage(), null);
            case INTEGRITY -> new Problem(Problem.TYPE_PREFIX + "photo-integrity-failure",
                    "Photo failed its integrity check", 500, e.getMessage(), null);
        });
    }

    @ServerExceptionMapper
    public Response consentRequired(ConsentRequiredException e) {
        return respond(new Problem(Problem.TYPE_PREFIX + "consent-required", "Consent required", 422, e.getMessage(),
                null));
    }

    @ServerExceptionMapper
    public Response databaseUnavailable(DatabaseUnavailableException e) {
        return unavailable();
    }

    /**
     * Anything else a resource let through: 503 when the database was out of reach (the request can
     * be repeated), otherwise 500, always as problem+json and never with the exception's text.
     */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        if (DatabaseUnavailableException.causedBy(e)) {
            LOG.errorf("database unavailable: %s", e.getClass().getSimpleName());
            return unavailable();
        }
        LOG.errorf("request failed: %s", FailureNames.of(e));
        return respond(new Problem(Problem.TYPE_PREFIX + "internal-error", "Internal error", 500,
                "the gateway could not complete the request", null));
    }

    private static Response unavailable() {
        return Response.status(503).type(Problem.MEDIA_TYPE).header("Retry-After", "5")
                .entity(new Problem(Problem.TYPE_PREFIX + "database-unavailable", "Database unavailable", 503,
                        "the gateway's database is out of reach; try again (an upload of the same file answers"
                                + " with the photo if this attempt was kept)", null))
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return respond(new Problem(Problem.TYPE_PREFIX + "forbidden", "Forbidden", 403,
                "your account lacks the role this operation needs", null));
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return Response.status(401).type(Problem.MEDIA_TYPE).header("WWW-Authenticate", "Bearer")
                .entity(new Problem(Problem.TYPE_PREFIX + "unauthorized", "Unauthorized", 401,
                        "a valid bearer token is required", null))
                .build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 413) {
            return respond(new Problem(Problem.TYPE_PREFIX + "file-too-large", "Payload too large", 413,
                    "the request body exceeds the gateway's upload limit", "file"));
        }
        if (status == 404) {
            return respond(new Problem(Problem.TYPE_PREFIX + "not-found", "Not found", 404,
                    "nothing is served at this path", null));
        }
        if (status == 405) {
            return respond(new Problem(Problem.TYPE_PREFIX + "method-not-allowed", "Method not allowed", 405,
                    "this path does not accept this HTTP method", null));
        }
        if (status >= 500) {
            LOG.errorf(e, "request failed with %d", status);
        }
        String detail = status == 415 ? "the request must be multipart/form-data with parts 'file' and 'metadata'"
                : e.getResponse().getStatusInfo().getReasonPhrase();
        return respond(new Problem(Problem.TYPE_PREFIX + "http-" + status,
                e.getResponse().getStatusInfo().getReasonPhrase(), status, detail, null));
    }

    public static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
