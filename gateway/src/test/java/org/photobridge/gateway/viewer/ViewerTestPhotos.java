package org.photobridge.gateway.viewer;

import java.awt.Color;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.photobridge.gateway.dicom.PhotoInstance;
import org.photobridge.gateway.dicom.UidGenerator;
import org.photobridge.gateway.dicom.VlPhotoWriter;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.CleanedPhoto.CaptureHints;
import org.photobridge.gateway.photo.CleanedPhoto.LossyCompression;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;
import org.photobridge.gateway.photo.CleanedPhoto.SourceFacts;
import org.photobridge.gateway.photo.PhotoFormat;

/** VL photos made by the viewer tests: an asymmetric four-colour pattern, wrapped by the real writer. */
public final class ViewerTestPhotos {
    /** Top-left, top-right, bottom-left, bottom-right. */
    public static final Color[] QUADRANTS = {new Color(220, 30, 30), new Color(30, 200, 40), new Color(30, 40, 210),
            new Color(240, 240, 240)};
    public static final int[] GRAY_QUADRANTS = {20, 90, 160, 235};

    private ViewerTestPhotos() {
    }

    public static BufferedImage pattern(int width, int height, boolean gray) {
        var image = new BufferedImage(width, height, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int q = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1);
                if (gray) {
                    image.getRaster().setSample(x, y, 0, GRAY_QUADRANTS[q]);
                } else {
                    image.setRGB(x, y, QUADRANTS[q].getRGB());
                }
            }
        }
        return image;
    }

    public static CleanedPhoto jpeg(int width, int height, boolean gray, boolean icc) {
        byte[] jpeg = jpegBytes(pattern(width, height, gray));
        return new CleanedPhoto(PixelEncoding.JPEG_BASELINE, jpeg, width, height, gray ? 1 : 3,
                gray ? "MONOCHROME2" : "YBR_FULL_422", 8, 8, iccProfile(icc),
                new LossyCompression(true, List.of("ISO_10918_1"), List.of(10.0)), source(PhotoFormat.JPEG, false),
                CaptureHints.none());
    }

    public static CleanedPhoto nativePixels(int width, int height, boolean gray, boolean icc) {
        BufferedImage image = pattern(width, height, gray);
        int samples = gray ? 1 : 3;
        byte[] data = new byte[width * height * samples];
        int i = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (gray) {
                    data[i++] = (byte) image.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = image.getRGB(x, y);
                    data[i++] = (byte) (rgb >> 16);
                    data[i++] = (byte) (rgb >> 8);
                    data[i++] = (byte) rgb;
                }
            }
        }
        return new CleanedPhoto(PixelEncoding.NATIVE, data, width, height, samples, gray ? "MONOCHROME2" : "RGB", 8, 8,
                iccProfile(icc), LossyCompression.none(), source(PhotoFormat.PNG, true), CaptureHints.none());
    }

    /** The Part 10 bytes VlPhotoWriter makes for the photo. */
    public static byte[] part10(CleanedPhoto photo, PhotoInstance instance) {
        try {
            var out = new ByteArrayOutputStream();
            new VlPhotoWriter().write(photo, instance, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PhotoInstance instance(UidGenerator uids) {
        return new PhotoInstance(
                new PhotoInstance.Patient(new PhotoInstance.Identifier("urn:oid:1.2.3.4.5", "MRN-VIEW-1"),
                        Optional.of("Viewer^Vera"), Optional.of("1975-05-05"), Optional.of("F")),
                new PhotoInstance.Identifier("urn:oid:1.2.3.4.6", "ENC-VIEW-1"),
                "dermatology",
                List.of("dermatology"),
                new PhotoInstance.Code("http://snomed.info/sct", "368209003", "Right arm"),
                "R",
                Optional.empty(),
                Optional.empty(),
                Optional.of(Instant.parse("2026-11-20T10:11:12Z")),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                new PhotoInstance.Uids(uids.next(), uids.next(), uids.next()),
                1,
                1,
                Instant.parse("2026-11-20T09:00:00Z"));
    }

    private static Optional<byte[]> iccProfile(boolean icc) {
        return icc ? Optional.of(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData()) : Optional.empty();
    }

    private static SourceFacts source(PhotoFormat format, boolean reencoded) {
        return new SourceFacts(format, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 0, 0, 1,
                reencoded, List.of());
    }

    private static byte[] jpegBytes(BufferedImage image) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            var bytes = new ByteArrayOutputStream();
            try (var out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            writer.dispose();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
