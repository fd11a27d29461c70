package org.photobridge.gateway.photo;

/**
 * The eight EXIF orientations and the pixel transform that makes a stored image upright.
 */
enum Orientation {
    NORMAL(1), MIRROR_HORIZONTAL(2), ROTATE_180(3), MIRROR_VERTICAL(4),
    TRANSPOSE(5), ROTATE_90_CW(6), TRANSVERSE(7), ROTATE_270_CW(8);

    private final int exifValue;

    Orientation(int exifValue) {
        this.exifValue = exifValue;
    }

    /** The orientation for an EXIF value; anything outside 1..8 is treated as normal. */
    static Orientation fromExif(int value) {
        return value >= 1 && value <= 8 ? values()[value - 1] : NORMAL;
    }

    int exifValue() {
        return exifValue;
    }

    /** True when the upright image has width and height exchanged (values 5..8). */
    boolean swapsDimensions() {
        return exifValue >= 5;
    }

    /** Returns the upright raster; the input is left unchanged (and returned as is for NORMAL). */
    PixelRaster apply(PixelRaster stored) {
        if (this == NORMAL) {
            return stored;
        }
        int w = stored.width();
        int h = stored.height();
        int spp = stored.samplesPerPixel();
        int outWidth = swapsDimensions() ? h : w;
        int outHeight = swapsDimensions() ? w : h;
        PixelRaster upright = PixelRaster.blank(outWidth, outHeight, spp);
        byte[] src = stored.samples();
        byte[] dst = upright.samples();
        int srcIndex = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int dx;
                int dy;
                switch (this) {
                    case MIRROR_HORIZONTAL -> { dx = w - 1 - x; dy = y; }
                    case ROTATE_180 -> { dx = w - 1 - x; dy = h - 1 - y; }
                    case MIRROR_VERTICAL -> { dx = x; dy = h - 1 - y; }
                    case TRANSPOSE -> { dx = y; dy = x; }
                    case ROTATE_90_CW -> { dx = h - 1 - y; dy = x; }
                    case TRANSVERSE -> { dx = h - 1 - y; dy = w - 1 - x; }
                    case ROTATE_270_CW -> { dx = y; dy = w - 1 - x; }
                    default -> throw new IllegalStateException();
                }
                int dstIndex = (dy * outWidth + dx) * spp;
                for (int s = 0; s < spp; s++) {
                    dst[dstIndex + s] = src[srcIndex++];
                }
            }
        }
        return upright;
    }
}
