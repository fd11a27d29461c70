package org.photobridge.fhir.audit;

import java.util.Optional;

import org.photobridge.fhir.Page;

/** The port the read-only AuditEvent provider reads the audit trail through; implemented by the gateway. */
public interface AuditSource {

    Optional<AuditRecord> read(String id);

    /** Matching records, newest first. */
    Page<AuditRecord> search(AuditQuery query, int offset, int count);
}
