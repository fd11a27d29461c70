package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.photo.TestImages.ascii;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;

class JpegCleaningTest {

    private final PhotoCleaner cleaner = new PhotoCleaner();

    @TempDir
    Path dir;

    private CleanedPhoto clean(byte[] upload) {
        return cleaner.clean(TestImages.write(dir, "upload", upload), PhotoLimits.DEFAULT);
    }

    private static void assertNoMetadataLeft(byte[] out) {
        assertNoSecrets(out);
        // One SOI only: the EXIF thumbnail was a complete JPEG of its own.
        assertEquals(1, TestImages.count(out, new byte[] {(byte) 0xFF, (byte) 0xD8}));
        assertTrue(out.length > 2 && (out[out.length - 2] & 0xFF) == 0xFF && (out[out.length - 1] & 0xFF) == 0xD9,
                "output ends with EOI");
    }

    private static void assertNoSecrets(byte[] out) {
        for (String secret : List.of(TestImages.ARTIST, TestImages.BODY_SERIAL, TestImages.OWNER,
                TestImages.LENS_SERIAL, TestImages.GPS_DATUM, TestImages.THUMBNAIL_COMMENT, TestImages.XMP_CREATOR,
                TestImages.IPTC_TEXT, TestImages.COMMENT, TestImages.TRAILER, "VENDOR-SECRET", "Exif",
                "http://ns.adobe.com/xap", "Photoshop 3.0", "8BIM", "ICC_PROFILE", "MPF", "Canon", "EOS R5")) {
            assertFalse(TestImages.contains(out, ascii(secret)), () -> "output still contains " + secret);
        }
        // GPS latitude seconds 1234/100 as stored (big-endian rationals)
        assertFalse(TestImages.contains(out, new byte[] {0, 0, 4, (byte) 0xD2, 0, 0, 0, 100}));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 6})
    void cleansTheUploadInItsOwnArrayAndLeavesNothingRemovedInTheArraysTail(int orientation) throws Exception {
        BufferedImage stored = TestImages.storedFor(TestImages.scene(), orientation);
        byte[] file = TestImages.jpegWithAllMetadata(stored, orientation);
        // Received into an array sized from the request's Content-Length: after the file, what the
        // rest of the body held (here a metadata part naming a serial number).
        byte[] rest = ascii("\r\n--b\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"serial\":\""
                + TestImages.BODY_SERIAL + "\"}\r\n--b--\r\n");
        byte[] upload = TestImages.concat(file, rest);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));

        CleanedPhoto photo;
        try (var held = cleaner.budget().reserve(PhotoCleaner.memoryFor(upload.length))) {
            photo = cleaner.clean(upload, file.length, held, PhotoLimits.DEFAULT, null, cleaned -> cleaned);
        }

        assertEquals(sha256, photo.source().sha256(), "hashed as received, before it was compacted");
        assertNoMetadataLeft(photo.pixelData());
        assertNoSecrets(photo.pixelArray());
        for (int i = photo.pixelDataLength(); i < photo.pixelArray().length; i++) {
            assertEquals(0, photo.pixelArray()[i], "byte " + i + " after the cleaned stream");
        }
        if (orientation == 1) {
            assertTrue(photo.pixelArray() == upload, "a kept photo is the upload's own array, compacted: no copy");
            assertTrue(photo.pixelDataLength() < file.length);
        }
        // What was removed is gone from the upload's array as well, whatever became of it.
        assertNoSecrets(upload);
    }

    @Test
    void removesGpsSerialsArtistThumbnailXmpIptcAndCommentsFromBaselineJpeg() {
        CleanedPhoto photo = clean(TestImages.jpegWithAllMetadata(TestImages.scene(), 1));

        assertNoMetadataLeft(photo.pixelData());
        assertTrue(photo.source().removedSegments().containsAll(
                List.of("APP1/Exif", "APP1/XMP", "APP2/ICC", "APP2/MPF", "APP13/Photoshop", "COM", "APP5",
                        "data after EOI")), () -> photo.source().removedSegments().toString());
    }

    @Test
    void removesAllMetadataWhenTheJpegIsTurnedForRotation() {
        BufferedImage stored = TestImages.storedFor(TestImages.scene(), 6);
        CleanedPhoto photo = clean(TestImages.jpegWithAllMetadata(stored, 6));

        assertFalse(photo.source().reencoded(), "64 x 48 is whole MCUs: turned by moving blocks");
        assertNoMetadataLeft(photo.pixelData());
        assertTrue(photo.source().removedSegments().contains("APP1/Exif"));
    }

    @Test
    void readsCaptureHintsAndIccProfileBeforeRemovingThem() {
        CleanedPhoto photo = clean(TestImages.jpegWithAllMetadata(TestImages.scene(), 1));

        assertEquals(Optional.of(LocalDateTime.of(2026, 11, 20, 10, 11, 12)), photo.hints().takenAt());
        assertEquals(Optional.of("Canon"), photo.hints().manufacturer());
        assertEquals(Optional.of("EOS R5"), photo.hints().model());
        assertArrayEquals(TestImages.srgbProfile(), photo.iccProfile().orElseThrow(),
                "ICC profile reassembled from its two APP2 chunks");
    }

    @Test
    void keepsBaselineEntropyCodedDataByteForByte() {
        byte[] upload = TestImages.jpegWithAllMetadata(TestImages.scene(), 1);

        CleanedPhoto photo = clean(upload);

        assertEquals(PixelEncoding.JPEG_BASELINE, photo.encoding());
        assertFalse(photo.source().reencoded());
        assertArrayEquals(TestImages.entropyCodedData(upload), TestImages.entropyCodedData(photo.pixelData()));
        assertEquals(List.of(0xC0), TestImages.sofMarkers(photo.pixelData()));
        assertEquals(TestImages.W, photo.columns());
        assertEquals(TestImages.H, photo.rows());
        assertEquals(List.of(JpegCleaner.ISO_10918_1), photo.lossy().methods());
        double expectedRatio = (double) TestImages.W * TestImages.H * 3 / photo.pixelData().length;
        assertEquals(expectedRatio, photo.lossy().ratios().get(0), 0.01);
        assertTrue(photo.lossy().applied());
    }

    @Test
    void cleanedBaselineJpegStillDecodesToTheSameImage() {
        byte[] plain = TestImages.jpeg(TestImages.scene());
        CleanedPhoto photo = clean(TestImages.jpegWithAllMetadata(TestImages.scene(), 1));

        BufferedImage before = TestImages.decode(plain);
        BufferedImage after = TestImages.decode(photo.pixelData());
        for (int y = 0; y < TestImages.H; y++) {
            for (int x = 0; x < TestImages.W; x++) {
                assertEquals(before.getRGB(x, y), after.getRGB(x, y));
            }
        }
    }

    @Test
    void appliesOrientation6SoTheStoredImageIsUpright() {
        BufferedImage stored = TestImages.storedFor(TestImages.scene(), 6);
        assertEquals(TestImages.H, stored.getWidth(), "the camera stored the scene sideways");

        CleanedPhoto photo = clean(TestImages.jpegWithAllMetadata(stored, 6));

        assertEquals(TestImages.W, photo.columns());
        assertEquals(TestImages.H, photo.rows());
        assertEquals(TestImages.H, photo.source().sourceColumns());
        assertEquals(TestImages.W, photo.source().sourceRows());
        assertEquals(6, photo.source().exifOrientation());
        assertUprightScene(TestImages.decode(photo.pixelData()));
        assertFalse(photo.source().reencoded(), "turned by moving blocks: the camera's coefficients kept");
        assertEquals(List.of(JpegCleaner.ISO_10918_1), photo.lossy().methods(), "no second lossy step");
        assertEquals(1, photo.lossy().ratios().size());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    void appliesEveryExifOrientation(int orientation) {
        BufferedImage stored = TestImages.storedFor(TestImages.scene(), orientation);
        byte[] upload = TestImages.insertAfterSoi(TestImages.jpeg(stored, TestImages.Chroma.FULL_444, false),
                TestImages.richExif(orientation, orientation % 2 == 0));

        CleanedPhoto photo = clean(upload);

        assertEquals(TestImages.W, photo.columns());
        assertEquals(TestImages.H, photo.rows());
        assertUprightScene(TestImages.decode(photo.pixelData()));
    }

    static void assertUprightScene(BufferedImage image) {
        assertEquals(TestImages.W, image.getWidth());
        assertEquals(TestImages.H, image.getHeight());
        assertColour(image, 6, 5, 255, 0, 0, "red top-left");
        assertColour(image, TestImages.W - 7, 5, 0, 255, 0, "green top-right");
        assertColour(image, TestImages.W - 7, TestImages.H - 6, 0, 0, 255, "blue bottom-right");
        assertColour(image, 6, TestImages.H - 6, 255, 255, 255, "white bottom-left");
    }

    static void assertColour(BufferedImage image, int x, int y, int r, int g, int b, String what) {
        int rgb = image.getRGB(x, y);
        int[] actual = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
        int[] expected = {r, g, b};
        for (int i = 0; i < 3; i++) {
            int channel = i;
            assertTrue(Math.abs(actual[i] - expected[i]) <= 40,
                    () -> what + ": expected " + java.util.Arrays.toString(expected) + " at " + x + "," + y
                            + " but was " + java.util.Arrays.toString(actual) + " (channel " + channel + ")");
        }
    }

    @Test
    void transcodesProgressiveJpegToBaseline() {
        byte[] progressive = TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, true);
        assertEquals(List.of(0xC2), TestImages.sofMarkers(progressive));

        CleanedPhoto photo = clean(progressive);

        assertEquals(List.of(0xC0), TestImages.sofMarkers(photo.pixelData()));
        assertTrue(photo.source().reencoded());
        assertEquals("YBR_FULL_422", photo.photometricInterpretation(), "the JDK encoder writes 4:2:0");
        assertUprightScene(TestImages.decode(photo.pixelData()));
    }

    @Test
    void convertsAdobeInvertedCmykJpegToRgb() {
        CleanedPhoto photo = clean(TestImages.adobeCmykJpeg());

        assertEquals(3, photo.samplesPerPixel());
        assertTrue(photo.source().reencoded());
        assertEquals(List.of(0xC0), TestImages.sofMarkers(photo.pixelData()));
        BufferedImage rgb = TestImages.decode(photo.pixelData());
        int cyan = rgb.getRGB(TestImages.W / 4, TestImages.H / 2);
        int paper = rgb.getRGB(3 * TestImages.W / 4, TestImages.H / 2);
        assertTrue(((cyan >> 16) & 0xFF) < 100 && ((cyan >> 8) & 0xFF) > 120 && (cyan & 0xFF) > 180,
                () -> "cyan ink should look cyan: " + Integer.toHexString(cyan));
        assertTrue(((paper >> 16) & 0xFF) > 220 && ((paper >> 8) & 0xFF) > 220 && (paper & 0xFF) > 220,
                () -> "no ink should look white: " + Integer.toHexString(paper));
        assertArrayEquals(TestImages.srgbProfile(), photo.iccProfile().orElseThrow(),
                "pixels were converted to sRGB, so the profile must be sRGB");
    }

    @Test
    void keepsGrayscaleJpegAsMonochrome2WithoutReencoding() {
        CleanedPhoto photo = clean(TestImages.jpeg(TestImages.grayScene()));

        assertEquals("MONOCHROME2", photo.photometricInterpretation());
        assertEquals(1, photo.samplesPerPixel());
        assertFalse(photo.source().reencoded());
    }

    @Test
    void grayscaleJpegNeedingRotationStaysMonochrome2() {
        BufferedImage stored = TestImages.storedFor(TestImages.grayScene(), 8);
        CleanedPhoto photo = clean(TestImages.insertAfterSoi(TestImages.jpeg(stored), TestImages.richExif(8, false)));

        assertEquals("MONOCHROME2", photo.photometricInterpretation());
        assertEquals(1, photo.samplesPerPixel());
        assertFalse(photo.source().reencoded(), "turned by moving blocks");
        BufferedImage upright = TestImages.decode(photo.pixelData());
        assertEquals(TestImages.W, upright.getWidth());
        assertTrue(upright.getRaster().getSample(4, 4, 0) < 40, "dark block is top-left again");
        assertTrue(upright.getRaster().getSample(TestImages.W - 5, 4, 0) > 215);
    }

    @Test
    void reportsYbrFullForFullChromaAndYbrFull422ForSubsampledChroma() {
        CleanedPhoto full = clean(TestImages.jpeg(TestImages.scene(), TestImages.Chroma.FULL_444, false));
        CleanedPhoto subsampled = clean(TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, false));

        assertEquals("YBR_FULL", full.photometricInterpretation());
        assertEquals("YBR_FULL_422", subsampled.photometricInterpretation());
        assertFalse(full.source().reencoded());
        assertFalse(subsampled.source().reencoded());
    }

    @Test
    void reportsRgbForAdobeJpegWithoutColourTransform() {
        // Component ids 'R','G','B' and no JFIF: libjpeg and DICOM both read the samples as RGB.
        byte[] ycc = TestImages.jpeg(TestImages.scene(), TestImages.Chroma.FULL_444, false);
        byte[] rgbIds = withComponentIds(ycc, 'R', 'G', 'B');

        CleanedPhoto photo = clean(rgbIds);

        assertEquals("RGB", photo.photometricInterpretation());
        assertFalse(photo.source().reencoded());
    }

    /** Removes the JFIF APP0 and renames the frame's components. */
    private static byte[] withComponentIds(byte[] jpeg, int... ids) {
        int app0Length = ((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF);
        assertEquals(0xE0, jpeg[3] & 0xFF);
        byte[] out = TestImages.concat(new byte[] {(byte) 0xFF, (byte) 0xD8},
                java.util.Arrays.copyOfRange(jpeg, 4 + app0Length, jpeg.length));
        int sof = TestImages.indexOf(out, new byte[] {(byte) 0xFF, (byte) 0xC0}, 0);
        for (int i = 0; i < ids.length; i++) {
            out[sof + 10 + 3 * i] = (byte) ids[i];
        }
        int sos = TestImages.indexOf(out, new byte[] {(byte) 0xFF, (byte) 0xDA}, 0);
        for (int i = 0; i < ids.length; i++) {
            out[sos + 5 + 2 * i] = (byte) ids[i];
        }
        return out;
    }

    @Test
    void transcodedOutputDeclaresThePhotometricOfTheStreamItWrote() {
        BufferedImage stored = TestImages.storedFor(TestImages.scene(), 3);
        byte[] upload = TestImages.insertAfterSoi(TestImages.jpeg(stored, TestImages.Chroma.FULL_444, false),
                TestImages.richExif(3, true));

        CleanedPhoto photo = clean(upload);

        byte[] out = photo.pixelData();
        int sof = TestImages.indexOf(out, new byte[] {(byte) 0xFF, (byte) 0xC0}, 0);
        int lumaSampling = out[sof + 11] & 0xFF;
        String expected = lumaSampling == 0x11 ? "YBR_FULL" : "YBR_FULL_422";
        assertEquals(expected, photo.photometricInterpretation());
    }

    @Test
    void sha256IsOfTheUploadAsReceived() throws Exception {
        byte[] upload = TestImages.jpegWithAllMetadata(TestImages.scene(), 1);
        Path file = TestImages.write(dir, "photo.jpg", upload);

        CleanedPhoto photo = cleaner.clean(file, PhotoLimits.DEFAULT);

        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertEquals(expected, photo.source().sha256());
        assertEquals(PhotoFormat.JPEG, photo.source().format());
        assertEquals(8, photo.source().sourceBitsPerSample());
    }

    @Test
    void malformedExifIsIgnoredAndTheImageTreatedAsUpright() {
        var tiff = new TiffBuilder(true);
        tiff.ifd().shortValue(0x0112, 6).ascii(0x010F, "Canon-long-make-name").longValue(0x8769, 0x7FFF_FFF0L);
        byte[] good = tiff.build();
        // IFD0 offset points far outside the segment.
        byte[] outside = good.clone();
        outside[4] = 0x7F;
        byte[] hostile = TestImages.segment(0xE1, TestImages.concat(ascii("Exif\0\0"), outside));
        byte[] upload = TestImages.insertAfterSoi(TestImages.jpeg(TestImages.scene()), hostile);

        CleanedPhoto photo = clean(upload);

        assertEquals(1, photo.source().exifOrientation());
        assertFalse(photo.source().reencoded());
        assertEquals(TestImages.W, photo.columns());
        assertTrue(photo.source().removedSegments().contains("APP1/Exif"));
        assertEquals(Optional.empty(), photo.hints().manufacturer());
    }

    @Test
    void removesJfifThumbnail() {
        byte[] plain = TestImages.jpeg(TestImages.scene());
        int app0Length = ((plain[4] & 0xFF) << 8) | (plain[5] & 0xFF);
        byte[] thumbPixels = new byte[2 * 2 * 3];
        java.util.Arrays.fill(thumbPixels, (byte) 0x5A);
        byte[] jfif = TestImages.concat(ascii("JFIF\0"), new byte[] {1, 2, 0, 0, 1, 0, 1, 2, 2}, thumbPixels);
        byte[] upload = TestImages.concat(new byte[] {(byte) 0xFF, (byte) 0xD8}, TestImages.segment(0xE0, jfif),
                java.util.Arrays.copyOfRange(plain, 4 + app0Length, plain.length));

        CleanedPhoto photo = clean(upload);

        assertFalse(TestImages.contains(photo.pixelData(), thumbPixels));
        assertTrue(photo.source().removedSegments().contains("APP0/JFIF thumbnail"));
        assertTrue(TestImages.contains(photo.pixelData(), ascii("JFIF\0")), "JFIF itself is kept");
    }

    @Test
    void refusesBaselineStreamWhoseScanIsDamagedInsteadOfKeepingIt() {
        // Found by fuzzing: an upright baseline stream is kept byte for byte, so damage in its scan
        // would otherwise reach the PACS undetected. Here the scan stops halfway, then EOI.
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        byte[] scan = TestImages.entropyCodedData(jpeg);
        int scanStart = jpeg.length - 2 - scan.length;
        byte[] damaged = TestImages.concat(java.util.Arrays.copyOf(jpeg, scanStart + scan.length / 2),
                new byte[] {(byte) 0xFF, (byte) 0xD9});
        var refused = org.junit.jupiter.api.Assertions.assertThrows(PhotoRejectedException.class, () -> clean(damaged));
        assertEquals(PhotoRejectedException.Reason.CORRUPT, refused.reason());
        assertFalse(clean(jpeg).source().reencoded(), "the intact stream is still kept as it is");
    }

    @ParameterizedTest
    @ValueSource(ints = {0xC4, 0xDB})
    void refusesTableSegmentWithBytesBeyondItsTables(int marker) {
        // Tables are kept byte for byte: bytes after the tables a DHT or DQT declares would be a
        // hiding place for metadata, which the scan check of a kept stream (JpegScanCheck) refuses.
        byte[] jpeg = TestImages.jpeg(TestImages.scene());
        int pos = 2;
        while ((jpeg[pos + 1] & 0xFF) != marker) {
            pos += 2 + (((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF));
        }
        int end = pos + 2 + (((jpeg[pos + 2] & 0xFF) << 8) | (jpeg[pos + 3] & 0xFF));
        byte[] hidden = ascii(TestImages.GPS_DATUM);
        byte[] smuggled = TestImages.concat(java.util.Arrays.copyOf(jpeg, end), hidden,
                java.util.Arrays.copyOfRange(jpeg, end, jpeg.length));
        int length = end - pos - 2 + hidden.length;
        smuggled[pos + 2] = (byte) (length >> 8);
        smuggled[pos + 3] = (byte) length;
        var refused = org.junit.jupiter.api.Assertions.assertThrows(PhotoRejectedException.class, () -> clean(smuggled));
        assertEquals(PhotoRejectedException.Reason.CORRUPT, refused.reason());
    }
}
