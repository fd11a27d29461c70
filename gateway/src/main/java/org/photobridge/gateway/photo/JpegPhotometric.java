package org.photobridge.gateway.photo;

import java.util.Optional;

/**
 * Decides the DICOM Photometric Interpretation of a JPEG stream from its frame, JFIF and Adobe
 * markers, following libjpeg's rules for which colour space the samples are in.
 */
final class JpegPhotometric {

    static final String MONOCHROME2 = "MONOCHROME2";
    static final String RGB = "RGB";
    static final String YBR_FULL = "YBR_FULL";
    static final String YBR_FULL_422 = "YBR_FULL_422";

    private JpegPhotometric() {
    }

    /**
     * The photometric interpretation for a stream kept as is, or empty when its component layout has
     * no faithful DICOM equivalent (CMYK, odd subsampling, subsampled RGB) and it must be transcoded.
     *
     * @param adobeTransform the Adobe APP14 transform flag, or -1 when there is no Adobe segment
     */
    static Optional<String> of(JpegFrame frame, boolean jfif, int adobeTransform) {
        var components = frame.components();
        if (components.size() == 1) {
            return Optional.of(MONOCHROME2);
        }
        if (components.size() != 3) {
            return Optional.empty();
        }
        var y = components.get(0);
        boolean chromaFull = components.get(1).horizontalSampling() == 1 && components.get(1).verticalSampling() == 1
                && components.get(2).horizontalSampling() == 1 && components.get(2).verticalSampling() == 1;
        if (!chromaFull) {
            return Optional.empty();
        }
        boolean noSubsampling = y.horizontalSampling() == 1 && y.verticalSampling() == 1;
        if (isRgb(frame, jfif, adobeTransform)) {
            return noSubsampling ? Optional.of(RGB) : Optional.empty();
        }
        if (adobeTransform > 1) {
            return Optional.empty();
        }
        if (noSubsampling) {
            return Optional.of(YBR_FULL);
        }
        // 4:2:2 and 4:2:0 halve the chroma horizontally, which is what YBR_FULL_422 announces.
        boolean halvedHorizontally = y.horizontalSampling() == 2 && (y.verticalSampling() == 1 || y.verticalSampling() == 2);
        return halvedHorizontally ? Optional.of(YBR_FULL_422) : Optional.empty();
    }

    private static boolean isRgb(JpegFrame frame, boolean jfif, int adobeTransform) {
        if (jfif) {
            return false;
        }
        if (adobeTransform >= 0) {
            return adobeTransform == 0;
        }
        var c = frame.components();
        return c.get(0).id() == 'R' && c.get(1).id() == 'G' && c.get(2).id() == 'B';
    }
}
