package org.photobridge.gateway.routing;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.pixelmed.dicom.AttributeList;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.outbox.WorkHandler;
import org.photobridge.gateway.outbox.WorkOutcome;
import org.photobridge.gateway.outbox.WorkQueue;
import org.photobridge.gateway.pacs.Destination;
import org.photobridge.gateway.pacs.Destinations;
import org.photobridge.gateway.pacs.DicomSource;
import org.photobridge.gateway.pacs.PacsOutcome;
import org.photobridge.gateway.pacs.SourceRejectedException;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.persistence.WorkItem;
import org.photobridge.gateway.store.BlobContexts;
import org.photobridge.gateway.store.DecryptionFailedException;
import org.photobridge.gateway.store.EncryptedBlobStore;

/**
 * Sends one photo to one destination: streams the stored DICOM object, decrypted as it is read,
 * into the destination (no plaintext copy on disk; one decryption when the destination checks the
 * object's identity while sending, as DIMSE does), and on confirmation audits the
 * storage and asks for the study to be published to the EHR. A delivery that lands while consent
 * is being withdrawn is taken back (the delivery and withdrawal are recorded under one lock).
 */
@ApplicationScoped
public class PacsDeliveryHandler implements WorkHandler {
    private static final Logger LOG = Logger.getLogger(PacsDeliveryHandler.class);
    static final String WITHDRAWN_BEFORE_DELIVERY = "not sent: consent was withdrawn before delivery";
    static final String DECRYPTION_FAILED = "not sent: the stored copy failed decryption (security alert raised)";

    @Inject
    Photos photos;

    @Inject
    Destinations destinations;

    @Inject
    EncryptedBlobStore store;

    @Inject
    AuditLog audit;

    @Inject
    WorkQueue queue;

    @Inject
    WithdrawalActions withdrawals;

    @Inject
    FaultInjection faults;

    @Inject
    PhotoIntegrity integrity;

    @Override
    public WorkItem.Kind kind() {
        return WorkItem.Kind.PACS_DELIVERY;
    }

    /**
     * Deliveries wait for uploads in flight (at most {@code intake-priority.max-delay}): the bulk of the
     * work behind an accept, and the PACS can take a photo a second later. Withdrawal actions and EHR
     * publications do not wait: a withdrawn consent takes effect at once, and both are small.
     */
    @Override
    public boolean yieldsToIntake() {
        return true;
    }

    @Override
    public WorkOutcome attempt(WorkItem delivery) {
        // The photo with its study (Patient ID, for the integrity check) in one read.
        Photos.InStudy found = photos.findInStudy(delivery.photoId).orElseThrow();
        PhotoRecord photo = found.photo();
        EncounterStudy study = found.study();
        if (photo.withdrawnAt != null) {
            return new WorkOutcome.Failed(WITHDRAWN_BEFORE_DELIVERY);
        }
        if (photo.blobKey == null) {
            return new WorkOutcome.Failed(
                    "the photo's bytes were purged before this destination stored it; nothing left to send");
        }
        Optional<Destination> destination = destinations.byName(delivery.destination);
        if (destination.isEmpty()) {
            return new WorkOutcome.Failed("destination '" + delivery.destination + "' is no longer configured");
        }
        if (!store.exists(photo.blobKey)) {
            LOG.errorf("photo %s: its encrypted bytes are missing from the store", photo.id);
            return new WorkOutcome.Retry("the gateway could not find the stored photo (is the store directory shared"
                    + " between replicas?)");
        }
        var source = new StoredCopy(photo, study);
        if (!destination.get().checksWhileSending()) {
            // Before any byte leaves: the whole copy must decrypt under this photo's id and be this photo's
            // object (SOP Instance UID, Patient ID). Otherwise a security alert, and the delivery is parked.
            try (InputStream in = store.open(photo.blobKey, source.context)) {
                integrity.checkStream(photo, study, in, StoredCopy.WHAT);
            } catch (DecryptionFailedException e) {
                integrity.alert(photo, StoredCopy.WHAT + " failed decryption: " + e.getMessage());
                return new WorkOutcome.Failed(DECRYPTION_FAILED);
            } catch (PhotoNotReadableException e) {
                return new WorkOutcome.Failed("not sent: " + e.getMessage());
            } catch (IOException e) {
                return new WorkOutcome.Retry("the gateway could not read the stored photo: " + e.getMessage());
            }
        }
        // Streamed from the encrypted store into the association or request body: no plaintext file. A
        // destination that checks while sending calls checkHeader before any byte leaves and stops short
        // of a complete object if a later segment fails to decrypt; the alert is raised here, after it stopped.
        PacsOutcome sent = destination.get().deliver(source, photo.sopClassUid, photo.sopInstanceUid);
        if (source.decryptionFailure != null) {
            integrity.alert(photo, StoredCopy.WHAT + " failed decryption: " + source.decryptionFailure.getMessage());
            return new WorkOutcome.Failed(DECRYPTION_FAILED);
        }
        if (source.mismatch != null) {
            return new WorkOutcome.Failed("not sent: " + integrity.alert(photo, source.mismatch).getMessage());
        }
        WorkOutcome outcome = WorkOutcomes.of(sent);
        if (outcome instanceof WorkOutcome.Done) {
            faults.afterPacsConfirmed(photo, delivery.destination);
        }
        return outcome;
    }

    /**
     * The photo's encrypted local copy as a {@link DicomSource}: decrypted as it is read, its header
     * checked against the photo's row, and a decryption failure or mismatch remembered for the alert.
     */
    private final class StoredCopy implements DicomSource {
        static final String WHAT = "the encrypted local copy";
        private final PhotoRecord photo;
        private final EncounterStudy study;
        private final String context;
        private volatile DecryptionFailedException decryptionFailure;
        private volatile String mismatch;

        StoredCopy(PhotoRecord photo, EncounterStudy study) {
            this.photo = photo;
            this.study = study;
            this.context = BlobContexts.photo(photo.id);
        }

        @Override
        public InputStream open() throws IOException {
            return new FilterInputStream(store.open(photo.blobKey, context)) {
                @Override
                public int read() throws IOException {
                    try {
                        return super.read();
                    } catch (DecryptionFailedException e) {
                        decryptionFailure = e;
                        throw e;
                    }
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return in.read(b, off, len);
                    } catch (DecryptionFailedException e) {
                        decryptionFailure = e;
                        throw e;
                    }
                }
            };
        }

        @Override
        public long length() throws IOException {
            if (photo.blobBytes != null) {
                return photo.blobBytes;
            }
            // Rows written before the length was recorded: count it once, still without a copy.
            try (InputStream in = open()) {
                return in.transferTo(OutputStream.nullOutputStream());
            }
        }

        @Override
        public void checkHeader(AttributeList header) throws SourceRejectedException {
            Optional<String> wrong = PhotoIntegrity.mismatch(photo, study, header, WHAT);
            if (wrong.isPresent()) {
                mismatch = wrong.get();
                throw new SourceRejectedException(mismatch);
            }
        }
    }

    @Override
    public WorkOutcome settle(WorkItem delivery, WorkOutcome outcome) {
        // The item is locked and the photo read after the lock: a withdrawal committed meanwhile is seen.
        // Its study comes with it, for recorded() in the same transaction.
        PhotoRecord photo = photos.findInStudy(delivery.photoId).orElseThrow().photo();
        if (photo.withdrawnAt == null) {
            return outcome;
        }
        if (outcome instanceof WorkOutcome.Done) {
            // It reached the PACS while consent was being withdrawn: take it back like the others.
            withdrawals.reopenAfterLateDelivery(delivery.photoId, delivery.destination);
            return outcome;
        }
        return new WorkOutcome.Failed(WITHDRAWN_BEFORE_DELIVERY);
    }

    @Override
    public void recorded(WorkItem delivery, WorkOutcome outcome) {
        if (delivery.status != WorkItem.Status.DONE) {
            return;
        }
        PhotoRecord photo = photos.find(delivery.photoId).orElseThrow();
        EncounterStudy study = photos.study(photo.studyId);
        audit.record(AuditAction.PHOTO_STORED, true, AuditLog.Agent.SYSTEM,
                Optional.of(new BusinessIdentifier(study.patientSystem, study.patientValue)),
                List.of("ImagingStudy/" + study.id, "urn:dicom:uid:" + photo.sopInstanceUid),
                "stored at destination " + delivery.destination);
        queue.requestPublication(WorkQueue.IMAGING_STUDY, study.id.toString());
    }
}
