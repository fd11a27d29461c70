package org.photobridge.gateway.photo;

/**
 * Decoded 8-bit pixels, interleaved (R,G,B,R,G,B... or one gray sample per pixel), row by row.
 *
 * @param width           pixels per row
 * @param height          rows
 * @param samplesPerPixel 1 (gray) or 3 (RGB)
 * @param samples         width × height × samplesPerPixel bytes
 */
record PixelRaster(int width, int height, int samplesPerPixel, byte[] samples) {

    PixelRaster {
        if ((long) width * height * samplesPerPixel != samples.length) {
            throw new IllegalArgumentException("sample array does not match the raster's size");
        }
    }

    static PixelRaster blank(int width, int height, int samplesPerPixel) {
        return new PixelRaster(width, height, samplesPerPixel, new byte[Math.multiplyExact(
                Math.multiplyExact(width, height), samplesPerPixel)]);
    }
}
