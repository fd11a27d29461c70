package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Fuzzes the transcode path on small, well-formed images the fuzzer composes: size (1..48 on each
 * side), gray or colour, baseline or progressive, 4:2:0 or 4:4:4, JPEG or PNG, EXIF orientation 1..8
 * in either byte order, and the pixels (flat 16x16 blocks of fuzzed values, which JPEG keeps
 * close). A PNG must come out as exactly the upright pixels; a JPEG as baseline pixels within a
 * small mean error of them. Where the other targets mutate bytes, this one explores the image
 * space that cleaning's decisions (keep, turn, transcode) depend on.
 */
class TranscodeFuzzTest {

    private static final JpegCleaner JPEG = new JpegCleaner(PhotoCleaner.DEFAULT_JPEG_QUALITY);
    private static final PngCleaner PNG = new PngCleaner();
    /**
     * Mean absolute difference per sample that two JPEG generations of flat 16x16 blocks (turned, so
     * that block edges may fall inside the second generation's blocks) stay within; a photo turned
     * the wrong way or decoded wrongly differs by far more (random colours: about 85).
     */
    private static final double JPEG_MEAN_ERROR = 24.0;
    private static final int BLOCK = 16;

    @FuzzTest(maxDuration = "10s")
    void transcodeSmallImage(FuzzedDataProvider data) {
        int width = data.consumeInt(1, 48);
        int height = data.consumeInt(1, 48);
        boolean gray = data.consumeBoolean();
        boolean png = data.consumeBoolean();
        boolean progressive = data.consumeBoolean();
        boolean fullChroma = data.consumeBoolean();
        boolean bigEndian = data.consumeBoolean();
        int orientation = data.consumeInt(1, 8);
        BufferedImage upright = blocks(width, height, gray, data);
        BufferedImage stored = TestImages.storedFor(upright, orientation);
        byte[] tiff = exif(orientation, bigEndian);

        if (png) {
            byte[] file = TestImages.png(stored.getWidth(), stored.getHeight(), 8, gray ? 0 : 2, samples(stored, gray),
                    List.of(TestImages.pngChunk("eXIf", tiff)), List.of());
            var accepted = CleaningContract.accept(() -> PNG.clean(file, "0".repeat(64), CleaningContract.LIMITS));
            CleanedPhoto cleaned = accepted.cleaned();
            CleaningContract.check(accepted, PhotoFormat.PNG);
            assertEquals(orientation, cleaned.source().exifOrientation());
            assertArrayEquals(samples(upright, gray), cleaned.pixelData(), "a PNG is cleaned losslessly and upright");
            return;
        }
        byte[] encoded = TestImages.jpeg(gray ? grayImage(stored) : stored, fullChroma ? TestImages.Chroma.FULL_444 : TestImages.Chroma.SUBSAMPLED_420,
                progressive);
        byte[] jpeg = TestImages.insertAfterSoi(encoded,
                TestImages.segment(JpegSegments.APP1, TestImages.concat(TestImages.ascii("Exif\0\0"), tiff)));
        var accepted = CleaningContract.accept(() -> JPEG.clean(jpeg, "0".repeat(64), CleaningContract.LIMITS));
        CleanedPhoto cleaned = accepted.cleaned();
        CleaningContract.check(accepted, PhotoFormat.JPEG);
        assertEquals(orientation, cleaned.source().exifOrientation());
        // A baseline stream whose edges that move to the top or left are whole MCUs (16 pixels for
        // 4:2:0, 8 for gray and 4:4:4; the width where x is mirrored, the height where y is) is turned
        // by moving its blocks; any other turn is decoded and encoded again.
        int mcu = gray || fullChroma ? 8 : 16;
        boolean mirrorsX = List.of(2, 3, 7, 8).contains(orientation);
        boolean mirrorsY = List.of(3, 4, 6, 7).contains(orientation);
        boolean edgesWhole = (!mirrorsX || stored.getWidth() % mcu == 0) && (!mirrorsY || stored.getHeight() % mcu == 0);
        boolean turnedByBlocks = !progressive && orientation != 1 && edgesWhole;
        assertEquals(progressive || orientation != 1 && !turnedByBlocks, cleaned.source().reencoded(),
                "re-encoded exactly when progressive, or turned where blocks cannot be moved");
        BufferedImage result = TestImages.decode(cleaned.pixelData());
        double error = meanError(samples(upright, gray), samples(result, gray));
        assertTrue(error <= JPEG_MEAN_ERROR, "the cleaned JPEG differs from the upright image by " + error + " a sample");
    }

    /**
     * An image of flat 16x16 blocks, each of a fuzzed gray level or colour; gray levels are kept as equal
     * R, G and B, which turn without the colour conversions of a gray image's getRGB and setRGB.
     */
    private static BufferedImage blocks(int width, int height, boolean gray, FuzzedDataProvider data) {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        for (int by = 0; by < height; by += BLOCK) {
            for (int bx = 0; bx < width; bx += BLOCK) {
                int value = gray ? data.consumeInt(0, 255) * 0x010101 : data.consumeInt(0, 0xFFFFFF);
                for (int y = by; y < Math.min(by + BLOCK, height); y++) {
                    for (int x = bx; x < Math.min(bx + BLOCK, width); x++) {
                        image.setRGB(x, y, value);
                    }
                }
            }
        }
        return image;
    }

    /** A one-band gray image with the levels of an image whose R, G and B are equal. */
    private static BufferedImage grayImage(BufferedImage levels) {
        var image = new BufferedImage(levels.getWidth(), levels.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < levels.getHeight(); y++) {
            for (int x = 0; x < levels.getWidth(); x++) {
                image.getRaster().setSample(x, y, 0, levels.getRGB(x, y) & 0xFF);
            }
        }
        return image;
    }

    private static byte[] exif(int orientation, boolean bigEndian) {
        var tiff = new TiffBuilder(bigEndian);
        tiff.ifd().shortValue(0x0112, orientation);
        return tiff.build();
    }

    /** Interleaved 8-bit samples: the gray level, or R, G, B. */
    private static byte[] samples(BufferedImage image, boolean gray) {
        return TestImages.samples(image, gray ? 1 : 3);
    }

    private static double meanError(byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length, "sample count");
        long sum = 0;
        for (int i = 0; i < expected.length; i++) {
            sum += Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF));
        }
        return (double) sum / expected.length;
    }
}
