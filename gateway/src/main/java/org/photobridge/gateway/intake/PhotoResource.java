package org.photobridge.gateway.intake;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.PhotoGate;
import org.photobridge.gateway.access.CallerResolver;
import org.photobridge.gateway.access.Roles;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.PhotoRejectedException;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.problem.QueryParameters;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.outbox.WorkRunner;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.Blocking;
import io.vertx.core.http.HttpServerRequest;

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
    IntakeConfig intakeConfig;

    @Inject
    MemoryBudget budget;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
    MemorySize maxBodySize;

    @ConfigProperty(name = "quarkus.http.limits.max-form-attribute-size", defaultValue = "2048")
    MemorySize maxFormAttributeSize;

    @Inject
    PhotoGate gate;

    /** How long an upload may send nothing before it is given up (as RESTEasy's own request stream does). */
    @ConfigProperty(name = "quarkus.http.read-timeout", defaultValue = "60s")
    Duration readTimeout;

    /** Header with the number of a patient's photos held by other departments, for those who may break the glass. */
    public static final String WITHHELD_HEADER = "PhotoBridge-Withheld";

    /** A photo the caller may not see, as a clinician who may break the glass is told of it. */
    public record WithheldView(UUID id, String status, String department, PhotoView.Identifier encounter,
            java.time.Instant acceptedAt) {
    }

    /**
     * The upload: the multipart body is read here, once, from the request stream (a
     * {@link RequestBodyStream}; never written to disk, see {@link MultipartUpload}); refusals keep the
     * order they always had: role, metadata, departments, the file part, its size, then the photo itself.
     */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    public Response upload(@Context HttpServerRequest request,
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength) {
        Caller caller = callers.current();
        InputStream body = RequestBodyStream.open(request, readTimeout);
        MultipartUpload.Limits limits = new MultipartUpload.Limits(intakeConfig.maxFileBytes(),
                (int) Math.min(Integer.MAX_VALUE, maxFormAttributeSize.asLongValue()), maxBodySize.asLongValue());
        if (!caller.hasRole(Roles.PHOTOGRAPHER)) {
            // Nothing of the body is kept; it is read so that the client, still sending, reads the answer.
            MultipartUpload.discard(body, limits.maxBodyBytes());
            var refused = AccessPolicy.capture(caller, List.of());
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.empty(), List.of(),
                    "upload refused: " + refused.reason());
            throw ProblemException.forbidden("role-not-permitted", refused.reason());
        }
        try (var upload = MultipartUpload.read(body, contentType, length(contentLength), limits, budget)) {
            return accept(upload, caller);
        }
    }

    private static OptionalLong length(String contentLength) {
        try {
            return contentLength == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(contentLength.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private Response accept(MultipartUpload upload, Caller caller) {
        PhotoRequest request = metadataParser.parse(upload.metadata().orElse(null));
        var decision = AccessPolicy.capture(caller, request.requiredDepartments());
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller),
                    Optional.of(new BusinessIdentifier(request.patient().identifier().system(),
                            request.patient().identifier().value())),
                    List.of(), "upload refused: " + decision.reason());
            throw ProblemException.forbidden("department-not-permitted", decision.reason());
        }
        if (upload.fileParts() == 0) {
            throw ProblemException.badRequest("file", "the multipart part 'file' (the image) is required");
        }
        if (upload.fileParts() > 1) {
            throw ProblemException.badRequest("file", "send exactly one 'file' part per request");
        }
        var file = upload.file().orElseThrow(() -> new PhotoRejectedException(
                PhotoRejectedException.Reason.FILE_TOO_LARGE, "the file is " + upload.fileBytes()
                        + " bytes; the limit is " + intakeConfig.maxFileBytes() + " bytes"));
        var accepted = intake.accept(file, request, caller);
        // A new photo is answered from what its transaction committed (no read after the commit); an
        // earlier one as it stands now.
        PhotoView view = accepted.committed()
                .map(c -> PhotoView.of(accepted.photo(), c.study(), c.series(), c.deliveries(), List.of(),
                        PhotoView.AccessNotes.NONE))
                .orElseGet(() -> view(accepted.photo()));
        if (accepted.created()) {
            // Woken after the answer is built, so a new photo is reported QUEUED, as it is at commit.
            sender.deliveriesAdded();
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
        var notes = notes(caller, List.of(photo)).get(photo.id);
        audit.record(AuditAction.PATIENT_READ, true, AuditLog.Agent.of(caller), Optional.of(patientOf(study)),
                List.of("urn:dicom:uid:" + photo.sopInstanceUid), "photo status read"
                        + (notes.breakGlassUntil() != null ? " under break-glass" : ""));
        return view(photo, notes);
    }

    @GET
    public Response list(@QueryParam("patient") String patient, @QueryParam("encounter") String encounter,
            @QueryParam("withheld") String withheld) {
        Caller caller = callers.current();
        BusinessIdentifier p = QueryParameters.identifier(patient, "patient", true).orElseThrow();
        Optional<BusinessIdentifier> e = QueryParameters.identifier(encounter, "encounter", false);
        boolean listWithheld = withheld != null && !withheld.equals("false");
        if (listWithheld && !withheld.equals("true")) {
            throw new ProblemException(400, "invalid-query", "Invalid query", "withheld must be true or false");
        }
        var decision = AccessPolicy.patientRecords(caller);
        if (decision.permitted() && listWithheld && !AccessPolicy.mayKnowWithheldPhotos(caller)) {
            decision = AccessPolicy.breakGlass(caller);
        }
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller), Optional.of(p), List.of(),
                    "photo list refused: " + decision.reason());
            throw ProblemException.forbidden("role-not-permitted", decision.reason());
        }
        List<PhotoRecord> all = photos.list(p.system(), p.value(), e.map(BusinessIdentifier::system),
                e.map(BusinessIdentifier::value), 500);
        var decisions = gate.decide(caller, all, AccessPolicy.PhotoUse.STATUS);
        List<PhotoRecord> shown = all.stream().filter(photo -> decisions.get(photo.id).permitted()).toList();
        List<PhotoRecord> hidden = all.stream().filter(photo -> !decisions.get(photo.id).permitted()).toList();
        boolean mayKnow = AccessPolicy.mayKnowWithheldPhotos(caller);
        if (listWithheld) {
            audit.record(AuditAction.PATIENT_QUERY, true, AuditLog.Agent.of(caller), Optional.of(p),
                    hidden.stream().map(photo -> "urn:uuid:" + photo.id).toList(),
                    "withheld photo list: " + hidden.size() + " returned");
            return Response.ok(hidden.stream().map(photo -> {
                var study = photos.study(photo.studyId);
                return new WithheldView(photo.id, "WITHHELD", photo.department,
                        new PhotoView.Identifier(study.encounterSystem, study.encounterValue), photo.createdAt);
            }).toList()).header(WITHHELD_HEADER, hidden.size()).build();
        }
        audit.record(AuditAction.PATIENT_QUERY, true, AuditLog.Agent.of(caller), Optional.of(p),
                shown.stream().map(photo -> "urn:dicom:uid:" + photo.sopInstanceUid).toList(),
                "photo list: " + shown.size() + " returned" + (mayKnow ? ", " + hidden.size() + " withheld" : ""));
        var notes = notes(caller, shown);
        var answer = Response.ok(shown.stream().map(photo -> view(photo, notes.get(photo.id))).toList());
        if (mayKnow) {
            answer.header(WITHHELD_HEADER, hidden.size());
        }
        return answer.build();
    }

    @POST
    // One transaction: the answer shows the requeued state, and the worker is woken once it has
    // committed (WorkQueue.Added), so it cannot have taken the item before the answer is built.
    @Transactional
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
        return view(photos.find(photo.id).orElseThrow());
    }

    /** The photo if the policy permits this use; otherwise the refusal is audited and answered like a missing photo. */
    private PhotoRecord permitted(String id, Caller caller, AccessPolicy.PhotoUse use) {
        PhotoRecord photo = photos.find(parseId(id))
                .orElseThrow(() -> ProblemException.notFound("no photo with this id"));
        var decision = gate.decide(caller, photo, use);
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.of(caller),
                    Optional.of(patientOf(photos.study(photo.studyId))), List.of("urn:dicom:uid:" + photo.sopInstanceUid),
                    use.name().toLowerCase(java.util.Locale.ROOT) + " refused: " + decision.reason());
            if (gate.decide(caller, photo, AccessPolicy.PhotoUse.STATUS).permitted()) {
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
        return view(photo, PhotoView.AccessNotes.NONE);
    }

    private PhotoView view(PhotoRecord photo, PhotoView.AccessNotes notes) {
        return PhotoView.of(photo, photos.study(photo.studyId), photos.series(photo.seriesId),
                photos.deliveries(photo.id), photos.withdrawals(photo.id), notes);
    }

    /** For the gallery: which photos need a second factor to view, and which are seen under break-glass. */
    private java.util.Map<UUID, PhotoView.AccessNotes> notes(Caller caller, List<PhotoRecord> shown) {
        var views = gate.decide(caller, shown, AccessPolicy.PhotoUse.VIEW);
        var grants = gate.grantsUntil(caller, shown);
        var out = new java.util.HashMap<UUID, PhotoView.AccessNotes>();
        for (PhotoRecord photo : shown) {
            boolean ownDepartment = caller.maySee(photo.accessTagList());
            out.put(photo.id, new PhotoView.AccessNotes(views.get(photo.id).secondFactorRequired(),
                    ownDepartment ? null : grants.get(photo.id)));
        }
        return out;
    }

    private static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("no photo with this id");
        }
    }
}
