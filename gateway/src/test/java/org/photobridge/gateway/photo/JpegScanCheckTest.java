package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

/**
 * The entropy-only check of kept baseline JPEGs ({@link JpegScanCheck}) against the decoder it
 * replaced: it accepts every valid baseline stream we can make (ImageIO's and libjpeg-turbo's
 * {@code cjpeg} encoders, every layout the gateway keeps, restart intervals, multi-scan streams with
 * tables redefined between scans, sizes that are not multiples of the MCU), and it refuses every
 * damaged stream that ImageIO's strict decode ({@link ImageDecoder#readJpeg}, the check used before)
 * refuses. {@code cjpeg} comes from Debian's libjpeg-turbo-progs, which deploy/local/test.sh installs.
 */
class JpegScanCheckTest {

    private static final Path SEEDS = Path.of("src/test/resources/org/photobridge/gateway/photo");

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ valid streams are accepted

    @Test
    void acceptsImageIoStreamsOfEverySizeLayoutAndRestartInterval() {
        int streams = 0;
        for (int[] size : new int[][] {{1, 1}, {7, 5}, {8, 8}, {16, 16}, {17, 9}, {33, 47}, {64, 48}, {100, 75}, {257, 131}}) {
            for (Layout layout : Layout.values()) {
                for (int restart : new int[] {0, 1, 3, 7}) {
                    byte[] jpeg = imageIo(texture(size[0], size[1], layout == Layout.GRAY, streams), layout, restart, 0.9f);
                    String name = layout + " " + size[0] + "x" + size[1] + " restart " + restart;
                    assertEquals(restart > 0, TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xDD}, 2) > 0, name);
                    assertAcceptedByBoth(name, jpeg);
                    streams++;
                }
            }
        }
        assertEquals(9 * 4 * 4, streams);
    }

    @Test
    void acceptsCjpegStreamsWithRestartsRgbSubsamplingAndSeveralScans() throws IOException {
        requireCjpeg();
        Path oneScanEach = script("each-component", "0;\n1;\n2;\n");
        Path lumaThenChroma = script("luma-then-chroma", "0;\n1 2;\n");
        Path chromaFirst = script("chroma-first", "2;\n1;\n0;\n");
        List<List<String>> variants = List.of(
                List.of("-sample", "2x2", "-restart", "1B"),
                List.of("-sample", "2x1", "-restart", "3B", "-optimize"),
                List.of("-sample", "1x1", "-restart", "1"),
                List.of("-sample", "2x2", "-restart", "2"),
                List.of("-rgb"),
                List.of("-rgb", "-restart", "5B"),
                List.of("-grayscale", "-restart", "2B"),
                List.of("-scans", oneScanEach.toString()),
                List.of("-scans", oneScanEach.toString(), "-optimize", "-restart", "2B"),
                List.of("-scans", lumaThenChroma.toString(), "-sample", "2x1", "-restart", "1B"),
                List.of("-scans", chromaFirst.toString(), "-optimize", "-sample", "2x2"),
                List.of("-quality", "100", "-sample", "2x2"),
                List.of("-quality", "20", "-baseline", "-sample", "2x1", "-restart", "4B"));
        int streams = 0;
        for (int[] size : new int[][] {{1, 1}, {9, 7}, {31, 17}, {64, 48}, {129, 67}}) {
            for (List<String> variant : variants) {
                byte[] jpeg = cjpeg(texture(size[0], size[1], false, streams), variant);
                assertEquals(List.of(JpegFrame.BASELINE), TestImages.sofMarkers(jpeg), "cjpeg wrote baseline " + variant);
                assertAcceptedByBoth(String.join(" ", variant) + " " + size[0] + "x" + size[1], jpeg);
                streams++;
            }
        }
        byte[] multiScan = cjpeg(texture(40, 30, false, 1), List.of("-scans", oneScanEach.toString(), "-optimize"));
        assertEquals(3, countMarkers(multiScan, 0xDA), "three scans");
        assertTrue(countMarkers(multiScan, 0xC4) >= 3, "tables redefined before each scan");
    }

    @Test
    void acceptsTheTestImagesFlatGiantsAndEveryBaselineFuzzSeed() throws IOException {
        assertAcceptedByBoth("scene 4:2:0", TestImages.jpeg(TestImages.scene()));
        assertAcceptedByBoth("scene 4:4:4", TestImages.jpeg(TestImages.scene(), TestImages.Chroma.FULL_444, false));
        assertAcceptedByBoth("gray scene", TestImages.jpeg(TestImages.grayScene()));
        assertAcceptedByBoth("all metadata", TestImages.jpegWithAllMetadata(TestImages.scene(), 1));
        // One-bit codes, every block two bits: the data ends mid-byte, padded with ones.
        for (int[] size : new int[][] {{1, 1}, {15, 17}, {100, 60}, {333, 251}}) {
            assertAcceptedByBoth("flat 4:2:0 " + size[0], FlatJpeg.of(size[0], size[1], true, 1));
            assertAcceptedByBoth("flat 4:4:4 " + size[0], FlatJpeg.of(size[0], size[1], false, 1));
        }
        int seeds = 0;
        for (Path seed : fuzzSeeds()) {
            String name = seed.getFileName().toString();
            if (name.startsWith("finding-")) {
                continue; // what fuzzing found: see the test below
            }
            byte[] bytes = Files.readAllBytes(seed);
            JpegCleaner.Inspected inspected;
            try {
                inspected = JpegCleaner.inspect(bytes, PhotoLimits.DEFAULT);
            } catch (PhotoRejectedException notAJpegWeKeep) {
                continue;
            }
            if (inspected.frame().isBaseline() && inspected.components() != 4) {
                assertAcceptedByBoth(seed.toString(), bytes);
                seeds++;
            }
        }
        assertTrue(seeds >= 10, "baseline seeds found: " + seeds);
    }

    // ------------------------------------------------------------------ damage is refused

    @Test
    void refusesTheFuzzFindingsOfDamagedKeptScans() throws IOException {
        List<Path> findings = fuzzSeeds().stream()
                .filter(seed -> seed.getFileName().toString().startsWith("finding-damaged-scan-in-kept-baseline"))
                .toList();
        assertEquals(2, findings.size(), findings.toString());
        for (Path finding : findings) {
            byte[] bytes = Files.readAllBytes(finding);
            JpegCleaner.Inspected inspected = JpegCleaner.inspect(bytes, CleaningContract.LIMITS);
            PhotoRejectedException refused = assertThrows(PhotoRejectedException.class,
                    () -> JpegScanCheck.requireComplete(inspected.stream(), inspected.frame()), finding.toString());
            assertEquals(Reason.CORRUPT, refused.reason());
            assertTrue(refused.getMessage().startsWith("scan 1 of the JPEG"), refused.getMessage());
            PhotoRejectedException cleaning = assertThrows(PhotoRejectedException.class, () -> CleaningContract.accept(
                    () -> new JpegCleaner(0.9f).clean(bytes, "0".repeat(64), CleaningContract.LIMITS)));
            assertEquals(Reason.CORRUPT, cleaning.reason());
        }
    }

    @Test
    void refusesTheFuzzFindingWhoseHuffmanSymbolsAreExifBytes() throws IOException {
        // The fuzzer copied an EXIF block over the symbols of an AC table. libjpeg decodes it (runs past
        // the 64th coefficient land on the last one), so ImageIO accepted it; no encoder writes such
        // runs, and the check refuses them.
        byte[] bytes = Files.readAllBytes(SEEDS.resolve("UploadFuzzTestInputs/cleanUpload/finding-exif-bytes-as-huffman-symbol-values"));
        JpegCleaner.Inspected inspected = JpegCleaner.inspect(bytes, CleaningContract.LIMITS);
        assertDoesNotThrow(() -> imageIoCheck(inspected));

        assertRefused(bytes, "scan 1 of the JPEG is damaged: a block has more than 64 coefficients");
    }

    /**
     * The differential test: single-byte changes of the entropy-coded data and of the tables and scan
     * headers, and truncations, of streams of every kind. Whenever ImageIO's strict decode refuses
     * the stream cleaning would keep, the check must refuse it too; where only the check refuses, it
     * found damage that libjpeg lets pass (counted and bounded below).
     */
    @Test
    void refusesEveryDamagedStreamThatImageIoRefuses() throws IOException {
        Map<String, byte[]> originals = new LinkedHashMap<>();
        originals.put("scene 4:2:0", TestImages.jpeg(TestImages.scene()));
        originals.put("gray texture", imageIo(texture(23, 19, true, 7), Layout.GRAY, 0, 0.9f));
        originals.put("4:2:2 texture, restart 2", imageIo(texture(37, 29, false, 8), Layout.YCC_422, 2, 0.8f));
        originals.put("4:2:0 texture, restart 1", imageIo(texture(45, 33, false, 9), Layout.YCC_420, 1, 0.95f));
        originals.put("4:4:4 texture", imageIo(texture(20, 12, false, 10), Layout.YCC_444, 0, 0.9f));
        if (cjpegAvailable()) {
            originals.put("cjpeg three scans, restart 2, optimized", cjpeg(texture(30, 22, false, 11),
                    List.of("-scans", script("each", "0;\n1;\n2;\n").toString(), "-optimize", "-restart", "2B")));
            originals.put("cjpeg rgb", cjpeg(texture(17, 13, false, 12), List.of("-rgb", "-restart", "3B")));
        }
        var tally = new Tally();
        for (var original : originals.entrySet()) {
            byte[] jpeg = original.getValue();
            JpegSegments stream = JpegSegments.parse(jpeg);
            for (JpegSegments.Part part : stream.parts()) {
                boolean scanData = part instanceof JpegSegments.EntropyData;
                boolean checkedSegment = part instanceof JpegSegments.Segment segment
                        && List.of(0xC4, 0xDB, 0xDD, 0xDA, 0xC0).contains(segment.marker());
                if (!scanData && !checkedSegment) {
                    continue;
                }
                for (int i = part.offset() + (scanData ? 0 : 2); i < part.offset() + part.length(); i++) {
                    for (int change : new int[] {0x01, 0x80, -1}) {
                        byte[] damaged = jpeg.clone();
                        damaged[i] = change < 0 ? (byte) 0xFF : (byte) (damaged[i] ^ change);
                        tally.compare(original.getKey() + " byte " + i + (change < 0 ? " = 0xFF" : " ^ " + change), damaged);
                    }
                    if (scanData && i % 5 == 0) {
                        byte[] truncated = TestImages.concat(Arrays.copyOf(jpeg, i), new byte[] {(byte) 0xFF, (byte) 0xD9});
                        tally.compare(original.getKey() + " truncated at " + i, truncated);
                    }
                }
            }
        }
        System.out.println("JpegScanCheckTest differential: " + tally);
        if (!tally.missed.isEmpty()) {
            fail(tally.missed.size() + " damaged streams ImageIO refuses were accepted by the check, e.g. "
                    + tally.missed.subList(0, Math.min(10, tally.missed.size())));
        }
        assertTrue(tally.bothRefused > 1000, "the damage reached the check: " + tally);
        // Where libjpeg lets damage pass (padding, bytes after the last block, a value out of range
        // that it clamps), the check refuses: a small share, and never an intact stream (tests above).
        assertTrue(tally.onlyCheckRefused * 10 < tally.bothRefused, "the check is stricter too often: " + tally);
    }

    @Test
    void refusesAColourComponentThatNoScanCodes() throws IOException {
        requireCjpeg();
        byte[] jpeg = cjpeg(texture(24, 16, false, 3), List.of("-scans", script("each", "0;\n1;\n2;\n").toString()));
        int lastScan = lastIndexOfMarker(jpeg, 0xDA);
        byte[] twoScans = TestImages.concat(Arrays.copyOf(jpeg, lastScan), new byte[] {(byte) 0xFF, (byte) 0xD9});

        assertRefused(twoScans, "the JPEG image data is incomplete: colour component 3 is in no scan");
    }

    @Test
    void refusesAColourComponentThatTwoScansCode() throws IOException {
        requireCjpeg();
        byte[] jpeg = cjpeg(texture(24, 16, false, 4), List.of("-scans", script("each", "0;\n1;\n2;\n").toString()));
        int firstScan = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xDA}, 2);
        int secondScan = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xDA}, firstScan + 2);
        byte[] lumaTwice = TestImages.concat(Arrays.copyOf(jpeg, secondScan),
                Arrays.copyOfRange(jpeg, firstScan, secondScan), Arrays.copyOfRange(jpeg, secondScan, jpeg.length));

        assertRefused(lumaTwice, "scan 2 of the JPEG codes a colour component that another scan coded");
    }

    @Test
    void refusesRestartMarkersOutOfSequence() {
        byte[] jpeg = imageIo(texture(64, 48, false, 5), Layout.YCC_420, 1, 0.9f);
        int scan = lastIndexOfMarker(jpeg, 0xDA);
        int firstRestart = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xD0}, scan);
        jpeg[firstRestart + 1] = (byte) 0xD1;

        assertRefused(jpeg, "scan 1 of the JPEG is damaged: restart marker 0 is not where expected");
    }

    @Test
    void refusesBytesAfterTheLastBlock() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        byte[] extra = TestImages.concat(Arrays.copyOf(jpeg, jpeg.length - 2), new byte[] {0x12, 0x34, (byte) 0xFF, (byte) 0xD9});

        assertRefused(extra, "scan 1 of the JPEG has extraneous data after the last block");
    }

    @Test
    void refusesHuffmanTableWhoseCodesDoNotFitTheirLengths() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        int dht = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC4}, 2);
        int counts = dht + 5; // marker, length, class and number
        assertEquals(0, jpeg[counts], "the standard DC table has no code of length 1");
        // Two codes of length 1 take the whole code space, which libjpeg refuses (no all-ones code);
        // the total stays the same, so the segment is otherwise intact.
        jpeg[counts] = 2;
        jpeg[counts + 1] = (byte) (jpeg[counts + 1] - 1);
        jpeg[counts + 2] = (byte) (jpeg[counts + 2] - 1);

        assertRefused(jpeg, "a JPEG Huffman table (DHT) has more codes than fit their lengths");
    }

    @Test
    void refusesScanUsingAHuffmanTableThatIsNotDefined() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        int sos = lastIndexOfMarker(jpeg, 0xDA);
        jpeg[sos + 6] = 0x23; // component 1: DC table 2, AC table 3, neither defined

        assertRefused(jpeg, "scan 1 of the JPEG uses a Huffman table that is not defined");
    }

    @Test
    void refusesComponentWhoseQuantisationTableIsNotDefined() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        int sof = TestImages.indexOf(jpeg, new byte[] {(byte) 0xFF, (byte) 0xC0}, 2);
        jpeg[sof + 10 + 2] = 3; // the first component's table selector

        assertRefused(jpeg, "scan 1 of the JPEG uses a quantisation table that is not defined");
    }

    @Test
    void keptStreamNeedsOnlyTheTablesOfItsCheckNotAnImage() {
        byte[] jpeg = FlatJpeg.of(4000, 3000, true, 1);
        JpegCleaner.Inspected inspected = JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT);
        assertTrue(inspected.keepAsIs());

        assertEquals(JpegScanCheck.WORKING_BYTES, JpegCleaner.memoryNeeded(inspected));
    }

    // ------------------------------------------------------------------ helpers

    private static void assertAcceptedByBoth(String name, byte[] jpeg) {
        JpegCleaner.Inspected inspected = JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT);
        assertTrue(inspected.frame().isBaseline(), name + " is baseline");
        assertDoesNotThrow(() -> imageIoCheck(inspected), () -> name + ": ImageIO refuses it, the test stream is bad");
        try {
            JpegScanCheck.requireComplete(inspected.stream(), inspected.frame());
        } catch (PhotoRejectedException e) {
            fail(name + ": a valid stream was refused: " + e.getMessage());
        }
    }

    private static void assertRefused(byte[] jpeg, String message) {
        JpegCleaner.Inspected inspected = JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT);
        PhotoRejectedException refused = assertThrows(PhotoRejectedException.class,
                () -> JpegScanCheck.requireComplete(inspected.stream(), inspected.frame()));
        assertEquals(Reason.CORRUPT, refused.reason());
        assertEquals(message, refused.getMessage());
    }

    /** The check the gateway ran before: ImageIO's decode of the kept stream, 8 x 8 subsampled. */
    private static void imageIoCheck(JpegCleaner.Inspected inspected) {
        ImageDecoder.readJpeg(JpegCleaner.withoutMetadata(inspected), inspected.frame().width(),
                inspected.frame().height(), 8);
    }

    /** Counts how the check and ImageIO judge the same damaged streams. */
    private static final class Tally {
        int refusedBeforeTheCheck;
        int bothAccepted;
        int bothRefused;
        int onlyCheckRefused;
        final List<String> missed = new ArrayList<>();

        void compare(String what, byte[] damaged) {
            JpegCleaner.Inspected inspected;
            try {
                inspected = JpegCleaner.inspect(damaged, PhotoLimits.DEFAULT);
            } catch (PhotoRejectedException refused) {
                refusedBeforeTheCheck++;
                return;
            }
            if (!inspected.frame().isBaseline() || inspected.components() == 4) {
                refusedBeforeTheCheck++; // transcoded, not kept: the check does not run
                return;
            }
            boolean imageIoRefuses = refuses(() -> imageIoCheck(inspected));
            boolean checkRefuses = refuses(() -> JpegScanCheck.requireComplete(inspected.stream(), inspected.frame()));
            if (imageIoRefuses && checkRefuses) {
                bothRefused++;
            } else if (imageIoRefuses) {
                missed.add(what);
            } else if (checkRefuses) {
                onlyCheckRefused++;
            } else {
                bothAccepted++;
            }
        }

        private static boolean refuses(Runnable check) {
            try {
                check.run();
                return false;
            } catch (PhotoRejectedException refused) {
                return true;
            }
        }

        @Override
        public String toString() {
            return "both refused " + bothRefused + ", both accepted " + bothAccepted + ", only the check refused "
                    + onlyCheckRefused + ", only ImageIO refused " + missed.size() + ", refused before the check "
                    + refusedBeforeTheCheck;
        }
    }

    private enum Layout {
        GRAY, YCC_444, YCC_422, YCC_420
    }

    /** Gradients, sharp edges and noise: long Huffman codes and large coefficients, not just flat blocks. */
    private static BufferedImage texture(int width, int height, boolean gray, long seed) {
        var image = new BufferedImage(width, height, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        var random = new Random(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int edge = ((x / 5 + y / 3) & 1) * 90;
                int r = clamp(x * 255 / Math.max(1, width) + edge + random.nextInt(60) - 30);
                int g = clamp(y * 255 / Math.max(1, height) - edge / 2 + random.nextInt(60) - 30);
                int b = clamp(128 + random.nextInt(120) - 60);
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /** A baseline stream from the JDK's encoder with the given chroma layout and restart interval (in MCUs). */
    private static byte[] imageIo(BufferedImage image, Layout layout, int restartInterval, float quality) {
        ImageWriter writer = TestImages.jdkJpegWriter();
        var out = new ByteArrayOutputStream();
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(image), param);
            String format = "javax_imageio_jpeg_image_1.0";
            var tree = (IIOMetadataNode) metadata.getAsTree(format);
            var components = tree.getElementsByTagName("componentSpec");
            for (int i = 0; i < components.getLength(); i++) {
                var component = (IIOMetadataNode) components.item(i);
                boolean luma = i == 0;
                component.setAttribute("HsamplingFactor", luma && layout != Layout.YCC_444 && layout != Layout.GRAY ? "2" : "1");
                component.setAttribute("VsamplingFactor", luma && layout == Layout.YCC_420 ? "2" : "1");
            }
            if (restartInterval > 0) {
                // The JDK's writer takes its restart interval from a DRI node of the metadata.
                var dri = new IIOMetadataNode("dri");
                dri.setAttribute("interval", Integer.toString(restartInterval));
                var markers = (IIOMetadataNode) tree.getElementsByTagName("markerSequence").item(0);
                markers.insertBefore(dri, markers.getFirstChild());
            }
            metadata.setFromTree(format, tree);
            writer.write(null, new IIOImage(image, null, metadata), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    private static boolean cjpegAvailable() {
        return LibjpegTools.available("cjpeg");
    }

    /** Fails when cjpeg is missing (deploy/local/test.sh installs it): a missing tool is never a skip. */
    private static void requireCjpeg() {
        LibjpegTools.require("cjpeg");
    }

    private byte[] cjpeg(BufferedImage image, List<String> options) {
        return LibjpegTools.cjpeg(dir, image, options);
    }

    private Path script(String name, String scans) throws IOException {
        return Files.writeString(dir.resolve(name + ".scans"), scans);
    }

    private static List<Path> fuzzSeeds() throws IOException {
        var seeds = new ArrayList<Path>();
        for (String inputs : List.of("JpegFuzzTestInputs/cleanJpeg", "JpegFuzzTestInputs/parseSegments",
                "UploadFuzzTestInputs/cleanUpload")) {
            try (Stream<Path> files = Files.list(SEEDS.resolve(inputs))) {
                files.sorted().forEach(seeds::add);
            }
        }
        return seeds;
    }

    private static int countMarkers(byte[] jpeg, int marker) {
        int count = 0;
        for (JpegSegments.Segment segment : JpegSegments.parse(jpeg).segments()) {
            count += segment.marker() == marker ? 1 : 0;
        }
        return count;
    }

    private static int lastIndexOfMarker(byte[] jpeg, int marker) {
        int last = -1;
        for (JpegSegments.Segment segment : JpegSegments.parse(jpeg).segments()) {
            if (segment.marker() == marker) {
                last = segment.offset();
            }
        }
        return last;
    }
}
