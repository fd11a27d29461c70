package org.photobridge.gateway.photo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

/**
 * Cleaning reads the JPEG frame header once and decides once how DICOM stores the pixels; the
 * cleaned photo carries both, and the one JPEG decoder does what every caller needs of it.
 */
class PixelStorageDecisionTest {

    private final PhotoCleaner cleaner = new PhotoCleaner();

    @TempDir
    Path dir;

    private CleanedPhoto clean(byte[] upload) {
        return cleaner.clean(TestImages.write(dir, "upload", upload), PhotoLimits.DEFAULT);
    }

    private static byte[] damaged(byte[] jpeg) {
        byte[] copy = jpeg.clone();
        int sos = TestImages.lastIndexOf(copy, new byte[] {(byte) 0xFF, (byte) 0xDA});
        for (int i = sos + 20; i < sos + 200; i++) {
            if (copy[i] != (byte) 0xFF && copy[i - 1] != (byte) 0xFF) {
                copy[i] = 0x13;
            }
        }
        return copy;
    }

    @Test
    void subsampledJpegKeptAsIsIsStoredEncapsulatedAsJpegBaseline() {
        CleanedPhoto photo = clean(TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, false));

        assertEquals(new PixelStorage(PixelStorage.Form.ENCAPSULATED_JPEG, "YBR_FULL_422", "1.2.840.10008.1.2.4.50"),
                photo.storage());
        assertSame(photo.pixelData(), photo.storedPixelData(), "the cleaned stream is stored as it is");
    }

    @Test
    void fullChromaJpegIsStoredAsNativeRgbDecodedFromTheCleanedStream() {
        CleanedPhoto photo = clean(TestImages.jpeg(TestImages.scene(), TestImages.Chroma.FULL_444, false));

        assertEquals("YBR_FULL", photo.photometricInterpretation(), "what the kept stream holds");
        assertEquals(new PixelStorage(PixelStorage.Form.NATIVE_DECODED_FROM_JPEG, "RGB", "1.2.840.10008.1.2.1"),
                photo.storage());
        BufferedImage decoded = TestImages.decode(photo.pixelData());
        byte[] rgb = photo.storedPixelData();
        assertEquals(TestImages.W * TestImages.H * 3, rgb.length);
        int x = TestImages.W / 3;
        int y = TestImages.H / 2;
        int argb = decoded.getRGB(x, y);
        int at = (y * TestImages.W + x) * 3;
        assertArrayEquals(new byte[] {(byte) (argb >> 16), (byte) (argb >> 8), (byte) argb},
                new byte[] {rgb[at], rgb[at + 1], rgb[at + 2]});
    }

    @Test
    void pngIsStoredAsItsNativeSamples() {
        CleanedPhoto photo = clean(TestImages.imageIoPng(TestImages.scene(), false));

        assertEquals(new PixelStorage(PixelStorage.Form.NATIVE, "RGB", "1.2.840.10008.1.2.1"), photo.storage());
        assertEquals(Optional.empty(), photo.jpegFrame());
    }

    @Test
    void cleaningCarriesTheFrameHeaderOfTheStreamItKeptOrWrote() {
        byte[] kept = TestImages.jpeg(TestImages.scene(), TestImages.Chroma.SUBSAMPLED_420, false);
        byte[] rotated = TestImages.jpegWithAllMetadata(TestImages.storedFor(TestImages.scene(), 6), 6);

        for (CleanedPhoto photo : new CleanedPhoto[] {clean(kept), clean(rotated)}) {
            JpegFrame frame = photo.jpegFrame().orElseThrow();
            assertEquals(JpegFrame.of(photo.pixelData()), frame);
            assertTrue(frame.isBaseline());
            assertEquals(photo.columns(), frame.width());
            assertEquals(photo.rows(), frame.height());
            assertTrue(frame.chromaSubsampled());
        }
    }

    @Test
    void aCleanedPhotoCannotCarryAnotherStorageThanTheDecision() {
        CleanedPhoto photo = clean(TestImages.jpeg(TestImages.scene(), TestImages.Chroma.FULL_444, false));
        var encapsulated = new PixelStorage(PixelStorage.Form.ENCAPSULATED_JPEG, "YBR_FULL", PixelStorage.JPEG_BASELINE);

        assertThrows(IllegalArgumentException.class, () -> new CleanedPhoto(photo.encoding(), photo.pixelData(),
                photo.columns(), photo.rows(), photo.samplesPerPixel(), photo.photometricInterpretation(), 8, 8,
                photo.iccProfile(), photo.lossy(), photo.source(), photo.hints(), photo.jpegFrame(), encapsulated));
    }

    @Test
    void damagedFullChromaStreamIsRefusedWhenItsPixelsAreDecodedForStorage() {
        CleanedPhoto photo = clean(damaged(TestImages.jpeg(TestImages.scene(), TestImages.Chroma.FULL_444, false)));

        PhotoRejectedException e = assertThrows(PhotoRejectedException.class, photo::storedPixelData);
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void decoderRefusesAStreamOfAnotherSizeThanExpected() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());

        var e = assertThrows(PhotoRejectedException.class,
                () -> ImageDecoder.readJpeg(jpeg, TestImages.W + 1, TestImages.H, 1));
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains(TestImages.W + "x" + TestImages.H), e.getMessage());
    }

    @Test
    void decoderReadsEveryNthPixelWhenAskedTo() {
        byte[] jpeg = TestImages.jpeg(TestImages.scene());

        BufferedImage half = ImageDecoder.readJpeg(jpeg, TestImages.W, TestImages.H, 2);

        assertEquals((TestImages.W + 1) / 2, half.getWidth());
        assertEquals((TestImages.H + 1) / 2, half.getHeight());
    }

    @Test
    void encoderWritesOneBaselineStream() {
        byte[] jpeg = BaselineJpegEncoder.encode(TestImages.scene(), 0.9f);

        assertEquals(java.util.List.of(0xC0), TestImages.sofMarkers(jpeg));
        assertEquals(TestImages.W, JpegFrame.of(jpeg).width());
    }
}
