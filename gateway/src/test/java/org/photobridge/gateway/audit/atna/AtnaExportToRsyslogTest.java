package org.photobridge.gateway.audit.atna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditEventMapper.EventCode;
import org.photobridge.fhir.audit.AuditRecord;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.audit.atna.RsyslogCollector.Received;
import org.photobridge.gateway.testing.TestStack;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The gateway (on PostgreSQL) exports its audit trail to a real rsyslog over mutual TLS; entries
 * recorded while the collector is stopped wait in the trail and arrive after it restarts, so every
 * entry arrives at least once; the messages parse and carry each action's DICOM event.
 */
@QuarkusTest
@TestProfile(AtnaPostgresProfile.class)
@QuarkusTestResource(TestStack.class)
class AtnaExportToRsyslogTest {

    @Inject
    AuditLog audit;

    @Inject
    ExportCursor cursor;

    @Inject
    AtnaExporter exporter;

    @Inject
    TestRunSettings settings;

    private RsyslogCollector collector;
    private final LogCapture logs = new LogCapture();

    @BeforeEach
    void attach() throws Exception {
        Optional.ofNullable(settings.atna().get("unavailable")).ifPresent(RsyslogCollector::unavailable);
        collector = RsyslogCollector.attach(Path.of(settings.atna().get("directory")));
        if (!collector.running()) {
            collector.start();
        }
        java.util.logging.Logger.getLogger("").addHandler(logs);
    }

    @AfterEach
    void detach() {
        java.util.logging.Logger.getLogger("").removeHandler(logs);
    }

    @Test
    void everyEntryReachesTheCollectorAtLeastOnceAcrossItsRestart() throws Exception {
        String mrn = "MRN-ATNA-" + UUID.randomUUID();
        var patient = Optional.of(new BusinessIdentifier("urn:oid:1.2.3.4.5", mrn));
        var surgeon = new AuditLog.Agent("subject-s", "plastics.surgeon", Set.of("clinician"));
        var recorded = new ArrayList<AuditRecord>();

        recorded.add(audit.record(AuditAction.PHOTO_VIEWED, true, surgeon, patient,
                List.of("ImagingStudy/1", "urn:dicom:uid:2.25.1"), "thumbnail served"));
        recorded.add(audit.record(AuditAction.CONSENT_CREATED, true, surgeon, patient,
                List.of("Consent/1/_history/1"), "consent recorded"));
        recorded.add(audit.record(AuditAction.ACCESS_DENIED, false, surgeon, patient, List.of("ImagingStudy/2"),
                "rendered refused: department"));
        collector.await(Duration.ofSeconds(60), r -> sequences(r).containsAll(sequencesOf(recorded)));

        collector.stop();
        var whileDown = new ArrayList<AuditRecord>();
        whileDown.add(audit.record(AuditAction.PHOTO_EXPORTED, true, surgeon, patient, List.of("ImagingStudy/1"),
                "teaching export"));
        whileDown.add(audit.record(AuditAction.PATIENT_QUERY, true, surgeon, patient, List.of(), "photo list"));
        whileDown.add(audit.record(AuditAction.CONSENT_WITHDRAWN, true, AuditLog.Agent.SYSTEM, patient,
                List.of("Consent/1/_history/2"), "withdrawn"));
        whileDown.add(audit.record(AuditAction.PHOTO_WITHDRAWN, true, AuditLog.Agent.SYSTEM, patient,
                List.of("ImagingStudy/1", "urn:dicom:uid:2.25.1"), "rejection note sent"));
        whileDown.add(audit.record(AuditAction.AUDIT_LOG_USED, true, surgeon, Optional.empty(), List.of(),
                "AuditEvent search"));
        long firstWhileDown = whileDown.get(0).sequence();
        awaitTrue(Duration.ofSeconds(30), () -> logs.contains("ATNA export to localhost:" + collector.port() + " held"),
                "the exporter tries, fails and says so while the collector is down");
        assertTrue(cursor.position() < firstWhileDown, "nothing recorded while the collector was down counts as sent");

        collector.start();
        recorded.addAll(whileDown);
        long last = recorded.get(recorded.size() - 1).sequence();
        List<Received> received = collector.await(Duration.ofSeconds(60),
                r -> sequences(r).containsAll(sequencesOf(recorded)));
        awaitTrue(Duration.ofSeconds(30), () -> cursor.position() >= last, "the cursor catches up");

        Set<Long> arrived = sequences(collector.received());
        assertEquals(LongStream.rangeClosed(1, last).boxed().collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(arrived.stream().filter(s -> s <= last).toList()),
                "every entry of the trail up to the last one arrived, none skipped");
        for (AuditRecord entry : recorded) {
            Received message = received.stream().filter(m -> m.sequenceId() == entry.sequence()).findFirst()
                    .orElseThrow();
            assertEquals(entry.success() ? 85 : 84, message.pri());
            assertEquals("gateway.test", message.hostname());
            assertEquals("photobridge", message.appName());
            assertEquals(SyslogFrame.MSGID, message.msgId());
            Document xml = AtnaMessageTest.parse(message.xml().getBytes(StandardCharsets.UTF_8));
            Element event = AtnaMessageTest.children(xml.getDocumentElement(), "EventIdentification").get(0);
            EventCode code = EventCode.of(entry.action());
            assertEquals(code.typeCode, AtnaMessageTest.children(event, "EventID").get(0).getAttribute("csd-code"),
                    entry.action().name());
            assertEquals(code.fhirAction.toCode(), event.getAttribute("EventActionCode"), entry.action().name());
            assertEquals(entry.success() ? "0" : "4", event.getAttribute("EventOutcomeIndicator"));
            var objects = AtnaMessageTest.children(xml.getDocumentElement(), "ParticipantObjectIdentification");
            assertEquals(entry.patient().isPresent(), objects.stream().anyMatch(
                    o -> o.getAttribute("ParticipantObjectID").equals(mrn + "^^^&1.2.3.4.5&ISO")),
                    "the patient is in the message of sequence " + entry.sequence());
        }
        assertFalse(logs.contains(mrn), "the gateway's log names no patient");
    }

    @Test
    void whileAnotherGatewayHoldsTheCursorThisOneDoesNotExport() throws Exception {
        var other = Executors.newSingleThreadExecutor();
        try {
            AtnaExporter.Pass pass = null;
            Instant deadline = Instant.now().plusSeconds(30);
            while (pass == null && Instant.now().isBefore(deadline)) {
                // The background exporter may hold the row for a moment; take it when it is free.
                pass = QuarkusTransaction.requiringNew().call(() -> {
                    if (cursor.lock().isEmpty()) {
                        return null;
                    }
                    return other.submit(() -> exporter.pass()).get(30, TimeUnit.SECONDS);
                });
            }
            assertInstanceOf(AtnaExporter.Pass.Busy.class, pass);
        } finally {
            other.shutdownNow();
        }
    }

    private static Set<Long> sequences(List<Received> received) {
        return received.stream().map(Received::sequenceId).collect(Collectors.toSet());
    }

    private static Set<Long> sequencesOf(List<AuditRecord> records) {
        return records.stream().map(AuditRecord::sequence).collect(Collectors.toSet());
    }

    private static void awaitTrue(Duration within, java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Every log record of the gateway while a test runs, formatted as it would be written. */
    static final class LogCapture extends Handler {
        private final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            var line = new StringBuilder(String.valueOf(message));
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                line.append(" | ").append(t);
            }
            lines.add(line.toString());
        }

        boolean contains(String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
