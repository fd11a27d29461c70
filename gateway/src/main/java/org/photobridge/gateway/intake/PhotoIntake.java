package org.photobridge.gateway.intake;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.PersistenceException;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.ConsentScope;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.consent.ConsentConfig;
import org.photobridge.gateway.consent.ConsentRequiredException;
import org.photobridge.gateway.consent.ConsentPolicy;
import org.photobridge.gateway.consent.ConsentStore;
import org.photobridge.gateway.dicom.PhotoInstance;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.dicom.VlPhotoWriter;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.DatabaseUnavailableException;
import org.photobridge.gateway.persistence.FailureNames;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.persistence.Studies;
import org.photobridge.gateway.persistence.StudySeries;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.PhotoCleaner;
import org.photobridge.gateway.photo.PhotoLimits;
import org.photobridge.gateway.photo.PhotoRejectedException;
import org.photobridge.gateway.pacs.Destinations;
import org.photobridge.gateway.store.BlobContexts;
import org.photobridge.gateway.store.EncryptedBlobStore;
import org.photobridge.gateway.store.StoreUnavailableException;

/**
 * Takes one uploaded photo from bytes in memory to a durable, encrypted DICOM object with an outbox
 * entry per destination. Returns only after the commit, so an accepted photo survives a crash; on
 * any failure nothing of the photo is left behind.
 */
@ApplicationScoped
public class PhotoIntake {
    private static final Logger LOG = Logger.getLogger(PhotoIntake.class);

    @Inject
    IntakeConfig config;

    @Inject
    PhotoCleaner cleaner;

    @Inject
    VlPhotoWriter writer;

    @Inject
    UidGenerator uids;

    @Inject
    Studies studies;

    @Inject
    Photos photos;

    @Inject
    EncryptedBlobStore store;

    @Inject
    Destinations destinations;

    @Inject
    Clock clock;

    @Inject
    ConsentConfig consentConfig;

    @Inject
    ConsentStore consents;

    @Inject
    AuditLog audit;

    /** Before cleaning: the earlier photo of the same bytes, or whether the capture lacks a covering consent. */
    private record Precheck(Optional<PhotoRecord> existing, boolean consentWarning) {
    }

    /** A cleaned photo written to the store in its study's slot. */
    private record Written(CleanedPhoto cleaned, Studies.Slot slot, PhotoInstance instance,
            EncryptedBlobStore.StoredBlob blob) {
    }

    /**
     * The photo, and whether this request created it (false: the same photo was already there). A
     * created photo comes with what was committed with it (its study, series and deliveries), so the
     * answer needs no read after the commit; an earlier photo comes alone.
     */
    public record Accepted(PhotoRecord photo, boolean created, Optional<Committed> committed) {
        static Accepted existing(PhotoRecord photo) {
            return new Accepted(photo, false, Optional.empty());
        }
    }

    /** What a new photo's transaction committed beside the photo row. */
    public record Committed(EncounterStudy study, StudySeries series, List<WorkItem> deliveries) {
    }

    /**
     * Accepts one upload received in memory ({@link MultipartUpload}): its bytes, their SHA-256 and
     * the memory reserved for them, which cleaning grows as the photo needs and the caller closes.
     */
    public Accepted accept(MultipartUpload.ReceivedFile upload, PhotoRequest request, Caller caller) {
        long size = upload.length();
        if (size > config.maxFileBytes()) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.FILE_TOO_LARGE, "the file is " + size
                    + " bytes; the limit is " + config.maxFileBytes() + " bytes");
        }
        String sha256 = upload.sha256();
        // The same bytes again answer with the earlier photo, but only one the caller may see: a photo
        // of another department is neither revealed nor reused, and this upload becomes its own. The
        // look for it and the capture consent's are one read-only transaction (one commit, not two).
        Precheck precheck = QuarkusTransaction.requiringNew().call(() -> {
            Optional<PhotoRecord> existing = visible(
                    photos.findBySource(request.patient().identifier(), request.encounter(), sha256), caller);
            return existing.isPresent() ? new Precheck(existing, false)
                    : new Precheck(Optional.empty(), checkCaptureConsent(request));
        });
        if (precheck.existing().isPresent()) {
            return Accepted.existing(precheck.existing().get());
        }
        boolean consentWarning = precheck.consentWarning();
        var limits = new PhotoLimits(config.maxPixels(), PhotoLimits.DEFAULT.maxDimension(), config.maxJpegScans());
        // The photo id is chosen first: the blob is bound to it (a blob moved to another photo does not decrypt).
        UUID photoId = UUID.randomUUID();
        // The memory for cleaning is held until the DICOM object is written (its pixels may be decoded then).
        // The upload's array becomes the cleaned photo's (compacted in place): hashed before, not used after.
        Written written = cleaner.clean(upload.array(), upload.length(), upload.memory(), limits, sha256, clean -> {
            var reserved = studies.reserve(request.patient().identifier(), request.encounter(),
                    request.department(), request.bodySite().code(), uids);
            var photoInstance = new PhotoInstance(request.patient(), request.encounter(), request.department(),
                    request.accessTags(), request.bodySite(), request.laterality(), request.view(),
                    request.protocol(), request.takenAt(), request.deviceManufacturer(), request.deviceModel(),
                    Optional.of(caller.displayName()),
                    new PhotoInstance.Uids(reserved.study().studyInstanceUid, reserved.series().seriesInstanceUid,
                            uids.next()),
                    reserved.series().seriesNumber, reserved.instanceNumber(), reserved.study().createdAt);
            return new Written(clean, reserved, photoInstance,
                    store.put(BlobContexts.photo(photoId), out -> writer.write(clean, photoInstance, out)));
        });
        CleanedPhoto cleaned = written.cleaned();
        var slot = written.slot();
        var instance = written.instance();
        var blob = written.blob();
        PhotoRecord photo = record(photoId, request, caller, slot.study(), slot.series().id, instance, cleaned, sha256,
                blob);
        photo.consentWarning = consentWarning;
        List<WorkItem> deliveries = new ArrayList<>();
        for (String destination : destinations.names()) {
            deliveries.add(WorkItem.delivery(photo.id, destination, now()));
        }
        var patient = new BusinessIdentifier(request.patient().identifier().system(),
                request.patient().identifier().value());
        try {
            // The photo, its outbox rows and its audit entry (the photographer's capture) commit together.
            QuarkusTransaction.requiringNew().run(() -> {
                photos.insert(photo, deliveries);
                audit.record(AuditAction.PHOTO_ACCEPTED, true, AuditLog.Agent.of(caller), Optional.of(patient),
                        List.of("ImagingStudy/" + slot.study().id, "urn:dicom:uid:" + photo.sopInstanceUid),
                        "photo accepted from " + caller.username() + " for " + photo.department);
            });
        } catch (PersistenceException e) {
            if (DatabaseUnavailableException.causedBy(e)) {
                throw unavailable(blob.key(), e);
            }
            store.discard(blob.key());
            // A concurrent upload of the same bytes for the same encounter and department won the unique constraint.
            Optional<PhotoRecord> winner = visibleSource(slot.study().id, sha256, caller);
            if (winner.isPresent()) {
                return Accepted.existing(winner.get());
            }
            LOG.errorf("could not commit an accepted photo: %s", e.getClass().getSimpleName());
            throw new StoreUnavailableException("database commit failed", e);
        } catch (RuntimeException e) {
            // The commit itself failed (the photo was flushed without a conflict above): whether the
            // database kept it is not known here, so the blob stays for the sweep and the client is
            // asked to try again.
            if (DatabaseUnavailableException.causedBy(e) || commitFailed(e)) {
                throw unavailable(blob.key(), e);
            }
            store.discard(blob.key());
            throw e;
        }
        LOG.infof("photo %s accepted (%s, %d bytes, %s), queued for %s", photo.id, cleaned.source().format(),
                size, cleaned.source().reencoded() ? "re-encoded" : "pixels kept", destinations.names());
        return new Accepted(photo, true, Optional.of(new Committed(slot.study(), slot.series(), deliveries)));
    }

    /**
     * The database went away around the commit, whose outcome is then unknown: the blob stays (a row
     * may refer to it; the start-up sweep deletes it after an hour if none does) and the client is
     * told to try again, which answers with this photo if it was committed after all.
     */
    private DatabaseUnavailableException unavailable(String blobKey, RuntimeException e) {
        LOG.errorf("database unavailable while committing a photo (blob %s kept for the sweep): %s", blobKey,
                FailureNames.of(e));
        return new DatabaseUnavailableException(e);
    }

    /**
     * Now, at the database's precision (microseconds): the 202 is built from these values, and a later
     * read of the same rows must answer the same.
     */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static boolean commitFailed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof jakarta.transaction.RollbackException
                    || t instanceof jakarta.transaction.HeuristicMixedException) {
                return true;
            }
        }
        return false;
    }

    private Optional<PhotoRecord> visibleSource(UUID studyId, String sha256, Caller caller) {
        return visible(photos.findBySource(studyId, sha256), caller);
    }

    private static Optional<PhotoRecord> visible(List<PhotoRecord> found, Caller caller) {
        return found.stream()
                .filter(p -> AccessPolicy.photo(caller, p.accessTagList(), AccessPolicy.PhotoUse.STATUS).permitted())
                .findFirst();
    }

    /**
     * Applies the capture policy; returns true when the photo is accepted without a covering
     * consent under policy {@code warn}.
     */
    private boolean checkCaptureConsent(PhotoRequest request) {
        if (consentConfig.capturePolicy() == ConsentConfig.CapturePolicy.OFF) {
            return false;
        }
        var patient = new BusinessIdentifier(request.patient().identifier().system(),
                request.patient().identifier().value());
        var decision = ConsentPolicy.decide(consents.termsOfPatient(patient), ConsentScope.CLINICAL_CARE,
                Optional.empty(), clock.instant());
        if (decision.permitted()) {
            return false;
        }
        if (consentConfig.capturePolicy() == ConsentConfig.CapturePolicy.REQUIRE) {
            throw new ConsentRequiredException(
                    "this deployment requires the patient's active consent to clinical photography before "
                            + "capture, and " + decision.reason() + "; record it at /fhir/Consent first");
        }
        return true;
    }

    private PhotoRecord record(UUID photoId, PhotoRequest request, Caller caller, EncounterStudy study, UUID seriesId,
            PhotoInstance instance, CleanedPhoto cleaned, String sha256, EncryptedBlobStore.StoredBlob blob) {
        var photo = new PhotoRecord();
        photo.id = photoId;
        photo.studyId = study.id;
        photo.seriesId = seriesId;
        photo.sopClassUid = VlPhotoWriter.VL_PHOTOGRAPHIC_IMAGE_STORAGE;
        photo.sopInstanceUid = instance.uids().sopInstanceUid();
        photo.instanceNumber = instance.instanceNumber();
        photo.sourceSha256 = sha256;
        photo.sourceFormat = cleaned.source().format().name();
        photo.transferSyntaxUid = VlPhotoWriter.transferSyntaxOf(cleaned);
        photo.department = request.department();
        photo.accessTags = String.join(",", request.accessTags());
        photo.bodySiteCode = request.bodySite().code();
        photo.bodySiteDisplay = request.bodySite().display();
        photo.laterality = request.laterality();
        photo.viewCode = request.view().orElse(null);
        photo.protocolCode = request.protocol().orElse(null);
        photo.takenAt = request.takenAt().orElse(null);
        photo.uploadedBy = caller.subject();
        photo.createdAt = now();
        photo.blobKey = blob.key();
        photo.blobBytes = blob.plainBytes();
        return photo;
    }
}
