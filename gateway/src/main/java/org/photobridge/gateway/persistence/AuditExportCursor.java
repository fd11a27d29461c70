package org.photobridge.gateway.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** How far the ATNA export has got through the audit trail (table audit_export_cursor, one row). */
@Entity
@Table(name = "audit_export_cursor")
public class AuditExportCursor {
    @Id
    public int id;
    /** The sequence number of the last entry the collector took; 0 before the first. */
    @Column(name = "last_sequence")
    public long lastSequence;
    @Column(name = "exported_at")
    public Instant exportedAt;
}
