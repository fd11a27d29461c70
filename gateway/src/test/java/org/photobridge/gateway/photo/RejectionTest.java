package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.photo.TestImages.ascii;
import static org.photobridge.gateway.photo.TestImages.concat;
import static org.photobridge.gateway.photo.TestImages.pngChunk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

class RejectionTest {

    private final PhotoCleaner cleaner = new PhotoCleaner();

    @TempDir
    Path dir;

    private PhotoRejectedException rejected(byte[] upload) {
        return rejected(upload, PhotoLimits.DEFAULT);
    }

    private PhotoRejectedException rejected(byte[] upload, PhotoLimits limits) {
        Path file = TestImages.write(dir, "upload", upload);
        return assertThrows(PhotoRejectedException.class, () -> cleaner.clean(file, limits));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000", "%PDF-1.7\n%\u00e2\u00e3",
            "patient notes: nothing to see", "BM\u0000\u0000"})
    void rejectsAnythingThatIsNotJpegOrPngByItsBytes(String content) {
        PhotoRejectedException e = rejected(content.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));

        assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
        assertEquals("expected a JPEG or PNG image; the file's bytes are neither", e.getMessage());
    }

    @Test
    void rejectsEmptyFileAsCorrupt() {
        PhotoRejectedException e = rejected(new byte[0]);

        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("empty"));
    }

    @Test
    void rejectsJpegTruncatedInsideItsImageData() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        int sos = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xDA}, 0);
        byte[] truncated = Arrays.copyOf(jpeg, sos + (jpeg.length - sos) / 2);

        PhotoRejectedException e = rejected(truncated);

        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsJpegWithoutFrameHeader() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        int sof = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0}, 0);
        jpeg[sof + 1] = (byte) 0xE7; // the SOF segment becomes an APP7 segment

        PhotoRejectedException e = rejected(jpeg);

        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("frame header"), e.getMessage());
    }

    /** A structurally complete JPEG with the given frame marker and precision (no decodable data). */
    private static byte[] jpegWithFrame(int sofMarker, int precision) {
        byte[] sof = TestImages.segment(sofMarker, new byte[] {(byte) precision, 0, 16, 0, 16, 1, 1, 0x11, 0});
        byte[] sos = TestImages.segment(0xDA, new byte[] {1, 1, 0, 0, 0x3F, 0});
        return concat(new byte[] {(byte) 0xFF, (byte) 0xD8}, sof, sos, new byte[] {0x12, 0x34, (byte) 0xFF, 0x00,
                0x56, (byte) 0xFF, (byte) 0xD0, 0x78}, new byte[] {(byte) 0xFF, (byte) 0xD9});
    }

    @Test
    void rejectsLosslessJpegAsUnsupportedVariant() {
        PhotoRejectedException e = rejected(jpegWithFrame(0xC3, 8));

        assertEquals(Reason.UNSUPPORTED_VARIANT, e.reason());
        assertTrue(e.getMessage().contains("lossless"), e.getMessage());
    }

    @Test
    void rejectsArithmeticCodedJpegAsUnsupportedVariant() {
        assertEquals(Reason.UNSUPPORTED_VARIANT, rejected(jpegWithFrame(0xC9, 8)).reason());
    }

    @Test
    void rejects12BitJpegAsUnsupportedVariant() {
        PhotoRejectedException e = rejected(jpegWithFrame(0xC1, 12));

        assertEquals(Reason.UNSUPPORTED_VARIANT, e.reason());
        assertTrue(e.getMessage().contains("12-bit"), e.getMessage());
    }

    @Test
    void rejectsJpegOverThePixelLimitWithTheCountAndTheLimit() {
        PhotoRejectedException e = rejected(TestImages.jpeg(TestImages.scene()), new PhotoLimits(3000, 65535));

        assertEquals(Reason.TOO_MANY_PIXELS, e.reason());
        assertEquals("image is 64 x 48 = 3072 pixels; the limit is 3000", e.getMessage());
    }

    @Test
    void rejectsImageWiderThanTheDimensionLimit() {
        PhotoRejectedException e = rejected(TestImages.jpeg(TestImages.scene()), new PhotoLimits(1_000_000, 50));

        assertEquals(Reason.TOO_MANY_PIXELS, e.reason());
        assertTrue(e.getMessage().contains("50"), e.getMessage());
    }

    @Test
    void rejectsPngDecompressionBombFromItsHeaderWithoutDecoding() {
        byte[] bomb = concat(PngChunks.SIGNATURE,
                pngChunk("IHDR", TestImages.ihdr(100_000, 100_000, 8, 2)),
                pngChunk("IDAT", TestImages.deflate(new byte[1024])),
                pngChunk("IEND", new byte[0]));

        PhotoRejectedException e = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> rejected(bomb));

        assertEquals(Reason.TOO_MANY_PIXELS, e.reason());
        assertEquals("image is 100000 x 100000 = 10000000000 pixels; the limit is 250000000", e.getMessage());
    }

    @Test
    void rejectsPngThatWouldNotFitTheDecodeMemoryBudget() {
        var smallBudget = new PhotoCleaner(0.92f, MemoryBudget.of(1 << 20));
        byte[] png = TestImages.png(1000, 1000, 8, 2, new byte[1000 * 1000 * 3], List.of(), List.of());
        Path file = TestImages.write(dir, "big.png", png);

        PhotoRejectedException e = assertThrows(PhotoRejectedException.class,
                () -> smallBudget.clean(file, PhotoLimits.DEFAULT));

        assertEquals(Reason.TOO_MANY_PIXELS, e.reason());
        assertTrue(e.getMessage().contains("MiB"), e.getMessage());
    }

    @Test
    void rejectsPngWithBadChunkCrc() {
        byte[] png = TestImages.png(2, 2, 8, 2, new byte[12], List.of(), List.of());
        int idat = TestImages.indexOf(png, ascii("IDAT"), 0);
        png[idat + 5] ^= 0x01;

        PhotoRejectedException e = rejected(png);

        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("CRC"), e.getMessage());
    }

    @Test
    void rejectsPngWithoutIend() {
        byte[] png = TestImages.png(2, 2, 8, 2, new byte[12], List.of(), List.of());

        PhotoRejectedException e = rejected(Arrays.copyOf(png, png.length - 12));

        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("IEND"), e.getMessage());
    }

    @Test
    void rejectsPngWithInvalidIhdr() {
        byte[] png = concat(PngChunks.SIGNATURE, pngChunk("IHDR", TestImages.ihdr(2, 2, 3, 2)),
                pngChunk("IDAT", TestImages.deflate(new byte[14])), pngChunk("IEND", new byte[0]));

        PhotoRejectedException e = rejected(png);

        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("IHDR"), e.getMessage());
    }

    @Test
    void rejectsPngWithoutImageData() {
        byte[] png = concat(PngChunks.SIGNATURE, pngChunk("IHDR", TestImages.ihdr(2, 2, 8, 2)),
                pngChunk("IEND", new byte[0]));

        assertEquals(Reason.CORRUPT, rejected(png).reason());
    }

    @Test
    void rejectsPngWhoseImageDataIsDamaged() {
        byte[] garbage = new byte[40];
        Arrays.fill(garbage, (byte) 0x5A);
        byte[] png = concat(PngChunks.SIGNATURE, pngChunk("IHDR", TestImages.ihdr(4, 4, 8, 2)),
                pngChunk("IDAT", garbage), pngChunk("IEND", new byte[0]));

        assertEquals(Reason.CORRUPT, rejected(png).reason());
    }

    @Test
    void rejectsTranscodedJpegWhoseImageDataIsDamaged() {
        byte[] jpeg = TestImages.insertAfterSoi(TestImages.jpeg(TestImages.scene()), TestImages.richExif(3, true));
        int sos = TestImages.lastIndexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xDA});
        for (int i = sos + 20; i < sos + 200; i++) {
            if (jpeg[i] != (byte) 0xFF && jpeg[i - 1] != (byte) 0xFF) {
                jpeg[i] = 0x13;
            }
        }

        PhotoRejectedException e = rejected(jpeg);

        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void messagesNeverEchoFileContent() {
        byte[] jpeg = TestImages.insertAfterSoi(jpegWithFrame(0xC3, 8), TestImages.comment());
        assertTrue(!rejected(jpeg).getMessage().contains("SECRET"));
    }
}
