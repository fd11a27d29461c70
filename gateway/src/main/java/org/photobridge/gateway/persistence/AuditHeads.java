package org.photobridge.gateway.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;

/** The audit chain's head (table audit_head, one row). Callers bring the transaction. */
@ApplicationScoped
public class AuditHeads implements PanacheRepositoryBase<AuditHead, Integer> {
    private static final int ROW = 1;

    /**
     * The head, locked ({@code PESSIMISTIC_WRITE}) until the caller's transaction ends: writers of the
     * trail take turns on this row, so each entry links to the one committed before it.
     */
    public AuditHead locked() {
        return findById(ROW, LockModeType.PESSIMISTIC_WRITE);
    }

    /** The head as committed, without a lock. */
    public AuditHead current() {
        return findById(ROW);
    }
}
