package org.photobridge.gateway.audit.atna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The export cursor (export itself is off here): it reads the trail after
 * its position with every field, a second exporter skips a held cursor instead of waiting, and the
 * position never moves back.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class AtnaExportCursorTest {

    @Inject
    ExportCursor cursor;

    @Inject
    AuditLog audit;

    /** Declares the photobridge.test.* keys a test run may pass (see its Javadoc). */
    @Inject
    TestRunSettings settings;

    @Test
    void readsTheEntriesAfterAPositionInOrderWithTheirFields() {
        var patient = Optional.of(new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-CURSOR"));
        var agent = new AuditLog.Agent("subject-c", "derm.clinician", Set.of("clinician", "consent-manager"));
        AuditRecord first = audit.record(AuditAction.PHOTO_VIEWED, true, agent, patient,
                List.of("ImagingStudy/4", "urn:dicom:uid:2.25.4"), "rendered served");
        AuditRecord second = audit.record(AuditAction.ACCESS_DENIED, false, AuditLog.Agent.SYSTEM, Optional.empty(),
                List.of(), "refused");

        List<TrailEntry> entries = QuarkusTransaction.requiringNew()
                .call(() -> cursor.entriesAfter(first.sequence() - 1, 10));
        assertEquals(List.of(first.sequence(), second.sequence()),
                entries.stream().map(TrailEntry::sequence).toList().subList(0, 2));
        TrailEntry read = entries.get(0);
        assertEquals(first.id(), read.id());
        assertEquals(first.recorded(), read.recorded());
        assertEquals("PHOTO_VIEWED", read.action());
        assertTrue(read.success());
        assertEquals("subject-c", read.agent());
        assertEquals("derm.clinician", read.agentName());
        assertEquals(Set.of("clinician", "consent-manager"), read.agentRoles());
        assertEquals(patient, read.patient());
        assertEquals(List.of("ImagingStudy/4", "urn:dicom:uid:2.25.4"), read.entities());
        assertEquals("rendered served", read.detail());
        TrailEntry system = entries.get(1);
        assertEquals(Optional.empty(), system.patient());
        assertEquals(Set.of(), system.agentRoles());
        assertEquals(List.of(), system.entities());
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> cursor.entriesAfter(first.sequence() - 1, 1))
                .size(), "at most the batch size");
    }

    @Test
    void aSecondExporterSkipsAHeldCursorInsteadOfWaitingAndThePositionNeverMovesBack() throws Exception {
        var other = Executors.newSingleThreadExecutor();
        try {
            OptionalLong seenByOther = QuarkusTransaction.requiringNew().call(() -> {
                OptionalLong mine = cursor.lock();
                assertTrue(mine.isPresent(), "the first exporter gets the cursor");
                cursor.advance(mine.getAsLong() + 5);
                return other.submit(() -> QuarkusTransaction.requiringNew().call(cursor::lock))
                        .get(10, TimeUnit.SECONDS);
            });
            assertTrue(seenByOther.isEmpty(), "the second one skips it at once");
        } finally {
            other.shutdownNow();
        }
        long position = cursor.position();
        QuarkusTransaction.requiringNew().run(() -> {
            cursor.lock();
            cursor.advance(position - 3);
        });
        assertEquals(position, cursor.position());
    }
}
