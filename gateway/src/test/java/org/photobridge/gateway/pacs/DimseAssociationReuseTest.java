package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.AttributeList;
import java.awt.image.BufferedImage;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Association reuse, parallel associations and the identity check inside the send, counted at real
 * receivers: the test Orthanc and a dcmtk storescp that writes every object it receives to its own file.
 * A relay in front of the receiver counts the TCP connections (one per association).
 */
class DimseAssociationReuseTest {

    @TempDir
    Path tmp;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        // Last in, first out: associations are released before the relay or receiver under them goes.
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    // ---------------------------------------------------------------- reuse and parallel associations

    @Test
    void batchOfDeliveriesSharesOneAssociationAndEveryPhotoReachesOrthanc() throws Exception {
        var peer = OrthancTestPeer.require();
        var relay = relay(peer.dicomPort());
        var destination = new DimseDestination(settings(relay.port(), peer.aeTitle(), peer.callingAeTitle(), 3,
                Duration.ofSeconds(30)));
        cleanup.add(destination::releaseIdleAssociations);

        List<OrthancTestPeer.TestObject> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(OrthancTestPeer.makePhoto(tmp));
        }
        for (var photo : batch) {
            PacsOutcome outcome = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
        }

        for (var photo : batch) {
            assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent(), "Orthanc holds " + photo.sopInstanceUid());
        }
        assertEquals(1, relay.connections(), "five deliveries, one association");
    }

    @Test
    void failureInTheMiddleOfABatchIsRetriedAloneAndTheOthersAreNotResent() throws Exception {
        var scp = storescp();
        var relay = relay(scp.port);
        var destination = new DimseDestination(settings(relay.port(), "STORESCP", "PHOTOBRIDGE", 3, Duration.ofSeconds(30)));
        cleanup.add(destination::releaseIdleAssociations);
        List<OrthancTestPeer.TestObject> batch = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            batch.add(largePhoto(i));
        }

        Map<String, PacsOutcome> outcomes = new HashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            var photo = batch.get(i);
            // The third object's source breaks after most of it has been sent (a segment that does not decrypt).
            DicomSource source = i == 2 ? failingAfter(photo.file(), Files.size(photo.file()) * 3 / 4)
                    : DicomSource.of(photo.file());
            outcomes.put(photo.sopInstanceUid(), destination.deliver(source, photo.sopClassUid(), photo.sopInstanceUid()));
        }
        var failed = batch.get(2);
        assertInstanceOf(PacsOutcome.Retry.class, outcomes.get(failed.sopInstanceUid()));
        assertTrue(outcomes.get(failed.sopInstanceUid()).message().contains("stored nothing"),
                outcomes.get(failed.sopInstanceUid()).message());
        for (var photo : batch) {
            if (photo != failed) {
                assertInstanceOf(PacsOutcome.Done.class, outcomes.get(photo.sopInstanceUid()),
                        outcomes.get(photo.sopInstanceUid()).message());
            }
        }
        assertEquals(0, scp.received().getOrDefault(failed.sopInstanceUid(), 0), "the broken object was not stored");

        // The retry of the failed one alone, as the work queue does it.
        PacsOutcome retried = destination.deliver(failed.file(), failed.sopClassUid(), failed.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Done.class, retried, retried.message());

        Map<String, Integer> received = scp.received();
        for (var photo : batch) {
            assertEquals(1, received.getOrDefault(photo.sopInstanceUid(), 0), "received exactly once: " + photo.sopInstanceUid());
        }
        assertEquals(batch.size(), received.values().stream().mapToInt(Integer::intValue).sum());
        // The aborted association is not reused: one before the failure, one after it.
        assertEquals(2, relay.connections());
    }

    @Test
    void parallelDeliveriesUseAtMostTheConfiguredAssociations() throws Exception {
        var scp = storescp();
        var relay = relay(scp.port);
        var destination = new DimseDestination(settings(relay.port(), "STORESCP", "PHOTOBRIDGE", 2, Duration.ofSeconds(30)));
        cleanup.add(destination::releaseIdleAssociations);
        List<OrthancTestPeer.TestObject> photos = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            photos.add(largePhoto(10 + i));
        }

        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<PacsOutcome>> results = new ArrayList<>();
            for (var photo : photos) {
                results.add(senders.submit(() -> destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid())));
            }
            for (var result : results) {
                PacsOutcome outcome = result.get(120, TimeUnit.SECONDS);
                assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
            }
        } finally {
            senders.shutdownNow();
        }

        Map<String, Integer> received = scp.received();
        for (var photo : photos) {
            assertEquals(1, received.getOrDefault(photo.sopInstanceUid(), 0), "received exactly once");
        }
        assertTrue(relay.maxConcurrent() <= 2, "at most 2 associations at once, saw " + relay.maxConcurrent());
        assertTrue(relay.connections() <= 2, "associations reused, opened " + relay.connections());
        assertTrue(destination.openAssociations() <= 2);
    }

    @Test
    void keptAssociationThatThePeerClosedIsReplacedWithoutLosingTheDelivery() throws Exception {
        var peer = OrthancTestPeer.require();
        var relay = relay(peer.dicomPort());
        var destination = new DimseDestination(settings(relay.port(), peer.aeTitle(), peer.callingAeTitle(), 3,
                Duration.ofSeconds(30)));
        cleanup.add(destination::releaseIdleAssociations);
        var first = OrthancTestPeer.makePhoto(tmp);
        var second = OrthancTestPeer.makePhoto(tmp);

        assertInstanceOf(PacsOutcome.Done.class, destination.deliver(first.file(), first.sopClassUid(), first.sopInstanceUid()));
        relay.cutAll();
        PacsOutcome outcome = destination.deliver(second.file(), second.sopClassUid(), second.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
        assertTrue(peer.instanceId(second.sopInstanceUid()).isPresent(), "Orthanc holds the second photo");
        assertEquals(2, relay.connections());
    }

    @Test
    void idleAssociationIsReleasedAfterItsIdleTime() throws Exception {
        var peer = OrthancTestPeer.require();
        var relay = relay(peer.dicomPort());
        var destination = new DimseDestination(settings(relay.port(), peer.aeTitle(), peer.callingAeTitle(), 3,
                Duration.ofMillis(200)));
        var photo = OrthancTestPeer.makePhoto(tmp);

        assertInstanceOf(PacsOutcome.Done.class, destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (destination.openAssociations() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, destination.openAssociations(), "the idle association was released");
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (relay.active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, relay.active(), "its connection is closed");
    }

    // ---------------------------------------------------------------- the identity check inside the send

    @Test
    void objectWhoseSourceFailsMidwayNeverReachesOrthanc() throws Exception {
        var peer = OrthancTestPeer.require();
        var destination = new DimseDestination(settings(peer.dicomPort(), peer.aeTitle(), peer.callingAeTitle(), 3,
                Duration.ofSeconds(30)));
        cleanup.add(destination::releaseIdleAssociations);
        var photo = largePhoto(40);
        long size = Files.size(photo.file());
        assertTrue(size > 100_000, "the object spans many 16 KiB PDUs: " + size);

        PacsOutcome outcome = destination.deliver(failingAfter(photo.file(), size - 1000), photo.sopClassUid(),
                photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty(), "Orthanc must not keep a cut-off object");
        PacsOutcome again = destination.deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
        assertInstanceOf(PacsOutcome.Done.class, again, again.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isPresent());
    }

    @Test
    void objectWhoseHeaderTheSourceRejectsIsNotSentAtAll() throws Exception {
        var peer = OrthancTestPeer.require();
        var relay = relay(peer.dicomPort());
        var destination = new DimseDestination(settings(relay.port(), peer.aeTitle(), peer.callingAeTitle(), 3,
                Duration.ofSeconds(30)));
        var photo = OrthancTestPeer.makePhoto(tmp);
        List<String> seenPatientIds = new ArrayList<>();
        DicomSource rejecting = new DicomSource() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(photo.file());
            }

            @Override
            public long length() throws IOException {
                return Files.size(photo.file());
            }

            @Override
            public void checkHeader(AttributeList header) throws SourceRejectedException {
                seenPatientIds.add(com.pixelmed.dicom.Attribute.getSingleStringValueOrEmptyString(header,
                        com.pixelmed.dicom.TagFromName.SOPInstanceUID));
                throw new SourceRejectedException("the local copy holds another patient's object");
            }
        };

        PacsOutcome outcome = destination.deliver(rejecting, photo.sopClassUid(), photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("another patient's object"), outcome.message());
        assertEquals(List.of(photo.sopInstanceUid()), seenPatientIds, "the data set header was read before sending");
        assertEquals(0, relay.connections(), "no association was even opened");
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty());
    }

    // ---------------------------------------------------------------- helpers

    private static DimseSettings settings(int port, String calledAe, String callingAe, int associations, Duration idle) {
        Duration timeout = Duration.ofSeconds(10);
        return new DimseSettings("pacs-test", "127.0.0.1", port, calledAe, callingAe, timeout, timeout, associations, idle);
    }

    /** A VL Photographic Image of noise, large enough (about 0.5 MB) to span many PDUs. */
    private OrthancTestPeer.TestObject largePhoto(int seed) throws Exception {
        OrthancTestPeer.requireTool("img2dcm");
        Path jpeg = Files.createTempFile(tmp, "large", ".jpg");
        var image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        var random = new Random(seed);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                image.setRGB(x, y, random.nextInt(0x1000000));
            }
        }
        ImageIO.write(image, "jpg", jpeg.toFile());
        Path dicom = Files.createTempFile(tmp, "large", ".dcm");
        Process p = new ProcessBuilder("img2dcm", "-vlp", jpeg.toString(), dicom.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "img2dcm failed: " + output);
        return OrthancTestPeer.describe(dicom);
    }

    /** The file as a source whose stream fails with an I/O error once {@code limit} bytes have been read. */
    private static DicomSource failingAfter(Path file, long limit) {
        return new DicomSource() {
            @Override
            public InputStream open() throws IOException {
                return new FilterInputStream(Files.newInputStream(file)) {
                    long read;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (read >= limit) {
                            throw new IOException("segment 3 failed authentication (simulated)");
                        }
                        int n = in.read(b, off, (int) Math.min(len, limit - read));
                        if (n > 0) {
                            read += n;
                        }
                        return n;
                    }
                };
            }

            @Override
            public long length() throws IOException {
                return Files.size(file);
            }
        };
    }

    /** dcmtk storescp writing each received object to a file of its own (never overwriting). */
    private Storescp storescp() throws Exception {
        OrthancTestPeer.requireTool("storescp");
        int port = OrthancTestPeer.unusedPort();
        Path dir = Files.createDirectories(tmp.resolve("scp"));
        Process process = new ProcessBuilder("storescp", "-aet", "STORESCP", "+xa", "-uf", "--fork", "-od", dir.toString(),
                String.valueOf(port)).redirectErrorStream(true).redirectOutput(tmp.resolve("storescp.log").toFile()).start();
        var scp = new Storescp(process, port, dir);
        cleanup.add(scp);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (var probe = new Socket("127.0.0.1", port)) {
                return scp;
            } catch (IOException notYet) {
                assertTrue(process.isAlive(), "storescp exited: " + Files.readString(tmp.resolve("storescp.log")));
                assertTrue(System.nanoTime() < deadline, "storescp does not listen on " + port);
                Thread.sleep(100);
            }
        }
    }

    private record Storescp(Process process, int port, Path dir) implements AutoCloseable {
        /** SOP Instance UID to the number of files storescp wrote for it. */
        Map<String, Integer> received() throws Exception {
            Map<String, Integer> counts = new HashMap<>();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    counts.merge(OrthancTestPeer.describe(f).sopInstanceUid(), 1, Integer::sum);
                }
            }
            return counts;
        }

        @Override
        public void close() throws Exception {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Relay relay(int targetPort) throws IOException {
        var relay = new Relay(targetPort);
        cleanup.add(relay);
        return relay;
    }

    /** A TCP relay to a local port that counts connections (one per DICOM association). */
    private static final class Relay implements AutoCloseable {
        private final ServerSocket server;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger active = new AtomicInteger();
        private final AtomicInteger maxConcurrent = new AtomicInteger();
        private final List<Socket> sockets = new ArrayList<>();

        Relay(int targetPort) throws IOException {
            server = new ServerSocket(0);
            var acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket client = server.accept();
                        Socket upstream = new Socket("127.0.0.1", targetPort);
                        synchronized (sockets) {
                            sockets.add(client);
                            sockets.add(upstream);
                        }
                        connections.incrementAndGet();
                        maxConcurrent.accumulateAndGet(active.incrementAndGet(), Math::max);
                        var closedOnce = new java.util.concurrent.atomic.AtomicBoolean();
                        Runnable ended = () -> {
                            if (closedOnce.compareAndSet(false, true)) {
                                active.decrementAndGet();
                            }
                            closeQuietly(client);
                            closeQuietly(upstream);
                        };
                        pump(client, upstream, ended);
                        pump(upstream, client, ended);
                    }
                } catch (IOException closed) {
                    // relay closed
                }
            }, "test-relay");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void pump(Socket from, Socket to, Runnable ended) {
            var t = new Thread(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // one side closed
                } finally {
                    ended.run();
                }
            }, "test-relay-pump");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        int active() {
            return active.get();
        }

        int maxConcurrent() {
            return maxConcurrent.get();
        }

        /** Closes every relayed connection, as a PACS that drops idle associations would. */
        void cutAll() throws InterruptedException {
            synchronized (sockets) {
                sockets.forEach(Relay::closeQuietly);
            }
            Thread.sleep(200);
        }

        private static void closeQuietly(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all we wanted
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                sockets.forEach(Relay::closeQuietly);
            }
        }
    }
}
