package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.MemoryBusyException;
import org.photobridge.gateway.photo.PhotoCleaner;
import org.photobridge.gateway.photo.PhotoRejectedException;
import org.photobridge.gateway.problem.ProblemException;

/** The upload's multipart/form-data parser against bodies as clients write them, and bodies no client should. */
class MultipartUploadTest {
    private static final String BOUNDARY = "----pbTestBoundary7MA4YWxkTrZu0gW";
    private static final String TYPE = "multipart/form-data; boundary=" + BOUNDARY;
    private static final MultipartUpload.Limits LIMITS = new MultipartUpload.Limits(8 << 20, 64 << 10, 80 << 20);
    private static final String METADATA = "{\"patient\": {\"name\": \"Müller^Jörg\"}}";

    private final MemoryBudget budget = MemoryBudget.of(256L << 20);

    private static byte[] photo(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** A body as browsers and curl write it: each part's headers, CRLF, content, CRLF before the next delimiter. */
    private static byte[] body(String boundary, Object... parts) {
        var out = new ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i += 2) {
            String headers = (String) parts[i];
            out.writeBytes(("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            Object content = parts[i + 1];
            out.writeBytes(content instanceof byte[] b ? b : ((String) content).getBytes(StandardCharsets.UTF_8));
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static String file(String name) {
        return "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"p.jpg\"\r\nContent-Type: image/jpeg";
    }

    private static String text(String name) {
        return "Content-Disposition: form-data; name=\"" + name + "\"\r\nContent-Type: application/json";
    }

    /** A stream that hands out at most a few bytes per read, as a slow network does. */
    private static InputStream trickle(byte[] body, int maxPerRead) {
        var random = new Random(maxPerRead);
        return new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1 + random.nextInt(maxPerRead)));
            }
        };
    }

    private MultipartUpload read(byte[] body) {
        return MultipartUpload.read(new ByteArrayInputStream(body), TYPE, OptionalLong.of(body.length), LIMITS, budget);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void readsFileAndMetadataWithTheFilesSha256() throws Exception {
        byte[] photo = photo(3_500_000, 1);
        try (var upload = read(body(BOUNDARY, file("file"), photo, text("metadata"), METADATA))) {
            var file = upload.file().orElseThrow();
            assertArrayEquals(photo, file.bytes());
            assertEquals(sha256(photo), file.sha256());
            assertEquals(METADATA, upload.metadata().orElseThrow(), "UTF-8 text");
            assertEquals(1, upload.fileParts());
        }
        assertEquals(0, budget.reservedBytes(), "closing the upload gives its memory back");
    }

    @Test
    void partsSplitAcrossReadsAtEveryOffsetReadTheSame() throws Exception {
        // CR LF "--" and pieces of the boundary inside the file: only the whole delimiter ends a part.
        byte[] tricky = ("\r\n--" + BOUNDARY.substring(0, 20) + "\r\r\n-\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1) + "x").getBytes(
                StandardCharsets.US_ASCII);
        byte[] photo = TestBytes.concat(photo(70_000, 2), tricky, photo(3, 3), "\r".getBytes(StandardCharsets.US_ASCII));
        byte[] body = body(BOUNDARY, text("metadata"), METADATA, file("file"), photo);
        for (int perRead : List.of(1, 2, 7, 73, 4096)) {
            try (var upload = MultipartUpload.read(trickle(body, perRead), TYPE, OptionalLong.empty(), LIMITS, budget)) {
                assertArrayEquals(photo, upload.file().orElseThrow().bytes(), "reads of up to " + perRead);
                assertEquals(METADATA, upload.metadata().orElseThrow());
            }
        }
    }

    @Test
    void readsQuotedBoundaryPreambleEpilogueAndTransportPadding() {
        String boundary = "simple boundary'()+_,-./:=?";
        byte[] photo = photo(1000, 4);
        byte[] body = TestBytes.concat("preamble to ignore\r\n".getBytes(StandardCharsets.US_ASCII),
                body(boundary, file("file"), photo, text("metadata"), METADATA),
                "epilogue to ignore".getBytes(StandardCharsets.US_ASCII));
        // Transport padding after the first boundary line.
        String withPadding = new String(body, StandardCharsets.ISO_8859_1).replaceFirst(
                "--" + java.util.regex.Pattern.quote(boundary) + "\r\n",
                java.util.regex.Matcher.quoteReplacement("--" + boundary + " \t\r\n"));
        byte[] padded = withPadding.getBytes(StandardCharsets.ISO_8859_1);
        try (var upload = MultipartUpload.read(new ByteArrayInputStream(padded),
                "multipart/form-data; charset=utf-8; BOUNDARY=\"" + boundary + "\"", OptionalLong.empty(), LIMITS, budget)) {
            assertArrayEquals(photo, upload.file().orElseThrow().bytes());
            assertEquals(METADATA, upload.metadata().orElseThrow());
        }
    }

    @Test
    void unknownPartsAreDroppedAndFileWithoutFilenameCounts() {
        byte[] photo = photo(5000, 5);
        byte[] body = body(BOUNDARY, text("comment"), "hello", "Content-Type: text/plain", "no disposition",
                "content-disposition: form-data; name=file", photo, text("metadata"), METADATA,
                text("metadata"), "{\"second\": true}");
        try (var upload = read(body)) {
            assertArrayEquals(photo, upload.file().orElseThrow().bytes());
            assertEquals(METADATA, upload.metadata().orElseThrow(), "the first metadata part counts");
        }
    }

    @Test
    void fileSentLastReadsTheSameWhateverFollowsItsCloseDelimiter() {
        // Its size follows from the Content-Length when the body ends with CRLF; other endings must not fool it.
        byte[] photo = photo(2_500_000, 17);
        byte[] body = body(BOUNDARY, text("metadata"), METADATA, file("file"), photo);
        byte[] withoutCrlf = Arrays.copyOf(body, body.length - 2);
        byte[] withEpilogue = TestBytes.concat(body, "and an epilogue\r\n".getBytes(StandardCharsets.US_ASCII));
        for (byte[] each : List.of(body, withoutCrlf, withEpilogue)) {
            for (var length : List.of(OptionalLong.of(each.length), OptionalLong.empty())) {
                try (var upload = MultipartUpload.read(trickle(each, 20_000), TYPE, length, LIMITS, budget)) {
                    assertArrayEquals(photo, upload.file().orElseThrow().bytes(), each.length + " bytes, " + length);
                    assertEquals(METADATA, upload.metadata().orElseThrow());
                }
            }
        }
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void countsEveryFilePartAndKeepsTheFirst() {
        byte[] first = photo(100, 6);
        try (var upload = read(body(BOUNDARY, file("file"), first, file("file"), photo(200, 7), text("metadata"), METADATA))) {
            assertEquals(2, upload.fileParts());
            assertArrayEquals(first, upload.file().orElseThrow().bytes());
        }
    }

    @Test
    void bodyWithoutFileOrMetadataReadsAsMissingParts() {
        try (var upload = read(body(BOUNDARY, text("metadata"), METADATA))) {
            assertEquals(0, upload.fileParts());
            assertTrue(upload.file().isEmpty());
        }
        try (var upload = read(body(BOUNDARY, file("file"), photo(10, 8)))) {
            assertTrue(upload.metadata().isEmpty());
        }
    }

    @Test
    void emptyFileIsAnEmptyFile() throws Exception {
        try (var upload = read(body(BOUNDARY, file("file"), new byte[0]))) {
            assertEquals(0, upload.file().orElseThrow().bytes().length);
            assertEquals(sha256(new byte[0]), upload.file().orElseThrow().sha256());
        }
    }

    @Test
    void fileOverTheLimitIsCountedNotKept() {
        var limits = new MultipartUpload.Limits(1 << 20, 64 << 10, 80 << 20);
        byte[] body = body(BOUNDARY, file("file"), photo((1 << 20) + 1, 9), text("metadata"), METADATA);
        try (var upload = MultipartUpload.read(new ByteArrayInputStream(body), TYPE, OptionalLong.empty(), limits,
                budget)) {
            assertTrue(upload.file().isEmpty());
            assertEquals((1 << 20) + 1, upload.fileBytes(), "its size, for the refusal");
            assertEquals(METADATA, upload.metadata().orElseThrow(), "the rest of the body is still read");
            assertEquals(0, budget.reservedBytes(), "nothing is held for a file that is refused");
        }
    }

    @Test
    void receivesTheFileIntoOneArraySizedFromContentLengthAndReservesExactlyThat() {
        String metadata = "{\"x\": \"" + "m".repeat(20_000) + "\"}";
        byte[] photo = photo(2_000_000, 10);
        byte[] body = body(BOUNDARY, file("file"), photo, text("metadata"), metadata);
        int before = body.length - photo.length - metadata.length()
                - ("\r\n--" + BOUNDARY + "\r\n" + text("metadata") + "\r\n\r\n\r\n--" + BOUNDARY + "--\r\n").length();
        try (var upload = read(body)) {
            var file = upload.file().orElseThrow();
            // What is left of the body after the file's headers, less the delimiter after the file:
            // the file and the metadata part after it. Only the file is written; the rest of the array is zero.
            int expected = body.length - before - ("\r\n--" + BOUNDARY).length();
            assertEquals(expected, file.array().length, "one array, sized from the Content-Length");
            assertEquals(photo.length, file.length());
            assertArrayEquals(photo, Arrays.copyOf(file.array(), file.length()));
            for (int i = file.length(); i < file.array().length; i++) {
                assertEquals(0, file.array()[i], "byte " + i + " after the file");
            }
            assertEquals(kib(PhotoCleaner.memoryFor(file.array().length)), budget.reservedBytes(),
                    "the array's memory, reserved before it was read; one copy");
        }
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void fileSentLastIsReceivedIntoAnArrayOfAboutItsSize() {
        byte[] photo = photo(1_500_000, 18);
        byte[] body = body(BOUNDARY, text("metadata"), METADATA, file("file"), photo);
        try (var upload = read(body)) {
            var file = upload.file().orElseThrow();
            // Room for the close delimiter's "--" and CRLF, no more.
            assertEquals(photo.length + 4, file.array().length);
            assertEquals(photo.length, file.length());
            assertArrayEquals(photo, file.bytes());
        }
        byte[] withoutCrlf = Arrays.copyOf(body, body.length - 2);
        try (var upload = read(withoutCrlf)) {
            assertEquals(photo.length + 2, upload.file().orElseThrow().array().length);
        }
    }

    @Test
    void bodyThatEndsRightAfterTheFilesDelimiterIsTruncatedNotTooLong() {
        byte[] photo = photo(50_000, 22);
        byte[] body = body(BOUNDARY, text("metadata"), METADATA, file("file"), photo);
        byte[] cut = Arrays.copyOf(body, body.length - "--\r\n".length());
        var e = refused(cut);
        assertEquals(400, e.problem().status());
        assertTrue(e.problem().detail().contains("ends before its closing boundary"), e.problem().detail());
    }

    @Test
    void bodyLongerThanItsContentLengthIsRefused() {
        byte[] body = body(BOUNDARY, file("file"), photo(100_000, 21), text("metadata"), METADATA);
        var e = assertThrows(ProblemException.class, () -> MultipartUpload.read(new ByteArrayInputStream(body), TYPE,
                OptionalLong.of(body.length - 50_000), LIMITS, budget));
        assertEquals(400, e.problem().status());
        assertTrue(e.problem().detail().contains("longer than its Content-Length"), e.problem().detail());
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void declaredLengthTheBudgetCannotHoldStillReceivesAFileThatFits() {
        String metadata = "{\"x\": \"" + "m".repeat(20_000) + "\"}";
        byte[] body = body(BOUNDARY, file("file"), photo(2_000_000, 10), text("metadata"), metadata);
        var tiny = MemoryBudget.of(PhotoCleaner.memoryFor(2_000_000) + (8 << 10));
        assertTrue(!tiny.fits(PhotoCleaner.memoryFor(body.length)));
        // The array is as large as the budget could ever hold, not as the body.
        try (var upload = MultipartUpload.read(new ByteArrayInputStream(body), TYPE, OptionalLong.of(body.length),
                LIMITS, tiny)) {
            var file = upload.file().orElseThrow();
            assertEquals(2_000_000, file.length());
            assertEquals(PhotoCleaner.largestUpload(tiny), file.array().length);
            assertTrue(tiny.reservedBytes() >= PhotoCleaner.memoryFor(file.array().length), "the array's memory is held");
        }
        // A larger file with the same budget can never be cleaned: refused as it arrives, holding nothing.
        byte[] larger = body(BOUNDARY, file("file"), photo(2_100_000, 10), text("metadata"), metadata);
        var e = assertThrows(PhotoRejectedException.class, () -> MultipartUpload.read(new ByteArrayInputStream(larger),
                TYPE, OptionalLong.of(larger.length), LIMITS, tiny));
        assertEquals(PhotoRejectedException.Reason.FILE_TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("image memory"), e.getMessage());
        assertEquals(0, tiny.reservedBytes());
    }

    @Test
    void chunkedFileIsJoinedOnceAndItsPiecesMemoryGivenBack() {
        byte[] photo = photo(2_500_000, 19);
        byte[] body = body(BOUNDARY, file("file"), photo, text("metadata"), METADATA);
        try (var upload = MultipartUpload.read(trickle(body, 50_000), TYPE, OptionalLong.empty(), LIMITS, budget)) {
            var file = upload.file().orElseThrow();
            assertEquals(photo.length, file.array().length, "joined into one array of its size");
            assertArrayEquals(photo, file.array());
            assertEquals(kib(PhotoCleaner.memoryFor(photo.length)), budget.reservedBytes(),
                    "after the join only the joined array is held");
        }
    }

    @Test
    void chunkedFileThatNeedsMoreThanTheBudgetWhileJoinedIsRefusedNamingTheContentLength() {
        // One copy of 3 MiB fits 4.5 MiB, the pieces and the joined array do not.
        var budget45 = MemoryBudget.of((9L << 20) / 2);
        byte[] body = body(BOUNDARY, file("file"), photo(3 << 20, 20), text("metadata"), METADATA);
        var e = assertThrows(PhotoRejectedException.class, () -> MultipartUpload.read(new ByteArrayInputStream(body),
                TYPE, OptionalLong.empty(), LIMITS, budget45));
        assertEquals(PhotoRejectedException.Reason.FILE_TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("without a Content-Length"), e.getMessage());
        assertEquals(0, budget45.reservedBytes());
        try (var upload = MultipartUpload.read(new ByteArrayInputStream(body), TYPE, OptionalLong.of(body.length),
                LIMITS, budget45)) {
            assertEquals(3 << 20, upload.file().orElseThrow().length(), "with its Content-Length it is received");
        }
    }

    /** Bytes as the budget counts them: whole KiB. */
    private static long kib(long bytes) {
        return (bytes + 1023) / 1024 * 1024;
    }

    @Test
    void fileThatWouldNeverFitTheBudgetIsTooLarge() {
        var small = MemoryBudget.of(4L << 20);
        byte[] body = body(BOUNDARY, file("file"), photo(3 << 20, 11), text("metadata"), METADATA);
        var e = assertThrows(PhotoRejectedException.class, () -> MultipartUpload.read(new ByteArrayInputStream(body),
                TYPE, OptionalLong.empty(), LIMITS, small));
        assertEquals(PhotoRejectedException.Reason.FILE_TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("image memory"), e.getMessage());
        assertEquals(0, small.reservedBytes());
    }

    @Test
    void chunkedFileWaitsForMemoryAndIsRefusedAsBusyWhenTheBudgetStaysFull() {
        var busy = new MemoryBudget(64L << 20, 4, Duration.ZERO, Duration.ofSeconds(3));
        byte[] body = body(BOUNDARY, file("file"), photo(3 << 20, 12), text("metadata"), METADATA);
        try (var held = busy.reserve(60L << 20)) {
            var e = assertThrows(MemoryBusyException.class, () -> MultipartUpload.read(new ByteArrayInputStream(body),
                    TYPE, OptionalLong.empty(), LIMITS, busy));
            assertEquals(Duration.ofSeconds(3), e.retryAfter());
        }
        assertEquals(0, busy.reservedBytes(), "what the refused upload held is given back");
    }

    @Test
    void metadataOverItsLimitIs413() {
        String big = "{\"x\": \"" + "a".repeat(70_000) + "\"}";
        var e = refused(body(BOUNDARY, text("metadata"), big, file("file"), photo(10, 13)));
        assertEquals(413, e.problem().status());
        assertEquals("metadata", e.problem().field());
    }

    @Test
    void truncatedBodyIsRefusedAndHoldsNothing() {
        byte[] body = body(BOUNDARY, file("file"), photo(100_000, 14), text("metadata"), METADATA);
        for (int cut : new int[] {0, 10, 150, 50_000, body.length - 3}) {
            var e = refused(Arrays.copyOf(body, cut));
            assertEquals(400, e.problem().status(), "cut at " + cut);
            assertTrue(e.problem().detail().contains("ends before its closing boundary"), e.problem().detail());
        }
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void clientThatGoesAwayIsRefusedAndHoldsNothing() {
        byte[] body = body(BOUNDARY, file("file"), photo(100_000, 15), text("metadata"), METADATA);
        InputStream broken = new InputStream() {
            int left = 60_000;

            @Override
            public int read() throws IOException {
                if (left == 0) {
                    throw new IOException("connection reset");
                }
                return body[60_000 - left--] & 0xFF;
            }
        };
        var e = assertThrows(ProblemException.class,
                () -> MultipartUpload.read(broken, TYPE, OptionalLong.of(body.length), LIMITS, budget));
        assertEquals(400, e.problem().status());
        assertEquals(0, budget.reservedBytes());
    }

    @Test
    void refusesMalformedBodiesWithSpecificMessages() {
        assertDetail(refused("multipart/form-data", body(BOUNDARY, text("metadata"), METADATA)), "no boundary");
        String longBoundary = "b".repeat(71);
        assertDetail(refused("multipart/form-data; boundary=" + longBoundary, body(longBoundary, text("m"), "x")),
                "longer than 70");
        assertDetail(refused("multipart/form-data; boundary=a\"b", new byte[0]), "RFC 2046");
        String hugeHeader = "Content-Disposition: form-data; name=\"metadata\"\r\nX-Pad: " + "p".repeat(9000);
        assertDetail(refused(TYPE, body(BOUNDARY, hugeHeader, METADATA)), "bytes of headers");
        String manyHeaders = text("metadata") + "\r\nX-A: 1".repeat(20);
        assertDetail(refused(TYPE, body(BOUNDARY, manyHeaders, METADATA)), "header lines");
        assertDetail(refused(TYPE, body(BOUNDARY, "Content-Disposition form-data", METADATA)), "malformed header");
        assertDetail(refused(TYPE, ("--" + BOUNDARY + "xx\r\n\r\nabc\r\n--" + BOUNDARY + "--").getBytes(
                StandardCharsets.US_ASCII)), "does not end with CRLF");
        Object[] parts = new Object[34];
        for (int i = 0; i < parts.length; i += 2) {
            parts[i] = text("extra" + i);
            parts[i + 1] = "x";
        }
        assertDetail(refused(TYPE, body(BOUNDARY, parts)), "more than 16 parts");
    }

    @Test
    void bodyOverTheBodyLimitIsRefusedWhileItIsRead() {
        var limits = new MultipartUpload.Limits(8 << 20, 64 << 10, 1 << 20);
        byte[] body = body(BOUNDARY, text("other"), photo(2 << 20, 16));
        var e = assertThrows(ProblemException.class, () -> MultipartUpload.read(new ByteArrayInputStream(body), TYPE,
                OptionalLong.empty(), limits, budget));
        assertEquals(413, e.problem().status());
    }

    @Test
    void findsCarriageReturnsEightBytesAtATime() {
        byte[] bytes = new byte[40];
        assertEquals(40, MultipartUpload.nextCr(bytes, 0, 40));
        for (int at = 0; at < 40; at++) {
            Arrays.fill(bytes, (byte) 0x8D);
            bytes[at] = '\r';
            if (at + 1 < 40) {
                bytes[at + 1] = '\r';
            }
            for (int from = 0; from <= at; from++) {
                assertEquals(at, MultipartUpload.nextCr(bytes, from, 40), "CR at " + at + " from " + from);
            }
            assertEquals(at, MultipartUpload.nextCr(bytes, 0, at), "the limit is not passed");
        }
    }

    private ProblemException refused(byte[] body) {
        return refused(TYPE, body);
    }

    private ProblemException refused(String contentType, byte[] body) {
        var e = assertThrows(ProblemException.class, () -> MultipartUpload.read(new ByteArrayInputStream(body),
                contentType, OptionalLong.of(body.length), LIMITS, budget));
        assertEquals(0, budget.reservedBytes(), "a refused body holds no memory");
        return e;
    }

    private static void assertDetail(ProblemException e, String part) {
        assertEquals(400, e.problem().status());
        assertTrue(e.problem().detail().contains(part), e.problem().detail());
    }

    /** Byte arrays joined. */
    private static final class TestBytes {
        static byte[] concat(byte[]... parts) {
            var out = new ByteArrayOutputStream();
            for (byte[] part : parts) {
                out.writeBytes(part);
            }
            return out.toByteArray();
        }
    }
}
