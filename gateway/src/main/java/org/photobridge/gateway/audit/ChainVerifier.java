package org.photobridge.gateway.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.persistence.AuditEntries;
import org.photobridge.gateway.persistence.AuditEntry;
import org.photobridge.gateway.persistence.AuditHead;
import org.photobridge.gateway.persistence.AuditHeads;

import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Verifies the audit chain against the key and the newest signed checkpoint, and signs checkpoints of
 * verified heads. A full verification recomputes every entry; an incremental one recomputes only the
 * entries added since the last intact verification, re-checks the entry it ended at and the number of
 * entries before it, and falls back to a full one on any doubt, so a break is always located precisely.
 * Only a head that has just been verified is ever signed: a checkpoint never blesses a tampered trail.
 * <p>
 * Counting the entries before the verified one reads the whole trail (tens of ms per hundred thousand
 * entries), so the checkpoints asked for by the number of entries written ({@link #checkpointNewEntries()})
 * count them only once a {@code checkpoint-interval} has passed since the last count; every other
 * verification counts (docs/security.md, audit trail; docs/performance.md, issue 10).
 */
@ApplicationScoped
public class ChainVerifier {
    private static final Logger LOG = Logger.getLogger(ChainVerifier.class);
    private static final int CHUNK = 1000;

    @Inject
    AuditEntries entries;

    @Inject
    AuditHeads heads;

    @Inject
    AuditKeys keys;

    @Inject
    AuditConfig config;

    @Inject
    Clock clock;

    @Inject
    Event<AuditCheckpoint> checkpointSigned;

    private final ReentrantLock lock = new ReentrantLock();
    private CheckpointFile file;
    /** Where the last intact verification ended; the start of the next incremental one. */
    private Verified verified;
    /** The newest checkpoint this process signed: the file must not fall behind it. */
    private volatile AuditCheckpoint written;
    private volatile AuditVerification last;
    /** When the entries before the verified one were last counted (a full walk counts them all). */
    private Instant counted = Instant.MIN;

    private record Verified(long sequence, String code, long legacyEnd) {
    }

    private record Head(long sequence, String code) {
    }

    @PostConstruct
    void open() {
        file = new CheckpointFile(config.checkpointDirectory(), keys);
    }

    /** The result of the last verification, if one ran in this process. */
    public Optional<AuditVerification> lastVerification() {
        return Optional.ofNullable(last);
    }

    /** The newest checkpoint in the checkpoint file, if it is one signed by the audit key. */
    public Optional<AuditCheckpoint> latestCheckpoint() {
        try {
            return file.newest().checkpoint();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the audit checkpoint file: " + e.getMessage(), e);
        }
    }

    /** Sequence of the newest checkpoint this process signed (0 before the first). */
    long lastSignedSequence() {
        AuditCheckpoint checkpoint = written;
        return checkpoint == null ? 0 : checkpoint.sequence();
    }

    /** Recomputes every entry. */
    public AuditVerification verifyFully() {
        return exclusively(() -> remember(full()));
    }

    /** Recomputes the entries added since the last intact verification (all of them if there was none). */
    public AuditVerification verifyIncrementally() {
        return exclusively(() -> remember(incremental(true)));
    }

    /**
     * Verifies (fully or incrementally) and, when the trail is intact and its head moved since the newest
     * checkpoint, signs a checkpoint of the head and appends it to the checkpoint file.
     */
    public AuditVerification verifyAndCheckpoint(boolean fully) {
        return checkpoint(fully, true);
    }

    /**
     * Verifies the entries written since the last intact verification and checkpoints the head, as
     * {@code verifyAndCheckpoint(false)} does, but counts the entries before them only if the last count
     * is at least a {@code checkpoint-interval} old: what a busy gateway runs after every
     * {@code checkpoint-every-entries} entries.
     */
    public AuditVerification checkpointNewEntries() {
        return checkpoint(false, false);
    }

    private AuditVerification checkpoint(boolean fully, boolean count) {
        return exclusively(() -> {
            AuditVerification result = remember(fully ? full() : incremental(count));
            if (result.intact() && verified != null) {
                Optional<AuditCheckpoint> newest = result.checkpoint();
                boolean moved = newest.map(c -> c.sequence() != verified.sequence || !c.mac().equals(verified.code))
                        .orElse(true);
                if (moved) {
                    sign(verified);
                }
            }
            return result;
        });
    }

    /** Runs {@code action} while no verification or checkpoint runs. */
    <T> T exclusively(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private void sign(Verified head) {
        AuditCheckpoint checkpoint = AuditCheckpoint.sign(head.sequence, head.code, head.legacyEnd,
                clock.instant().truncatedTo(ChronoUnit.MICROS), keys);
        try {
            file.append(checkpoint);
        } catch (IOException e) {
            LOG.errorf("Cannot append the audit checkpoint of entry %d to %s: %s", head.sequence, file.path(),
                    e.getMessage());
            return;
        }
        written = checkpoint;
        LOG.debugf("Signed the audit checkpoint of entry %d", head.sequence);
        try {
            checkpointSigned.fire(checkpoint);
        } catch (RuntimeException e) {
            LOG.warnf("An observer of audit checkpoints failed: %s", e.toString());
        }
    }

    private AuditVerification remember(AuditVerification result) {
        AuditVerification previous = last;
        last = result;
        if (!result.intact() && (previous == null || previous.intact()
                || !previous.describe().equals(result.describe()))) {
            LOG.errorf("Audit trail verification failed: %s", result.describe());
        } else if (result.intact() && previous != null && !previous.intact()) {
            LOG.warnf("Audit trail verifies again: %s", result.describe());
        }
        return result;
    }

    private AuditVerification incremental(boolean count) {
        Verified base = verified;
        if (base == null || last == null || !last.intact()) {
            return full();
        }
        Head head = head();
        if (head.sequence < base.sequence) {
            return full();
        }
        if (base.sequence > 0) {
            String anchor = read(() -> entries.chainCodeAt(base.sequence).orElse(null));
            if (anchor == null || !anchor.equals(base.code)) {
                return full();
            }
            Instant now = clock.instant();
            if (count || !now.isBefore(counted.plus(config.checkpointInterval()))) {
                long before = read(() -> entries.countThrough(base.sequence));
                if (before != base.sequence) {
                    return full();
                }
                counted = now;
            }
        }
        var walk = new Walk(base.sequence, base.code, base.legacyEnd);
        AuditVerification result = walk.to(head, false);
        return result.intact() ? result : full();
    }

    private AuditVerification full() {
        Instant started = clock.instant();
        AuditVerification result = new Walk(0, ChainScheme.GENESIS, 0).to(head(), true);
        if (result.intact()) {
            counted = started;
        }
        return result;
    }

    /** Walks the chain from a verified point to the head, then compares with the head and the checkpoint. */
    private final class Walk {
        private long expected;
        private String previous;
        private long legacyEnd;
        private boolean keyed;

        Walk(long after, String previous, long legacyEnd) {
            this.expected = after + 1;
            this.previous = previous;
            this.legacyEnd = legacyEnd;
            this.keyed = after > legacyEnd;
        }

        AuditVerification to(Head head, boolean fully) {
            CheckpointFile.Newest newest;
            try {
                newest = file.newest();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the audit checkpoint file: " + e.getMessage(), e);
            }
            Optional<AuditCheckpoint> checkpoint = newest.checkpoint();
            long after = expected - 1;
            while (after < head.sequence) {
                long from = after;
                List<AuditEntry> chunk = read(() -> entries.between(from, head.sequence, CHUNK));
                for (AuditEntry entry : chunk) {
                    AuditBreak broken = accept(entry);
                    if (broken != null) {
                        return broken(broken, broken == AuditBreak.ENTRY_MISSING ? expected : entry.sequence,
                                head, fully, checkpoint);
                    }
                }
                if (chunk.size() < CHUNK) {
                    break;
                }
                after = chunk.get(chunk.size() - 1).sequence;
            }
            long lastSequence = expected - 1;
            if (lastSequence < head.sequence) {
                return broken(AuditBreak.ENTRY_MISSING, lastSequence + 1, head, fully, checkpoint);
            }
            if (!head.code.equals(previous)) {
                return broken(AuditBreak.HEAD_MISMATCH, head.sequence, head, fully, checkpoint);
            }
            // An entry after the head we walked to is tampering only if no head covers it: an entry
            // appended meanwhile commits together with its head update. Reading the entry first and
            // the head second (each statement sees what was committed before it) never misses that.
            boolean beyond = read(() -> entries.firstSequenceAfter(head.sequence)
                    .map(next -> heads.current().sequence < next)
                    .orElse(false));
            if (beyond) {
                return broken(AuditBreak.HEAD_MISMATCH, head.sequence + 1, head, fully, checkpoint);
            }
            if (newest.forged()) {
                return broken(AuditBreak.CHECKPOINT_FORGED, null, head, fully, checkpoint);
            }
            AuditCheckpoint signed = written;
            if (signed != null && checkpoint.map(c -> c.sequence() < signed.sequence()).orElse(true)) {
                return broken(AuditBreak.CHECKPOINT_MISSING, null, head, fully, checkpoint);
            }
            if (checkpoint.isPresent()) {
                AuditCheckpoint c = checkpoint.get();
                if (c.sequence() > head.sequence) {
                    return broken(AuditBreak.TRUNCATED, head.sequence + 1, head, fully, checkpoint);
                }
                if (c.legacyEnd() != legacyEnd) {
                    return broken(AuditBreak.LEGACY_BOUNDARY_MOVED, Math.min(c.legacyEnd(), legacyEnd) + 1,
                            head, fully, checkpoint);
                }
                String atCheckpoint = c.sequence() == 0 ? ChainScheme.GENESIS
                        : read(() -> entries.chainCodeAt(c.sequence()).orElse(null));
                if (!c.mac().equals(atCheckpoint)) {
                    return broken(AuditBreak.CHECKPOINT_MISMATCH, c.sequence(), head, fully, checkpoint);
                }
            } else if (fully && head.sequence > legacyEnd) {
                LOG.warnf("No audit checkpoint in %s although the keyed chain reaches entry %d: entries removed "
                        + "from its end before now cannot be noticed; a new checkpoint starts from here",
                        file.path(), head.sequence);
            }
            verified = new Verified(head.sequence, head.code, legacyEnd);
            // Intact: the entries run from 1 to the head without a gap (walked from 1, or walked from an
            // entry whose predecessors were counted, at most a checkpoint-interval ago when a checkpoint for
            // new entries skipped the count), so there are head.sequence of them; no count(*) here.
            return new AuditVerification(true, head.sequence, Optional.empty(), Optional.empty(), clock.instant(),
                    fully, head.sequence, legacyEnd, checkpoint);
        }

        /** Checks one entry; returns what is wrong with it, or null. */
        private AuditBreak accept(AuditEntry entry) {
            if (entry.sequence != expected) {
                return AuditBreak.ENTRY_MISSING;
            }
            ChainScheme scheme = ChainScheme.of(entry.scheme);
            if (scheme == null) {
                return AuditBreak.ENTRY_ALTERED;
            }
            if (scheme == ChainScheme.LEGACY_SHA256) {
                if (keyed) {
                    return AuditBreak.LEGACY_AFTER_KEYED;
                }
                legacyEnd = entry.sequence;
            } else {
                keyed = true;
            }
            if (entry.hash == null || !MessageDigest.isEqual(entry.hash.getBytes(StandardCharsets.US_ASCII),
                    scheme.code(entry, keys).getBytes(StandardCharsets.US_ASCII))) {
                return AuditBreak.ENTRY_ALTERED;
            }
            if (!previous.equals(entry.previousHash)) {
                return AuditBreak.LINK_BROKEN;
            }
            previous = entry.hash;
            expected++;
            return null;
        }

        private AuditVerification broken(AuditBreak reason, Long sequence, Head head, boolean fully,
                Optional<AuditCheckpoint> checkpoint) {
            verified = null;
            long total = read(() -> entries.count());
            return new AuditVerification(false, total, Optional.ofNullable(sequence), Optional.of(reason),
                    clock.instant(), fully, head.sequence, legacyEnd, checkpoint);
        }
    }

    private Head head() {
        return read(() -> {
            AuditHead head = heads.current();
            return new Head(head.sequence, head.hash);
        });
    }

    private <T> T read(Supplier<T> query) {
        return QuarkusTransaction.requiringNew().call(query::get);
    }
}
