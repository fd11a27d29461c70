package org.photobridge.gateway.audit;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.persistence.AuditEntries;
import org.photobridge.gateway.persistence.AuditEntry;
import org.photobridge.gateway.persistence.AuditHead;
import org.photobridge.gateway.persistence.AuditHeads;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;

/**
 * Links entries to the chain. An entry of a caller with its own transaction is linked in that
 * transaction (the audited change and its entry commit together, the head locked until then). An
 * entry of a caller without one (a read, a search, a refusal) goes to one writer thread that links
 * every entry waiting in one transaction under one lock of the head and one commit (group commit);
 * the caller waits until that commit is done, so its entry is durable before it answers, but
 * concurrent readers share the commit instead of queueing for the head's lock one by one
 * (docs/security.md, audit trail; docs/performance.md, benchmark 4).
 */
@ApplicationScoped
public class AuditAppender {
    private static final Logger LOG = Logger.getLogger(AuditAppender.class);

    @Inject
    AuditEntries entries;

    @Inject
    AuditHeads heads;

    @Inject
    AuditKeys keys;

    @Inject
    AuditTrailSchedule schedule;

    @Inject
    AuditConfig config;

    @Inject
    Clock clock;

    private final BlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
    private Thread writer;
    private volatile boolean stopping;

    /** An entry waiting for the writer, and the caller waiting for its commit. */
    private record Waiting(AuditEntry draft, CompletableFuture<AuditEntry> committed) {
    }

    /**
     * Links the entry in the caller's transaction; the head stays locked until it ends. The draft
     * carries the content; sequence, time, previous hash and chain code are set here.
     */
    AuditEntry appendInTransaction(AuditEntry draft) {
        return link(List.of(draft)).get(0);
    }

    /**
     * Hands the entry to the writer and returns once the transaction that linked it has committed.
     *
     * @throws AuditUnavailableException when the entry could not be written in time or at all: the
     *                                   caller must not answer as if it had been audited
     */
    AuditEntry appendDurably(AuditEntry draft) {
        var waiting = new Waiting(draft, new CompletableFuture<>());
        synchronized (this) {
            if (stopping) {
                throw new AuditUnavailableException("the gateway is shutting down; the audit trail takes no more entries");
            }
            startWriter();
            queue.add(waiting);
        }
        try {
            return waiting.committed().get(config.appendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AuditUnavailableException("the audit entry was not committed within " + config.appendTimeout()
                    + " (photobridge.audit.append-timeout); the database may be overloaded or unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while the audit entry was written");
        } catch (ExecutionException e) {
            throw new AuditUnavailableException("the audit entry could not be written: " + e.getCause(), e.getCause());
        }
    }

    private void startWriter() {
        if (writer == null) {
            writer = new Thread(this::run, "photobridge-audit-writer");
            writer.setDaemon(true);
            writer.start();
        }
    }

    private void run() {
        var batch = new ArrayList<Waiting>();
        while (!(stopping && queue.isEmpty())) {
            try {
                Waiting first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, Math.max(0, config.batchSize() - 1));
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                batch.forEach(w -> w.committed().completeExceptionally(e));
                return;
            } catch (RuntimeException | Error e) {
                // Never leave a caller waiting or the writer dead: the next entries are tried again.
                LOG.errorf("Audit writer failed (%s)", e.getClass().getSimpleName());
                batch.forEach(w -> w.committed().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    /** One transaction for the whole batch; if it fails, each entry alone, so one bad entry fails alone. */
    private void write(List<Waiting> batch) {
        try {
            List<AuditEntry> linked = QuarkusTransaction.requiringNew()
                    .call(() -> link(batch.stream().map(Waiting::draft).toList()));
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).committed().complete(linked.get(i));
            }
            return;
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).committed().completeExceptionally(e);
                return;
            }
            LOG.warnf("Audit batch of %d entries failed (%s); writing them one by one", batch.size(),
                    e.getClass().getSimpleName());
        }
        for (Waiting waiting : batch) {
            try {
                waiting.committed().complete(QuarkusTransaction.requiringNew()
                        .call(() -> link(List.of(waiting.draft()))).get(0));
            } catch (RuntimeException e) {
                waiting.committed().completeExceptionally(e);
            }
        }
    }

    /** Links copies of the drafts after the head, in order, in the current transaction. */
    private List<AuditEntry> link(List<AuditEntry> drafts) {
        AuditHead head = heads.locked();
        var linked = new ArrayList<AuditEntry>(drafts.size());
        for (AuditEntry draft : drafts) {
            AuditEntry entry = copy(draft);
            entry.sequence = head.sequence + 1;
            // Microseconds: both databases keep them, so the hash recomputes identically after a read.
            // Taken under the lock, so times never go backwards along the chain.
            entry.recorded = clock.instant().truncatedTo(ChronoUnit.MICROS);
            entry.previousHash = head.hash;
            entry.scheme = ChainScheme.HMAC_SHA256.column;
            entry.hash = ChainScheme.HMAC_SHA256.code(entry, keys);
            entries.append(entry);
            head.sequence = entry.sequence;
            head.hash = entry.hash;
            linked.add(entry);
        }
        schedule.entryWritten(head.sequence);
        return linked;
    }

    /** A fresh entity for each attempt: a failed transaction leaves its entities unusable. */
    private static AuditEntry copy(AuditEntry draft) {
        var entry = new AuditEntry();
        entry.id = draft.id;
        entry.action = draft.action;
        entry.success = draft.success;
        entry.agent = draft.agent;
        entry.agentName = draft.agentName;
        entry.agentRoles = draft.agentRoles;
        entry.patientSystem = draft.patientSystem;
        entry.patientValue = draft.patientValue;
        entry.entities = draft.entities;
        entry.detail = draft.detail;
        return entry;
    }

    /** Writes what is waiting, then stops taking entries; before the shutdown checkpoint (priority). */
    void onStop(@Observes @Priority(1000) ShutdownEvent event) {
        Thread running;
        synchronized (this) {
            stopping = true;
            running = writer;
        }
        if (running == null) {
            return;
        }
        try {
            running.join(config.appendTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
