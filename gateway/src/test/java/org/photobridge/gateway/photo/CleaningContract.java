package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;

/**
 * What every fuzz target asserts about a photo that cleaning accepted: a valid image of the kind it
 * declares, upright as its EXIF orientation said, carrying nothing but what decoding needs.
 */
final class CleaningContract {

    /** Small enough that a transcode of the largest accepted image takes milliseconds. */
    static final PhotoLimits LIMITS = new PhotoLimits(512L * 512, 2048, PhotoLimits.DEFAULT_MAX_JPEG_SCANS);
    /** Enough for the largest image {@link #LIMITS} accept; a fuzz run never waits on it (one thread). */
    static final long BUDGET_BYTES = 256L << 20;

    /** Markers a cleaned JPEG may hold: JFIF and Adobe (rewritten to their fixed fields), tables, SOF0, scans. */
    private static final Set<Integer> CLEAN_JPEG_MARKERS = Set.of(JpegSegments.APP0, JpegSegments.APP14,
            JpegSegments.DQT, JpegSegments.DHT, JpegSegments.DRI, JpegFrame.BASELINE, JpegSegments.SOS);

    private static final Set<String> CLEAN_PHOTOMETRICS = Set.of(JpegPhotometric.MONOCHROME2, JpegPhotometric.RGB,
            "YBR_FULL", "YBR_FULL_422");

    private CleaningContract() {
    }

    /**
     * Cleans as intake does: the pixels the DICOM object will store are produced while the upload is
     * being handled ({@link CleanedPhoto#storedPixelData()}, a decode for 4:4:4 streams), so a
     * rejection there is a rejection of the upload.
     *
     * @throws PhotoRejectedException as cleaning or that decode refuses the upload
     */
    static Accepted accept(java.util.function.Supplier<CleanedPhoto> cleaning) {
        CleanedPhoto cleaned = cleaning.get();
        return new Accepted(cleaned, cleaned.storedPixelData());
    }

    /** A cleaned photo and the pixel data its DICOM object stores. */
    record Accepted(CleanedPhoto cleaned, byte[] storedPixels) {
    }

    /** Fails unless {@code accepted} meets the contract for an upload of the given format. */
    static void check(Accepted accepted, PhotoFormat format) {
        CleanedPhoto cleaned = accepted.cleaned();
        var source = cleaned.source();
        assertEquals(format, source.format(), "the sniffed format");
        int orientation = source.exifOrientation();
        assertTrue(orientation >= 1 && orientation <= 8, "EXIF orientation " + orientation + " is not 1..8");
        boolean swapped = orientation >= 5;
        assertEquals(swapped ? source.sourceRows() : source.sourceColumns(), cleaned.columns(), "upright width");
        assertEquals(swapped ? source.sourceColumns() : source.sourceRows(), cleaned.rows(), "upright height");
        assertTrue(cleaned.columns() >= 1 && cleaned.rows() >= 1, "an image has pixels");
        assertTrue((long) cleaned.columns() * cleaned.rows() <= LIMITS.maxPixels(), "accepted over the pixel limit");
        assertTrue(cleaned.samplesPerPixel() == 1 || cleaned.samplesPerPixel() == 3, "1 or 3 samples a pixel");
        assertEquals(8, cleaned.bitsAllocated(), "cleaned pixels are 8-bit");
        assertTrue(CLEAN_PHOTOMETRICS.contains(cleaned.photometricInterpretation()),
                "photometric interpretation " + cleaned.photometricInterpretation());
        checkHints(cleaned.hints());
        cleaned.iccProfile().ifPresent(icc -> assertTrue(icc.length >= 128, "an ICC profile has a 128-byte header"));
        if (cleaned.encoding() == PixelEncoding.JPEG_BASELINE) {
            checkJpeg(cleaned);
        } else {
            assertEquals(PhotoFormat.PNG, format, "only PNGs become native pixels");
            assertEquals((long) cleaned.columns() * cleaned.rows() * cleaned.samplesPerPixel(), cleaned.pixelData().length,
                    "native pixel data is width x height x samples bytes");
        }
        byte[] stored = accepted.storedPixels();
        if (cleaned.storage().form() == PixelStorage.Form.NATIVE_DECODED_FROM_JPEG) {
            assertEquals((long) cleaned.columns() * cleaned.rows() * 3, stored.length, "decoded 4:4:4 samples");
        }
    }

    /** The cleaned stream is baseline, holds only what decoding needs, and decodes to the declared size. */
    private static void checkJpeg(CleanedPhoto cleaned) {
        // The stream is the start of its array (the upload compacted in place): nothing after it.
        byte[] array = cleaned.pixelArray();
        for (int i = cleaned.pixelDataLength(); i < array.length; i++) {
            if (array[i] != 0) {
                fail("byte " + i + " after the cleaned stream is not zero: removed data would travel on");
            }
        }
        byte[] jpeg = cleaned.pixelData();
        JpegSegments stream = JpegSegments.parse(jpeg);
        assertEquals(0, stream.trailingBytes(), "nothing after EOI");
        int frames = 0;
        for (JpegSegments.Segment segment : stream.segments()) {
            int marker = segment.marker();
            if (!CLEAN_JPEG_MARKERS.contains(marker)) {
                fail("a cleaned JPEG holds " + stream.describe(segment));
            }
            if (marker == JpegSegments.APP0) {
                assertTrue(stream.payloadStartsWith(segment, "JFIF\0") && segment.payloadLength() == 14,
                        "APP0 is a bare JFIF header");
                assertEquals(0, stream.payloadByte(segment, 12) | stream.payloadByte(segment, 13), "no JFIF thumbnail");
            }
            if (marker == JpegSegments.APP14) {
                assertTrue(stream.payloadStartsWith(segment, "Adobe") && segment.payloadLength() == 12,
                        "APP14 is a bare Adobe header");
            }
            if (marker == JpegFrame.BASELINE) {
                frames++;
            }
        }
        assertEquals(1, frames, "one baseline frame");
        JpegFrame frame = JpegFrame.of(jpeg);
        assertEquals(cleaned.jpegFrame().orElseThrow(), frame, "the declared frame is the stream's");
        assertEquals(8, frame.precision());
        assertEquals(cleaned.columns(), frame.width());
        assertEquals(cleaned.rows(), frame.height());
        assertEquals(cleaned.samplesPerPixel(), frame.components().size());
        // No byte search for "Exif" or "GPS" here: Huffman tables are kept byte for byte and their
        // 162 symbol values may be any bytes, which the fuzzer made spell an EXIF block
        // (finding-exif-bytes-as-huffman-symbol-values); what counts is that no metadata segment is left.
        BufferedImage decoded = ImageDecoder.readJpeg(jpeg, cleaned.columns(), cleaned.rows(), 1);
        assertEquals(cleaned.columns(), decoded.getWidth());
        assertEquals(cleaned.rows(), decoded.getHeight());
    }

    /** Capture hints end up in DICOM LO attributes and logs: short printable ASCII only. */
    static void checkHints(CleanedPhoto.CaptureHints hints) {
        hints.manufacturer().ifPresent(CleaningContract::checkText);
        hints.model().ifPresent(CleaningContract::checkText);
    }

    static void checkText(String text) {
        assertFalse(text.isEmpty(), "an empty hint is absent, not empty");
        assertTrue(text.length() <= 64, "a hint longer than DICOM LO's 64 characters");
        assertTrue(text.chars().allMatch(c -> c >= 0x20 && c < 0x7F), "a hint with characters outside printable ASCII");
        assertEquals(text.strip(), text, "a hint with surrounding blanks");
    }

    static boolean containsAscii(byte[] haystack, String needle) {
        return TestImages.contains(haystack, needle.getBytes(StandardCharsets.ISO_8859_1));
    }
}
