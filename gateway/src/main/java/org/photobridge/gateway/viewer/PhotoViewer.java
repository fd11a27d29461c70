package org.photobridge.gateway.viewer;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.ConsentTerms;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.access.PhotoGate;
import org.photobridge.gateway.access.SecondFactorRequiredException;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.consent.ConsentPolicy;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.consent.PhotoUseRefusedException;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.persistence.StudySeries;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.routing.PhotoSources;

/**
 * Serves photos to viewers and exports, each time checking who asks (department), what for
 * (consent scope) and whether the photo is still in use, and auditing every view, export and refusal.
 * Refusals are domain exceptions; the door ({@link ViewerResource}) and the edge map them to HTTP.
 */
@ApplicationScoped
public class PhotoViewer {
    public static final int THUMBNAIL_SIDE = 256;

    private static final String NOT_FOUND = "no photo with this id";

    @Inject
    Photos photos;

    @Inject
    ConsentStore consents;

    @Inject
    PhotoSources sources;

    @Inject
    AuditLog audit;

    @Inject
    Clock clock;

    @Inject
    MemoryBudget budget;

    @Inject
    PhotoGate gate;

    private final PhotoRenderer renderer = new PhotoRenderer();

    /** What is asked for: a chart view (clinical care) or an export for a purpose. */
    public enum Use {
        THUMBNAIL(ConsentScope.CLINICAL_CARE, AuditAction.PHOTO_VIEWED, AccessPolicy.PhotoUse.VIEW),
        RENDERED(ConsentScope.CLINICAL_CARE, AuditAction.PHOTO_VIEWED, AccessPolicy.PhotoUse.VIEW),
        EXPORT_TEACHING(ConsentScope.TEACHING, AuditAction.PHOTO_EXPORTED, AccessPolicy.PhotoUse.EXPORT),
        EXPORT_PUBLICATION(ConsentScope.PUBLICATION, AuditAction.PHOTO_EXPORTED, AccessPolicy.PhotoUse.EXPORT),
        EXPORT_MARKETING(ConsentScope.MARKETING, AuditAction.PHOTO_EXPORTED, AccessPolicy.PhotoUse.EXPORT),
        EXPORT_SPECIFIC_USE(ConsentScope.SPECIFIC_USE, AuditAction.PHOTO_EXPORTED, AccessPolicy.PhotoUse.EXPORT);

        final ConsentScope scope;
        final AuditAction action;
        final AccessPolicy.PhotoUse access;

        Use(ConsentScope scope, AuditAction action, AccessPolicy.PhotoUse access) {
            this.scope = scope;
            this.action = action;
            this.access = access;
        }
    }

    /**
     * A JPEG served and the image memory it still holds: the caller closes {@code memory} once the
     * bytes are written (or abandoned).
     */
    public record Served(byte[] jpeg, MemoryBudget.Reservation memory) {
    }

    /**
     * The photo as a JPEG for the use, its memory reserved until it is written. Besides the
     * exceptions below, {@code PhotoSources.require} raises {@code PhotoNotReadableException} when
     * the photo cannot be read from anywhere now.
     *
     * @throws PhotoNotFoundException     no such photo, or one the caller may not see
     * @throws PhotoUseRefusedException   withdrawn, or the patient's consent does not cover the use
     * @throws UnrenderablePhotoException the stored object cannot be turned into a JPEG
     */
    public Served serve(String photoId, Use use, Caller caller) throws UnrenderablePhotoException {
        PhotoRecord photo = find(photoId);
        EncounterStudy study = photos.study(photo.studyId);
        var patient = Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue));
        var entities = List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid);
        var agent = AuditLog.Agent.of(caller);
        var access = gate.decide(caller, photo, use.access);
        if (!access.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, agent, patient, entities,
                    use + " refused: " + access.reason());
            if (access.secondFactorRequired()) {
                // Only a caller the policy otherwise permits learns that a second factor would open it.
                throw new SecondFactorRequiredException(gate.requiredAcr());
            }
            // Do not confirm to outsiders that the photo exists.
            throw new PhotoNotFoundException(NOT_FOUND);
        }
        if (photo.withdrawnAt != null) {
            audit.record(AuditAction.ACCESS_DENIED, false, agent, patient, entities, use + " refused: withdrawn");
            throw new PhotoUseRefusedException(PhotoUseRefusedException.Reason.WITHDRAWN,
                    "the patient withdrew consent to the clinical use of this photo; it is no longer served");
        }
        var ref = new ConsentPolicy.PhotoRef(study.id.toString(), study.studyInstanceUid, photo.sopInstanceUid);
        var decision = ConsentPolicy.decide(consents.termsOfPatient(patient.get()), use.scope, Optional.of(ref),
                clock.instant());
        if (!decision.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, agent, patient, entities,
                    use + " refused: " + decision.reason());
            throw new PhotoUseRefusedException(PhotoUseRefusedException.Reason.NOT_COVERED,
                    decision.reason() + "; the photo cannot be served for this purpose");
        }
        StudySeries series = photos.series(photo.seriesId);
        var memory = reserveMemory(photo);
        boolean handedOver = false;
        try {
            byte[] object = sources.require(photo, new InstanceRef(study.studyInstanceUid,
                    series.seriesInstanceUid, photo.sopClassUid, photo.sopInstanceUid));
            PhotoRenderer.Jpeg rendered = use == Use.THUMBNAIL
                    ? renderer.thumbnail(object, THUMBNAIL_SIDE)
                    : renderer.rendered(object);
            byte[] jpeg = rendered.bytes();
            object = null; // only the JPEG is held from here on, until it is written
            memory.shrinkTo(jpeg.length);
            audit.record(use.action, true, agent, patient, entities, use.name().toLowerCase(java.util.Locale.ROOT)
                    + " served to " + caller.username() + (access.breakGlass() ? " under break-glass" : ""));
            handedOver = true;
            return new Served(jpeg, memory);
        } finally {
            if (!handedOver) {
                memory.close(); // refused, failed or an Error: nothing is served, nothing stays reserved
            }
        }
    }

    /** The ids of a patient's photos the caller could export for the scope now (for export lists). */
    public List<String> exportable(BusinessIdentifier patient, ConsentScope scope, Caller caller) {
        List<ConsentTerms> terms = consents.termsOfPatient(patient);
        var now = clock.instant();
        var all = photos.list(patient.system(), patient.value(), Optional.empty(), Optional.empty(), 500);
        var decisions = gate.decide(caller, all, AccessPolicy.PhotoUse.EXPORT);
        var listed = all.stream()
                .filter(photo -> photo.withdrawnAt == null && decisions.get(photo.id).permitted())
                .filter(photo -> {
                    EncounterStudy study = photos.study(photo.studyId);
                    var ref = new ConsentPolicy.PhotoRef(study.id.toString(), study.studyInstanceUid,
                            photo.sopInstanceUid);
                    return ConsentPolicy.decide(terms, scope, Optional.of(ref), now).permitted();
                })
                .toList();
        audit.record(AuditAction.PATIENT_QUERY, true, AuditLog.Agent.of(caller), Optional.of(patient),
                listed.stream().map(photo -> "urn:dicom:uid:" + photo.sopInstanceUid).toList(),
                "export list for " + scope.name().toLowerCase(java.util.Locale.ROOT) + ": " + listed.size()
                        + " returned");
        return listed.stream().map(photo -> photo.id.toString()).toList();
    }

    /**
     * The memory to fetch and render the photo, from the one budget all image work shares (waits its
     * turn; {@code MemoryBusyException}, a 503, when the wait is too long).
     */
    private MemoryBudget.Reservation reserveMemory(PhotoRecord photo) throws UnrenderablePhotoException {
        long needed = PhotoRenderer.memoryNeeded(photo.blobBytes);
        if (!budget.fits(needed)) {
            throw new UnrenderablePhotoException("the photo needs about " + (needed >> 20) + " MiB to render but this"
                    + " gateway allows " + (budget.totalBytes() >> 20) + " MiB for image work");
        }
        return budget.reserve(needed);
    }

    private PhotoRecord find(String id) {
        try {
            return photos.find(UUID.fromString(id)).orElseThrow(() -> new PhotoNotFoundException(NOT_FOUND));
        } catch (IllegalArgumentException e) {
            throw new PhotoNotFoundException(NOT_FOUND);
        }
    }

}
