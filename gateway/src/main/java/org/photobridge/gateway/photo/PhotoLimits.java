package org.photobridge.gateway.photo;

/**
 * Limits enforced before any pixel is decoded.
 *
 * @param maxPixels    largest width × height accepted
 * @param maxDimension largest width or height accepted (DICOM Rows/Columns are 16-bit: at most 65535)
 */
public record PhotoLimits(long maxPixels, int maxDimension) {
    public static final PhotoLimits DEFAULT = new PhotoLimits(250_000_000L, 65_535);
}
