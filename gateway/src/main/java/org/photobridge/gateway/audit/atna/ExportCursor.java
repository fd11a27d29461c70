package org.photobridge.gateway.audit.atna;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.gateway.persistence.AuditEntries;
import org.photobridge.gateway.persistence.AuditExportCursors;
import org.photobridge.gateway.persistence.AuditTrailRow;

/**
 * The export's durable position in the audit trail (table audit_export_cursor, one row) and the
 * trail entries after it, read without their chain columns so the export does not depend on how the
 * trail is chained. Every method runs in the caller's transaction.
 */
@ApplicationScoped
public class ExportCursor {

    @Inject
    AuditExportCursors cursors;

    @Inject
    AuditEntries entries;

    @Inject
    Clock clock;

    /**
     * Locks the cursor row for this transaction and returns the last exported sequence number, or
     * empty when another transaction (another gateway's exporter) holds it: that one exports now.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public OptionalLong lock() {
        return cursors.lockUnlessHeld();
    }

    /** The last exported sequence number, without locking. */
    @Transactional
    public long position() {
        return cursors.position();
    }

    /** Up to {@code limit} entries after {@code sequence}, in order. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<TrailEntry> entriesAfter(long sequence, int limit) {
        return entries.trailAfter(sequence, limit).stream().map(ExportCursor::entry).toList();
    }

    /** Moves the locked cursor to {@code sequence}; never backwards. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void advance(long sequence) {
        cursors.advance(sequence, clock.instant());
    }

    private static TrailEntry entry(AuditTrailRow row) {
        Optional<BusinessIdentifier> patient = row.patientSystem() == null || row.patientValue() == null
                ? Optional.empty()
                : Optional.of(new BusinessIdentifier(row.patientSystem(), row.patientValue()));
        return new TrailEntry(row.sequence(), row.id(), row.recorded(), row.action(), row.success(), row.agent(),
                row.agentName(), split(row.agentRoles(), ","), patient, splitList(row.entities()), row.detail());
    }

    private static Set<String> split(String joined, String separator) {
        return joined == null || joined.isEmpty() ? Set.of()
                : Arrays.stream(joined.split(separator)).collect(Collectors.toUnmodifiableSet());
    }

    private static List<String> splitList(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(" "));
    }
}
