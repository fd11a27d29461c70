package org.photobridge.gateway.photo;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns a decoded {@link BufferedImage} into an 8-bit gray or RGB {@link PixelRaster}: sample values
 * are taken as stored (no colour management), other bit depths are rescaled with rounding, palettes
 * are expanded, and transparent pixels are composited onto white.
 */
final class DecodedPixels {

    private static final int WHITE = 255;

    private DecodedPixels() {
    }

    /** One gray sample per pixel, exactly as decoded when the source is 8-bit. */
    static PixelRaster gray(BufferedImage image) {
        return flattenedOnWhite(image, 1);
    }

    /**
     * Three samples per pixel in sRGB as the decoder delivers them; images the decoder left in another
     * colour space (such as CMYK) are converted to sRGB.
     */
    static PixelRaster rgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (cm.getColorSpace().isCS_sRGB() && !(cm instanceof IndexColorModel)) {
            return flattenedOnWhite(image, 3);
        }
        int width = image.getWidth();
        int height = image.getHeight();
        PixelRaster out = PixelRaster.blank(width, height, 3);
        byte[] samples = out.samples();
        int[] row = new int[width];
        int i = 0;
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                samples[i++] = (byte) (argb >> 16);
                samples[i++] = (byte) (argb >> 8);
                samples[i++] = (byte) argb;
            }
        }
        return out;
    }

    /**
     * Exact samples reduced to 8 bits, with any alpha composited onto white.
     *
     * @param samplesPerPixel 1 for gray output, 3 for RGB; palette images use the palette's colours
     */
    static PixelRaster flattenedOnWhite(BufferedImage image, int samplesPerPixel) {
        int width = image.getWidth();
        int height = image.getHeight();
        PixelRaster out = PixelRaster.blank(width, height, samplesPerPixel);
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel palette) {
            expandPalette(palette, raster, out);
            return out;
        }
        int bands = raster.getNumBands();
        boolean alpha = cm.hasAlpha();
        int colourBands = bands - (alpha ? 1 : 0);
        if (colourBands != samplesPerPixel) {
            throw new IllegalStateException("decoded image has " + colourBands + " colour bands, expected " + samplesPerPixel);
        }
        long max = (1L << cm.getComponentSize(0)) - 1;
        long alphaMax = alpha ? (1L << cm.getComponentSize(bands - 1)) - 1 : 1;
        byte[] samples = out.samples();
        int[] row = new int[width * bands];
        int i = 0;
        for (int y = 0; y < height; y++) {
            raster.getPixels(0, y, width, 1, row);
            for (int x = 0; x < width; x++) {
                int p = x * bands;
                long a = alpha ? row[p + bands - 1] : alphaMax;
                for (int c = 0; c < colourBands; c++) {
                    samples[i++] = (byte) composite(row[p + c], max, a, alphaMax);
                }
            }
        }
        return out;
    }

    private static void expandPalette(IndexColorModel palette, Raster raster, PixelRaster out) {
        int width = out.width();
        int spp = out.samplesPerPixel();
        byte[] samples = out.samples();
        int[] row = new int[width];
        int i = 0;
        for (int y = 0; y < out.height(); y++) {
            raster.getSamples(0, y, width, 1, 0, row);
            for (int x = 0; x < width; x++) {
                int index = row[x];
                int a = palette.getAlpha(index);
                samples[i++] = (byte) composite(palette.getRed(index), 255, a, 255);
                if (spp == 3) {
                    samples[i++] = (byte) composite(palette.getGreen(index), 255, a, 255);
                    samples[i++] = (byte) composite(palette.getBlue(index), 255, a, 255);
                }
            }
        }
    }

    /**
     * value/max over white with opacity a/alphaMax, as an 8-bit sample rounded to nearest. With full
     * opacity this is plain rescaling: exact for 8-bit input, rounding for 16-bit.
     */
    static int composite(long value, long max, long a, long alphaMax) {
        long numerator = value * a * WHITE + (alphaMax - a) * max * WHITE;
        long denominator = max * alphaMax;
        return (int) ((numerator + denominator / 2) / denominator);
    }
}
