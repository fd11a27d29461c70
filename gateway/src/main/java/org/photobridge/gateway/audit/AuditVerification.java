package org.photobridge.gateway.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * The outcome of verifying the audit trail.
 *
 * @param intact              whether every check passed
 * @param entries             entries in the trail when checked: through the verified head when intact
 *                            (sequences run from 1 to it without a gap), counted in the table when broken
 * @param firstBrokenSequence the first entry found wrong; empty when intact, or when the fault is in the
 *                            checkpoint file rather than in an entry
 * @param reason              what was wrong; empty when intact
 * @param checkedAt           when the check finished
 * @param full                whether every entry was checked again, or only those added since the last check
 * @param headSequence        the chain head's sequence when checked
 * @param legacyEntries       entries of the legacy SHA-256 segment (written before keyed chaining)
 * @param checkpoint          the newest signed checkpoint the database was compared with
 */
public record AuditVerification(boolean intact, long entries, Optional<Long> firstBrokenSequence,
        Optional<AuditBreak> reason, Instant checkedAt, boolean full, long headSequence, long legacyEntries,
        Optional<AuditCheckpoint> checkpoint) {

    /** A sentence for logs and reports; sequence numbers only. */
    public String describe() {
        return reason.map(r -> r.describe(firstBrokenSequence.orElse(null)))
                .orElse("intact up to entry " + headSequence);
    }
}
