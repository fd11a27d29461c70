package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.CleanedPhoto.SourceFacts;

/**
 * The lossless turn ({@link JpegBlockTurn}) against libjpeg-turbo's {@code jpegtran}, an independent
 * implementation of the same transforms: for every orientation and layout, our stream and
 * jpegtran's {@code -perfect} one decode to the same pixels, exactly; and against the pixels: the
 * turned stream decodes to the source's pixels put upright ({@link Orientation#apply}) within the
 * rounding of the decoder's IDCT and upsampling.
 */
class JpegBlockTurnTest {

    /** jpegtran's option for each EXIF orientation, 2..8. */
    private static final Map<Integer, List<String>> JPEGTRAN = Map.of(
            2, List.of("-flip", "horizontal"),
            3, List.of("-rotate", "180"),
            4, List.of("-flip", "vertical"),
            5, List.of("-transpose"),
            6, List.of("-rotate", "90"),
            7, List.of("-transverse"),
            8, List.of("-rotate", "270"));

    @TempDir
    Path dir;

    @Test
    void everyOrientationAndLayoutDecodesToJpegtransPixelsExactly() {
        var layouts = Map.of(
                "4:2:0", List.of("-sample", "2x2"),
                "4:4:4", List.of("-sample", "1x1"),
                "gray", List.of("-grayscale"),
                "4:2:0, restart every MCU, optimised", List.of("-sample", "2x2", "-restart", "1B", "-optimize"),
                "4:2:0, restart every row", List.of("-sample", "2x2", "-restart", "1"),
                // Coefficients of up to 10 bits, whose code and value do not fit the turn's one-lookup
                // path (11 bits), beside small ones that do: both ways of decoding in one stream.
                "4:4:4, quality 100", List.of("-sample", "1x1", "-quality", "100"));
        for (var layout : layouts.entrySet()) {
            byte[] source = LibjpegTools.cjpeg(dir, texture(64, 48, 7), concat(List.of("-quality", "92"), layout.getValue()));
            for (int orientation = 2; orientation <= 8; orientation++) {
                String what = layout.getKey() + ", orientation " + orientation;
                byte[] ours = turn(source, orientation);
                byte[] theirs = LibjpegTools.jpegtran(dir, source,
                        concat(List.of("-copy", "none", "-perfect"), JPEGTRAN.get(orientation)));
                BufferedImage a = TestImages.decode(ours);
                BufferedImage b = TestImages.decode(theirs);
                assertEquals(b.getWidth(), a.getWidth(), what);
                assertEquals(b.getHeight(), a.getHeight(), what);
                assertArrayEquals(TestImages.samples(b, 3), TestImages.samples(a, 3), what + ": same pixels as jpegtran's");
            }
        }
    }

    @Test
    void partMcusAtTheRightOrBottomEdgeAreTurnedWhereThatEdgeStaysRightOrBottom() throws Exception {
        // 4:2:0 (MCUs of 16): 56 wide and 40 high are both part MCUs. An orientation may only move an
        // edge of whole MCUs to the top or left: x is mirrored by 2, 3, 7 and 8, y by 3, 4, 6 and 7.
        Path scans = Files.writeString(dir.resolve("each.scans"), "0;\n1;\n2;\n");
        var sizes = Map.of("56 x 48", new int[] {56, 48}, "64 x 40", new int[] {64, 40}, "56 x 40", new int[] {56, 40});
        var streams = Map.of("interleaved", List.of("-sample", "2x2"),
                "one scan per component", List.of("-sample", "2x2", "-scans", scans.toString()),
                "gray", List.of("-grayscale"));
        int turned = 0;
        for (var size : sizes.entrySet()) {
            for (var options : streams.entrySet()) {
                int width = size.getValue()[0];
                int height = size.getValue()[1];
                byte[] source = LibjpegTools.cjpeg(dir, texture(width, height, width + height), options.getValue());
                int mcu = options.getKey().equals("gray") ? 8 : 16;
                for (int orientation = 2; orientation <= 8; orientation++) {
                    String what = size.getKey() + ", " + options.getKey() + ", orientation " + orientation;
                    boolean mirrorsX = List.of(2, 3, 7, 8).contains(orientation);
                    boolean mirrorsY = List.of(3, 4, 6, 7).contains(orientation);
                    boolean expected = (!mirrorsX || width % mcu == 0) && (!mirrorsY || height % mcu == 0);
                    var inspected = JpegCleaner.inspect(source, PhotoLimits.DEFAULT);
                    assertEquals(expected, JpegBlockTurn.fits(inspected.frame(), Orientation.fromExif(orientation)), what);
                    if (!expected) {
                        continue;
                    }
                    byte[] theirs = LibjpegTools.jpegtran(dir, source,
                            concat(List.of("-copy", "none", "-perfect"), JPEGTRAN.get(orientation)));
                    assertArrayEquals(TestImages.samples(TestImages.decode(theirs), 3),
                            TestImages.samples(TestImages.decode(turn(source, orientation)), 3), what);
                    turned++;
                }
            }
        }
        assertTrue(turned >= 18, "turned " + turned);
    }

    @Test
    void aStreamOfOneScanPerComponentIsTurnedIntoOneInterleavedScan() throws Exception {
        Path scans = Files.writeString(dir.resolve("each.scans"), "0;\n1;\n2;\n");
        byte[] source = LibjpegTools.cjpeg(dir, texture(48, 32, 3), List.of("-sample", "2x2", "-scans", scans.toString()));
        assertEquals(3, countScans(source));
        for (int orientation = 2; orientation <= 8; orientation++) {
            byte[] ours = turn(source, orientation);
            assertEquals(1, countScans(ours));
            byte[] theirs = LibjpegTools.jpegtran(dir, source,
                    concat(List.of("-copy", "none", "-perfect"), JPEGTRAN.get(orientation)));
            assertArrayEquals(TestImages.samples(TestImages.decode(theirs), 3),
                    TestImages.samples(TestImages.decode(ours), 3), "orientation " + orientation);
        }
    }

    @Test
    void theTurnedPixelsAreTheSourcePixelsUpright() {
        byte[] source = TestImages.jpeg(texture(64, 48, 11));
        PixelRaster stored = DecodedPixels.rgb(TestImages.decode(source));
        for (int orientation = 2; orientation <= 8; orientation++) {
            Orientation o = Orientation.fromExif(orientation);
            byte[] expected = o.apply(stored).samples();
            byte[] actual = DecodedPixels.rgb(TestImages.decode(turn(source, orientation))).samples();
            assertEquals(expected.length, actual.length);
            long sum = 0;
            int max = 0;
            for (int i = 0; i < expected.length; i++) {
                int d = Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF));
                sum += d;
                max = Math.max(max, d);
            }
            double mean = (double) sum / expected.length;
            // The IDCT's and the chroma upsampling's rounding run along other axes: a level or two.
            assertTrue(mean < 0.5 && max <= 6, "orientation " + orientation + ": mean " + mean + ", max " + max);
        }
    }

    @Test
    void cleaningTurnsAnAlignedPhotoWithoutReencodingAndTranscodesTheRest() {
        var cleaner = new JpegCleaner(0.9f);
        BufferedImage upright = texture(64, 48, 5);
        byte[] aligned = TestImages.insertAfterSoi(TestImages.jpeg(TestImages.storedFor(upright, 6)),
                TestImages.richExif(6, false));
        CleanedPhoto turned = cleaner.clean(aligned, "00", PhotoLimits.DEFAULT);
        SourceFacts facts = turned.source();
        assertFalse(facts.reencoded(), "turned by moving blocks");
        assertEquals(6, facts.exifOrientation());
        assertEquals(64, turned.columns());
        assertEquals(48, turned.rows());
        assertEquals(List.of(JpegCleaner.ISO_10918_1), turned.lossy().methods(), "no second lossy step");
        assertEquals("YBR_FULL_422", turned.photometricInterpretation());
        assertEquals(List.of(0xC0), TestImages.sofMarkers(turned.pixelData()));
        assertFalse(new String(turned.pixelData(), StandardCharsets.ISO_8859_1).contains("Exif"));

        // 40 rows are not a whole number of 16-row MCUs: the bottom edge cannot become the left one.
        byte[] unaligned = TestImages.insertAfterSoi(TestImages.jpeg(TestImages.storedFor(texture(40, 64, 6), 6)),
                TestImages.richExif(6, false));
        CleanedPhoto transcoded = cleaner.clean(unaligned, "00", PhotoLimits.DEFAULT);
        assertTrue(transcoded.source().reencoded());
        assertEquals(40, transcoded.columns());
        assertEquals(64, transcoded.rows());
    }

    @Test
    void aQuarterTurnExchangesTheJfifPixelDensitiesWithTheSizes() {
        byte[] jpeg = TestImages.jpeg(texture(64, 48, 8));
        // The JDK writes JFIF right after SOI: FF E0, length, "JFIF\0", version, units, X and Y density.
        assertEquals(0xE0, jpeg[3] & 0xFF);
        jpeg[13] = 1; // dots per inch
        jpeg[14] = 0;
        jpeg[15] = 72;
        jpeg[16] = 0;
        jpeg[17] = (byte) 96;
        for (int orientation : new int[] {3, 6}) {
            byte[] upload = TestImages.insertAfterSoi(jpeg, TestImages.richExif(orientation, false));
            CleanedPhoto photo = new JpegCleaner(0.9f).clean(upload, "00", PhotoLimits.DEFAULT);
            assertFalse(photo.source().reencoded());
            byte[] out = photo.pixelData();
            assertEquals(0xE0, out[3] & 0xFF, "JFIF kept first");
            int x = (out[14] & 0xFF) << 8 | out[15] & 0xFF;
            int y = (out[16] & 0xFF) << 8 | out[17] & 0xFF;
            assertEquals(orientation == 6 ? List.of(96, 72) : List.of(72, 96), List.of(x, y),
                    "orientation " + orientation);
        }
    }

    @Test
    void aQuarterTurnOf422IsTranscodedBecauseDicomCannotLabelItsLayout() {
        byte[] source = LibjpegTools.cjpeg(dir, texture(64, 48, 9), List.of("-sample", "2x1"));
        byte[] upload = TestImages.insertAfterSoi(source, TestImages.richExif(6, false));
        var inspected = JpegCleaner.inspect(upload, PhotoLimits.DEFAULT);
        assertFalse(inspected.turnsBlocks());
        assertTrue(new JpegCleaner(0.9f).clean(inspected, "00").source().reencoded());
        // A half turn keeps 4:2:2 as it is.
        byte[] halfTurn = TestImages.insertAfterSoi(source, TestImages.richExif(3, false));
        assertTrue(JpegCleaner.inspect(halfTurn, PhotoLimits.DEFAULT).turnsBlocks());
    }

    @Test
    void componentsNamingOneQuantisationTableDefinedAnewBetweenTheirScansAreTranscoded() throws Exception {
        // Every component quantised with slot 0, one scan each; then table 0 defined anew before the
        // second scan: the chroma scans use the new table, the luma scan the old one. One scan with one
        // DQT per number cannot say that, so the turn gives way to the transcode.
        Path scans = Files.writeString(dir.resolve("each.scans"), "0;\n1;\n2;\n");
        byte[] source = LibjpegTools.cjpeg(dir, texture(48, 32, 4),
                List.of("-sample", "2x2", "-qslots", "0,0,0", "-scans", scans.toString()));
        var sos = JpegSegments.parse(source).segments().stream().filter(x -> x.marker() == JpegSegments.SOS).toList();
        assertEquals(3, sos.size());
        byte[] table = new byte[65];
        Arrays.fill(table, 1, 65, (byte) 3);
        byte[] redefined = TestImages.concat(Arrays.copyOfRange(source, 0, sos.get(1).offset()),
                TestImages.segment(JpegSegments.DQT, table),
                Arrays.copyOfRange(source, sos.get(1).offset(), source.length));
        byte[] upload = TestImages.insertAfterSoi(redefined, TestImages.richExif(6, false));

        var inspected = JpegCleaner.inspect(upload, PhotoLimits.DEFAULT);
        assertTrue(inspected.turnsBlocks(), "whole MCUs: the turn is tried");
        CleanedPhoto photo = new JpegCleaner(0.9f).clean(inspected, "00");
        assertTrue(photo.source().reencoded(), "and gives way to the transcode");
        assertEquals(32, photo.columns());
        assertEquals(48, photo.rows());
        // Without the redefinition, the same stream is turned.
        byte[] plain = TestImages.insertAfterSoi(source, TestImages.richExif(6, false));
        assertFalse(new JpegCleaner(0.9f).clean(plain, "00", PhotoLimits.DEFAULT).source().reencoded());
    }

    @Test
    void dcValuesWhoseDifferencesInTheNewOrderNeedMoreThan11BitsAreTranscoded() {
        // A grey 24 x 8 stream of three blocks whose DC values climb by 2,000 each (0 + 2000, 4000,
        // 6000: legal differences, values no encoder writes, which decoders clamp). Turned a half,
        // the first block coded is the last, 6,000 from the predictor's 0: more than 11 bits.
        byte[] dqt = new byte[65];
        Arrays.fill(dqt, 1, 65, (byte) 1);
        // One code each: the DC table's "0" is size 11, the AC table's "0" the end of block.
        byte[] dcTable = new byte[17 + 1];
        dcTable[0] = 0x00;
        dcTable[1] = 1;
        dcTable[17] = 11;
        byte[] acTable = new byte[17 + 1];
        acTable[0] = 0x10;
        acTable[1] = 1;
        acTable[17] = 0x00;
        byte[] sof = {8, 0, 8, 0, 24, 1, 1, 0x11, 0};
        byte[] sos = {1, 1, 0x00, 0, 63, 0};
        // Per block "0", 2000 in 11 bits, "0"; then ones to the byte.
        byte[] scan = {0x7D, 0x03, (byte) 0xE8, 0x1F, 0x41};
        byte[] jpeg = TestImages.concat(new byte[] {(byte) 0xFF, (byte) 0xD8}, TestImages.richExif(3, false),
                TestImages.segment(JpegSegments.DQT, dqt), TestImages.segment(0xC0, sof),
                TestImages.segment(JpegSegments.DHT, dcTable), TestImages.segment(JpegSegments.DHT, acTable),
                TestImages.segment(JpegSegments.SOS, sos), scan, new byte[] {(byte) 0xFF, (byte) 0xD9});

        var inspected = JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT);
        assertTrue(inspected.turnsBlocks(), "whole MCUs: the turn is tried");
        JpegScanCheck.requireComplete(inspected.stream(), inspected.frame());
        assertTrue(JpegBlockTurn.apply(inspected.stream(), inspected.frame(), Orientation.ROTATE_180, List.of()).isEmpty(),
                "the turn cannot code the first difference");
        CleanedPhoto photo = new JpegCleaner(0.9f).clean(JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT), "00");
        assertTrue(photo.source().reencoded(), "and gives way to the transcode");
        assertEquals(24, photo.columns());
        assertEquals(8, photo.rows());
    }

    private static byte[] turn(byte[] jpeg, int orientation) {
        var inspected = JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT);
        JpegScanCheck.requireComplete(inspected.stream(), inspected.frame());
        var turned = JpegBlockTurn.apply(inspected.stream(), inspected.frame(), Orientation.fromExif(orientation),
                List.of()).orElseThrow();
        return Arrays.copyOf(turned.bytes(), turned.length());
    }

    private static int countScans(byte[] jpeg) {
        return (int) JpegSegments.parse(jpeg).segments().stream().filter(s -> s.marker() == JpegSegments.SOS).count();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    /** A gradient with a checker pattern and noise: every coefficient position in use. */
    private static BufferedImage texture(int width, int height, long seed) {
        var image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        var random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int edge = ((x / 5 + y / 3) & 1) * 90;
                int r = clamp(x * 255 / width + edge + random.nextInt(60) - 30);
                int g = clamp(y * 255 / height - edge / 2 + random.nextInt(60) - 30);
                int b = clamp(128 + random.nextInt(120) - 60 + (x > y ? 40 : 0));
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
