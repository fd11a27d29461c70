package org.photobridge.gateway.intake;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

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
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.access.Roles;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.problem.QueryParameters;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.outbox.WorkRunner;

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
    WorkQueue outbox;

    @Inject
    WorkRunner sender;

    @Inject
    AuditLog audit;

    @Inject
    RawUploads rawUploads;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(@RestForm("file") List<FileUpload> files, @RestForm("metadata") String metadata) {
        try {
            return accept(files, metadata);
        } finally {
            // The raw upload (GPS, serials) goes as soon as intake is done with it, refused or not.
            if (files != null) {
                rawUploads.discard(files.stream().map(FileUpload::uploadedFile).toList());
            }
        }
    }

    private Response accept(List<FileUpload> files, String metadata) {
        Caller caller = callers.current();
        if (!caller.hasRole(Roles.PHOTOGRAPHER)) {
            var refused = AccessPolicy.capture(caller, List.of());
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                    "upload refused: " + refused.reason());
            throw ProblemException.forbidden("role-not-permitted", refused.reason());
        }
        PhotoRequest request = metadataParser.parse(metadata);
        var decision = AccessPolicy.capture(caller, request.requiredDepartments());
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller),
                    Optional.of(new BusinessIdentifier(request.patient().identifier().system(),
                            request.patient().identifier().value())),
                    List.of(), "upload refused: " + decision.reason());
            throw ProblemException.forbidden("department-not-permitted", decision.reason());
        }
        if (files == null || files.isEmpty()) {
            throw ProblemException.badRequest("file", "the multipart part 'file' (the image) is required");
        }
        if (files.size() > 1) {
            throw ProblemException.badRequest("file", "send exactly one 'file' part per request");
        }
        var accepted = intake.accept(files.get(0).uploadedFile(), request, caller);
        PhotoView view = view(accepted.photo());
        if (accepted.created()) {
            // Woken after the answer is built, so a new photo is reported QUEUED, as it is at commit.
            sender.wake();
        }
        URI location = URI.create("/api/v1/photos/" + accepted.photo().id);
        return accepted.created()
                ? Response.accepted(view).location(location).build()
                : Response.ok(view).location(location).build();
    }

    @GET
    @Path("/{id}")
    public PhotoView status(@PathParam("id") String id) {
        Caller caller = callers.current();
        PhotoRecord photo = permitted(id, caller, AccessPolicy.PhotoUse.STATUS);
        var study = photos.study(photo.studyId);
        audit.record(AuditAction.PATIENT_READ, true, AuditLog.Agent.of(caller), Optional.of(patientOf(study)),
                List.of("urn:dicom:uid:" + photo.sopInstanceUid), "photo status read");
        return view(photo);
    }

    @GET
    public List<PhotoView> list(@QueryParam("patient") String patient, @QueryParam("encounter") String encounter) {
        Caller caller = callers.current();
        BusinessIdentifier p = QueryParameters.identifier(patient, "patient", true).orElseThrow();
        Optional<BusinessIdentifier> e = QueryParameters.identifier(encounter, "encounter", false);
        var decision = AccessPolicy.patientRecords(caller);
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.of(p), List.of(),
                    "photo list refused: " + decision.reason());
            throw ProblemException.forbidden("role-not-permitted", decision.reason());
        }
        List<PhotoRecord> shown = photos.list(p.system(), p.value(), e.map(BusinessIdentifier::system),
                e.map(BusinessIdentifier::value), 500).stream()
                .filter(photo -> AccessPolicy.photo(caller, photo.accessTagList(), AccessPolicy.PhotoUse.STATUS)
                        .permitted())
                .toList();
        audit.record(AuditAction.PATIENT_QUERY, true, AuditLog.Agent.of(caller), Optional.of(p),
                shown.stream().map(photo -> "urn:dicom:uid:" + photo.sopInstanceUid).toList(),
                "photo list: " + shown.size() + " returned");
        return shown.stream().map(this::view).toList();
    }

    @POST
    @Path("/{id}/retry")
    public PhotoView retry(@PathParam("id") String id) {
        Caller caller = callers.current();
        PhotoRecord photo = permitted(id, caller, AccessPolicy.PhotoUse.RETRY);
        // A withdrawn photo is never sent again; what can be retried is taking it back.
        WorkItem.Kind kind = photo.withdrawnAt == null ? WorkItem.Kind.PACS_DELIVERY : WorkItem.Kind.PACS_WITHDRAWAL;
        int requeued = outbox.requeueFailed(photo.id, kind);
        String what = kind == WorkItem.Kind.PACS_DELIVERY ? "deliveries" : "withdrawal actions";
        if (requeued == 0) {
            throw new ProblemException(409, "nothing-to-retry", "Nothing to retry",
                    "the photo has no FAILED " + what);
        }
        audit.record(AuditAction.DELIVERY_RETRIED, true, AuditLog.Agent.of(caller),
                Optional.of(patientOf(photos.study(photo.studyId))), List.of("urn:dicom:uid:" + photo.sopInstanceUid),
                requeued + " failed " + what + " requeued");
        sender.wake();
        return view(photos.find(photo.id).orElseThrow());
    }

    /** The photo if the policy permits this use; otherwise the refusal is audited and answered like a missing photo. */
    private PhotoRecord permitted(String id, Caller caller, AccessPolicy.PhotoUse use) {
        PhotoRecord photo = photos.find(parseId(id))
                .orElseThrow(() -> ProblemException.notFound("no photo with this id"));
        var decision = AccessPolicy.photo(caller, photo.accessTagList(), use);
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller),
                    Optional.of(patientOf(photos.study(photo.studyId))), List.of("urn:dicom:uid:" + photo.sopInstanceUid),
                    use.name().toLowerCase(java.util.Locale.ROOT) + " refused: " + decision.reason());
            if (AccessPolicy.photo(caller, photo.accessTagList(), AccessPolicy.PhotoUse.STATUS).permitted()) {
                // The caller sees this photo anyway; say which rule stops the action.
                throw ProblemException.forbidden("role-not-permitted", decision.reason());
            }
            // Same answer as a missing photo: do not confirm that a photo exists to those who may not see it.
            throw ProblemException.notFound("no photo with this id");
        }
        return photo;
    }

    private static BusinessIdentifier patientOf(EncounterStudy study) {
        return new BusinessIdentifier(study.patientSystem, study.patientValue);
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
