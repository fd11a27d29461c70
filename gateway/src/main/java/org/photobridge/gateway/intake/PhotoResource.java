package org.photobridge.gateway.intake;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import org.photobridge.fhir.BusinessIdentifier;
import org.photobridge.fhir.audit.AuditAction;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.access.Roles;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.problem.QueryParameters;
import org.photobridge.gateway.routing.Outbox;
import org.photobridge.gateway.routing.OutboxSender;

import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;

/** The photo API: upload, status, list, and an admin's retry of failed deliveries. */
@Path("/api/v1/photos")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
@Blocking
public class PhotoResource {

    @Inject
    CallerResolver callers;

    @Inject
    MetadataParser metadataParser;

    @Inject
    PhotoIntake intake;

    @Inject
    Photos photos;

    @Inject
    Outbox outbox;

    @Inject
    OutboxSender sender;

    @Inject
    AuditLog audit;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @RolesAllowed(Roles.PHOTOGRAPHER)
    public Response upload(@RestForm("file") List<FileUpload> files, @RestForm("metadata") String metadata) {
        Caller caller = callers.current();
        PhotoRequest request = metadataParser.parse(metadata);
        List<String> missing = caller.missingDepartments(request.requiredDepartments());
        if (!missing.isEmpty()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller),
                    Optional.of(new BusinessIdentifier(request.patient().identifier().system(),
                            request.patient().identifier().value())),
                    List.of(), "upload refused: not a member of " + String.join(", ", missing));
            throw ProblemException.forbidden("department-not-permitted", "you are not a member of "
                    + String.join(", ", missing) + "; you may only file photos under your own departments");
        }
        if (files == null || files.isEmpty()) {
            throw ProblemException.badRequest("file", "the multipart part 'file' (the image) is required");
        }
        if (files.size() > 1) {
            throw ProblemException.badRequest("file", "send exactly one 'file' part per request");
        }
        var accepted = intake.accept(files.get(0).uploadedFile(), request, caller);
        PhotoView view = view(accepted.photo());
        URI location = URI.create("/api/v1/photos/" + accepted.photo().id);
        return accepted.created()
                ? Response.accepted(view).location(location).build()
                : Response.ok(view).location(location).build();
    }

    @GET
    @Path("/{id}")
    public PhotoView status(@PathParam("id") String id) {
        PhotoRecord photo = visible(id);
        return view(photo);
    }

    @GET
    public List<PhotoView> list(@QueryParam("patient") String patient, @QueryParam("encounter") String encounter) {
        Caller caller = callers.current();
        BusinessIdentifier p = QueryParameters.identifier(patient, "patient", true).orElseThrow();
        Optional<BusinessIdentifier> e = QueryParameters.identifier(encounter, "encounter", false);
        return photos.list(p.system(), p.value(), e.map(BusinessIdentifier::system), e.map(BusinessIdentifier::value),
                500).stream().filter(photo -> caller.maySee(photo.accessTagList())).map(this::view).toList();
    }

    @POST
    @Path("/{id}/retry")
    @RolesAllowed(Roles.GATEWAY_ADMIN)
    public PhotoView retry(@PathParam("id") String id) {
        PhotoRecord photo = photos.find(parseId(id))
                .orElseThrow(() -> ProblemException.notFound("no photo with this id"));
        int requeued = outbox.requeueFailed(photo.id);
        if (requeued == 0) {
            throw new ProblemException(409, "nothing-to-retry", "Nothing to retry",
                    "the photo has no FAILED delivery");
        }
        sender.wake();
        return view(photos.find(photo.id).orElseThrow());
    }

    private PhotoRecord visible(String id) {
        Caller caller = callers.current();
        PhotoRecord photo = photos.find(parseId(id))
                .orElseThrow(() -> ProblemException.notFound("no photo with this id"));
        if (!caller.maySee(photo.accessTagList()) && !caller.hasRole(Roles.GATEWAY_ADMIN)) {
            // Same answer as a missing photo: do not confirm that a photo exists to those who may not see it.
            throw ProblemException.notFound("no photo with this id");
        }
        return photo;
    }

    private PhotoView view(PhotoRecord photo) {
        return PhotoView.of(photo, photos.study(photo.studyId), photos.series(photo.seriesId),
                photos.deliveries(photo.id), photos.withdrawals(photo.id));
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no photo with this id");
        }
    }
}
