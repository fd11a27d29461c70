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

import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.problem.ProblemException;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/** Photo pixels for EHR viewers and exports: thumbnail, rendered image, export for a purpose. */
@Path("/api/v1/photos")
@Authenticated
@Blocking
public class ViewerResource {

    @Inject
    CallerResolver callers;

    @Inject
    PhotoViewer viewer;

    @GET
    @Path("/{id}/thumbnail")
    @Produces("image/jpeg")
    public Response thumbnail(@PathParam("id") String id) {
        return jpeg(viewer.serve(id, PhotoViewer.Use.THUMBNAIL, callers.current()), null);
    }

    @GET
    @Path("/{id}/rendered")
    @Produces("image/jpeg")
    public Response rendered(@PathParam("id") String id) {
        return jpeg(viewer.serve(id, PhotoViewer.Use.RENDERED, callers.current()), null);
    }

    /** Exports a photo for teaching, publication, marketing or a specific use, if consent covers it. */
    @GET
    @Path("/{id}/export")
    @Produces("image/jpeg")
    public Response export(@PathParam("id") String id, @QueryParam("purpose") String purpose) {
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

    private static Response jpeg(PhotoRenderer.Jpeg jpeg, String disposition) {
        var cache = new CacheControl();
        cache.setNoStore(true);
        cache.setPrivate(true);
        var response = Response.ok(jpeg.bytes(), "image/jpeg").cacheControl(cache);
        if (disposition != null) {
            response.header("Content-Disposition", disposition);
        }
        return response.build();
    }
}
