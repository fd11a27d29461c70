package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.photobridge.gateway.photo.TestImages.ascii;
import static org.photobridge.gateway.photo.TestImages.concat;
import static org.photobridge.gateway.photo.TestImages.pngChunk;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;

class PngCleaningTest {

    private final PhotoCleaner cleaner = new PhotoCleaner();

    @TempDir
    Path dir;

    private CleanedPhoto clean(byte[] upload) {
        return cleaner.clean(TestImages.write(dir, "upload", upload), PhotoLimits.DEFAULT);
    }

    /** 4 x 3 samples covering the whole 8-bit range, differing per channel. */
    private static byte[] ramp(int width, int height, int channels) {
        byte[] samples = new byte[width * height * channels];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (byte) (i * 37 + 11);
        }
        return samples;
    }

    @Test
    void keeps8BitRgbPixelsExactly() {
        byte[] samples = ramp(4, 3, 3);
        CleanedPhoto photo = clean(TestImages.png(4, 3, 8, 2, samples, List.of(), List.of()));

        assertEquals(PixelEncoding.NATIVE, photo.encoding());
        assertArrayEquals(samples, photo.pixelData());
        assertEquals("RGB", photo.photometricInterpretation());
        assertEquals(3, photo.samplesPerPixel());
        assertEquals(8, photo.bitsAllocated());
        assertEquals(8, photo.bitsStored());
        assertEquals(4, photo.columns());
        assertEquals(3, photo.rows());
        assertFalse(photo.lossy().applied());
        assertEquals(PhotoFormat.PNG, photo.source().format());
    }

    @Test
    void keeps8BitGrayAsMonochrome2Exactly() {
        byte[] samples = ramp(5, 2, 1);
        CleanedPhoto photo = clean(TestImages.png(5, 2, 8, 0, samples, List.of(), List.of()));

        assertArrayEquals(samples, photo.pixelData());
        assertEquals("MONOCHROME2", photo.photometricInterpretation());
        assertEquals(1, photo.samplesPerPixel());
    }

    @Test
    void compositesRgbaOntoWhite() {
        // opaque red, fully transparent black, half-transparent blue
        byte[] rgba = {(byte) 255, 0, 0, (byte) 255, 0, 0, 0, 0, 0, 0, (byte) 255, (byte) 128};
        CleanedPhoto photo = clean(TestImages.png(3, 1, 8, 6, rgba, List.of(), List.of()));

        int half = Math.round(255 * (127 / 255f)); // white showing through 127/255 of the pixel
        assertArrayEquals(new byte[] {(byte) 255, 0, 0, (byte) 255, (byte) 255, (byte) 255,
                (byte) half, (byte) half, (byte) 255}, photo.pixelData());
        assertEquals(3, photo.samplesPerPixel());
    }

    @Test
    void compositesGrayAlphaOntoWhiteAndStaysGray() {
        byte[] ga = {10, (byte) 255, 10, 0};
        CleanedPhoto photo = clean(TestImages.png(2, 1, 8, 4, ga, List.of(), List.of()));

        assertArrayEquals(new byte[] {10, (byte) 255}, photo.pixelData());
        assertEquals("MONOCHROME2", photo.photometricInterpretation());
    }

    @Test
    void compositesTheTrnsTransparentColourOntoWhite() {
        byte[] transparentRed = pngChunk("tRNS", new byte[] {0, (byte) 255, 0, 0, 0, 0});
        byte[] rgb = {(byte) 255, 0, 0, 1, 2, 3};

        CleanedPhoto photo = clean(TestImages.png(2, 1, 8, 2, rgb, List.of(transparentRed), List.of()));

        assertArrayEquals(new byte[] {(byte) 255, (byte) 255, (byte) 255, 1, 2, 3}, photo.pixelData());
    }

    @Test
    void scalesOneBitGrayToTheFullEightBitRange() {
        CleanedPhoto photo = clean(TestImages.png(3, 1, 1, 0, new byte[] {(byte) 0b1010_0000}, List.of(), List.of()));

        assertArrayEquals(new byte[] {(byte) 255, 0, (byte) 255}, photo.pixelData());
        assertEquals(1, photo.source().sourceBitsPerSample());
    }

    @Test
    void rounds16BitGrayTo8Bits() {
        int[] values = {0, 65535, 257 * 100, 32896, 128, 127};
        byte[] samples = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            samples[2 * i] = (byte) (values[i] >> 8);
            samples[2 * i + 1] = (byte) values[i];
        }
        CleanedPhoto photo = clean(TestImages.png(values.length, 1, 16, 0, samples, List.of(), List.of()));

        byte[] expected = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            expected[i] = (byte) Math.round(values[i] * 255.0 / 65535.0);
        }
        assertArrayEquals(expected, photo.pixelData());
        assertEquals(8, photo.bitsStored());
        assertEquals(16, photo.source().sourceBitsPerSample());
    }

    @Test
    void rounds16BitRgbTo8Bits() {
        int[] values = {65535, 0, 257 * 200, 1000, 40000, 65000};
        byte[] samples = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            samples[2 * i] = (byte) (values[i] >> 8);
            samples[2 * i + 1] = (byte) values[i];
        }
        CleanedPhoto photo = clean(TestImages.png(2, 1, 16, 2, samples, List.of(), List.of()));

        byte[] expected = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            expected[i] = (byte) Math.round(values[i] * 255.0 / 65535.0);
        }
        assertArrayEquals(expected, photo.pixelData());
        assertEquals("RGB", photo.photometricInterpretation());
        assertEquals(16, photo.source().sourceBitsPerSample());
    }

    @Test
    void expandsPaletteToRgbExactly() {
        byte[] palette = {10, 20, 30, (byte) 200, (byte) 100, 50, 0, (byte) 255, 0};
        byte[] indices = {0, 1, 2, 1};
        CleanedPhoto photo = clean(TestImages.png(2, 2, 8, 3, indices,
                List.of(pngChunk("PLTE", palette)), List.of()));

        assertArrayEquals(new byte[] {10, 20, 30, (byte) 200, 100, 50, 0, (byte) 255, 0, (byte) 200, 100, 50},
                photo.pixelData());
        assertEquals("RGB", photo.photometricInterpretation());
    }

    @Test
    void acceptsAdam7InterlacedPng() {
        BufferedImage scene = TestImages.scene();
        byte[] upload = TestImages.imageIoPng(scene, true);
        assertEquals(1, upload[8 + 8 + 12], "the test file is interlaced");

        CleanedPhoto photo = clean(upload);

        byte[] px = photo.pixelData();
        for (int[] xy : new int[][] {{0, 0}, {TestImages.W - 1, 0}, {TestImages.W - 1, TestImages.H - 1}, {30, 20}}) {
            int rgb = scene.getRGB(xy[0], xy[1]);
            int i = (xy[1] * TestImages.W + xy[0]) * 3;
            assertArrayEquals(new byte[] {(byte) (rgb >> 16), (byte) (rgb >> 8), (byte) rgb},
                    new byte[] {px[i], px[i + 1], px[i + 2]});
        }
    }

    @Test
    void removesTextTimeAndExifChunksAndNamesThem() {
        byte[] text = pngChunk("tEXt", concat(ascii("Comment\0"), ascii(TestImages.COMMENT)));
        byte[] ztxt = pngChunk("zTXt", concat(ascii("Author\0\0"), TestImages.deflate(ascii(TestImages.ARTIST))));
        byte[] itxt = pngChunk("iTXt", concat(ascii("Description\0\0\0\0\0"), ascii(TestImages.XMP_CREATOR)));
        byte[] time = pngChunk("tIME", new byte[] {0x07, (byte) 0xEA, 11, 20, 10, 11, 12});
        byte[] samples = ramp(2, 2, 3);

        CleanedPhoto photo = clean(TestImages.png(2, 2, 8, 2, samples, List.of(text, ztxt, time), List.of(itxt)));

        assertArrayEquals(samples, photo.pixelData());
        assertEquals(List.of("tEXt", "zTXt", "tIME", "iTXt"), photo.source().removedSegments());
    }

    @Test
    void honoursExifOrientationInPngAndReadsItsHints() {
        BufferedImage stored = TestImages.storedFor(TestImages.scene(), 6);
        byte[] png = TestImages.imageIoPng(stored, false);
        byte[] exif = TestImages.richExif(6, false);
        byte[] tiff = java.util.Arrays.copyOfRange(exif, 4 + 6, exif.length); // drop marker, length, "Exif\0\0"
        byte[] upload = insertBeforeIdat(png, pngChunk("eXIf", tiff));

        CleanedPhoto photo = clean(upload);

        assertEquals(TestImages.W, photo.columns());
        assertEquals(TestImages.H, photo.rows());
        assertEquals(6, photo.source().exifOrientation());
        assertTrue(photo.source().removedSegments().contains("eXIf"));
        assertEquals(Optional.of("Canon"), photo.hints().manufacturer());
        var upright = new BufferedImage(photo.columns(), photo.rows(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] px = photo.pixelData();
        for (int y = 0; y < photo.rows(); y++) {
            for (int x = 0; x < photo.columns(); x++) {
                int i = (y * photo.columns() + x) * 3;
                upright.setRGB(x, y, ((px[i] & 0xFF) << 16) | ((px[i + 1] & 0xFF) << 8) | (px[i + 2] & 0xFF));
            }
        }
        JpegCleaningTest.assertUprightScene(upright);
    }

    @Test
    void extractsIccpProfile() throws Exception {
        byte[] profile = TestImages.srgbProfile();
        var zlib = new ByteArrayOutputStream();
        try (var deflate = new DeflaterOutputStream(zlib)) {
            deflate.write(profile);
        }
        byte[] iccp = pngChunk("iCCP", concat(ascii("sRGB IEC61966-2.1\0\0"), zlib.toByteArray()));

        CleanedPhoto photo = clean(TestImages.png(2, 2, 8, 2, ramp(2, 2, 3), List.of(iccp), List.of()));

        assertArrayEquals(profile, photo.iccProfile().orElseThrow());
        assertTrue(photo.source().removedSegments().contains("iCCP"));
    }

    @Test
    void ignoresIccpProfileThatDoesNotFitTheImage() throws Exception {
        var zlib = new ByteArrayOutputStream();
        try (var deflate = new DeflaterOutputStream(zlib)) {
            deflate.write(TestImages.srgbProfile());
        }
        byte[] iccp = pngChunk("iCCP", concat(ascii("rgb\0\0"), zlib.toByteArray()));

        CleanedPhoto photo = clean(TestImages.png(2, 2, 8, 0, ramp(2, 2, 1), List.of(iccp), List.of()));

        assertEquals(Optional.empty(), photo.iccProfile(), "an RGB profile on a gray image would mislead viewers");
    }

    static byte[] insertBeforeIdat(byte[] png, byte[] chunk) {
        int idat = TestImages.indexOf(png, ascii("IDAT"), 0) - 4;
        return concat(java.util.Arrays.copyOfRange(png, 0, idat), chunk,
                java.util.Arrays.copyOfRange(png, idat, png.length));
    }
}
