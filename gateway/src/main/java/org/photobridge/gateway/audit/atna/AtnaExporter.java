package org.photobridge.gateway.audit.atna;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.audit.atna.DicomAuditMessage.UnmappedActionException;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The background worker that sends the audit trail to the ATNA collector, in order, from the
 * durable cursor. One pass: lock the cursor row (skipped when another gateway holds it), read the
 * next entries, send them on one TLS connection, and advance the cursor in the same transaction only
 * once the collector has confirmed receipt ({@link SyslogTlsClient}). A failed pass leaves the cursor
 * where it was, so the next one sends the same entries again: at least once, never skipped. While
 * the collector is down the trail itself is the buffer, and passes back off up to a bound.
 *
 * <p>Logs name the collector and sequence numbers only: the messages carry patient identifiers.
 */
@ApplicationScoped
public class AtnaExporter {
    private static final Logger LOG = Logger.getLogger(AtnaExporter.class);

    @Inject
    AtnaConfig config;

    @Inject
    ExportCursor cursor;

    @Inject
    Clock clock;

    private SyslogTlsClient client;
    private SyslogFrame frames;
    private DicomAuditMessage messages;
    private ScheduledExecutorService worker;
    private volatile boolean stopping;
    private int failures;
    /** The first missing sequence number the export is waiting for, and since when. */
    private long gapAt;
    private Instant gapSince;

    /** What one pass did. */
    sealed interface Pass {
        /** Nothing after the cursor. */
        record Idle() implements Pass {
        }

        /** Another gateway's exporter holds the cursor. */
        record Busy() implements Pass {
        }

        /** Entries {@code first..last} reached the collector; {@code more} when the batch was full. */
        record Sent(long first, long last, boolean more) implements Pass {
        }

        /** The export cannot go on from {@code sequence} now (collector down, a gap, an unknown action). */
        record Held(long sequence, String reason) implements Pass {
        }
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        String host = config.host().filter(h -> !h.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                "photobridge.audit.atna.enabled is true but photobridge.audit.atna.host is not set"));
        client = new SyslogTlsClient(CollectorTls.context(CollectorTls.Settings.of(config)), host, config.port(), config.protocols(),
                config.connectTimeout(), config.timeout(), config.receipt());
        frames = new SyslogFrame(config.hostname().orElseGet(AtnaExporter::localHostName), config.appName());
        messages = new DicomAuditMessage(config.auditSourceId(), config.auditEnterpriseSiteId());
        worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "photobridge-atna-export");
            thread.setDaemon(true);
            return thread;
        });
        LOG.infof("ATNA audit export to %s enabled; resuming after audit entry %d", client.collector(),
                cursor.position());
        worker.schedule(this::run, 0, TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (worker == null) {
            return;
        }
        stopping = true;
        worker.shutdown();
        try {
            // A pass in flight ends by itself within its time-outs; its cursor update commits or not.
            long bound = config.connectTimeout().plus(config.timeout()).plusSeconds(5).toMillis();
            if (!worker.awaitTermination(bound, TimeUnit.MILLISECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
    }

    private void run() {
        if (stopping) {
            return;
        }
        Duration next;
        try {
            Pass pass = pass();
            if (pass instanceof Pass.Sent sent) {
                recovered();
                LOG.debugf("exported audit entries %d to %d to %s", sent.first(), sent.last(), client.collector());
                next = sent.more() ? Duration.ZERO : config.pollInterval();
            } else if (pass instanceof Pass.Held held) {
                next = held(held);
            } else {
                if (pass instanceof Pass.Idle) {
                    recovered();
                }
                next = config.pollInterval();
            }
        } catch (RuntimeException e) {
            // Database trouble, typically; the exception's class and message name no patient data.
            next = held(new Pass.Held(-1, e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        if (!stopping) {
            worker.schedule(this::run, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One pass in its own transaction, which holds the cursor row until the collector confirmed. */
    Pass pass() {
        int seconds = Math.toIntExact(config.connectTimeout().plus(config.timeout()).plusSeconds(30).toSeconds());
        return QuarkusTransaction.requiringNew().timeout(seconds).call(() -> {
            OptionalLong locked = cursor.lock();
            if (locked.isEmpty()) {
                return new Pass.Busy();
            }
            long after = locked.getAsLong();
            List<TrailEntry> rows = cursor.entriesAfter(after, config.batchSize());
            if (rows.isEmpty()) {
                return new Pass.Idle();
            }
            List<TrailEntry> batch = contiguous(after, rows);
            if (batch.isEmpty()) {
                return new Pass.Held(after + 1, "audit entry " + (after + 1) + " is not in the trail (yet); "
                        + "waiting up to " + config.gapWait() + " before exporting past it");
            }
            var framed = new ArrayList<byte[]>(batch.size());
            Pass.Held unmapped = null;
            for (TrailEntry entry : batch) {
                try {
                    framed.add(frames.frame(entry.sequence(), entry.recorded(), entry.success(), messages.toXml(entry)));
                } catch (UnmappedActionException e) {
                    unmapped = new Pass.Held(entry.sequence(), e.getMessage());
                    break;
                }
            }
            if (framed.isEmpty()) {
                return unmapped;
            }
            long first = batch.get(0).sequence();
            long last = batch.get(framed.size() - 1).sequence();
            try {
                client.deliver(framed);
            } catch (IOException e) {
                // The transaction ends without a change: the lock goes, the cursor stays.
                return new Pass.Held(first, describe(e));
            }
            cursor.advance(last);
            return unmapped != null ? unmapped
                    : new Pass.Sent(first, last, framed.size() == batch.size() && rows.size() == config.batchSize());
        });
    }

    /**
     * The entries that follow {@code after} without a gap. Entries are numbered without gaps; a
     * missing number is a writer that has not committed yet, or a deleted entry. The export waits
     * for it up to the configured time, then goes past it with a warning.
     */
    private List<TrailEntry> contiguous(long after, List<TrailEntry> rows) {
        var batch = new ArrayList<TrailEntry>(rows.size());
        long expected = after + 1;
        for (TrailEntry row : rows) {
            if (row.sequence() != expected) {
                if (!batch.isEmpty()) {
                    break;
                }
                Instant now = clock.instant();
                if (gapAt != expected || gapSince == null) {
                    gapAt = expected;
                    gapSince = now;
                }
                if (Duration.between(gapSince, now).compareTo(config.gapWait()) < 0) {
                    break;
                }
                LOG.warnf("audit entries %d to %d are missing from the trail; the ATNA export goes past them",
                        expected, row.sequence() - 1);
            }
            batch.add(row);
            expected = row.sequence() + 1;
        }
        return batch;
    }

    private Duration held(Pass.Held held) {
        failures++;
        long factor = 1L << Math.min(failures - 1, 20);
        Duration wait = config.initialBackoff().multipliedBy(factor);
        if (wait.compareTo(config.maxBackoff()) > 0) {
            wait = config.maxBackoff();
        }
        String at = held.sequence() > 0 ? " at audit entry " + held.sequence() : "";
        LOG.warnf("ATNA export to %s held%s (attempt %d, next in %d ms): %s", client.collector(), at, failures,
                wait.toMillis(), held.reason());
        return wait;
    }

    private void recovered() {
        if (failures > 0) {
            LOG.infof("ATNA export to %s resumed after %d failed attempts", client.collector(), failures);
            failures = 0;
        }
    }

    /** An I/O failure as text: its kind and message, and those of its cause (TLS, sockets: no patient data). */
    static String describe(Throwable e) {
        var text = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        if (e.getCause() != null && e.getCause() != e) {
            text.append(" (").append(e.getCause().getClass().getSimpleName()).append(": ")
                    .append(e.getCause().getMessage()).append(')');
        }
        return text.toString();
    }

    private static String localHostName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name.chars().allMatch(c -> c >= 33 && c <= 126) && !name.isEmpty() ? name : "-";
        } catch (UnknownHostException e) {
            return "-";
        }
    }
}
