package org.photobridge.gateway.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.pacs.DimseDestination;
import org.photobridge.gateway.pacs.DimseSettings;
import org.photobridge.gateway.pacs.OrthancTestPeer;
import org.photobridge.gateway.pacs.PacsOutcome;

/**
 * DIMSE C-STORE and C-ECHO over TLS against dcmtk's storescp with {@code +tls}, using certificates the
 * test makes: what arrives is counted in storescp's output directory and compared with the photo sent.
 */
class DimseTlsTest {
    private static final String PREFIX = "photobridge.destinations.pacs-tls.tls.";

    @TempDir
    static Path shared;

    static TestPki pki;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makePki() throws Exception {
        TlsStorescp.requireStorescp();
        pki = new TestPki(Files.createDirectories(shared.resolve("pki")));
    }

    private static TlsSettings trustingTestCa() {
        return TlsSettings.defaults(PREFIX, true).withCaFile(pki.caPem);
    }

    private static DimseDestination destination(String host, int port, TlsSettings tls) {
        Duration timeout = Duration.ofSeconds(10);
        return new DimseDestination(new DimseSettings("pacs-tls", host, port, TlsStorescp.AE_TITLE, "PHOTOBRIDGE",
                timeout, timeout), Optional.of(ClientTls.of(tls)));
    }

    @Test
    void cStoreOverTlsDeliversThePhotoUnchanged() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var scp = TlsStorescp.start(tmp, pki.serverKeyPem, pki.serverCertPem, null)) {
            var destination = destination("127.0.0.1", scp.port(), trustingTestCa());
            PacsOutcome outcome = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message() + "\n" + scp.log());
            assertTrue(outcome.message().contains("over TLSv1.3") || outcome.message().contains("over TLSv1.2"),
                    outcome.message());
            assertEquals(1, scp.receivedCount(), scp.log());
            Path received = scp.receivedFiles().get(0);
            String dump = dcmdump(received);
            assertTrue(dump.contains("[" + photo.sopInstanceUid() + "]"), "received object is the photo sent");
            assertTrue(dump.contains("=VLPhotographicImageStorage"), dump);
            assertTrue(dump.contains("=JPEGBaseline"), "sent in its own transfer syntax, not decompressed");
            assertEquals(dataSet(dcmdump(photo.file())), dataSet(dump), "data set (pixel data included) unchanged");
            assertFalse(dciodvfy(received).contains("Error - Bad attribute"), "dciodvfy finds no bad attribute");
            // The association is kept for the next photo, and its relay with it; releasing it ends the relay.
            assertEquals(2, relayThreads(), "the kept association keeps its relay's two threads");
            destination.releaseIdleAssociations();
            await().atMost(Duration.ofSeconds(10)).until(() -> relayThreads() == 0);
        }
    }

    private static long relayThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("photobridge-dimse-tls-pacs-tls")).count();
    }

    @Test
    void cEchoGoesOverTlsToo() throws Exception {
        try (var scp = TlsStorescp.start(tmp, pki.serverKeyPem, pki.serverCertPem, null)) {
            var reach = destination("localhost", scp.port(), trustingTestCa()).check();

            assertTrue(reach.reachable(), reach.detail() + "\n" + scp.log());
            assertTrue(reach.detail().contains("C-ECHO succeeded (over TLSv1."), reach.detail());
        }
    }

    @Test
    void untrustedServerCertificateIsRefusedBeforeAnythingIsSent() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var scp = TlsStorescp.start(tmp, pki.otherServerKeyPem, pki.otherServerCertPem, null)) {
            var destination = destination("127.0.0.1", scp.port(), trustingTestCa());
            PacsOutcome outcome = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
            assertTrue(outcome.message().contains("untrusted certificate"), outcome.message());
            assertFalse(outcome.message().contains("\tat "), "no stack trace");
            assertEquals(0, scp.receivedCount());
            assertFalse(scp.log().contains("Association Received"), "no association reached the peer:\n" + scp.log());
            var reach = destination.check();
            assertFalse(reach.reachable());
            assertTrue(reach.detail().contains("untrusted certificate"), reach.detail());
        }
    }

    @Test
    void certificateForAnotherHostIsAHostnameMismatchUnlessVerificationIsOff() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var scp = TlsStorescp.start(tmp, pki.wrongNameKeyPem, pki.wrongNameCertPem, null)) {
            var destination = destination("127.0.0.1", scp.port(), trustingTestCa());
            PacsOutcome outcome = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
            assertTrue(outcome.message().contains("hostname mismatch"), outcome.message());
            assertEquals(0, scp.receivedCount());

            PacsOutcome unchecked = destination("127.0.0.1", scp.port(), trustingTestCa().withVerifyHostname(false))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Done.class, unchecked, unchecked.message() + "\n" + scp.log());
            assertEquals(1, scp.receivedCount());
        }
    }

    @Test
    void peerRequiringClientCertificateAcceptsOursAsPemOrPkcs12() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var scp = TlsStorescp.start(tmp, pki.serverKeyPem, pki.serverCertPem, pki.caPem)) {
            PacsOutcome pem = destination("127.0.0.1", scp.port(),
                    trustingTestCa().withClientPem(pki.clientCertPem, pki.clientKeyPem))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Done.class, pem, pem.message() + "\n" + scp.log());
            assertEquals(1, scp.receivedCount());

            PacsOutcome p12 = destination("127.0.0.1", scp.port(),
                    trustingTestCa().withKeyStore(pki.clientP12, TestPki.STORE_PASSWORD))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Done.class, p12, p12.message() + "\n" + scp.log());
            assertEquals(2, scp.receivedCount());
        }
    }

    @Test
    void peerRequiringClientCertificateWeDoNotHaveGivesThatReason() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var scp = TlsStorescp.start(tmp, pki.serverKeyPem, pki.serverCertPem, pki.caPem)) {
            var destination = destination("127.0.0.1", scp.port(), trustingTestCa());
            PacsOutcome outcome = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
            assertTrue(outcome.message().contains("demands a client certificate and none is configured"),
                    outcome.message() + "\n" + scp.log());
            assertEquals(0, scp.receivedCount());
        }
    }

    @Test
    void peerRejectingOurClientCertificateSaysSo() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var scp = TlsStorescp.start(tmp, pki.serverKeyPem, pki.serverCertPem, pki.caPem)) {
            PacsOutcome outcome = destination("127.0.0.1", scp.port(),
                    trustingTestCa().withClientPem(pki.otherClientCertPem, pki.otherClientKeyPem))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
            assertTrue(outcome.message().contains("rejected our client certificate"), outcome.message() + "\n" + scp.log());
            assertEquals(0, scp.receivedCount());
        }
    }

    @Test
    void peerOfferingOnlyLegacySuitesIsRefused() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        // +pa: DICOM's retired "AES TLS Secure Transport Connection Profile" (TLS_RSA_WITH_AES_*_CBC_SHA only).
        try (var scp = TlsStorescp.start(tmp, pki.serverKeyPem, pki.serverCertPem, null, "+pa")) {
            var destination = destination("127.0.0.1", scp.port(), trustingTestCa());
            PacsOutcome outcome = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
            assertTrue(outcome.message().contains("protocol or cipher suite not acceptable"),
                    outcome.message() + "\n" + scp.log());
            assertEquals(0, scp.receivedCount());
        }
    }

    // ---------------------------------------------------------------- dcmtk and dicom3tools

    private static String dcmdump(Path file) throws Exception {
        return run(List.of("dcmdump", "+L", file.toString()));
    }

    /** The data set lines of a dcmdump (the meta header, which storescp rewrites, left out). */
    private static List<String> dataSet(String dump) {
        return dump.lines().filter(l -> l.startsWith("(") && !l.startsWith("(0002,")).toList();
    }

    private static String dciodvfy(Path file) throws Exception {
        return run(List.of("dciodvfy", file.toString()));
    }

    private static String run(List<String> command) throws Exception {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish");
        }
        return out;
    }
}
