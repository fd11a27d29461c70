package org.photobridge.gateway.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * When the audit trail checks itself: fully at start-up (a broken trail is reported, the gateway still
 * starts), then every {@code checkpoint-interval} incrementally (fully every
 * {@code full-verification-interval}) with a checkpoint of the verified head, as soon as
 * {@code checkpoint-every-entries} entries were written (without counting the older entries again
 * before a {@code checkpoint-interval} has passed, {@link ChainVerifier#checkpointNewEntries()}), and a
 * last time at shutdown.
 */
@ApplicationScoped
public class AuditTrailSchedule {
    private static final Logger LOG = Logger.getLogger(AuditTrailSchedule.class);

    @Inject
    ChainVerifier verifier;

    @Inject
    AuditConfig config;

    @Inject
    Clock clock;

    @Inject
    TransactionSynchronizationRegistry transactions;

    private final AtomicBoolean checkpointPending = new AtomicBoolean();
    private ScheduledExecutorService executor;
    private volatile Instant lastFull = Instant.MIN;

    // After the data directories are made private (observers of default priority).
    void onStart(@Observes @Priority(3000) StartupEvent event) {
        AuditVerification result = verifier.verifyAndCheckpoint(true);
        lastFull = clock.instant();
        if (result.intact()) {
            LOG.infof("Audit trail verified at start-up: %s (%d entries, %d legacy)", result.describe(),
                    result.entries(), result.legacyEntries());
        } else {
            LOG.errorf("Audit trail BROKEN at start-up: %s; GET /api/v1/audit/verification reports it",
                    result.describe());
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "photobridge-audit-trail");
            thread.setDaemon(true);
            return thread;
        });
        long interval = Math.max(1, config.checkpointInterval().toMillis());
        executor.scheduleWithFixedDelay(this::scheduledCheck, interval, interval, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            executor.awaitTermination(30, TimeUnit.SECONDS);
            verifier.verifyAndCheckpoint(false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("No audit checkpoint at shutdown: %s", e.toString());
        }
    }

    void scheduledCheck() {
        try {
            boolean full = Duration.between(lastFull, clock.instant()).compareTo(config.fullVerificationInterval()) >= 0;
            verifier.verifyAndCheckpoint(full);
            if (full) {
                lastFull = clock.instant();
            }
        } catch (RuntimeException e) {
            // The database may be briefly unreachable; the next run tries again.
            LOG.warnf("Audit trail check failed: %s", e.toString());
        }
    }

    private void checkpointNow() {
        checkpointPending.set(false);
        try {
            verifier.checkpointNewEntries();
        } catch (RuntimeException e) {
            LOG.warnf("Audit checkpoint failed: %s", e.toString());
        }
    }

    /** Called by the writer in its transaction: asks for a checkpoint after commit once enough entries piled up. */
    void entryWritten(long sequence) {
        if (sequence - verifier.lastSignedSequence() < config.checkpointEveryEntries() || executor == null) {
            return;
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED && checkpointPending.compareAndSet(false, true)) {
                    try {
                        executor.execute(AuditTrailSchedule.this::checkpointNow);
                    } catch (RejectedExecutionException shuttingDown) {
                        // The shutdown checkpoint covers this entry.
                    }
                }
            }
        });
    }
}
