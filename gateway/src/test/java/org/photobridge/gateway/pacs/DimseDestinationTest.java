package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCPDispatcher;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DimseDestinationTest {

    @TempDir
    Path tmp;

    private static DimseDestination destination(String host, int port, String calledAe, Duration timeout) {
        return new DimseDestination(new DimseSettings("pacs-test", host, port, calledAe, "PHOTOBRIDGE", timeout, timeout));
    }

    /** The test Orthanc, called as the one calling AE title it accepts (the gateway's). */
    private static DimseDestination orthanc(OrthancTestPeer peer) {
        Duration timeout = Duration.ofSeconds(10);
        return new DimseDestination(new DimseSettings("pacs-test", peer.host(), peer.dicomPort(), peer.aeTitle(),
                peer.callingAeTitle(), timeout, timeout));
    }

    // ---------------------------------------------------------------- against the real Orthanc

    @Test
    void cStoreStoresJpegBaselinePhotoWithoutDecompressingIt() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = OrthancTestPeer.makePhoto(tmp);
        assertEquals(OrthancTestPeer.JPEG_BASELINE, photo.transferSyntaxUid(), "test object should be JPEG Baseline");

        PacsOutcome outcome = orthanc(peer).deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("0x0000"), outcome.message());
        String id = peer.instanceId(photo.sopInstanceUid()).orElseThrow(() -> new AssertionError("Orthanc lacks the instance"));
        assertEquals(OrthancTestPeer.JPEG_BASELINE, peer.storedTransferSyntax(id));
        var metadata = peer.get("/dicom-web/studies/" + photo.studyUid() + "/series/" + photo.seriesUid()
                + "/instances/" + photo.sopInstanceUid() + "/metadata");
        assertEquals(200, metadata.statusCode());
        assertTrue(metadata.body().contains(OrthancTestPeer.VL_PHOTOGRAPHIC), "stored as VL Photographic Image");
    }

    @Test
    void cStoreSendsUncompressedObjectAsExplicitLittleEndian() throws Exception {
        var peer = OrthancTestPeer.require();
        var plain = OrthancTestPeer.decompressed(tmp, OrthancTestPeer.makePhoto(tmp));

        PacsOutcome outcome = orthanc(peer).deliver(plain.file(), plain.sopClassUid(), plain.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
        String id = peer.instanceId(plain.sopInstanceUid()).orElseThrow();
        assertEquals("1.2.840.10008.1.2.1", peer.storedTransferSyntax(id));
    }

    @Test
    void sopClassThePacsDoesNotAcceptIsFailedAndNamesTheSopClass() throws Exception {
        var peer = OrthancTestPeer.require();
        String privateSopClass = "1.2.826.0.1.3680043.9.7433.99.1";
        var odd = OrthancTestPeer.withSopClass(OrthancTestPeer.makePhoto(tmp), privateSopClass);

        PacsOutcome outcome = orthanc(peer).deliver(odd.file(), odd.sopClassUid(), odd.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
        assertTrue(outcome.message().contains(privateSopClass), outcome.message());
        assertTrue(outcome.message().contains("presentation context"), outcome.message());
        assertTrue(peer.instanceId(odd.sopInstanceUid()).isEmpty(), "nothing stored");
    }

    @Test
    void fileWhoseUidsDoNotMatchTheOutboxEntryIsNotSent() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = OrthancTestPeer.makePhoto(tmp);

        PacsOutcome outcome = orthanc(peer).deliver(photo.file(), photo.sopClassUid(), "2.25.1234");

        assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty(), "nothing stored");
    }

    @Test
    void echoReportsOrthancReachable() {
        var peer = OrthancTestPeer.require();

        Destination.Reachability reachability = orthanc(peer).check();

        assertTrue(reachability.reachable(), reachability.detail());
    }

    // ---------------------------------------------------------------- unreachable and misbehaving peers

    @Test
    void connectionRefusedIsRetryNamingDestinationAndEndpoint() throws Exception {
        int port = OrthancTestPeer.unusedPort();
        var photo = OrthancTestPeer.makePhoto(tmp);

        PacsOutcome outcome = destination("127.0.0.1", port, "ORTHANC", Duration.ofSeconds(5))
                .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("connection refused"), outcome.message());
        assertTrue(outcome.message().contains("'pacs-test'") && outcome.message().contains("127.0.0.1:" + port),
                outcome.message());
    }

    @Test
    void echoReportsClosedPortUnreachable() throws Exception {
        int port = OrthancTestPeer.unusedPort();

        Destination.Reachability reachability = destination("127.0.0.1", port, "ORTHANC", Duration.ofSeconds(5)).check();

        assertFalse(reachability.reachable());
        assertTrue(reachability.detail().contains("connection refused"), reachability.detail());
    }

    @Test
    void peerThatAcceptsTcpButNeverAnswersTimesOutAsRetry() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var silent = new ServerSocket(0)) {
            List<Socket> accepted = new ArrayList<>();
            var acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            var destination = destination("127.0.0.1", silent.getLocalPort(), "ORTHANC", Duration.ofMillis(500));

            long start = System.nanoTime();
            PacsOutcome first = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            PacsOutcome second = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Retry.class, first, first.message());
            assertTrue(first.message().contains("no association"), first.message());
            assertTrue(elapsedMillis < 5_000, "bounded by connect + read timeout, took " + elapsedMillis + " ms");
            assertInstanceOf(PacsOutcome.Retry.class, second, second.message());
            assertTrue(second.message().contains("still blocked"), second.message());
            for (Socket s : accepted) {
                s.close(); // releases the abandoned PixelMed thread
            }
        }
    }

    @Test
    void pacsThatStopsAnsweringMidStoreTimesOutAsRetry() throws Exception {
        var plain = OrthancTestPeer.decompressed(tmp, OrthancTestPeer.makePhoto(tmp));
        int port = OrthancTestPeer.unusedPort();
        var release = new CountDownLatch(1);
        Path received = Files.createDirectories(tmp.resolve("received"));
        var scp = new StorageSOPClassSCPDispatcher(port, "SLOWPACS", received.toFile(), new ReceivedObjectHandler() {
            @Override
            public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAe)
                    throws DicomNetworkException {
                try {
                    release.await(30, TimeUnit.SECONDS); // hold the C-STORE-RSP back
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        var scpThread = new Thread(scp);
        scpThread.setDaemon(true);
        scpThread.start();
        try {
            waitUntilListening(port);
            var destination = destination("127.0.0.1", port, "SLOWPACS", Duration.ofSeconds(1));

            long start = System.nanoTime();
            PacsOutcome outcome = destination.deliver(plain.file(), plain.sopClassUid(), plain.sopInstanceUid());
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
            assertTrue(outcome.message().contains("no answer from the PACS for 1 s"), outcome.message());
            assertTrue(elapsedMillis < 8_000, "bounded by the read timeout, took " + elapsedMillis + " ms");
        } finally {
            release.countDown();
            scp.shutdown();
        }
    }

    private static void waitUntilListening(int port) throws Exception {
        for (int i = 0; i < 50; i++) {
            try (var probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("test SCP did not start on port " + port);
    }

    // ---------------------------------------------------------------- status and rejection mapping

    @Test
    void successAndWarningStatusesCountAsStoredAndKeepTheWarning() {
        assertInstanceOf(PacsOutcome.Done.class, DimseStatus.outcomeForStatus(0x0000, "d", null));
        for (int warning : new int[] {0xB000, 0xB006, 0xB007}) {
            PacsOutcome outcome = DimseStatus.outcomeForStatus(warning, "d", null);
            assertInstanceOf(PacsOutcome.Done.class, outcome);
            assertTrue(outcome.message().contains(String.format("0x%04X", warning)), outcome.message());
        }
    }

    @Test
    void outOfResourcesAndProcessingFailureAreRetried() {
        for (int status : new int[] {0xA700, 0xA7FF, 0x0110, 0x0213}) {
            PacsOutcome outcome = DimseStatus.outcomeForStatus(status, "d", null);
            assertInstanceOf(PacsOutcome.Retry.class, outcome, Integer.toHexString(status));
            assertTrue(outcome.message().contains(String.format("0x%04X", status)), outcome.message());
        }
    }

    @Test
    void objectRefusalsAreFailedWithTheStatusCode() {
        for (int status : new int[] {0xA900, 0xA9FF, 0xC000, 0xCFFF, 0x0122, 0x0124}) {
            PacsOutcome outcome = DimseStatus.outcomeForStatus(status, "d", null);
            assertInstanceOf(PacsOutcome.Failed.class, outcome, Integer.toHexString(status));
            assertTrue(outcome.message().contains(String.format("0x%04X", status)), outcome.message());
        }
    }

    @Test
    void transientAssociationRejectionIsRetriedAndPermanentOneIsFailed() {
        var destination = destination("pacs.example", 104, "PACS", Duration.ofSeconds(1));
        var transientReject = new DicomNetworkException("A-ASSOCIATE-RJ indication - rejected-transient by DICOM UL"
                + " Service Provider (Presentation related function), temporary congestion");
        var permanentReject = new DicomNetworkException("A-ASSOCIATE-RJ indication - rejected-permanent by DICOM UL"
                + " Service User, called AE Title not recognized");

        PacsOutcome retry = destination.outcomeForException("association", transientReject, false);
        PacsOutcome failed = destination.outcomeForException("association", permanentReject, false);

        assertInstanceOf(PacsOutcome.Retry.class, retry, retry.message());
        assertTrue(retry.message().contains("temporary congestion"), retry.message());
        assertInstanceOf(PacsOutcome.Failed.class, failed, failed.message());
        assertTrue(failed.message().contains("called AE Title not recognized") && failed.message().contains("'PACS'"),
                failed.message());
    }

    @Test
    void abortIsRetried() {
        var destination = destination("pacs.example", 104, "PACS", Duration.ofSeconds(1));

        PacsOutcome outcome = destination.outcomeForException("C-STORE",
                new DicomNetworkException("A-ABORT indication - source 2, reason 0"), false);

        assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
    }
}
