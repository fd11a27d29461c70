package org.photobridge.gateway.photo;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one budget of heap that image work may hold at once (cleaning an upload, writing its pixels,
 * rendering, fetching a stored object for a viewer), so that a burst of large photos waits its turn
 * instead of exhausting memory. Work that could never fit is refused at once; work that must wait
 * queues, up to a bounded number of waiters and a bounded time, after which it gets
 * {@link MemoryBusyException} (a 503 with Retry-After). Thread-safe.
 *
 * <p>One unit of work takes one reservation for everything it will hold: nested reservations could
 * deadlock (every holder waiting for the rest); for the same reason a reservation that must grow
 * waits holding nothing ({@link Reservation#growTo}).
 */
public final class MemoryBudget {

    private static final int KIB = 1024;
    private static volatile MemoryBudget shared;

    private final Semaphore permitsInKib;
    private final long totalBytes;
    private final int maxWaiting;
    private final Duration maxWait;
    private final Duration retryAfter;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Bytes that reservations waiting in {@link Reservation#growTo} keep in the heap outside the budget. */
    private final java.util.concurrent.atomic.AtomicLong keptOutside = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param totalBytes heap that reservations may hold together
     * @param maxWaiting how many reservations may wait at once; one more is refused as busy
     * @param maxWait    how long one reservation may wait before it is refused as busy
     * @param retryAfter what a refused caller is told to wait before trying again
     */
    public MemoryBudget(long totalBytes, int maxWaiting, Duration maxWait, Duration retryAfter) {
        if (totalBytes < KIB) {
            throw new IllegalArgumentException("the memory budget must be at least 1 KiB");
        }
        if (maxWaiting < 0) {
            throw new IllegalArgumentException("the memory queue length must not be negative");
        }
        long kib = Math.min(totalBytes / KIB, Integer.MAX_VALUE);
        this.totalBytes = kib * KIB;
        this.permitsInKib = new Semaphore((int) kib, true);
        this.maxWaiting = maxWaiting;
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /** A budget of {@code totalBytes} with a queue of 64 waiting up to two minutes. */
    public static MemoryBudget of(long totalBytes) {
        return new MemoryBudget(totalBytes, 64, Duration.ofMinutes(2), Duration.ofSeconds(10));
    }

    /**
     * The process's budget: what {@link #useShared} installed at start-up, or half of the maximum
     * heap until then (tools and tests that run without the application).
     */
    public static MemoryBudget shared() {
        MemoryBudget budget = shared;
        if (budget == null) {
            synchronized (MemoryBudget.class) {
                if (shared == null) {
                    shared = of(Runtime.getRuntime().maxMemory() / 2);
                }
                budget = shared;
            }
        }
        return budget;
    }

    /** Installs the process's budget (at start-up, from configuration). */
    public static synchronized void useShared(MemoryBudget budget) {
        shared = Objects.requireNonNull(budget, "budget");
    }

    public long totalBytes() {
        return totalBytes;
    }

    /** What a caller refused for memory is told to wait before trying again. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Bytes reserved now, by all holders together (for metrics and tests). */
    public long reservedBytes() {
        return totalBytes - availableBytes();
    }

    /** Bytes not reserved now (for metrics and tests). */
    public long availableBytes() {
        return (long) permitsInKib.availablePermits() * KIB;
    }

    /** Reservations waiting now. */
    public int waiting() {
        return waiting.get();
    }

    /** True when a reservation of {@code bytes} could ever be granted. */
    public boolean fits(long bytes) {
        return bytes <= totalBytes;
    }

    /** A reservation that must be closed when the memory it stands for is no longer referenced. */
    public interface Reservation extends AutoCloseable {
        /** The bytes reserved now. */
        long bytes();

        /**
         * Gives back what is reserved beyond {@code bytes}: for work that needed more while it
         * computed than it holds afterwards (an answer kept only until it is written). Never grows.
         */
        void shrinkTo(long bytes);

        /**
         * Reserves more, up to {@code bytes} in all, if the budget has it free now; never waits.
         *
         * @return false when it would have to wait (nothing changed then)
         * @throws IllegalArgumentException when {@code bytes} could never fit ({@link MemoryBudget#fits})
         */
        boolean tryGrowTo(long bytes);

        /**
         * Reserves up to {@code bytes} in all, for work whose bytes are in memory before it knows all
         * it needs (an upload read from the request, whose header then tells the pixels). Taken at
         * once when free; otherwise what is held is given back and the whole amount is waited for
         * (like {@link MemoryBudget#reserve}), holding nothing: waiting while holding could deadlock
         * (every holder waiting for the others to grow). Meanwhile the caller's {@code keptMeanwhile}
         * bytes stay in the heap outside the budget; at most a quarter of the budget may be kept so at
         * once, and a wait beyond that is refused as busy. Never shrinks.
         *
         * @throws IllegalArgumentException when {@code bytes} could never fit ({@link MemoryBudget#fits})
         * @throws MemoryBusyException      as {@link MemoryBudget#reserve}, or when too many bytes are
         *                                  kept outside the budget by waiters already; the
         *                                  reservation is then empty
         */
        void growTo(long bytes, long keptMeanwhile);

        @Override
        void close();
    }

    /**
     * Reserves {@code bytes}, waiting (in arrival order) while other work holds the budget.
     *
     * @throws IllegalArgumentException when {@code bytes} could never fit ({@link #fits} is false):
     *                                  callers refuse such work with their own message first
     * @throws MemoryBusyException      when too many reservations wait already, or this one waited
     *                                  longer than the configured time
     */
    public Reservation reserve(long bytes) {
        if (!fits(bytes)) {
            throw new IllegalArgumentException(bytes + " bytes never fit the memory budget of " + totalBytes);
        }
        int permits = (int) Math.max(1, (bytes + KIB - 1) / KIB);
        acquire(permits);
        var held = new AtomicInteger(permits);
        return new Reservation() {
            @Override
            public long bytes() {
                return (long) held.get() * KIB;
            }

            @Override
            public void shrinkTo(long bytes) {
                int keep = (int) Math.min(Integer.MAX_VALUE, Math.max(0, (bytes + KIB - 1) / KIB));
                while (true) {
                    int now = held.get();
                    if (keep >= now) {
                        return;
                    }
                    if (held.compareAndSet(now, keep)) {
                        permitsInKib.release(now - keep);
                        return;
                    }
                }
            }

            @Override
            public boolean tryGrowTo(long bytes) {
                int more = moreThanHeld(bytes);
                if (more == 0) {
                    return true;
                }
                // Untimed tryAcquire would barge ahead of waiters; a zero timeout keeps arrival order.
                try {
                    if (!permitsInKib.tryAcquire(more, 0, TimeUnit.NANOSECONDS)) {
                        return false;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MemoryBusyException("interrupted while waiting for image memory", retryAfter);
                }
                held.addAndGet(more);
                return true;
            }

            @Override
            public void growTo(long bytes, long keptMeanwhile) {
                if (tryGrowTo(bytes)) {
                    return;
                }
                long kept = Math.max(0, keptMeanwhile);
                if (keptOutside.addAndGet(kept) > totalBytes / 4) {
                    keptOutside.addAndGet(-kept);
                    throw new MemoryBusyException("the gateway is busy with other large images; try again later",
                            retryAfter);
                }
                try {
                    close();
                    int want = permitsFor(bytes);
                    acquire(want);
                    held.set(want);
                } finally {
                    keptOutside.addAndGet(-kept);
                }
            }

            private int moreThanHeld(long bytes) {
                if (!fits(bytes)) {
                    throw new IllegalArgumentException(bytes + " bytes never fit the memory budget of " + totalBytes);
                }
                return Math.max(0, permitsFor(bytes) - held.get());
            }

            @Override
            public void close() {
                int now = held.getAndSet(0);
                if (now > 0) {
                    permitsInKib.release(now);
                }
            }
        };
    }

    private static int permitsFor(long bytes) {
        return (int) Math.max(1, (bytes + KIB - 1) / KIB);
    }

    /** Takes {@code permits} KiB, waiting in arrival order up to the configured time. */
    private void acquire(int permits) {
        try {
            // Timed, even with zero, so that a fair semaphore keeps arrival order.
            if (!permitsInKib.tryAcquire(permits, 0, TimeUnit.NANOSECONDS)) {
                if (waiting.incrementAndGet() > maxWaiting) {
                    waiting.decrementAndGet();
                    throw new MemoryBusyException("the gateway is busy with other large images ("
                            + maxWaiting + " already waiting); try again later", retryAfter);
                }
                try {
                    if (!permitsInKib.tryAcquire(permits, maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                        throw new MemoryBusyException("the gateway is busy with other large images (waited "
                                + maxWait.toSeconds() + " s); try again later", retryAfter);
                    }
                } finally {
                    waiting.decrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MemoryBusyException("interrupted while waiting for image memory", retryAfter);
        }
    }
}
