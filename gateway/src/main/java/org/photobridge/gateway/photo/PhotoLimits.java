package org.photobridge.gateway.photo;

/**
 * Limits enforced before any pixel is decoded.
 *
 * @param maxPixels    largest width × height accepted
 * @param maxDimension largest width or height accepted (DICOM Rows/Columns are 16-bit: at most 65535)
 * @param maxJpegScans most scans a JPEG may have (progressive streams have about ten)
 */
public record PhotoLimits(long maxPixels, int maxDimension, int maxJpegScans) {
    public static final int DEFAULT_MAX_JPEG_SCANS = 100;
    public static final PhotoLimits DEFAULT = new PhotoLimits(250_000_000L, 65_535, DEFAULT_MAX_JPEG_SCANS);

    public PhotoLimits {
        if (maxPixels < 1 || maxDimension < 1 || maxJpegScans < 1) {
            throw new IllegalArgumentException("photo limits must be positive");
        }
    }

    /** Limits with the default scan limit. */
    public PhotoLimits(long maxPixels, int maxDimension) {
        this(maxPixels, maxDimension, DEFAULT_MAX_JPEG_SCANS);
    }
}
