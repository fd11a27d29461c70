package org.photobridge.gateway.photo;

/**
 * The scan check of a JPEG that cleaning keeps as it is ({@link JpegScanCheck}), and the
 * marker-level cleaning around it, for the cleaning benchmark to time each alone. It lives in the photo package to reach the check without widening its
 * access; the stream is parsed once, here, so that only the check is timed.
 */
public final class KeptJpegScanCheck {

    private final JpegCleaner.Inspected inspected;

    public KeptJpegScanCheck(byte[] jpeg) {
        inspected = JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT);
        if (!inspected.keepAsIs()) {
            throw new IllegalArgumentException("cleaning does not keep this JPEG as it is, so it is not checked");
        }
    }

    /**
     * The check this one replaced, for reference: ImageIO decoding the kept stream 8 x 8 subsampled
     * (libjpeg still decodes, dequantises, transforms and converts every block).
     */
    public void runImageIoDecode() {
        ImageDecoder.readJpeg(JpegCleaner.withoutMetadata(inspected), inspected.frame().width(),
                inspected.frame().height(), 8);
    }

    /**
     * Marker-level cleaning alone, as cleaning does it for a kept photo but without the scan check:
     * the segments parsed, the metadata found, the stream rebuilt with the frame header, tables and
     * scans byte for byte. The benchmark's {@code cleanMarkers12mp}; never a way to accept a photo.
     */
    public static byte[] markerLevelOnly(byte[] jpeg) {
        JpegCleaner.Inspected inspected = JpegCleaner.inspect(jpeg, PhotoLimits.DEFAULT);
        if (!inspected.keepAsIs()) {
            throw new IllegalArgumentException("cleaning does not keep this JPEG as it is");
        }
        return JpegCleaner.withoutMetadata(inspected);
    }

    /** Checks every scan; throws {@link PhotoRejectedException} for a damaged stream. */
    public void run() {
        JpegScanCheck.requireComplete(inspected.stream(), inspected.frame());
    }
}
