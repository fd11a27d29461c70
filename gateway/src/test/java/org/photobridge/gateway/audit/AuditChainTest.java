package org.photobridge.gateway.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.hibernate.Session;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.BusinessIdentifier;
import org.photobridge.fhir.audit.AuditAction;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The audit trail detects an entry edited behind the gateway's back, and chains in order. */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class AuditChainTest {

    @Inject
    AuditLog audit;

    @Inject
    Session session;

    @Transactional
    void tamper(long sequence) {
        session.createNativeMutationQuery("update audit_entry set detail = 'nothing to see' where sequence = :s")
                .setParameter("s", sequence).executeUpdate();
    }

    @Transactional
    void restore(long sequence, String detail) {
        session.createNativeMutationQuery("update audit_entry set detail = :d where sequence = :s")
                .setParameter("d", detail).setParameter("s", sequence).executeUpdate();
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
        assertTrue(audit.verify().isEmpty(), "an untouched chain verifies");

        tamper(first.sequence());
        try {
            assertEquals(Optional.of(first.sequence()), audit.verify());
        } finally {
            restore(first.sequence(), "thumbnail served");
        }
        assertTrue(audit.verify().isEmpty());
    }
}
