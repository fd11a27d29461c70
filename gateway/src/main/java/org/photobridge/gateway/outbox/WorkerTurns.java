package org.photobridge.gateway.outbox;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When an idle worker of one instance looks for work again: a wake-up (new work was enqueued) sends
 * one worker, not all of them, and the timed poll (work that fell due: retries, expired leases,
 * other instances' work) is taken by one idle worker per {@code poll-interval}, not by each. Each
 * query that finds nothing costs the database a transaction, so idle workers stay idle.
 */
final class WorkerTurns {
    private final Object lock = new Object();
    private final long intervalNanos;
    private final int maxWakeups;
    private final LongSupplier nanoTime;
    private int wakeups;
    private long nextPollAt;
    private boolean stopped;

    /** Why a worker goes round again. */
    enum Turn {
        /** Asked for by {@link #wake()}. */
        WOKEN,
        /** The instance's timed poll, this interval's. */
        POLL,
        /** The caller's own deadline (deferred work's turn) came. */
        DEADLINE,
        /** {@link #stop()} was called. */
        STOPPED
    }

    /**
     * @param workers    the workers sharing these turns: at most this many wake-ups are kept for
     *                   workers that are busy when they come
     * @param interval   the timed poll's interval; the first poll is due at once
     * @param nanoTime   the clock ({@link System#nanoTime()} outside tests)
     */
    WorkerTurns(int workers, Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = Math.max(1, interval.toNanos());
        this.maxWakeups = Math.max(1, workers);
        this.nanoTime = nanoTime;
        this.nextPollAt = nanoTime.getAsLong();
    }

    /**
     * Sends one worker to look for work: an idle one at once, or else the next one to finish what it
     * is doing. Wake-ups that come while every worker is busy are kept, one per worker at most.
     */
    void wake() {
        synchronized (lock) {
            if (wakeups < maxWakeups) {
                wakeups++;
            }
            lock.notify();
        }
    }

    /** Releases every waiting worker for good. */
    void stop() {
        synchronized (lock) {
            stopped = true;
            lock.notifyAll();
        }
    }

    /**
     * Waits until this worker's turn: a wake-up, the instance's timed poll (which one worker takes,
     * moving the next to one interval later), or {@code deadlineNanos} (on the {@code nanoTime} clock;
     * {@code Long.MAX_VALUE} for none).
     */
    Turn await(long deadlineNanos) throws InterruptedException {
        synchronized (lock) {
            while (true) {
                if (stopped) {
                    return Turn.STOPPED;
                }
                if (wakeups > 0) {
                    wakeups--;
                    return Turn.WOKEN;
                }
                long now = nanoTime.getAsLong();
                if (now - nextPollAt >= 0) {
                    nextPollAt = now + intervalNanos;
                    return Turn.POLL;
                }
                if (deadlineNanos != Long.MAX_VALUE && now - deadlineNanos >= 0) {
                    return Turn.DEADLINE;
                }
                long waitNanos = nextPollAt - now;
                if (deadlineNanos != Long.MAX_VALUE) {
                    waitNanos = Math.min(waitNanos, deadlineNanos - now);
                }
                // Rounded up: woken a little late rather than spinning before the poll is due.
                lock.wait(Math.max(1, (waitNanos + 999_999) / 1_000_000));
            }
        }
    }
}
