package org.photobridge.gateway.routing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.jboss.logging.Logger;
import org.photobridge.fhir.BusinessIdentifier;
import org.photobridge.fhir.audit.AuditAction;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.dicom.RejectionNote;
import org.photobridge.gateway.dicom.RejectionNoteWriter;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.StudySeries;
import org.photobridge.gateway.persistence.WithdrawalRecord;
import org.photobridge.gateway.persistence.WithdrawalRecord.Status;

/**
 * Carries out queued withdrawals at each PACS (rejection note, delete, or nothing), retrying like
 * deliveries, and audits each final outcome. A rejection note keeps the UIDs and time chosen when
 * the withdrawal was queued, so retries resend the same note.
 */
@ApplicationScoped
public class WithdrawalSender {
    private static final Logger LOG = Logger.getLogger(WithdrawalSender.class);

    @Inject
    Session session;

    @Inject
    Clock clock;

    @Inject
    Destinations destinations;

    @Inject
    RoutingConfig config;

    @Inject
    PhotoSources sources;

    @Inject
    Outbox outbox;

    @Inject
    AuditLog audit;

    private final RejectionNoteWriter noteWriter = new RejectionNoteWriter();

    @Transactional
    public List<WithdrawalRecord> due(int limit) {
        // A delete waits for the photo's rejection notes: a note is built from the object itself,
        // which the delete may remove from the only PACS that still holds it.
        return session.createSelectionQuery("""
                from WithdrawalRecord w where w.status in (:q, :r)
                  and (w.nextAttemptAt is null or w.nextAttemptAt <= :now)
                  and not (w.action = 'delete' and exists (select 1 from WithdrawalRecord n where n.photoId = w.photoId
                           and n.action = 'reject' and n.status in (:q, :r)))
                order by w.updatedAt""", WithdrawalRecord.class)
                .setParameter("q", Status.QUEUED).setParameter("r", Status.RETRYING)
                .setParameter("now", clock.instant()).setMaxResults(limit).getResultList();
    }

    /** Works one withdrawal; {@code workDirectory} is the private directory for the note file. */
    public void process(WithdrawalRecord withdrawal, Path workDirectory) {
        DeliveryOutcome outcome;
        Path note = null;
        try {
            Context context = context(withdrawal.photoId);
            Optional<Destination> destination = destinations.byName(withdrawal.destination);
            if (destination.isEmpty()) {
                outcome = new DeliveryOutcome.Failed("destination '" + withdrawal.destination
                        + "' is no longer configured");
            } else {
                var pacs = new PacsWithdrawal(destination.get(), action(withdrawal));
                if (pacs.needsRejectionNote()) {
                    note = workDirectory.resolve(UUID.randomUUID() + ".dcm");
                    Optional<DeliveryOutcome> problem = writeNote(withdrawal, context, note);
                    outcome = problem.isPresent() ? problem.get() : pacs.withdraw(List.of(context.ref()), note);
                } else {
                    outcome = pacs.withdraw(List.of(context.ref()), null);
                }
            }
        } catch (IllegalStateException e) {
            outcome = new DeliveryOutcome.Failed(e.getMessage());
        } finally {
            deleteQuietly(note);
        }
        record(withdrawal.id, outcome);
        LOG.infof("photo %s withdrawal at %s: %s", withdrawal.photoId, withdrawal.destination, outcome.message());
    }

    /** Writes the rejection note to {@code note}; returns the outcome to record when it cannot. */
    private Optional<DeliveryOutcome> writeNote(WithdrawalRecord withdrawal, Context context, Path note) {
        try {
            Optional<byte[]> source = sources.read(context.photo(), context.ref());
            if (source.isEmpty()) {
                return Optional.of(new DeliveryOutcome.Failed("the photo is neither held locally nor readable "
                        + "from a PACS, so no rejection note can be built; configure dicomweb-url"));
            }
            var subject = DicomTags.read(new ByteArrayInputStream(source.get()));
            var rejection = new RejectionNote(subject, List.of(context.ref()), RejectionNoteWriter.CONSENT_WITHDRAWN,
                    Optional.of("Patient withdrew consent to clinical photography"), withdrawal.noteSeriesUid,
                    withdrawal.noteSopUid, withdrawal.requestedAt);
            noteWriter.write(rejection, note);
            return Optional.empty();
        } catch (PhotoSources.Unavailable e) {
            return Optional.of(new DeliveryOutcome.Retry("cannot read the photo back to build the rejection note: "
                    + e.getMessage()));
        } catch (IOException e) {
            return Optional.of(new DeliveryOutcome.Retry("cannot build the rejection note: " + e.getMessage()));
        }
    }

    private WithdrawalAction action(WithdrawalRecord withdrawal) {
        return switch (withdrawal.action) {
            case "reject" -> new WithdrawalAction.Reject();
            case "delete" -> {
                var settings = config.destinations().get(withdrawal.destination);
                var url = settings.restUrl().orElseThrow(() -> new IllegalStateException("destination '"
                        + withdrawal.destination + "' has withdrawal-action delete but no rest-url"));
                yield new WithdrawalAction.Delete(new OrthancRestSettings(withdrawal.destination, url,
                        Destinations.credentials(settings), settings.timeout()));
            }
            case "none" -> new WithdrawalAction.None();
            default -> throw new IllegalStateException("unknown withdrawal action '" + withdrawal.action + "'");
        };
    }

    private record Context(PhotoRecord photo, EncounterStudy study, InstanceRef ref) {
    }

    @Transactional
    Context context(UUID photoId) {
        PhotoRecord photo = session.find(PhotoRecord.class, photoId);
        EncounterStudy study = session.find(EncounterStudy.class, photo.studyId);
        StudySeries series = session.find(StudySeries.class, photo.seriesId);
        return new Context(photo, study, new InstanceRef(study.studyInstanceUid, series.seriesInstanceUid,
                photo.sopClassUid, photo.sopInstanceUid));
    }

    @Transactional
    void record(UUID id, DeliveryOutcome outcome) {
        WithdrawalRecord row = session.find(WithdrawalRecord.class, id);
        var now = clock.instant();
        row.attempts++;
        row.updatedAt = now;
        row.lastError = outcome instanceof DeliveryOutcome.Stored ? null : truncate(outcome.message());
        if (outcome instanceof DeliveryOutcome.Stored) {
            row.status = Status.DONE;
            row.doneAt = now;
            row.nextAttemptAt = null;
        } else if (outcome instanceof DeliveryOutcome.Retry && row.attempts < config.routing().maxAttempts()) {
            row.status = Status.RETRYING;
            row.nextAttemptAt = now.plus(outbox.backoff(row.attempts));
            return;
        } else {
            row.status = Status.FAILED;
            row.nextAttemptAt = null;
        }
        PhotoRecord photo = session.find(PhotoRecord.class, row.photoId);
        EncounterStudy study = session.find(EncounterStudy.class, photo.studyId);
        audit.record(AuditAction.PHOTO_WITHDRAWN, row.status == Status.DONE, AuditLog.Agent.SYSTEM,
                Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue)),
                List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid),
                "withdrawal action " + row.action + " at destination " + row.destination + ": "
                        + (row.status == Status.DONE ? "done" : "failed: " + row.lastError));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 997) + "...";
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.errorf("could not delete a rejection note working file: %s", e.getMessage());
            }
        }
    }
}
