package org.photobridge.gateway.routing;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.outbox.WorkQueueConfig;
import org.photobridge.gateway.outbox.WorkRunner;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.store.EncryptedBlobStore;
import org.photobridge.gateway.store.StoreConfig;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps the encrypted store to what is still needed: purges a photo's bytes once every destination
 * confirmed it and the retention passed (or it was withdrawn and no withdrawal action needs them),
 * after a pass of the work queue, at most once per {@code poll-interval} on each instance (a full
 * page of purgeable photos lets the next pass go on at once); and at start-up deletes blobs no photo refers to, left by a
 * crash between writing the bytes and committing the photo, and unfinished blobs ({@code .incoming})
 * past their grace period (again every five minutes, and after every failed write).
 */
@ApplicationScoped
public class LocalCopies {
    private static final Logger LOG = Logger.getLogger(LocalCopies.class);
    private static final Duration ORPHAN_AGE = Duration.ofHours(1);
    private static final int PAGE = 100;

    @Inject
    Photos photos;

    @Inject
    EncryptedBlobStore store;

    @Inject
    StoreConfig storeConfig;

    @Inject
    WorkQueueConfig queueConfig;

    private final AtomicBoolean purging = new AtomicBoolean();
    /** When the next purge may run ({@link System#nanoTime()}); the first at once. */
    private volatile long nextPurgeAt = System.nanoTime();

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
        if (System.nanoTime() - nextPurgeAt < 0 || !purging.compareAndSet(false, true)) {
            return;
        }
        try {
            // One statement marks a page of photos purged; their blobs go after its commit.
            var purged = photos.purge(storeConfig.retentionAfterStored(), PAGE);
            for (Photos.Purged photo : purged) {
                store.discard(photo.blobKey());
                LOG.debugf("photo %s: local bytes purged after every destination confirmed", photo.photoId());
            }
            // A full page may have more behind it: the next pass purges on.
            nextPurgeAt = purged.size() < PAGE ? System.nanoTime() + queueConfig.pollInterval().toNanos()
                    : System.nanoTime();
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
