package org.photobridge.gateway.pacs;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.Socket;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.pixelmed.network.Association;

/**
 * The time-outs of one DIMSE destination. PixelMed honours no socket time-outs of its own, so each
 * PixelMed call runs on a worker thread watched from here: an association that does not come within
 * {@code connect-timeout + timeout}, or a transfer idle for {@code timeout}, is given up (its socket
 * closed, the thread abandoned and remembered, so no second attempt piles up behind a hung peer).
 */
final class DimseWatchdog {
    private static final Logger LOG = Logger.getLogger(DimseWatchdog.class);
    private static final Duration GRACE_AFTER_CLOSE = Duration.ofSeconds(5);
    private static final long WATCH_INTERVAL_MILLIS = 100;
    private static final Field ASSOCIATION_SOCKET = AssociationFields.of("socket",
            "DIMSE read timeouts fall back to abandoning the thread");

    /** How a failure of the watched work is classified. */
    interface Failures {
        PacsOutcome classify(String phase, Throwable e, boolean timedOut);
    }

    private final DimseSettings settings;
    private final Supplier<String> where;
    private final Failures failures;
    /** Worker threads given up on while still blocked inside PixelMed. */
    private final Set<Thread> abandoned = ConcurrentHashMap.newKeySet();

    DimseWatchdog(DimseSettings settings, Supplier<String> where, Failures failures) {
        this.settings = settings;
        this.where = where;
        this.failures = failures;
    }

    interface Work {
        PacsOutcome run(Attempt attempt) throws Exception;
    }

    /** What the watchdog knows about one attempt; written by the worker, read by the caller. */
    static final class Attempt {
        private volatile Socket socket;
        private volatile boolean associated;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean abandonedByCaller;
        volatile boolean timedOut;

        /** Records the association; false when the caller has already given up on this attempt. */
        synchronized boolean associated(Association association, Duration readTimeout) {
            if (abandonedByCaller) {
                return false;
            }
            Socket s = socketOf(association);
            if (s != null) {
                try {
                    s.setSoTimeout(Math.toIntExact(Math.max(1, readTimeout.toMillis())));
                } catch (IOException | ArithmeticException e) {
                    LOG.debugf("could not set SO_TIMEOUT: %s", e);
                }
            }
            socket = s;
            associated = true;
            progress();
            return true;
        }

        synchronized boolean abandon() {
            abandonedByCaller = true;
            return !associated;
        }

        boolean isAssociated() {
            return associated;
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        long idleNanos() {
            return System.nanoTime() - lastProgress;
        }

        void closeSocket() {
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }
        }
    }

    PacsOutcome supervise(String phase, Work work) {
        for (Thread t : abandoned) {
            if (!t.isAlive()) {
                abandoned.remove(t);
            }
        }
        if (!abandoned.isEmpty()) {
            return new PacsOutcome.Retry(where.get() + ": an earlier " + phase.toLowerCase(Locale.ROOT)
                    + " attempt is still blocked waiting for the PACS (peer hung?); will retry");
        }
        var attempt = new Attempt();
        Callable<PacsOutcome> call = () -> work.run(attempt);
        var task = new FutureTask<>(call);
        var thread = new Thread(task, "photobridge-dimse-" + settings.name());
        thread.setDaemon(true);
        thread.start();
        long associateLimit = settings.connectTimeout().plus(settings.readTimeout()).toNanos();
        long idleLimit = settings.readTimeout().toNanos();
        long started = System.nanoTime();
        long closedAt = 0;
        try {
            while (true) {
                try {
                    return task.get(WATCH_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    // fall through to the watchdog checks
                }
                long now = System.nanoTime();
                if (!attempt.isAssociated()) {
                    if (now - started > associateLimit && attempt.abandon()) {
                        abandoned.add(thread);
                        return new PacsOutcome.Retry(where.get() + ": no association with the PACS within "
                                + DimseFailures.seconds(settings.connectTimeout().plus(settings.readTimeout()))
                                + " (host unreachable or PACS not answering); will retry");
                    }
                } else if (closedAt == 0 && attempt.idleNanos() > idleLimit) {
                    attempt.timedOut = true;
                    attempt.closeSocket();
                    closedAt = now;
                } else if (closedAt != 0 && now - closedAt > GRACE_AFTER_CLOSE.toNanos()) {
                    abandoned.add(thread);
                    return new PacsOutcome.Retry(where.get() + ": no answer from the PACS for "
                            + DimseFailures.seconds(settings.readTimeout()) + " during " + phase + "; will retry");
                }
            }
        } catch (InterruptedException e) {
            attempt.abandon();
            attempt.closeSocket();
            abandoned.add(thread);
            Thread.currentThread().interrupt();
            return new PacsOutcome.Retry(where.get() + ": " + phase + " interrupted (gateway shutting down?); will retry");
        } catch (ExecutionException e) {
            LOG.warnf("%s: unexpected error during %s: %s", where.get(), phase, e.getCause());
            return failures.classify(phase, e.getCause(), attempt.timedOut);
        }
    }

    static Socket socketOf(Association association) {
        if (ASSOCIATION_SOCKET == null) {
            return null;
        }
        try {
            return (Socket) ASSOCIATION_SOCKET.get(association);
        } catch (IllegalAccessException e) {
            return null;
        }
    }
}
