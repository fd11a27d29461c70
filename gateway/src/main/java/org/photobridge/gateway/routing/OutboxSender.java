package org.photobridge.gateway.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.DataConfig;
import org.photobridge.gateway.persistence.DeliveryRecord;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.Photos;
import org.photobridge.gateway.store.EncryptedBlobStore;
import org.photobridge.gateway.store.PrivateDirectories;
import org.photobridge.gateway.store.StoreConfig;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;

/**
 * Works the outbox: takes due deliveries, decrypts each photo once into a private working file that
 * lives only while it is being sent, hands it to each destination, records the outcomes, and purges
 * bytes every destination has confirmed. Runs on one background thread per gateway instance; new
 * photos wake it at once, a timer catches retries and anything left by a restart.
 */
@ApplicationScoped
public class OutboxSender {
    private static final Logger LOG = Logger.getLogger(OutboxSender.class);
    private static final Duration ORPHAN_AGE = Duration.ofHours(1);

    @Inject
    Outbox outbox;

    @Inject
    Photos photos;

    @Inject
    Destinations destinations;

    @Inject
    WithdrawalSender withdrawals;

    @Inject
    EncryptedBlobStore store;

    @Inject
    StoreConfig storeConfig;

    @Inject
    RoutingConfig config;

    @Inject
    DataConfig data;

    private String owner;
    private final AtomicBoolean wakeRequested = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private ExecutorService worker;
    private Path outgoing;

    void onStart(@Observes StartupEvent event) throws IOException {
        outgoing = PrivateDirectories.create(data.workDirectory().toAbsolutePath().resolve("outgoing"));
        // Plaintext left by a crash mid-send must not outlive the process that wrote it.
        try (var leftovers = Files.list(outgoing)) {
            for (Path file : leftovers.toList()) {
                Files.deleteIfExists(file);
            }
        }
        worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "photobridge-outbox");
            thread.setDaemon(true);
            return thread;
        });
        owner = config.routing().instanceId().orElseGet(OutboxSender::hostName);
        int released = outbox.releaseLeasesOf(owner);
        if (released > 0) {
            LOG.infof("resuming %d deliveries interrupted when this instance (%s) last stopped", released, owner);
        }
        sweepOrphanBlobs();
        wake();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "photobridge";
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    @PreDestroy
    void shutdown() {
        if (worker != null) {
            worker.shutdown();
            try {
                worker.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Asks for an outbox pass as soon as possible; cheap to call after every accepted photo. */
    public void wake() {
        if (worker == null || worker.isShutdown()) {
            return;
        }
        wakeRequested.set(true);
        if (running.compareAndSet(false, true)) {
            worker.execute(this::drain);
        }
    }

    @Scheduled(every = "${photobridge.routing.poll-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "2s")
    void tick() {
        wake();
    }

    private void drain() {
        try {
            while (wakeRequested.getAndSet(false)) {
                boolean more = true;
                while (more && !worker.isShutdown()) {
                    List<DeliveryRecord> claimed = outbox.claimDue(owner, config.routing().batchSize());
                    more = claimed.size() == config.routing().batchSize();
                    sendClaimed(claimed);
                }
                for (var withdrawal : withdrawals.due(config.routing().batchSize())) {
                    withdrawals.process(withdrawal, outgoing);
                }
                purge();
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "outbox pass failed; will try again at the next tick");
        } finally {
            running.set(false);
            // A wake() that arrived after the loop's last check must not be lost.
            if (wakeRequested.get() && !worker.isShutdown() && running.compareAndSet(false, true)) {
                worker.execute(this::drain);
            }
        }
    }

    private void sendClaimed(List<DeliveryRecord> claimed) {
        Map<UUID, List<DeliveryRecord>> byPhoto = new LinkedHashMap<>();
        for (DeliveryRecord delivery : claimed) {
            byPhoto.computeIfAbsent(delivery.photoId, id -> new java.util.ArrayList<>()).add(delivery);
        }
        byPhoto.forEach(this::sendPhoto);
    }

    private void sendPhoto(UUID photoId, List<DeliveryRecord> deliveries) {
        PhotoRecord photo = photos.find(photoId).orElseThrow();
        if (photo.blobKey == null) {
            deliveries.forEach(d -> outbox.record(d.id, new DeliveryOutcome.Failed(
                    "the photo's bytes were purged before this destination stored it; nothing left to send")));
            return;
        }
        Path plain = outgoing.resolve(UUID.randomUUID() + ".dcm");
        try {
            store.decryptTo(photo.blobKey, plain);
            for (DeliveryRecord delivery : deliveries) {
                DeliveryOutcome outcome = destinations.byName(delivery.destination)
                        .map(d -> safeDeliver(d, plain, photo))
                        .orElseGet(() -> new DeliveryOutcome.Failed("destination '" + delivery.destination
                                + "' is no longer configured"));
                DeliveryRecord after = outbox.record(delivery.id, outcome);
                LOG.infof("photo %s to %s: %s (attempt %d)%s", photoId, delivery.destination, after.status,
                        after.attempts, after.lastError == null ? "" : ": " + after.lastError);
            }
        } catch (IOException e) {
            LOG.errorf("photo %s: cannot read its stored bytes: %s", photoId, e.getMessage());
            deliveries.forEach(d -> outbox.release(d.id, "the gateway could not read the stored photo: "
                    + e.getMessage()));
        } finally {
            try {
                Files.deleteIfExists(plain);
            } catch (IOException e) {
                LOG.errorf("could not delete a plaintext working file: %s", e.getMessage());
            }
        }
    }

    private static DeliveryOutcome safeDeliver(Destination destination, Path file, PhotoRecord photo) {
        try {
            return destination.deliver(file, photo.sopClassUid, photo.sopInstanceUid);
        } catch (RuntimeException e) {
            // A destination must not throw, but a bug in one must not stop the outbox either.
            LOG.errorf(e, "destination %s threw", destination.name());
            return new DeliveryOutcome.Retry("unexpected error in destination " + destination.name() + ": "
                    + e.getClass().getSimpleName());
        }
    }

    private void purge() {
        for (PhotoRecord photo : outbox.purgeable(storeConfig.retentionAfterStored(), 100)) {
            String key = outbox.markPurged(photo.id);
            if (key != null) {
                store.discard(key);
                LOG.debugf("photo %s: local bytes purged after every destination confirmed", photo.id);
            }
        }
    }

    /** Deletes blobs no photo refers to, left by a crash between writing bytes and committing. */
    private void sweepOrphanBlobs() {
        try {
            for (String key : store.listKeys()) {
                if (store.ageOf(key).compareTo(ORPHAN_AGE) > 0 && !outbox.isReferenced(key)) {
                    store.discard(key);
                    LOG.infof("deleted an orphaned blob left by an interrupted upload");
                }
            }
        } catch (IOException e) {
            LOG.warnf("could not sweep orphaned blobs: %s", e.getMessage());
        }
    }
}
