package org.photobridge.gateway.persistence;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** Every query of the ATNA export's position (table audit_export_cursor). Callers bring the transaction. */
@ApplicationScoped
public class AuditExportCursors implements PanacheRepositoryBase<AuditExportCursor, Integer> {
    private static final int ROW = 1;

    /**
     * Locks the cursor row until the caller's transaction ends and returns its position, or empty when
     * another transaction (another gateway's exporter) holds it. Native SQL: the lock must skip a held
     * row rather than wait for it ({@code for update skip locked}), spelt out as PostgreSQL takes it.
     */
    public OptionalLong lockUnlessHeld() {
        List<?> rows = getSession().createNativeQuery(
                "select last_sequence from audit_export_cursor where id = 1 for update skip locked", Object.class)
                .getResultList();
        return rows.isEmpty() ? OptionalLong.empty() : OptionalLong.of(((Number) rows.get(0)).longValue());
    }

    /** The position, without locking. */
    public long position() {
        return find("select lastSequence from AuditExportCursor where id = ?1", ROW).project(Long.class)
                .singleResult();
    }

    /** Moves the cursor to {@code sequence} at {@code now}; never backwards. */
    public int advance(long sequence, Instant now) {
        return update("lastSequence = ?1, exportedAt = ?2 where id = ?3 and lastSequence < ?1", sequence, now, ROW);
    }
}
