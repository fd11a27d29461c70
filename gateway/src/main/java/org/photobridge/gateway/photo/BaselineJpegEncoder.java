package org.photobridge.gateway.photo;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The gateway's one JPEG encoder: 8-bit gray or RGB pixels as one baseline (process 1) JPEG stream,
 * written by the JDK's JPEG writer chosen by its class (docs/decisions.md, "One JPEG codec"). Used
 * by cleaning (transcoding) and by the viewer (renderings of native pixels, thumbnails).
 */
public final class BaselineJpegEncoder {

    private static final String JDK_WRITER = "com.sun.imageio.plugins.jpeg.JPEGImageWriter";

    private BaselineJpegEncoder() {
    }

    static byte[] encode(PixelRaster pixels, float quality) {
        return encode(wrap(pixels), quality);
    }

    /**
     * Encodes an 8-bit gray or colour image.
     *
     * @param quality 0..1, ImageIO's scale
     */
    public static byte[] encode(BufferedImage image, float quality) {
        ImageWriter writer = jdkWriter();
        long samples = (long) image.getWidth() * image.getHeight() * image.getColorModel().getNumComponents();
        var out = new ByteArrayOutputStream((int) Math.max(1024, Math.min(samples / 8, Integer.MAX_VALUE - 8)));
        try (var stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Views the raster's samples as a BufferedImage without copying them. */
    private static BufferedImage wrap(PixelRaster pixels) {
        int spp = pixels.samplesPerPixel();
        int[] bandOffsets = spp == 1 ? new int[] {0} : new int[] {0, 1, 2};
        var sampleModel = new PixelInterleavedSampleModel(DataBuffer.TYPE_BYTE, pixels.width(), pixels.height(),
                spp, pixels.width() * spp, bandOffsets);
        WritableRaster raster = Raster.createWritableRaster(sampleModel,
                new DataBufferByte(pixels.samples(), pixels.samples().length), null);
        var colorSpace = ColorSpace.getInstance(spp == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        var colorModel = new ComponentColorModel(colorSpace, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(colorModel, raster, false, null);
    }

    /**
     * The JDK writer, chosen by its class: it is known to write baseline JFIF with standard tables;
     * other registered writers (TwelveMonkeys registers one) may wrap it with different defaults.
     */
    private static ImageWriter jdkWriter() {
        ImageWriter found = null;
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter writer = it.next();
            if (found == null && writer.getClass().getName().equals(JDK_WRITER)) {
                found = writer;
            } else {
                writer.dispose();
            }
        }
        if (found == null) {
            throw new IllegalStateException("the JDK's JPEG writer (" + JDK_WRITER + ") is not available");
        }
        return found;
    }
}
