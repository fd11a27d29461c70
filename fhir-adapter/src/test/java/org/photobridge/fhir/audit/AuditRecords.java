package org.photobridge.fhir.audit;

import org.photobridge.domain.AuditAction;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.photobridge.domain.BusinessIdentifier;

/** A small audit trail the AuditEvent tests share: one patient's consent and photos, a day apart each. */
final class AuditRecords {
    static final BusinessIdentifier JANE = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-0042");
    static final BusinessIdentifier JOHN = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-0077");
    static final String DR_A = "0b5c-dr-a";
    static final String OFFICER = "77aa-officer";
    static final String PHOTO_UID = "urn:dicom:uid:2.25.1001.1";

    private AuditRecords() {
    }

    static AuditRecord record(int n, AuditAction action, boolean success, String agent, Optional<BusinessIdentifier> patient,
            List<String> entities) {
        return new AuditRecord("a" + n, n, Instant.parse("2026-11-01T09:00:00Z").plusSeconds(86_400L * n), action,
                success, agent, agent.equals(DR_A) ? "Dr A" : "Officer O",
                agent.equals(DR_A) ? Set.of("clinician", "photographer") : Set.of("compliance-officer"), patient,
                entities, action.name().toLowerCase() + " for test", "%064x".formatted(n));
    }

    /** a1..a9, dated 2026-11-02 .. 2026-11-10. */
    static List<AuditRecord> trail() {
        var jane = Optional.of(JANE);
        return List.of(
                record(1, AuditAction.CONSENT_CREATED, true, DR_A, jane, List.of("Consent/c1/_history/1")),
                record(2, AuditAction.PHOTO_STORED, true, DR_A, jane, List.of("ImagingStudy/s1", PHOTO_UID)),
                record(3, AuditAction.PHOTO_VIEWED, true, DR_A, jane, List.of(PHOTO_UID)),
                record(4, AuditAction.PHOTO_VIEWED, true, OFFICER, jane, List.of(PHOTO_UID)),
                record(5, AuditAction.PHOTO_EXPORTED, true, DR_A, jane, List.of(PHOTO_UID)),
                record(6, AuditAction.CONSENT_UPDATED, true, DR_A, jane, List.of("Consent/c1/_history/2")),
                record(7, AuditAction.CONSENT_WITHDRAWN, true, DR_A, jane, List.of("Consent/c1/_history/3")),
                record(8, AuditAction.PHOTO_WITHDRAWN, true, "photobridge", jane, List.of(PHOTO_UID)),
                record(9, AuditAction.ACCESS_DENIED, false, DR_A, Optional.of(JOHN), List.of("ImagingStudy/s2")));
    }
}
