package org.photobridge.gateway.dicom;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.CleanedPhoto.CaptureHints;
import org.photobridge.gateway.photo.CleanedPhoto.LossyCompression;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;
import org.photobridge.gateway.photo.CleanedPhoto.SourceFacts;
import org.photobridge.gateway.photo.PhotoFormat;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Photos and request facts made by the tests themselves. */
final class TestPhotos {
    static final String SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    /** The kinds of cleaned photo the photo package can hand us. */
    enum Kind {
        JPEG_YBR_FULL_422(PixelEncoding.JPEG_BASELINE, "YBR_FULL_422", 3, false),
        JPEG_YBR_FULL_444(PixelEncoding.JPEG_BASELINE, "YBR_FULL", 3, false),
        JPEG_MONOCHROME2(PixelEncoding.JPEG_BASELINE, "MONOCHROME2", 1, false),
        JPEG_WITH_ICC_PROFILE(PixelEncoding.JPEG_BASELINE, "YBR_FULL_422", 3, true),
        NATIVE_RGB(PixelEncoding.NATIVE, "RGB", 3, false),
        NATIVE_RGB_WITH_ICC_PROFILE(PixelEncoding.NATIVE, "RGB", 3, true),
        NATIVE_MONOCHROME2(PixelEncoding.NATIVE, "MONOCHROME2", 1, false);

        final PixelEncoding encoding;
        final String photometric;
        final int samples;
        final boolean icc;

        Kind(PixelEncoding encoding, String photometric, int samples, boolean icc) {
            this.encoding = encoding;
            this.photometric = photometric;
            this.samples = samples;
            this.icc = icc;
        }
    }

    private TestPhotos() {
    }

    /** A smooth test pattern with some structure; odd sizes exercise padding. */
    static BufferedImage pattern(int width, int height, boolean gray) {
        var image = new BufferedImage(width, height, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = x * 255 / Math.max(1, width - 1);
                int g = y * 255 / Math.max(1, height - 1);
                int b = 128 + (int) (100 * Math.sin((x + y) / 9.0));
                if (gray) {
                    image.getRaster().setSample(x, y, 0, (r + g + b) / 3);
                } else {
                    image.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return image;
    }

    static CleanedPhoto photo(Kind kind) {
        return photo(kind, 161, 121);
    }

    static CleanedPhoto photo(Kind kind, int width, int height) {
        BufferedImage image = pattern(width, height, kind.samples == 1);
        Optional<byte[]> icc = kind.icc
                ? Optional.of(ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData())
                : Optional.empty();
        if (kind.encoding == PixelEncoding.JPEG_BASELINE) {
            int hSampling = kind == Kind.JPEG_YBR_FULL_444 ? 1 : 2;
            byte[] jpeg = jpeg(image, hSampling);
            double ratio = (double) width * height * kind.samples / jpeg.length;
            return new CleanedPhoto(PixelEncoding.JPEG_BASELINE, jpeg, width, height, kind.samples, kind.photometric,
                    8, 8, icc, new LossyCompression(true, List.of("ISO_10918_1"), List.of(ratio)),
                    source(PhotoFormat.JPEG, false, 1), CaptureHints.none());
        }
        return new CleanedPhoto(PixelEncoding.NATIVE, samples(image, kind.samples), width, height, kind.samples,
                kind.photometric, 8, 8, icc, LossyCompression.none(), source(PhotoFormat.PNG, true, 1),
                CaptureHints.none());
    }

    static SourceFacts source(PhotoFormat format, boolean reencoded, int orientation) {
        return new SourceFacts(format, SHA256, 0, 0, orientation, reencoded, List.of("APP1/Exif", "COM"));
    }

    /** Interleaved 8-bit samples, row by row, as CleanedPhoto's native encoding. */
    static byte[] samples(BufferedImage image, int samples) {
        return org.photobridge.gateway.photo.TestImages.samples(image, samples);
    }

    /**
     * A baseline JFIF stream from ImageIO. For colour, the luminance sampling factors decide the
     * chroma subsampling: 2x1 is 4:2:2, 1x1 is 4:4:4.
     */
    static byte[] jpeg(BufferedImage image, int lumaHorizontalSampling) {
        try {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            String format = "javax_imageio_jpeg_image_1.0";
            Element tree = (Element) metadata.getAsTree(format);
            NodeList components = tree.getElementsByTagName("componentSpec");
            for (int c = 0; c < components.getLength(); c++) {
                Element component = (Element) components.item(c);
                int factor = c == 0 ? lumaHorizontalSampling : 1;
                component.setAttribute("HsamplingFactor", Integer.toString(factor));
                component.setAttribute("VsamplingFactor", "1");
            }
            metadata.setFromTree(format, tree);
            var bytes = new ByteArrayOutputStream();
            try (var out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, metadata), param);
            }
            writer.dispose();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PhotoInstance instance(UidGenerator uids) {
        return new PhotoInstance(
                new PhotoInstance.Patient(new PhotoInstance.Identifier("urn:oid:1.2.3.4.5", "MRN-0042"),
                        Optional.of("Doe^Jane"), Optional.of("1980-01-31"), Optional.of("F")),
                new PhotoInstance.Identifier("urn:oid:1.2.3.4.6", "ENC-2026-118"),
                "plastic-surgery",
                List.of("plastic-surgery", "oncology"),
                new PhotoInstance.Code("http://snomed.info/sct", "76752008", "Breast"),
                "L",
                Optional.of("left-oblique-45"),
                Optional.of("breast-5-view"),
                Optional.of(Instant.parse("2026-11-20T10:11:12Z")),
                Optional.of("Apple"),
                Optional.of("iPhone 15 Pro"),
                Optional.of("Nurse^Nina"),
                new PhotoInstance.Uids(uids.next(), uids.next(), uids.next()),
                3,
                7,
                Instant.parse("2026-11-20T09:00:00Z"));
    }

    static CaptureHints hints() {
        return new CaptureHints(Optional.of(LocalDateTime.parse("2026-11-19T08:07:06")),
                Optional.of("Canon"), Optional.of("EOS R5"));
    }
}
