package org.photobridge.gateway.outbox;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Uploads before deliveries: while uploads are in flight on this gateway (counted by the HTTP edge
 * from the moment a request arrives until its answer is sent or its connection ends), work whose
 * handler {@linkplain WorkHandler#yieldsToIntake() yields to intake} waits, so the accepts and the
 * deliveries of earlier photos do not share the CPU. A photographer waits for the 202; the PACS can
 * take the photo a little later, the outbox being durable.
 *
 * <p>Never starving: once a worker has left due deliveries for later, one is let through after at
 * most {@code max-delay}, and then again {@code max-delay} after the next deferral; when the last
 * upload ends the workers are woken and the backlog goes at full speed. The policy is per gateway:
 * replicas on the same database yield only to their own uploads, and an idle replica takes the work a
 * busy one leaves.
 */
@ApplicationScoped
public class IntakePriority {

    /** What a worker may claim now. */
    public enum Turn {
        /** No upload in flight, or the policy is off: any due work. */
        ALL,
        /** Uploads in flight, and deliveries have waited {@code max-delay}: one of them, now. */
        ONE_YIELDING,
        /** Uploads in flight: only work that does not yield (withdrawals, EHR publications). */
        NONE_YIELDING
    }

    /**
     * The policy as the administration summary shows it: whether deliveries are yielding now, how often
     * a worker left due deliveries for later since start, and how many went at the bound while uploads
     * kept coming.
     */
    public record Snapshot(boolean enabled, long maxDelayMillis, int uploadsInFlight, boolean yielding,
            long deferrals, long turnsAtMaxDelay) {
    }

    private final boolean enabled;
    private final Duration maxDelay;
    private final long maxDelayNanos;
    private final LongSupplier nanoTime;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Runnable whenIdle = () -> {
    };

    // Guarded by this: whether, and since when, due work has been left for later in this busy stretch.
    private boolean deferring;
    private long deferringSince;
    private long deferrals;
    private long turnsAtMaxDelay;

    @Inject
    IntakePriority(WorkQueueConfig config) {
        this(config.intakePriority().enabled(), config.intakePriority().maxDelay(), System::nanoTime);
    }

    IntakePriority(boolean enabled, Duration maxDelay, LongSupplier nanoTime) {
        this.enabled = enabled;
        this.maxDelay = maxDelay;
        this.maxDelayNanos = Math.max(0, maxDelay.toNanos());
        this.nanoTime = nanoTime;
    }

    /** Called when the last upload in flight has ended and deliveries were waiting for it. */
    void whenIdle(Runnable action) {
        this.whenIdle = action;
    }

    /** An upload request arrived (before its body is read). Pair with exactly one {@link #uploadEnded()}. */
    public void uploadArrived() {
        inFlight.incrementAndGet();
    }

    /** An upload was answered, or its connection ended before that. */
    public void uploadEnded() {
        if (inFlight.decrementAndGet() > 0) {
            return;
        }
        boolean wake;
        synchronized (this) {
            wake = deferring;
            deferring = false;
        }
        if (wake) {
            whenIdle.run();
        }
    }

    public int uploadsInFlight() {
        return inFlight.get();
    }

    /** Whether work that yields to intake should wait now. */
    public boolean yielding() {
        return enabled && inFlight.get() > 0;
    }

    /**
     * Whether due work that yields is being held back now: uploads are in flight and a worker has left
     * such work for later, so a worker waits for its turn ({@link #untilTurn()}) and the end of the
     * uploads wakes one. Looking for it again before then would only find it held back.
     */
    public synchronized boolean holdingBack() {
        return deferring && yielding();
    }

    /** What a worker may claim now; {@link Turn#ONE_YIELDING} is handed to one worker per {@code max-delay}. */
    public synchronized Turn turn() {
        if (!yielding()) {
            return Turn.ALL;
        }
        if (deferring && nanoTime.getAsLong() - deferringSince >= maxDelayNanos) {
            deferring = false;
            turnsAtMaxDelay++;
            return Turn.ONE_YIELDING;
        }
        return Turn.NONE_YIELDING;
    }

    /** A worker left due work that yields for later (passed it over, or handed back a claim of it). */
    public synchronized void deferred() {
        deferrals++;
        if (!deferring) {
            deferring = true;
            deferringSince = nanoTime.getAsLong();
        }
    }

    /** How long until a deferred delivery gets its turn (at most {@code max-delay}); for a worker's wait. */
    public synchronized Duration untilTurn() {
        if (!deferring) {
            return maxDelay;
        }
        long left = maxDelayNanos - (nanoTime.getAsLong() - deferringSince);
        return Duration.ofNanos(Math.max(0, left));
    }

    public synchronized Snapshot snapshot() {
        return new Snapshot(enabled, maxDelay.toMillis(), inFlight.get(), yielding(), deferrals, turnsAtMaxDelay);
    }
}
