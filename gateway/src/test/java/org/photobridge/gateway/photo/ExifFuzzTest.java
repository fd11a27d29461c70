package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.awt.image.BufferedImage;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes EXIF (TIFF IFD) parsing ({@link ExifReader}) and the orientation it drives, in all three
 * places EXIF reaches the gateway: a bare TIFF structure, a JPEG APP1 segment and a PNG eXIf chunk.
 * The first input byte chooses the carrier, the rest is the TIFF structure. Whatever the IFDs hold
 * (loops, offsets outside the block, absurd counts), reading returns facts in range and never throws,
 * and the cleaned photo is exactly the upright scene for the orientation that was read.
 */
class ExifFuzzTest {

    private static final JpegCleaner JPEG = new JpegCleaner(PhotoCleaner.DEFAULT_JPEG_QUALITY);
    private static final PngCleaner PNG = new PngCleaner();
    private static final int MAX_APP1_TIFF = 0xFFFF - 2 - 6;
    private static final LocalDateTime EARLIEST = LocalDateTime.of(0, 1, 1, 0, 0);
    private static final LocalDateTime LATEST = LocalDateTime.of(9999, 12, 31, 23, 59, 59);

    @FuzzTest(maxDuration = "10s")
    void readExif(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] tiff = Arrays.copyOfRange(input, 1, input.length);
        ExifFacts facts = ExifReader.fromTiff(tiff, 0, tiff.length);
        checkFacts(facts);
        switch (Math.floorMod(input[0], 3)) {
            case 0 -> checkFacts(ExifReader.fromApp1(input, 0, input.length));
            case 1 -> cleanJpegCarrying(Arrays.copyOf(tiff, Math.min(tiff.length, MAX_APP1_TIFF)));
            default -> cleanPngCarrying(tiff, facts.orientation());
        }
    }

    private static void checkFacts(ExifFacts facts) {
        assertTrue(facts.orientation() >= 1 && facts.orientation() <= 8, "orientation " + facts.orientation());
        CleaningContract.checkHints(facts.hints());
        facts.takenAt().ifPresent(at -> assertTrue(!at.isBefore(EARLIEST) && !at.isAfter(LATEST), "date " + at));
    }

    /** A stored scene with the fuzzed EXIF: cleaning turns it upright as the EXIF read says. */
    private static void cleanJpegCarrying(byte[] tiff) {
        ExifFacts facts = ExifReader.fromTiff(tiff, 0, tiff.length);
        int orientation = facts.orientation();
        byte[] app1 = TestImages.segment(JpegSegments.APP1, TestImages.concat(TestImages.ascii("Exif\0\0"), tiff));
        byte[] jpeg = TestImages.insertAfterSoi(TestImages.jpeg(TestImages.storedFor(TestImages.scene(), orientation)), app1);
        var accepted = CleaningContract.accept(() -> JPEG.clean(jpeg, "0".repeat(64), CleaningContract.LIMITS));
        CleanedPhoto cleaned = accepted.cleaned();
        CleaningContract.check(accepted, PhotoFormat.JPEG);
        assertEquals(orientation, cleaned.source().exifOrientation(), "the orientation applied is the one read");
        assertEquals(facts.hints(), cleaned.hints(), "the hints kept are the ones read");
        assertTrue(cleaned.source().removedSegments().contains("APP1/Exif"), "the EXIF segment is removed");
        BufferedImage upright = TestImages.decode(cleaned.pixelData());
        JpegCleaningTest.assertColour(upright, 6, 5, 255, 0, 0, "red top-left");
        JpegCleaningTest.assertColour(upright, TestImages.W - 7, TestImages.H - 6, 0, 0, 255, "blue bottom-right");
    }

    /** The same through a PNG eXIf chunk, where pixels are lossless: the output is exactly the upright scene. */
    private static void cleanPngCarrying(byte[] tiff, int orientation) {
        BufferedImage stored = TestImages.storedFor(TestImages.scene(), orientation);
        byte[] eXIf = TestImages.pngChunk("eXIf", tiff);
        byte[] png = TestImages.png(stored.getWidth(), stored.getHeight(), 8, 2, rgb(stored), List.of(eXIf), List.of());
        var accepted = CleaningContract.accept(() -> PNG.clean(png, "0".repeat(64), CleaningContract.LIMITS));
        CleanedPhoto cleaned = accepted.cleaned();
        CleaningContract.check(accepted, PhotoFormat.PNG);
        assertEquals(orientation, cleaned.source().exifOrientation(), "the orientation applied is the one read");
        assertArrayEquals(rgb(TestImages.scene()), cleaned.pixelData(), "the cleaned pixels are the upright scene");
    }

    private static byte[] rgb(BufferedImage image) {
        byte[] samples = new byte[image.getWidth() * image.getHeight() * 3];
        int i = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int argb = image.getRGB(x, y);
                samples[i++] = (byte) (argb >> 16);
                samples[i++] = (byte) (argb >> 8);
                samples[i++] = (byte) argb;
            }
        }
        return samples;
    }
}
