package org.photobridge.gateway.photo;

/** Enforces {@link PhotoLimits} on dimensions read from a header, before any pixel is decoded. */
final class HeaderLimits {

    private HeaderLimits() {
    }

    static void enforce(long width, long height, PhotoLimits limits) {
        long pixels = width * height;
        if (pixels > limits.maxPixels()) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.TOO_MANY_PIXELS,
                    "image is " + width + " x " + height + " = " + pixels + " pixels; the limit is "
                            + limits.maxPixels());
        }
        if (width > limits.maxDimension() || height > limits.maxDimension()) {
            throw new PhotoRejectedException(PhotoRejectedException.Reason.TOO_MANY_PIXELS,
                    "image is " + width + " x " + height + " pixels; the limit for either side is "
                            + limits.maxDimension());
        }
    }
}
