package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.dicom.DicomTags;
import org.photobridge.gateway.viewer.PhotoRenderer;
import org.photobridge.gateway.viewer.ViewerTestPhotos;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.dicom.PhotoInstance;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.dicom.VlPhotoWriter;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.testing.TestStackProperties;

class WadoRsClientTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long MAX = 64L << 20;

    @TempDir
    Path tmp;

    private final UidGenerator uids = new UidGenerator(Optional.empty());

    private static URI dicomWeb() {
        return URI.create(TestStackProperties.value("orthanc.dicomweb-url"));
    }

    /** The test Orthanc's REST user: its DICOMweb answers 401 without it. */
    private static HttpCredentials orthancCredentials() {
        return new HttpCredentials.Basic(TestStackProperties.value("orthanc.username"),
                TestStackProperties.value("orthanc.password"));
    }

    private static WadoRsClient client(URI base) {
        return new WadoRsClient(base, new HttpCredentials.None(), TIMEOUT, MAX);
    }

    private static WadoRsClient orthanc() {
        return new WadoRsClient(dicomWeb(), orthancCredentials(), TIMEOUT, MAX);
    }

    /** Stores a photo in Orthanc by STOW-RS and returns its Part 10 bytes and reference. */
    private InstanceRef store(CleanedPhoto photo, byte[][] bytes) throws Exception {
        PhotoInstance instance = ViewerTestPhotos.instance(uids);
        bytes[0] = ViewerTestPhotos.part10(photo, instance);
        Path file = Files.write(tmp.resolve("photo.dcm"), bytes[0]);
        var ref = new InstanceRef(instance.uids().studyInstanceUid(), instance.uids().seriesInstanceUid(),
                VlPhotoWriter.VL_PHOTOGRAPHIC_IMAGE_STORAGE, instance.uids().sopInstanceUid());
        PacsOutcome stored = new StowRsDestination(new StowRsSettings("pacs-web", dicomWeb(), orthancCredentials(), TIMEOUT))
                .deliver(file, ref.sopClassUid(), ref.sopInstanceUid());
        assertTrue(stored instanceof PacsOutcome.Done, stored.message());
        return ref;
    }

    @Test
    void fetchesTheStoredJpegPhotoWithoutTranscodingIt() throws Exception {
        var original = new byte[1][];
        InstanceRef ref = store(ViewerTestPhotos.jpeg(400, 200, false, false), original);

        byte[] fetched = orthanc().fetch(ref).orElseThrow(() -> new AssertionError("Orthanc lacks the photo"));

        AttributeList list = DicomTags.read(new ByteArrayInputStream(fetched));
        assertEquals(ref.sopInstanceUid(), Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID));
        assertEquals(VlPhotoWriter.JPEG_BASELINE, Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID),
                "transfer-syntax=* must give the stored JPEG, not a decompressed copy");
        var renderer = new PhotoRenderer();
        assertArrayEquals(renderer.rendered(original[0]).bytes(), renderer.rendered(fetched).bytes(),
                "the viewer shows exactly the JPEG the PACS holds");
    }

    @Test
    void fetchesANativePhoto() throws Exception {
        InstanceRef ref = store(ViewerTestPhotos.nativePixels(64, 48, false, false), new byte[1][]);

        byte[] fetched = orthanc().fetch(ref).orElseThrow();

        assertEquals(64, new PhotoRenderer().rendered(fetched).width());
    }

    @Test
    void unknownInstanceIsEmpty() throws Exception {
        InstanceRef stored = store(ViewerTestPhotos.jpeg(32, 32, false, false), new byte[1][]);

        assertEquals(Optional.empty(), orthanc().fetch(stored.studyInstanceUid(), stored.seriesInstanceUid(),
                uids.next()));
        assertEquals(Optional.empty(), orthanc().fetch(uids.next(), uids.next(), uids.next()));
    }

    @Test
    void pacsDownIsUnavailable() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        var client = client(URI.create("http://127.0.0.1:" + closed + "/dicom-web"));

        var e = assertThrows(WadoRsException.Unavailable.class, () -> client.fetch(uids.next(), uids.next(), uids.next()));
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void refusesSomethingThatIsNotAUidBeforeSendingIt() {
        assertThrows(IllegalArgumentException.class, () -> orthanc().fetch("1.2.3", "1.2.3", "../../tools/reset"));
    }

    // ---------------------------------------------------------------- multipart parsing

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void readsThePartWithQuotedBoundaryPreambleAndNoContentLength() throws Exception {
        byte[] body = ascii("preamble\r\n--abc 123\r\nContent-Type: application/dicom\r\n\r\nDICM\r\n--body\r\n--abc 123--\r\n");

        Optional<byte[]> part = client(URI.create("http://pacs.invalid/dicom-web"))
                .singlePart("multipart/related; type=\"application/dicom\"; boundary=\"abc 123\"", body);

        assertEquals("DICM\r\n--body", new String(part.orElseThrow(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void usesThePartsContentLengthWhenGiven() throws Exception {
        byte[] body = ascii("--xyz\r\nContent-Type: application/dicom\r\nContent-Length: 11\r\n\r\nAB\r\n--xyzCD\r\n--xyz--\r\n");

        Optional<byte[]> part = client(URI.create("http://pacs.invalid/dicom-web"))
                .singlePart("multipart/related; boundary=xyz; type=\"application/dicom\"", body);

        assertEquals("AB\r\n--xyzCD", new String(part.orElseThrow(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void multipartWithoutPartsIsEmptyAndOtherMediaTypesAreMalformed() throws Exception {
        var client = client(URI.create("http://pacs.invalid/dicom-web"));

        assertEquals(Optional.empty(), client.singlePart("multipart/related; boundary=q", ascii("--q--\r\n")));
        assertThrows(WadoRsException.Malformed.class, () -> client.singlePart("application/dicom+json", ascii("[]")));
        assertThrows(WadoRsException.Malformed.class, () -> client.singlePart("multipart/related; boundary=q",
                ascii("--q\r\nContent-Type: application/dicom\r\n\r\ntruncated")));
        assertThrows(WadoRsException.Malformed.class, () -> client.singlePart("multipart/related; boundary=q",
                ascii("--q\r\nContent-Type: image/jpeg\r\n\r\nJFIF\r\n--q--")));
    }

    @Test
    void instanceOverTheBoundIsMalformed() {
        var client = new WadoRsClient(URI.create("http://pacs.invalid/dicom-web"), new HttpCredentials.None(),
                TIMEOUT, 4);

        assertThrows(WadoRsException.Malformed.class, () -> client.singlePart("multipart/related; boundary=q",
                ascii("--q\r\nContent-Type: application/dicom\r\n\r\n0123456789\r\n--q--")));
    }

    // ---------------------------------------------------------------- streamed parsing

    /** Feeds {@code body} to a reader in chunks of {@code chunk} bytes, as the network may split it. */
    private static Optional<byte[]> fedInChunks(String contentType, byte[] body, int chunk, long max) throws Exception {
        var reader = new SinglePartReader(contentType, max, -1);
        for (int at = 0; at < body.length; at += chunk) {
            reader.accept(java.nio.ByteBuffer.wrap(body, at, Math.min(chunk, body.length - at)));
        }
        return reader.finish();
    }

    @Test
    void partSplitAnywhereByTheNetworkReadsTheSame() throws Exception {
        // Content with near-delimiters ("\r\n--xy", "\r\n--xyz" without CRLF before) that must not end the part.
        String content = "AB\r\n--xyCD--xyz\r\n-\r\n--x\u0000\u00ff";
        byte[] scanned = ascii("pre\r\n--xyz\r\nContent-Type: application/dicom\r\n\r\n" + content + "\r\n--xyz--\r\n");
        byte[] sized = ascii("--xyz\r\nContent-Type: application/dicom\r\nContent-Length: " + content.length()
                + "\r\n\r\n" + content + "\r\n--xyz--");
        for (byte[] body : List.of(scanned, sized)) {
            for (int chunk : new int[] {1, 2, 3, 7, body.length}) {
                byte[] part = fedInChunks("multipart/related; boundary=xyz", body, chunk, 1024).orElseThrow();
                assertEquals(content, new String(part, StandardCharsets.ISO_8859_1), "chunks of " + chunk);
            }
        }
    }

    @Test
    void oversizedPartIsRefusedFromItsContentLengthBeforeItsContentArrives() throws Exception {
        var reader = new SinglePartReader("multipart/related; boundary=q", 1000, -1);

        var e = assertThrows(WadoRsException.Malformed.class, () -> reader.accept(java.nio.ByteBuffer.wrap(
                ascii("--q\r\nContent-Type: application/dicom\r\nContent-Length: 10000000000\r\n\r\n"))));
        assertTrue(e.getMessage().contains("larger than 1000 bytes"), e.getMessage());
    }

    @Test
    void oversizedPartWithoutContentLengthIsRefusedOnceItOutgrowsTheBound() {
        byte[] body = ascii("--q\r\n\r\n" + "x".repeat(5000));

        var e = assertThrows(WadoRsException.Malformed.class,
                () -> fedInChunks("multipart/related; boundary=q", body, 512, 1000));
        assertTrue(e.getMessage().contains("larger than 1000 bytes"), e.getMessage());
    }

    @Test
    void aSecondPartAHeaderFloodOrALyingContentLengthIsMalformed() {
        String type = "multipart/related; boundary=q";
        assertThrows(WadoRsException.Malformed.class, () -> fedInChunks(type,
                ascii("--q\r\n\r\nA\r\n--q\r\n\r\nB\r\n--q--"), 4, 100));
        assertThrows(WadoRsException.Malformed.class, () -> fedInChunks(type,
                ascii("--q\r\nX-Padding: " + "a".repeat(SinglePartReader.MAX_HEADER_BYTES) + "\r\n\r\nA\r\n--q--"), 64, 100));
        assertThrows(WadoRsException.Malformed.class, () -> fedInChunks(type,
                ascii("--q\r\nContent-Length: 1\r\n\r\nAB\r\n--q--"), 64, 100));
        assertThrows(WadoRsException.Malformed.class, () -> fedInChunks(type,
                ascii("x".repeat(SinglePartReader.MAX_PREAMBLE_BYTES + 1)), 1024, 100));
    }

    @Test
    void aFetchBoundSmallerThanTheStoredInstanceRefusesItFromThePacs() throws Exception {
        InstanceRef ref = store(ViewerTestPhotos.jpeg(400, 200, false, false), new byte[1][]);

        var e = assertThrows(WadoRsException.Malformed.class, () -> orthanc().fetch(ref, 1000));
        assertTrue(e.getMessage().contains("larger than 1000 bytes"), e.getMessage());
        assertTrue(orthanc().fetch(ref, MAX).isPresent(), "the same instance within the bound");
    }
}
