package org.photobridge.gateway.intake;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.StudySeries;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.routing.PhotoStatus;

/**
 * The JSON the photo API returns: status, UIDs, what the photo shows, and one entry per destination.
 * No patient data beyond the encounter's identifier.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PhotoView(
        UUID id,
        PhotoStatus status,
        String studyInstanceUid,
        String seriesInstanceUid,
        String sopInstanceUid,
        String sha256,
        String department,
        List<String> accessTags,
        String bodySite,
        String bodySiteDisplay,
        String laterality,
        String view,
        String protocol,
        Identifier encounter,
        Instant takenAt,
        Instant acceptedAt,
        boolean bytesPurged,
        Boolean consentWarning,
        Instant withdrawnAt,
        Boolean stepUpRequired,
        Instant breakGlassUntil,
        List<DeliveryView> deliveries,
        List<WithdrawalView> withdrawals) {

    /** A business identifier (the encounter's), as the upload metadata names it. */
    public record Identifier(String system, String value) {
    }

    /** What the access policy says of this photo to this caller, for the gallery. */
    public record AccessNotes(boolean stepUpRequired, Instant breakGlassUntil) {
        public static final AccessNotes NONE = new AccessNotes(false, null);
    }

    /**
     * One destination's delivery. Its status is the work queue's state with DONE spelt STORED, the
     * word the API has used for a confirmed delivery from the start.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeliveryView(String destination, String status, int attempts, String lastError,
            Instant nextAttemptAt, Instant storedAt, Instant updatedAt) {
    }

    /** What one destination was asked to do when consent was withdrawn. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WithdrawalView(String destination, String action, WorkItem.Status status, int attempts,
            String lastError, Instant doneAt) {
    }

    public static PhotoView of(PhotoRecord photo, EncounterStudy study, StudySeries series,
            List<WorkItem> deliveries, List<WorkItem> withdrawals, AccessNotes notes) {
        PhotoStatus status = photo.withdrawnAt != null ? PhotoStatus.WITHDRAWN : PhotoStatus.of(deliveries);
        return new PhotoView(photo.id, status, study.studyInstanceUid, series.seriesInstanceUid,
                photo.sopInstanceUid, photo.sourceSha256, photo.department, photo.accessTagList(),
                photo.bodySiteCode, photo.bodySiteDisplay, photo.laterality, photo.viewCode, photo.protocolCode,
                new Identifier(study.encounterSystem, study.encounterValue), photo.takenAt, photo.createdAt,
                photo.blobKey == null, photo.consentWarning ? Boolean.TRUE : null, photo.withdrawnAt,
                notes.stepUpRequired() ? Boolean.TRUE : null, notes.breakGlassUntil(),
                deliveries.stream().map(d -> new DeliveryView(d.destination,
                        d.status == WorkItem.Status.DONE ? "STORED" : d.status.name(), d.attempts, d.lastError,
                        d.nextAttemptAt, d.doneAt, d.updatedAt)).toList(),
                withdrawals.isEmpty() ? null : withdrawals.stream().map(w -> new WithdrawalView(w.destination,
                        w.action, w.status, w.attempts, w.lastError, w.doneAt)).toList());
    }
}
