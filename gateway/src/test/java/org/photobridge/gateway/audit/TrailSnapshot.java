package org.photobridge.gateway.audit;

import java.util.List;

import org.photobridge.gateway.persistence.AuditEntry;

/** The audit entries from one sequence on and the head, saved to be put back after a tampering test. */
final class TrailSnapshot {
    private final Tampering tampering;
    private final long from;
    private final List<AuditEntry> saved;

    private TrailSnapshot(Tampering tampering, long from) {
        this.tampering = tampering;
        this.from = from;
        this.saved = tampering.entries(from);
    }

    static TrailSnapshot from(Tampering tampering, long from) {
        return new TrailSnapshot(tampering, from);
    }

    /**
     * Puts the saved entries back exactly (whatever was edited, deleted or moved among them), and the head
     * if it was set back; entries the gateway wrote after the snapshot stay.
     */
    void restore() {
        AuditEntry head = saved.get(saved.size() - 1);
        tampering.tamper(c -> {
            Tampering.execute(c, "delete from audit_entry where sequence between ? and ? or sequence < 0", from,
                    head.sequence);
            for (AuditEntry entry : saved) {
                Tampering.insert(c, entry);
            }
            try (var rows = c.createStatement().executeQuery("select sequence from audit_head")) {
                rows.next();
                if (rows.getLong(1) <= head.sequence) {
                    Tampering.setHead(c, head.sequence, head.hash);
                }
            }
        });
    }
}
