package org.photobridge.gateway.viewer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.PhotoLimits;

class PhotoRendererTest {

    private final UidGenerator uids = new UidGenerator(Optional.empty());
    private final PhotoRenderer renderer = new PhotoRenderer();

    private byte[] object(CleanedPhoto photo) {
        return ViewerTestPhotos.part10(photo, ViewerTestPhotos.instance(uids));
    }

    private static BufferedImage decode(byte[] jpeg) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        assertTrue(image != null, "output is a readable JPEG");
        return image;
    }

    private static boolean isJpeg(byte[] bytes) {
        return (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8
                && (bytes[bytes.length - 2] & 0xFF) == 0xFF && (bytes[bytes.length - 1] & 0xFF) == 0xD9;
    }

    private static void assertQuadrantColours(BufferedImage image, int tolerance) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][] centres = {{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}};
        for (int q = 0; q < 4; q++) {
            Color expected = ViewerTestPhotos.QUADRANTS[q];
            Color actual = new Color(image.getRGB(centres[q][0], centres[q][1]));
            String where = "quadrant " + q + ": expected " + expected + ", was " + actual;
            assertTrue(Math.abs(expected.getRed() - actual.getRed()) <= tolerance, where);
            assertTrue(Math.abs(expected.getGreen() - actual.getGreen()) <= tolerance, where);
            assertTrue(Math.abs(expected.getBlue() - actual.getBlue()) <= tolerance, where);
        }
    }

    private static void assertGrayQuadrants(BufferedImage image, int tolerance) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][] centres = {{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}};
        for (int q = 0; q < 4; q++) {
            int actual = image.getRaster().getSample(centres[q][0], centres[q][1], 0);
            assertTrue(Math.abs(ViewerTestPhotos.GRAY_QUADRANTS[q] - actual) <= tolerance,
                    "quadrant " + q + ": expected " + ViewerTestPhotos.GRAY_QUADRANTS[q] + ", was " + actual);
        }
    }

    // ---------------------------------------------------------------- JPEG Baseline objects

    @Test
    void renderedJpegPhotoIsTheEmbeddedStreamByteForByte() throws Exception {
        for (int width : new int[] {400, 401}) { // one stream length is likely odd, so padded in DICOM
            CleanedPhoto photo = ViewerTestPhotos.jpeg(width, 200, false, false);

            PhotoRenderer.Jpeg rendered = renderer.rendered(object(photo));

            assertArrayEquals(photo.pixelData(), rendered.bytes(), "width " + width);
            assertEquals(width, rendered.width());
            assertEquals(200, rendered.height());
        }
    }

    @Test
    void renderedJpegPhotoWithIccProfileCarriesTheProfile() throws Exception {
        CleanedPhoto photo = ViewerTestPhotos.jpeg(400, 200, false, true);

        byte[] rendered = renderer.rendered(object(photo)).bytes();

        assertTrue(new String(rendered, StandardCharsets.ISO_8859_1).contains("ICC_PROFILE\0"), "APP2 ICC_PROFILE added");
        assertTrue(isJpeg(rendered));
        assertEquals(400, decode(rendered).getWidth());
        assertQuadrantColours(decode(rendered), 12);
    }

    @Test
    void thumbnailOfColourJpegPhotoKeepsAspectRatioAndColours() throws Exception {
        PhotoRenderer.Jpeg thumbnail = renderer.thumbnail(object(ViewerTestPhotos.jpeg(1600, 800, false, false)), 256);

        BufferedImage image = decode(thumbnail.bytes());
        assertEquals(256, image.getWidth());
        assertEquals(128, image.getHeight());
        assertEquals(256, thumbnail.width());
        assertEquals(128, thumbnail.height());
        assertQuadrantColours(image, 14);
    }

    @Test
    void thumbnailOfPortraitMonochromeJpegPhoto() throws Exception {
        PhotoRenderer.Jpeg thumbnail = renderer.thumbnail(object(ViewerTestPhotos.jpeg(300, 900, true, false)), 120);

        BufferedImage image = decode(thumbnail.bytes());
        assertEquals(40, image.getWidth());
        assertEquals(120, image.getHeight());
        assertEquals(1, image.getRaster().getNumBands(), "stays grayscale");
        assertGrayQuadrants(image, 8);
    }

    @Test
    void outputHasNoExif() throws Exception {
        byte[] thumbnail = renderer.thumbnail(object(ViewerTestPhotos.jpeg(640, 480, false, false)), 256).bytes();
        byte[] rendered = renderer.rendered(object(ViewerTestPhotos.nativePixels(64, 48, false, false))).bytes();

        for (byte[] jpeg : new byte[][] {thumbnail, rendered}) {
            assertFalse(new String(jpeg, StandardCharsets.ISO_8859_1).contains("Exif\0"), "no EXIF APP1");
        }
    }

    // ---------------------------------------------------------------- native objects

    @Test
    void renderedNativeRgbPhotoIsAFullSizeJpegWithTheSameColours() throws Exception {
        PhotoRenderer.Jpeg rendered = renderer.rendered(object(ViewerTestPhotos.nativePixels(321, 157, false, false)));

        assertTrue(isJpeg(rendered.bytes()));
        BufferedImage image = decode(rendered.bytes());
        assertEquals(321, image.getWidth());
        assertEquals(157, image.getHeight());
        assertQuadrantColours(image, 12);
    }

    @Test
    void renderedNativeRgbPhotoWithIccProfileCarriesTheProfile() throws Exception {
        byte[] rendered = renderer.rendered(object(ViewerTestPhotos.nativePixels(64, 48, false, true))).bytes();

        String text = new String(rendered, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("ICC_PROFILE\0"), "APP2 ICC_PROFILE added");
        assertTrue(text.indexOf("JFIF") < text.indexOf("ICC_PROFILE"), "JFIF stays the first segment");
        assertQuadrantColours(decode(rendered), 12);
    }

    @Test
    void thumbnailOfNativeMonochromePhoto() throws Exception {
        PhotoRenderer.Jpeg thumbnail = renderer.thumbnail(object(ViewerTestPhotos.nativePixels(1000, 500, true, false)), 100);

        BufferedImage image = decode(thumbnail.bytes());
        assertEquals(100, image.getWidth());
        assertEquals(50, image.getHeight());
        assertGrayQuadrants(image, 6);
    }

    @Test
    void smallPhotoIsNotEnlargedForAThumbnail() throws Exception {
        PhotoRenderer.Jpeg thumbnail = renderer.thumbnail(object(ViewerTestPhotos.nativePixels(60, 30, false, false)), 256);

        assertEquals(60, decode(thumbnail.bytes()).getWidth());
        assertEquals(30, decode(thumbnail.bytes()).getHeight());
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void refusesPhotoOverThePixelLimitsBeforeDecoding() {
        var strict = new PhotoRenderer(new PhotoLimits(10_000, 65_535));
        byte[] object = object(ViewerTestPhotos.jpeg(200, 100, false, false));

        var e = assertThrows(UnrenderablePhotoException.class, () -> strict.thumbnail(object, 64));
        assertTrue(e.getMessage().contains("200x100"), e.getMessage());
        assertThrows(UnrenderablePhotoException.class, () -> strict.rendered(object));
    }

    @Test
    void refusesBytesThatAreNotDicom() {
        assertThrows(UnrenderablePhotoException.class,
                () -> renderer.rendered("not a dicom object at all".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void iccProfileIsNotAddedTwice() {
        byte[] jpeg = ViewerTestPhotos.jpeg(16, 16, false, false).pixelData();
        byte[] icc = new byte[] {1, 2, 3, 4};

        byte[] once = PhotoRenderer.withIccProfile(jpeg, icc);
        byte[] twice = PhotoRenderer.withIccProfile(once, icc);

        assertEquals(jpeg.length + 2 + 2 + 12 + 2 + 4, once.length);
        assertArrayEquals(once, twice);
    }
}
