package org.photobridge.gateway.routing;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.outbox.WorkRunner;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.store.EncryptedBlobStore;
import org.photobridge.gateway.store.StoreConfig;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps the encrypted store to what is still needed: purges a photo's bytes once every destination
 * confirmed it and the retention passed (or it was withdrawn and no withdrawal action needs them),
 * after each pass of the work queue; and at start-up deletes blobs no photo refers to, left by a
 * crash between writing the bytes and committing the photo, and unfinished blobs ({@code .incoming})
 * past their grace period (again every five minutes, and after every failed write).
 */
@ApplicationScoped
public class LocalCopies {
    private static final Logger LOG = Logger.getLogger(LocalCopies.class);
    private static final Duration ORPHAN_AGE = Duration.ofHours(1);

    @Inject
    Photos photos;

    @Inject
    EncryptedBlobStore store;

    @Inject
    StoreConfig storeConfig;

    private final AtomicBoolean purging = new AtomicBoolean();

    void onStart(@Observes StartupEvent event) {
        store.sweepIncoming();
        sweepOrphanBlobs();
    }

    /**
     * Unfinished blobs younger than the grace period at start-up (a crash just before it) are caught
     * here, at most one interval after their grace ran out.
     */
    @Scheduled(every = "5m", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweepUnfinishedBlobs() {
        store.sweepIncoming();
    }

    void afterQueuePass(@Observes WorkRunner.QueuePassed pass) {
        if (!purging.compareAndSet(false, true)) {
            return;
        }
        try {
            for (PhotoRecord photo : photos.purgeable(storeConfig.retentionAfterStored(), 100)) {
                photos.markPurged(photo.id).ifPresent(key -> {
                    store.discard(key);
                    LOG.debugf("photo %s: local bytes purged after every destination confirmed", photo.id);
                });
            }
        } finally {
            purging.set(false);
        }
    }

    private void sweepOrphanBlobs() {
        try {
            for (String key : store.listKeys()) {
                if (store.ageOf(key).compareTo(ORPHAN_AGE) > 0 && !photos.isBlobReferenced(key)) {
                    store.discard(key);
                    LOG.infof("deleted an orphaned blob left by an interrupted upload");
                }
            }
        } catch (IOException e) {
            LOG.warnf("could not sweep orphaned blobs: %s", e.getMessage());
        }
    }
}
