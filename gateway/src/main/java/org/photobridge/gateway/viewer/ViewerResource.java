package org.photobridge.gateway.viewer;

import java.util.Locale;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.edge.HeldAnswer;
import org.photobridge.gateway.problem.Problem;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.problem.ProblemMappers;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;

/**
 * Photo pixels for EHR viewers and exports: thumbnail, rendered image, export for a purpose. The
 * viewer's own refusals ({@link PhotoNotFoundException}, {@link UnrenderablePhotoException}) are
 * answered here; the shared ones (withdrawn, not covered, not readable) by {@code ProblemMappers}.
 */
@Path("/api/v1/photos")
@Authenticated
@Blocking
public class ViewerResource {

    @Inject
    CallerResolver callers;

    @Inject
    PhotoViewer viewer;

    @Inject
    RoutingContext exchange;

    @GET
    @Path("/{id}/thumbnail")
    @Produces("image/jpeg")
    public Response thumbnail(@PathParam("id") String id) throws UnrenderablePhotoException {
        return jpeg(viewer.serve(id, PhotoViewer.Use.THUMBNAIL, callers.current()), null);
    }

    @GET
    @Path("/{id}/rendered")
    @Produces("image/jpeg")
    public Response rendered(@PathParam("id") String id) throws UnrenderablePhotoException {
        return jpeg(viewer.serve(id, PhotoViewer.Use.RENDERED, callers.current()), null);
    }

    /** Exports a photo for teaching, publication, marketing or a specific use, if consent covers it. */
    @GET
    @Path("/{id}/export")
    @Produces("image/jpeg")
    public Response export(@PathParam("id") String id, @QueryParam("purpose") String purpose)
            throws UnrenderablePhotoException {
        PhotoViewer.Use use = exportUse(purpose);
        return jpeg(viewer.serve(id, use, callers.current()), "attachment; filename=\"photo-" + id + ".jpg\"");
    }

    static PhotoViewer.Use exportUse(String purpose) {
        if (purpose == null) {
            throw new ProblemException(400, "invalid-query", "Invalid query",
                    "query parameter 'purpose' is required: teaching, publication, marketing or specific-use", "purpose");
        }
        return switch (purpose.toLowerCase(Locale.ROOT)) {
            case "teaching" -> PhotoViewer.Use.EXPORT_TEACHING;
            case "publication" -> PhotoViewer.Use.EXPORT_PUBLICATION;
            case "marketing" -> PhotoViewer.Use.EXPORT_MARKETING;
            case "specific-use" -> PhotoViewer.Use.EXPORT_SPECIFIC_USE;
            default -> throw new ProblemException(400, "invalid-query", "Invalid query",
                    "purpose must be teaching, publication, marketing or specific-use", "purpose");
        };
    }

    /** 404, the same whether the photo does not exist or the caller may not see it. */
    @ServerExceptionMapper
    public Response notFound(PhotoNotFoundException e) {
        return ProblemMappers.respond(new Problem(Problem.TYPE_PREFIX + "not-found", "Not found", 404, e.getMessage(),
                null));
    }

    @ServerExceptionMapper
    public Response unrenderable(UnrenderablePhotoException e) {
        return ProblemMappers.respond(new Problem(Problem.TYPE_PREFIX + "unrenderable", "Cannot render", 500,
                e.getMessage(), null));
    }

    /** The JPEG, written while its memory is still reserved ({@link HeldAnswer}). */
    private Response jpeg(PhotoViewer.Served served, String disposition) {
        var cache = new CacheControl();
        cache.setNoStore(true);
        cache.setPrivate(true);
        byte[] jpeg = served.jpeg();
        var response = new HeldAnswer("image/jpeg", out -> out.write(jpeg), served.memory()).ok(exchange)
                .cacheControl(cache);
        if (disposition != null) {
            response.header("Content-Disposition", disposition);
        }
        return response.build();
    }
}
