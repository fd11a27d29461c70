package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StowRsDestinationTest {

    private static final String SOP = "2.25.123456789";

    @TempDir
    Path tmp;

    private static StowRsDestination destination(URI base) {
        return new StowRsDestination(new StowRsSettings("pacs-web", base, Duration.ofSeconds(10)));
    }

    /** The test Orthanc's DICOMweb (or another path on it) with its REST credentials. */
    private static StowRsDestination orthanc(OrthancTestPeer peer, URI base) {
        return new StowRsDestination(new StowRsSettings("pacs-web", base, peer.credentials(), Duration.ofSeconds(10)));
    }

    // ---------------------------------------------------------------- against the real Orthanc

    @Test
    void stowRsStoresPhotoAndOrthancKeepsItJpegBaseline() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = OrthancTestPeer.makePhoto(tmp);

        PacsOutcome outcome = orthanc(peer, peer.dicomWebBase()).deliver(photo.file(), photo.sopClassUid(),
                photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
        var metadata = peer.get("/dicom-web/studies/" + photo.studyUid() + "/series/" + photo.seriesUid()
                + "/instances/" + photo.sopInstanceUid() + "/metadata");
        assertEquals(200, metadata.statusCode());
        assertTrue(metadata.body().contains(photo.sopInstanceUid()));
        String id = peer.instanceId(photo.sopInstanceUid()).orElseThrow();
        assertEquals(OrthancTestPeer.JPEG_BASELINE, peer.storedTransferSyntax(id));
    }

    @Test
    void stowRsToAPathWithoutDicomWebIsFailedNamingHttp404() throws Exception {
        var peer = OrthancTestPeer.require();
        var photo = OrthancTestPeer.makePhoto(tmp);

        PacsOutcome outcome = orthanc(peer, peer.httpBase().resolve("/no-such-dicom-web"))
                .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("404") && outcome.message().contains("base URL"), outcome.message());
        assertTrue(peer.instanceId(photo.sopInstanceUid()).isEmpty(), "nothing stored");
    }

    @Test
    void probeReportsOrthancDicomWebReachable() {
        var peer = OrthancTestPeer.require();

        Destination.Reachability reachability = orthanc(peer, peer.dicomWebBase()).check();

        assertTrue(reachability.reachable(), reachability.detail());
    }

    // ---------------------------------------------------------------- unreachable server

    @Test
    void stowRsToClosedPortIsRetryNamingConnectionRefused() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        URI closed = URI.create("http://127.0.0.1:" + OrthancTestPeer.unusedPort() + "/dicom-web");

        PacsOutcome outcome = destination(closed).deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

        assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
        assertTrue(outcome.message().contains("connection refused") && outcome.message().contains("'pacs-web'"),
                outcome.message());
    }

    @Test
    void probeReportsClosedPortUnreachable() throws Exception {
        URI closed = URI.create("http://127.0.0.1:" + OrthancTestPeer.unusedPort() + "/dicom-web");

        Destination.Reachability reachability = destination(closed).check();

        assertFalse(reachability.reachable());
        assertTrue(reachability.detail().contains("connection refused"), reachability.detail());
    }

    // ---------------------------------------------------------------- wire format, against a recording server

    @Test
    void postsFileBytesAsSingleMultipartRelatedPartWithBearerToken() throws Exception {
        byte[] dicom = new byte[300_000];
        Arrays.fill(dicom, (byte) 0x5A);
        Path file = Files.write(tmp.resolve("object.dcm"), dicom);
        var contentType = new AtomicReference<String>();
        var authorization = new AtomicReference<String>();
        var accept = new AtomicReference<String>();
        var contentLength = new AtomicReference<String>();
        var transferEncoding = new AtomicReference<String>();
        var path = new AtomicReference<String>();
        var body = new AtomicReference<byte[]>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            path.set(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            accept.set(exchange.getRequestHeaders().getFirst("Accept"));
            contentLength.set(exchange.getRequestHeaders().getFirst("Content-Length"));
            transferEncoding.set(exchange.getRequestHeaders().getFirst("Transfer-Encoding"));
            body.set(exchange.getRequestBody().readAllBytes());
            byte[] response = referenced(SOP).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/dicom+json");
            exchange.sendResponseHeaders(200, response.length);
            exchange.getResponseBody().write(response);
            exchange.close();
        });
        server.start();
        try {
            URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/wado/");
            var destination = new StowRsDestination(new StowRsSettings("pacs-web", base,
                    new HttpCredentials.Bearer("s3cret"), Duration.ofSeconds(10)));

            PacsOutcome outcome = destination.deliver(file, "1.2.840.10008.5.1.4.1.1.77.1.4", SOP);

            assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
            assertEquals("POST /wado/studies", path.get());
            assertEquals("Bearer s3cret", authorization.get());
            assertEquals("application/dicom+json", accept.get());
            assertTrue(contentType.get().startsWith("multipart/related; type=\"application/dicom\"; boundary="),
                    contentType.get());
            String boundary = contentType.get().substring(contentType.get().indexOf("boundary=") + "boundary=".length());
            byte[] head = ("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] received = body.get();
            assertEquals(head.length + dicom.length + tail.length, received.length);
            assertEquals(String.valueOf(received.length), contentLength.get(), "streamed with a Content-Length");
            assertEquals(null, transferEncoding.get(), "not chunked");
            assertArrayEquals(head, Arrays.copyOfRange(received, 0, head.length));
            assertArrayEquals(dicom, Arrays.copyOfRange(received, head.length, head.length + dicom.length));
            assertArrayEquals(tail, Arrays.copyOfRange(received, head.length + dicom.length, received.length));
            assertFalse(destination.settings().toString().contains("s3cret"), "settings must not print the token");
        } finally {
            server.stop(0);
        }
    }

    // ---------------------------------------------------------------- response mapping (PS3.18 10.5.3)

    private final StowRsDestination mapper = destination(URI.create("http://pacs.example/dicom-web"));

    private PacsOutcome map(int code, String json) {
        return mapper.outcomeForResponse(code, json == null ? null : json.getBytes(StandardCharsets.UTF_8), SOP,
                Optional.empty());
    }

    private static String referenced(String uid) {
        return "{\"00081199\":{\"vr\":\"SQ\",\"Value\":[{\"00081150\":{\"vr\":\"UI\",\"Value\":[\"1.2.3\"]},"
                + "\"00081155\":{\"vr\":\"UI\",\"Value\":[\"" + uid + "\"]}}]}}";
    }

    private static String failed(String uid, int reason) {
        return "{\"00081198\":{\"vr\":\"SQ\",\"Value\":[{\"00081155\":{\"vr\":\"UI\",\"Value\":[\"" + uid + "\"]},"
                + "\"00081197\":{\"vr\":\"US\",\"Value\":[" + reason + "]}}]}}";
    }

    @Test
    void okNamingOurInstanceIsStored() {
        assertInstanceOf(PacsOutcome.Done.class, map(200, referenced(SOP)));
    }

    @Test
    void okThatDoesNotNameOurInstanceIsNotTakenAsStored() {
        assertInstanceOf(PacsOutcome.Retry.class, map(200, referenced("2.25.999")));
        assertInstanceOf(PacsOutcome.Retry.class, map(200, null));
    }

    @Test
    void acceptedWithFailureReasonIsMappedLikeTheCStoreStatus() {
        PacsOutcome busy = map(202, failed(SOP, 0xA700));
        PacsOutcome broken = map(202, failed(SOP, 0xC000));
        PacsOutcome mismatch = map(409, failed(SOP, 0xA900));

        assertInstanceOf(PacsOutcome.Retry.class, busy, busy.message());
        assertTrue(busy.message().contains("0xA700"), busy.message());
        assertInstanceOf(PacsOutcome.Failed.class, broken, broken.message());
        assertTrue(broken.message().contains("0xC000"), broken.message());
        assertInstanceOf(PacsOutcome.Failed.class, mismatch, mismatch.message());
    }

    @Test
    void conflictWithoutDetailIsFailed() {
        PacsOutcome outcome = map(409, "{}");
        assertInstanceOf(PacsOutcome.Failed.class, outcome);
        assertTrue(outcome.message().contains("409"), outcome.message());
    }

    @Test
    void clientErrorsAreFailedAndRejectedCredentialsSaySo() {
        for (int code : new int[] {400, 403, 404, 413, 415}) {
            PacsOutcome outcome = map(code, null);
            assertInstanceOf(PacsOutcome.Failed.class, outcome, String.valueOf(code));
            assertTrue(outcome.message().contains(String.valueOf(code)), outcome.message());
        }
        PacsOutcome unauthorized = map(401, null);
        assertInstanceOf(PacsOutcome.Failed.class, unauthorized);
        assertTrue(unauthorized.message().contains("credentials rejected"), unauthorized.message());
    }

    @Test
    void serverErrorsAndThrottlingAreRetried() {
        for (int code : new int[] {500, 502, 503, 504, 429}) {
            assertInstanceOf(PacsOutcome.Retry.class, map(code, null), String.valueOf(code));
        }
        PacsOutcome unavailable = mapper.outcomeForResponse(503, null, SOP, Optional.of("120"));
        assertTrue(unavailable.message().contains("Retry-After 120"), unavailable.message());
    }
}
