package org.photobridge.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.dicom.DicomTools;
import org.photobridge.gateway.testing.RecordingStowRs.Fault;

/**
 * The receivers themselves count right: a second copy of one SOP Instance is kept and counted, not
 * merged or written over (the reason they exist), and their faults answer as documented. Objects are
 * sent by dcmtk's storescu and a plain HTTP client, independent of the gateway.
 */
class RecordingReceiversTest {
    private static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String newUid() {
        var uuid = UUID.randomUUID();
        var bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return "2.25." + new BigInteger(1, bytes.array());
    }

    /** A 2×2 grey Secondary Capture object with this SOP Instance UID, as a Part 10 file. */
    private Path tinyObject(String sopInstanceUid) throws IOException, DicomException {
        var list = new AttributeList();
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPClassUID), SECONDARY_CAPTURE);
        put(list, new UniqueIdentifierAttribute(TagFromName.SOPInstanceUID), sopInstanceUid);
        put(list, new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID), newUid());
        put(list, new UniqueIdentifierAttribute(TagFromName.SeriesInstanceUID), newUid());
        put(list, new LongStringAttribute(TagFromName.PatientID), "RECEIVER-SELF-TEST");
        put(list, new CodeStringAttribute(TagFromName.Modality), "OT");
        put(list, new CodeStringAttribute(TagFromName.PhotometricInterpretation), "MONOCHROME2");
        for (AttributeTag tag : List.of(TagFromName.Rows, TagFromName.Columns)) {
            put(list, new UnsignedShortAttribute(tag), "2");
        }
        for (AttributeTag tag : List.of(TagFromName.BitsAllocated, TagFromName.BitsStored)) {
            put(list, new UnsignedShortAttribute(tag), "8");
        }
        put(list, new UnsignedShortAttribute(TagFromName.HighBit), "7");
        put(list, new UnsignedShortAttribute(TagFromName.SamplesPerPixel), "1");
        put(list, new UnsignedShortAttribute(TagFromName.PixelRepresentation), "0");
        var pixels = new OtherByteAttribute(TagFromName.PixelData);
        pixels.setValues(new byte[] {0, 64, (byte) 128, (byte) 255});
        list.put(pixels);
        FileMetaInformation.addFileMetaInformation(list, TransferSyntax.ExplicitVRLittleEndian, "RECVTEST");
        Path file = tmp.resolve(UUID.randomUUID() + ".dcm");
        try (OutputStream out = Files.newOutputStream(file)) {
            list.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
        }
        return file;
    }

    private static void put(AttributeList list, Attribute attribute, String value) throws DicomException {
        attribute.addValue(value);
        list.put(attribute);
    }

    private static DicomTools.Result storescu(RecordingScp scp, Path file) {
        return DicomTools.run("/usr/bin/storescu", "--verbose", "--aetitle", "SELFTEST", "--call", scp.aeTitle(),
                "--acse-timeout", "10", "--dimse-timeout", "10", "127.0.0.1", String.valueOf(scp.port()), file.toString());
    }

    @Test
    void scpKeepsEveryCopyOfTheSameInstanceAndSurvivesRestartsOnItsPort() throws Exception {
        String uid = newUid();
        Path file = tinyObject(uid);
        try (var scp = new RecordingScp("RECV-SELFTEST").start()) {
            int port = scp.port();
            assertEquals(0, storescu(scp, file).exitCode(), scp.log());
            assertEquals(0, storescu(scp, file).exitCode(), scp.log());
            assertEquals(2, scp.receivedCount(uid), "a second copy is kept, not written over: " + scp.receivedFiles());
            assertEquals(List.of(uid, uid), scp.receivedSopInstanceUids());

            scp.stop();
            assertThrows(ConnectException.class, () -> {
                try (var socket = new Socket()) {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                }
            }, "a stopped SCP refuses connections");
            scp.restart();
            assertEquals(port, scp.port());
            assertEquals(0, storescu(scp, file).exitCode(), scp.log());
            assertEquals(3, scp.receivedCount(uid));
        }
    }

    @Test
    void scpMisbehavesAsAskedAndStoresNothingMeanwhile() throws Exception {
        String uid = newUid();
        Path file = tinyObject(uid);
        try (var scp = new RecordingScp("RECV-FAULTS").start(RecordingScp.Mode.FAILURE_STATUS)) {
            assertTrue(storescu(scp, file).output().contains("Refused: OutOfResources"), scp.log());
            scp.restart(RecordingScp.Mode.REFUSE);
            assertTrue(storescu(scp, file).output().contains("Association Rejected"), scp.log());
            scp.restart(RecordingScp.Mode.ABORT_AFTER_STORE);
            assertTrue(storescu(scp, file).output().contains("Peer aborted Association"), scp.log());
            assertEquals(0, scp.receivedCount(uid));

            scp.restart(RecordingScp.Mode.HANG);
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), scp.port()), 2_000);
                socket.setSoTimeout(500);
                socket.getOutputStream().write(new byte[] {0x01, 0x00});
                assertThrows(java.net.SocketTimeoutException.class, () -> socket.getInputStream().read(),
                        "a hanging peer never answers");
            }
            scp.restart();
            assertEquals(0, storescu(scp, file).exitCode(), scp.log());
            assertEquals(1, scp.receivedCount(uid));
        }
    }

    private static HttpRequest request(RecordingStowRs stow, Path file, String authorization) throws IOException {
        String boundary = "b-" + UUID.randomUUID();
        var body = HttpRequest.BodyPublishers.concat(
                HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n"),
                HttpRequest.BodyPublishers.ofFile(file),
                HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n"));
        var request = HttpRequest.newBuilder(URI.create(stow.baseUrl() + "/studies")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json").POST(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.build();
    }

    private HttpResponse<String> post(RecordingStowRs stow, Path file, String authorization) throws Exception {
        return http.send(request(stow, file, authorization), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void stowEndpointKeepsEveryCopyAnswersLikeAPacsAndFailsAsProgrammed() throws Exception {
        String uid = newUid();
        Path file = tinyObject(uid);
        try (var stow = new RecordingStowRs().start()) {
            stow.requireBasicAuth("u", "p");
            String auth = basic("u", "p");
            assertEquals(401, post(stow, file, null).statusCode());
            assertEquals(401, post(stow, file, basic("u", "wrong")).statusCode());

            HttpResponse<String> stored = post(stow, file, auth);
            assertEquals(200, stored.statusCode());
            assertEquals("application/dicom+json", stored.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(stored.body().contains("\"00081199\"") && stored.body().contains(uid), stored.body());
            assertEquals(200, post(stow, file, auth).statusCode());
            assertEquals(2, stow.receivedCount(uid), "a second copy is counted, not merged");

            stow.conflictFailureReason(0xA900);
            stow.failNext(Fault.CONFLICT, 1);
            HttpResponse<String> conflict = post(stow, file, auth);
            assertEquals(409, conflict.statusCode());
            assertTrue(conflict.body().contains("\"00081198\"") && conflict.body().contains("\"00081197\"")
                    && conflict.body().contains(String.valueOf(0xA900)), conflict.body());
            stow.failNext(Fault.SERVER_ERROR, 2);
            assertEquals(500, post(stow, file, auth).statusCode());
            assertEquals(500, post(stow, file, auth).statusCode());
            stow.slowDelay(Duration.ofMillis(300));
            stow.failNext(Fault.SLOW, 1);
            assertEquals(200, post(stow, file, auth).statusCode());
            stow.failUntilReset(Fault.HANG);
            var hanging = http.sendAsync(request(stow, file, auth), HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stow.faultCount(Fault.HANG) == 1);
            assertTrue(!hanging.isDone(), "a hanging endpoint does not answer");
            stow.reset();
            assertEquals(503, hanging.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode());
            assertEquals(200, post(stow, file, auth).statusCode());

            assertEquals(4, stow.receivedCount(uid), "two, one late-confirmed, one after the faults");
            assertEquals(1, stow.faultCount(Fault.CONFLICT));
            assertEquals(2, stow.faultCount(Fault.SERVER_ERROR));
            assertEquals(1, stow.faultCount(Fault.SLOW));
            assertEquals(1, stow.faultCount(Fault.HANG));
        }
    }
}
