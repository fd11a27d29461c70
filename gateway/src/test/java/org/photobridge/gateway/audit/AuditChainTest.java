package org.photobridge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The audit trail of the gateway most tests share: searchable, and an edited entry is found. */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class AuditChainTest {

    @Inject
    AuditLog audit;

    /** Rewrites an entry's detail behind the gateway's back (the append-only trigger dropped meanwhile). */
    void setDetail(long sequence, String detail) {
        new PostgresTampering().tamper(c -> {
            try (var update = c.prepareStatement("update audit_entry set detail = ? where sequence = ?")) {
                update.setString(1, detail);
                update.setLong(2, sequence);
                update.executeUpdate();
            }
        });
    }

    @Test
    void searchesTheTrailByPatientEntityAgentDateAndAction() {
        String mrn = "MRN-AUDIT-" + java.util.UUID.randomUUID();
        var patient = Optional.of(new BusinessIdentifier("urn:oid:1.2.3.4.5", mrn));
        var surgeon = new AuditLog.Agent("subject-s", "plastics.surgeon", Set.of("clinician"));
        var officer = new AuditLog.Agent("subject-o", "compliance.officer", Set.of("compliance-officer"));
        java.time.Instant start = java.time.Instant.now().minusSeconds(1);
        audit.record(AuditAction.PHOTO_VIEWED, true, surgeon, patient, List.of("ImagingStudy/a", "urn:dicom:uid:2.25.1"),
                "thumbnail served");
        audit.record(AuditAction.ACCESS_DENIED, false, officer, patient, List.of("ImagingStudy/a"), "refused");
        audit.record(AuditAction.PHOTO_EXPORTED, true, surgeon, patient, List.of("ImagingStudy/b"), "export");
        var all = new org.photobridge.fhir.DateRange(Optional.of(start), Optional.empty());

        var byPatient = audit.search(new org.photobridge.fhir.audit.AuditQuery(patient, Optional.empty(),
                Optional.empty(), org.photobridge.fhir.DateRange.ANY, Set.of()), 0, 10);
        assertEquals(3, byPatient.total().orElseThrow());
        assertEquals(AuditAction.PHOTO_EXPORTED, byPatient.items().get(0).action(), "newest first");
        assertEquals(2, audit.search(new org.photobridge.fhir.audit.AuditQuery(patient, Optional.of("ImagingStudy/a"),
                Optional.empty(), all, Set.of()), 0, 10).total().orElseThrow(), "entity matches anywhere in the list");
        assertEquals(1, audit.search(new org.photobridge.fhir.audit.AuditQuery(patient, Optional.of("urn:dicom:uid:2.25.1"),
                Optional.empty(), all, Set.of()), 0, 10).total().orElseThrow());
        assertEquals(1, audit.search(new org.photobridge.fhir.audit.AuditQuery(patient, Optional.empty(),
                Optional.of("subject-o"), all, Set.of()), 0, 10).total().orElseThrow());
        assertEquals(2, audit.search(new org.photobridge.fhir.audit.AuditQuery(patient, Optional.empty(),
                Optional.empty(), all, Set.of(AuditAction.PHOTO_VIEWED, AuditAction.PHOTO_EXPORTED)), 0, 10).total().orElseThrow());
        var page = audit.search(new org.photobridge.fhir.audit.AuditQuery(patient, Optional.empty(), Optional.empty(),
                all, Set.of()), 1, 1);
        assertEquals(3, page.total().orElseThrow(), "the total counts every match, not the page");
        assertEquals(1, page.items().size());
        assertEquals(0, audit.search(new org.photobridge.fhir.audit.AuditQuery(patient, Optional.empty(),
                Optional.empty(), new org.photobridge.fhir.DateRange(Optional.empty(), Optional.of(start)), Set.of()),
                0, 10).total().orElseThrow());
    }

    @Test
    void editingAnEntryBreaksTheChainAtThatEntry() {
        var agent = new AuditLog.Agent("subject-1", "plastics.surgeon", Set.of("clinician"));
        var patient = Optional.of(new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-AUDIT"));
        AuditRecord first = audit.record(AuditAction.PHOTO_VIEWED, true, agent, patient, List.of("ImagingStudy/x"),
                "thumbnail served");
        AuditRecord second = audit.record(AuditAction.PHOTO_EXPORTED, true, agent, patient, List.of("ImagingStudy/x"),
                "export served");
        assertEquals(first.sequence() + 1, second.sequence());
        assertTrue(audit.verify().intact(), "an untouched chain verifies");

        setDetail(first.sequence(), "nothing to see");
        try {
            assertEquals(Optional.of(first.sequence()), audit.verify().firstBrokenSequence());
        } finally {
            setDetail(first.sequence(), "thumbnail served");
        }
        assertTrue(audit.verify().intact());
    }
}
