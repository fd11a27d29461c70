package org.photobridge.gateway.routing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.dicom.RejectionNote;
import org.photobridge.gateway.dicom.RejectionNoteWriter;
import org.photobridge.gateway.outbox.WorkHandler;
import org.photobridge.gateway.outbox.WorkOutcome;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.pacs.Destination;
import org.photobridge.gateway.pacs.Destinations;
import org.photobridge.gateway.pacs.DestinationsConfig;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.persistence.StudySeries;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.MemoryBusyException;

/**
 * Carries out one destination's withdrawal action for a withdrawn photo (rejection note, delete,
 * or nothing) as work of the queue, and audits each final outcome. A rejection note keeps the UIDs
 * and time chosen when the withdrawal was queued, so retries resend the same note.
 */
@ApplicationScoped
public class PacsWithdrawalHandler implements WorkHandler {

    @Inject
    Event<WorkQueue.Added> added;

    @Inject
    Photos photos;

    @Inject
    Destinations destinations;

    @Inject
    DestinationsConfig config;

    @Inject
    PhotoSources sources;

    @Inject
    AuditLog audit;

    @Inject
    WorkingFiles workingFiles;

    @Inject
    MemoryBudget memory;

    private final RejectionNoteWriter noteWriter = new RejectionNoteWriter();

    @Override
    public WorkItem.Kind kind() {
        return WorkItem.Kind.PACS_WITHDRAWAL;
    }

    @Override
    public WorkOutcome attempt(WorkItem withdrawal) {
        WorkOutcome outcome;
        Path note = null;
        try {
            Context context = context(withdrawal.photoId);
            Optional<Destination> destination = destinations.byName(withdrawal.destination);
            if (destination.isEmpty()) {
                outcome = new WorkOutcome.Failed("destination '" + withdrawal.destination
                        + "' is no longer configured");
            } else {
                var pacs = new PacsWithdrawal(destination.get(), action(withdrawal));
                if (pacs.needsRejectionNote()) {
                    note = workingFiles.newFile();
                    Optional<WorkOutcome> problem = writeNote(withdrawal, context, note);
                    outcome = problem.isPresent() ? problem.get() : pacs.withdraw(List.of(context.ref()), note);
                } else {
                    outcome = pacs.withdraw(List.of(context.ref()), null);
                }
            }
        } catch (IllegalStateException e) {
            outcome = new WorkOutcome.Failed(e.getMessage());
        } catch (IOException e) {
            outcome = new WorkOutcome.Retry("cannot make a working file for the rejection note: " + e.getMessage());
        } finally {
            workingFiles.delete(note);
        }
        return outcome;
    }

    @Override
    public void recorded(WorkItem row, WorkOutcome outcome) {
        if (row.status.pending()) {
            return;
        }
        if ("reject".equals(row.action)) {
            // A delete of the same photo waits until its rejection note is done or has failed
            // (WorkItems.leaseDue): it is due now, once this outcome has committed.
            added.fire(new WorkQueue.Added());
        }
        PhotoRecord photo = photos.find(row.photoId).orElseThrow();
        EncounterStudy study = photos.study(photo.studyId);
        audit.record(AuditAction.PHOTO_WITHDRAWN, row.status == WorkItem.Status.DONE, AuditLog.Agent.SYSTEM,
                Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue)),
                List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid),
                "withdrawal action " + row.action + " at destination " + row.destination + ": "
                        + (row.status == WorkItem.Status.DONE ? "done" : "failed: " + row.lastError));
    }

    /** Writes the rejection note to {@code note}; returns the outcome to record when it cannot. */
    private Optional<WorkOutcome> writeNote(WorkItem withdrawal, Context context, Path note) {
        // The read-back holds the whole object: reserved from the one image budget, like every fetch.
        long needed = PhotoSources.fetchLimit(context.photo());
        if (!memory.fits(needed)) {
            return Optional.of(new WorkOutcome.Failed("the photo needs about " + (needed >> 20) + " MiB to read back"
                    + " for its rejection note but this gateway allows " + (memory.totalBytes() >> 20)
                    + " MiB for image work"));
        }
        try (var reserved = memory.reserve(needed)) {
            Optional<byte[]> source = sources.read(context.photo(), context.ref());
            if (source.isEmpty()) {
                return Optional.of(new WorkOutcome.Failed("the photo is neither held locally nor readable "
                        + "from a PACS, so no rejection note can be built; configure dicomweb-url"));
            }
            var subject = DicomTags.read(new ByteArrayInputStream(source.get()));
            var rejection = new RejectionNote(subject, List.of(context.ref()), RejectionNoteWriter.CONSENT_WITHDRAWN,
                    Optional.of("Patient withdrew consent to clinical photography"), withdrawal.noteSeriesUid,
                    withdrawal.noteSopUid, withdrawal.requestedAt);
            noteWriter.write(rejection, note);
            return Optional.empty();
        } catch (PhotoSources.Unavailable e) {
            return Optional.of(new WorkOutcome.Retry("cannot read the photo back to build the rejection note: "
                    + e.getMessage()));
        } catch (PhotoNotReadableException e) {
            // An integrity failure (already alerted): retrying would only repeat the alert.
            return Optional.of(new WorkOutcome.Failed("cannot build the rejection note: " + e.getMessage()));
        } catch (IOException e) {
            return Optional.of(new WorkOutcome.Retry("cannot build the rejection note: " + e.getMessage()));
        } catch (MemoryBusyException e) {
            return Optional.of(new WorkOutcome.Retry("cannot read the photo back for its rejection note now: "
                    + e.getMessage()));
        }
    }

    private WithdrawalAction action(WorkItem withdrawal) {
        return switch (withdrawal.action) {
            case "reject" -> new WithdrawalAction.Reject();
            case "delete" -> new WithdrawalAction.Delete(Destinations.orthancRest(withdrawal.destination,
                    config.destinations().get(withdrawal.destination)));
            case "none" -> new WithdrawalAction.None();
            default -> throw new IllegalStateException("unknown withdrawal action '" + withdrawal.action + "'");
        };
    }

    private record Context(PhotoRecord photo, EncounterStudy study, InstanceRef ref) {
    }

    private Context context(UUID photoId) {
        PhotoRecord photo = photos.find(photoId).orElseThrow();
        EncounterStudy study = photos.study(photo.studyId);
        StudySeries series = photos.series(photo.seriesId);
        return new Context(photo, study, new InstanceRef(study.studyInstanceUid, series.seriesInstanceUid,
                photo.sopClassUid, photo.sopInstanceUid));
    }
}
