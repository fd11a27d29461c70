package org.photobridge.gateway.pacs;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.pixelmed.network.Association;
import com.pixelmed.network.DicomNetworkException;

/**
 * The associations one DIMSE destination holds open: at most {@code limit} at once (in use or idle),
 * each kept after a completed C-STORE for the next delivery of the same kind (SOP class and transfer
 * syntax) and released once it has been idle for {@code idleRelease}. Opening one is the caller's job
 * ({@link DimseDestination}); this class only counts, keeps and lets go.
 */
final class DimseAssociations {
    private static final Logger LOG = Logger.getLogger(DimseAssociations.class);

    /** One thread for every destination: it only releases idle associations, which is quick. */
    private static final ScheduledExecutorService RELEASER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "photobridge-dimse-idle-release");
        t.setDaemon(true);
        return t;
    });

    /**
     * An open association and what carries it beyond its own socket ({@code transport}, closed after
     * the association ends; null for plain TCP): a kept association keeps its transport open with it.
     */
    record Opened(Association association, AutoCloseable transport) {
        /** Ends the association with A-RELEASE (A-ABORT if that fails), then its transport. */
        void release() {
            try {
                association.release();
            } catch (DicomNetworkException | RuntimeException e) {
                LOG.debugf("release of an association failed: %s", e.getMessage());
                abortQuietly(association);
            }
            closeTransport();
        }

        /** Ends the association with A-ABORT (never reused after a failure), then its transport. */
        void abort() {
            abortQuietly(association);
            closeTransport();
        }

        /** Closes the transport only (the association's socket is already closed, by the watchdog). */
        void closeTransport() {
            if (transport != null) {
                try {
                    transport.close();
                } catch (Exception e) {
                    LOG.debugf("closing an association's transport failed: %s", e.getMessage());
                }
            }
        }
    }

    /** An association waiting for its next delivery. */
    private record Idle(String kind, Opened opened, long since) {
    }

    private final int limit;
    private final Duration idleRelease;
    private final Deque<Idle> idle = new ArrayDeque<>();
    private int open;

    DimseAssociations(int limit, Duration idleRelease) {
        this.limit = limit;
        this.idleRelease = idleRelease;
    }

    /** What {@link #acquire} grants: a kept association to reuse, or room to open a new one ({@code kept} null). */
    record Grant(Opened kept) {
    }

    /**
     * A kept association for objects of {@code kind} that still looks usable (the most recently used,
     * so that surplus ones expire), else room for a new one, waiting up to {@code wait} for one in use
     * to come back; an idle association of another kind is released to make room. Null when nothing
     * came within {@code wait}. The caller owns what it is granted until it gives it back or reports
     * it closed.
     */
    Grant acquire(String kind, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Idle found = null;
            Idle evicted = null;
            synchronized (this) {
                for (Iterator<Idle> it = idle.descendingIterator(); it.hasNext();) {
                    Idle candidate = it.next();
                    if (candidate.kind.equals(kind)) {
                        it.remove();
                        found = candidate;
                        break;
                    }
                }
                if (found == null) {
                    if (open < limit) {
                        open++;
                        return new Grant(null);
                    }
                    if (!idle.isEmpty()) {
                        evicted = idle.removeFirst();
                    } else {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return null;
                        }
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                        continue;
                    }
                }
            }
            if (found != null) {
                if (looksUsable(found.opened.association())) {
                    return new Grant(found.opened);
                }
                found.opened.abort();
                closed();
            } else {
                evicted.opened.release();
                closed();
            }
        }
    }

    /** Keeps a healthy association for the next delivery of the same kind. */
    void giveBack(String kind, Opened opened) {
        synchronized (this) {
            idle.addLast(new Idle(kind, opened, System.nanoTime()));
            notifyAll();
        }
        RELEASER.schedule(this::releaseExpired, idleRelease.toMillis() + 50, TimeUnit.MILLISECONDS);
    }

    /** Records that an association granted by {@link #acquire} is gone (released, aborted or never opened). */
    synchronized void closed() {
        open--;
        notifyAll();
    }

    /** Associations open now, idle or in use (for tests and messages). */
    synchronized int open() {
        return open;
    }

    int limit() {
        return limit;
    }

    /** Releases every idle association (shutdown). */
    void releaseAll() {
        while (true) {
            Idle next;
            synchronized (this) {
                next = idle.pollFirst();
            }
            if (next == null) {
                return;
            }
            next.opened.release();
            closed();
        }
    }

    private void releaseExpired() {
        long now = System.nanoTime();
        while (true) {
            Idle expired = null;
            synchronized (this) {
                Idle oldest = idle.peekFirst();
                if (oldest != null && now - oldest.since >= idleRelease.toNanos()) {
                    expired = idle.removeFirst();
                }
            }
            if (expired == null) {
                return;
            }
            expired.opened.release();
            closed();
        }
    }

    /**
     * Probes a kept association's socket for a millisecond: a quiet peer is usable; end of stream (the
     * PACS closed it) or any byte (an A-RELEASE-RQ or A-ABORT it sent while idle) is not.
     */
    private static boolean looksUsable(Association association) {
        Socket socket = DimseWatchdog.socketOf(association);
        if (socket == null || socket.isClosed() || socket.isInputShutdown()) {
            return false;
        }
        try {
            int timeout = socket.getSoTimeout();
            socket.setSoTimeout(1);
            try {
                socket.getInputStream().read();
                return false;
            } catch (SocketTimeoutException quiet) {
                return true;
            } finally {
                socket.setSoTimeout(timeout);
            }
        } catch (IOException e) {
            return false;
        }
    }

    static void abortQuietly(Association association) {
        try {
            association.abort();
        } catch (DicomNetworkException | RuntimeException e) {
            LOG.debugf("abort failed: %s", e.getMessage());
        }
    }
}
