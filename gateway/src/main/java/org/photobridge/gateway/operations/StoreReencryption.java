package org.photobridge.gateway.operations;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.consent.SignedForms;
import org.photobridge.gateway.persistence.ConsentVersionRow;
import org.photobridge.gateway.persistence.ConsentVersions;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.routing.PhotoIntegrity;
import org.photobridge.gateway.routing.PhotoNotReadableException;
import org.photobridge.gateway.store.BlobContexts;
import org.photobridge.gateway.store.DecryptionFailedException;
import org.photobridge.gateway.store.EncryptedBlobStore;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * After a storage key rotation: re-encrypts every photo the gateway still holds and every signed
 * consent form under the active key, so the previous keys can be retired. One run at a time per
 * gateway, in the background, with progress an administrator can read; each photo is re-encrypted
 * while its row is locked (the purge waits), in place and atomically. A format-1 blob (written before
 * per-photo keys, not yet bound to its photo) is identity-checked (SOP Instance UID, Patient ID)
 * before it is bound; a photo or form that fails is a security alert and is left as it was. The run
 * is audited when it starts and when it ends.
 */
@ApplicationScoped
public class StoreReencryption {
    private static final Logger LOG = Logger.getLogger(StoreReencryption.class);
    private static final int PAGE = 100;

    /** Where a run stands; counts are of this gateway's current or last run. */
    public record Progress(String state, String activeKeyId, List<String> keyIds, Instant startedAt,
            Instant finishedAt, long photosTotal, long photosExamined, long photosReencrypted, long formsTotal,
            long formsReencrypted, long failures) {
    }

    @Inject
    EncryptedBlobStore store;

    @Inject
    Photos photos;

    @Inject
    ConsentVersions versions;

    @Inject
    SignedForms forms;

    @Inject
    PhotoIntegrity integrity;

    @Inject
    AuditLog audit;

    @Inject
    Clock clock;

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "store-reencryption");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Progress> progress = new AtomicReference<>();

    /** The current or last run, or an idle view when none ran since start-up. */
    public Progress progress() {
        Progress p = progress.get();
        return p != null ? p
                : new Progress("IDLE", store.activeKeyId(), store.keyIds(), null, null, 0, 0, 0, 0, 0, 0);
    }

    /** Starts a run unless one is running; returns its first progress, or empty when one already runs. */
    public synchronized Optional<Progress> start(AuditLog.Agent startedBy) {
        Progress current = progress.get();
        if (current != null && current.state().equals("RUNNING")) {
            return Optional.empty();
        }
        long photosTotal = photos.countWithBlobs();
        long formsTotal = QuarkusTransaction.requiringNew().call(() -> versions.countFormsNotUnder(store.activeKeyId()));
        Progress started = new Progress("RUNNING", store.activeKeyId(), store.keyIds(), clock.instant(), null,
                photosTotal, 0, 0, formsTotal, 0, 0);
        progress.set(started);
        audit.record(AuditAction.STORE_KEY_ROTATION, true, startedBy, Optional.empty(), List.of(),
                "re-encryption under storage key " + store.activeKeyId() + " started: " + photosTotal
                        + " photos held, " + formsTotal + " signed forms under other keys");
        worker.submit(this::run);
        return Optional.of(started);
    }

    private void run() {
        try {
            Optional<UUID> after = Optional.empty();
            while (true) {
                List<UUID> page = photos.withBlobsAfter(after, PAGE);
                for (UUID id : page) {
                    photo(id);
                }
                if (page.size() < PAGE) {
                    break;
                }
                after = Optional.of(page.get(page.size() - 1));
            }
            formsUnderOldKeys();
            Progress done = update(p -> with(p, "DONE", p.photosExamined(), p.photosReencrypted(),
                    p.formsReencrypted(), p.failures()));
            audit.record(AuditAction.STORE_KEY_ROTATION, done.failures() == 0, AuditLog.Agent.SYSTEM,
                    Optional.empty(), List.of(), "re-encryption under storage key " + done.activeKeyId()
                            + " finished: " + done.photosReencrypted() + " of " + done.photosExamined()
                            + " photos and " + done.formsReencrypted() + " signed forms re-encrypted, "
                            + done.failures() + " failures");
            LOG.infof("re-encryption finished: %d photos, %d forms re-encrypted, %d failures",
                    done.photosReencrypted(), done.formsReencrypted(), done.failures());
        } catch (RuntimeException e) {
            Progress failed = update(p -> with(p, "FAILED", p.photosExamined(), p.photosReencrypted(),
                    p.formsReencrypted(), p.failures() + 1));
            LOG.errorf("re-encryption stopped: %s", e.getClass().getSimpleName());
            audit.record(AuditAction.STORE_KEY_ROTATION, false, AuditLog.Agent.SYSTEM, Optional.empty(), List.of(),
                    "re-encryption under storage key " + failed.activeKeyId() + " stopped after "
                            + failed.photosExamined() + " photos: " + e.getClass().getSimpleName());
        }
    }

    private void photo(UUID id) {
        boolean reencrypted;
        try {
            reencrypted = QuarkusTransaction.requiringNew().call(() -> {
                Optional<PhotoRecord> locked = photos.lockedWithBlob(id);
                if (locked.isEmpty()) {
                    return false; // purged meanwhile
                }
                PhotoRecord photo = locked.get();
                String context = BlobContexts.photo(photo.id);
                try {
                    if (store.keyIdOf(photo.blobKey).isEmpty()) {
                        // Format 1 is not bound to its photo: prove it is this photo before binding it.
                        try (InputStream in = store.open(photo.blobKey, context)) {
                            integrity.checkStream(photo, in, "the encrypted local copy");
                        }
                    }
                    return store.reencrypt(photo.blobKey, context);
                } catch (DecryptionFailedException e) {
                    throw integrity.alert(photo, "the encrypted local copy failed decryption during "
                            + "re-encryption: " + e.getMessage());
                }
            });
        } catch (PhotoNotReadableException e) {
            update(p -> with(p, p.state(), p.photosExamined() + 1, p.photosReencrypted(), p.formsReencrypted(),
                    p.failures() + 1));
            return;
        } catch (RuntimeException e) {
            if (!(e.getCause() instanceof IOException)) {
                throw e;
            }
            LOG.warnf("photo %s: could not be re-encrypted (%s); counted as a failure", id,
                    e.getCause().getClass().getSimpleName());
            update(p -> with(p, p.state(), p.photosExamined() + 1, p.photosReencrypted(), p.formsReencrypted(),
                    p.failures() + 1));
            return;
        }
        update(p -> with(p, p.state(), p.photosExamined() + 1, p.photosReencrypted() + (reencrypted ? 1 : 0),
                p.formsReencrypted(), p.failures()));
    }

    private void formsUnderOldKeys() {
        while (true) {
            int[] counts = QuarkusTransaction.requiringNew().call(() -> {
                List<ConsentVersionRow> rows = versions.formsNotUnder(store.activeKeyId(), PAGE);
                int done = 0;
                for (ConsentVersionRow row : rows) {
                    if (forms.reencrypt(row)) {
                        done++;
                    }
                }
                return new int[] {rows.size(), done};
            });
            update(p -> with(p, p.state(), p.photosExamined(), p.photosReencrypted(), p.formsReencrypted() + counts[1],
                    p.failures()));
            if (counts[0] < PAGE) {
                return;
            }
        }
    }

    private Progress update(java.util.function.UnaryOperator<Progress> change) {
        return progress.updateAndGet(change);
    }

    private Progress with(Progress p, String state, long examined, long reencrypted, long forms, long failures) {
        Instant finished = state.equals("RUNNING") ? null : clock.instant();
        return new Progress(state, p.activeKeyId(), p.keyIds(), p.startedAt(), finished, p.photosTotal(), examined,
                reencrypted, p.formsTotal(), forms, failures);
    }

    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }
}
