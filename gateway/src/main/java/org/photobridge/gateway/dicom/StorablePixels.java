package org.photobridge.gateway.dicom;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;

/**
 * Pixels in a form the VL Photographic Image IOD accepts. The VL Image module enumerates
 * MONOCHROME2, RGB, YBR_FULL_422, YBR_PARTIAL_420, YBR_ICT and YBR_RCT, but not YBR_FULL, so a
 * JPEG without chroma subsampling (4:4:4) cannot be stored encapsulated and labelled truthfully.
 * Such a stream is decompressed once to native RGB: no further loss, the camera's lossy history
 * stays in Lossy Image Compression, and the object is still conformant.
 */
final class StorablePixels {

    private StorablePixels() {
    }

    static boolean mustDecode(CleanedPhoto photo) {
        return photo.encoding() == PixelEncoding.JPEG_BASELINE && "YBR_FULL".equals(photo.photometricInterpretation());
    }

    static CleanedPhoto of(CleanedPhoto photo) {
        if (!mustDecode(photo)) {
            return photo;
        }
        BufferedImage image = decode(photo.pixelData());
        if (image.getWidth() != photo.columns() || image.getHeight() != photo.rows()) {
            throw new IllegalArgumentException("JPEG decodes to " + image.getWidth() + "x" + image.getHeight()
                    + " but the photo says " + photo.columns() + "x" + photo.rows());
        }
        byte[] rgb = new byte[photo.columns() * photo.rows() * 3];
        var raster = image.getRaster();
        int[] row = new int[photo.columns() * 3];
        for (int y = 0, i = 0; y < photo.rows(); y++) {
            raster.getPixels(0, y, photo.columns(), 1, row);
            for (int value : row) {
                rgb[i++] = (byte) value;
            }
        }
        return new CleanedPhoto(PixelEncoding.NATIVE, rgb, photo.columns(), photo.rows(), 3, "RGB", 8, 8,
                photo.iccProfile(), photo.lossy(), photo.source(), photo.hints());
    }

    private static BufferedImage decode(byte[] jpeg) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(jpeg))) {
            Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                BufferedImage image = reader.read(0);
                if (image.getRaster().getNumBands() != 3) {
                    throw new IllegalArgumentException("YBR_FULL JPEG did not decode to three samples");
                }
                // Readers hand back BGR or RGB layouts; normalise through an RGB raster.
                var rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
                if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
                    rgb.getGraphics().drawImage(image, 0, 0, null);
                    return rgb;
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not decompress the 4:4:4 JPEG for native storage", e);
        }
    }
}
