package org.photobridge.gateway.photo;

import java.awt.Point;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * A decoder's destination that stores what is decoded directly in upright, interleaved 8-bit order,
 * so that decoding and orientation together hold one copy of the pixels (3 bytes a pixel for colour)
 * instead of three: the decoder writes the stored image, the sample model places each pixel where the
 * upright image has it, transposed for the orientations that exchange width and height, and the
 * remaining mirroring is done in place afterwards ({@link #upright()}).
 *
 * <p>Whole rows from the JDK's JPEG reader take a fast path; anything else goes through the sample
 * model, slower but just as exact.
 */
final class UprightRaster extends WritableRaster {

    private final Orientation orientation;
    private final int bands;
    private final int uprightWidth;
    private final int uprightHeight;
    private final boolean transposed;
    private final byte[] samples;

    private UprightRaster(ComponentSampleModel model, DataBufferByte buffer, Orientation orientation,
            int uprightWidth, int uprightHeight) {
        super(model, buffer, new Point(0, 0));
        this.orientation = orientation;
        this.bands = model.getNumBands();
        this.uprightWidth = uprightWidth;
        this.uprightHeight = uprightHeight;
        this.transposed = orientation.swapsDimensions();
        this.samples = buffer.getData();
    }

    /**
     * An image of the stored size whose pixels land in upright order.
     *
     * @param storedWidth  width of the image as decoded (before orientation)
     * @param storedHeight height of the image as decoded
     * @param bands        1 (gray) or 3 (sRGB)
     */
    static UprightRaster of(int storedWidth, int storedHeight, int bands, Orientation orientation) {
        if (bands != 1 && bands != 3) {
            throw new IllegalArgumentException("1 or 3 bands, not " + bands);
        }
        boolean swap = orientation.swapsDimensions();
        int uprightWidth = swap ? storedHeight : storedWidth;
        int uprightHeight = swap ? storedWidth : storedHeight;
        byte[] samples = new byte[Math.multiplyExact(Math.multiplyExact(storedWidth, storedHeight), bands)];
        int[] offsets = bands == 1 ? new int[] {0} : new int[] {0, 1, 2};
        // Stored (x, y) lives at upright (x, y), or at (y, x) when transposed; the flips come later.
        var model = swap
                ? new ComponentSampleModel(DataBuffer.TYPE_BYTE, storedWidth, storedHeight, uprightWidth * bands,
                        bands, offsets)
                : new ComponentSampleModel(DataBuffer.TYPE_BYTE, storedWidth, storedHeight, bands,
                        storedWidth * bands, offsets);
        return new UprightRaster(model, new DataBufferByte(samples, samples.length), orientation, uprightWidth,
                uprightHeight);
    }

    /** The image a decoder is given as its destination. */
    BufferedImage image() {
        var space = ColorSpace.getInstance(bands == 1 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        var model = new ComponentColorModel(space, false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(model, this, false, null);
    }

    @Override
    public void setRect(int dx, int dy, Raster source) {
        if (!copyRows(dx, dy, source)) {
            super.setRect(dx, dy, source);
        }
    }

    /** The fast path for whole interleaved byte rows; false when the source is of another kind. */
    private boolean copyRows(int dx, int dy, Raster source) {
        if (!(source.getSampleModel() instanceof PixelInterleavedSampleModel model)
                || !(source.getDataBuffer() instanceof DataBufferByte buffer)
                || buffer.getNumBanks() != 1 || source.getNumBands() != bands || model.getPixelStride() != bands) {
            return false;
        }
        int x0 = dx + source.getMinX();
        int y0 = dy + source.getMinY();
        int width = source.getWidth();
        int height = source.getHeight();
        if (x0 < getMinX() || y0 < getMinY() || x0 + width > getMinX() + getWidth()
                || y0 + height > getMinY() + getHeight()) {
            return false;
        }
        byte[] from = buffer.getData();
        int[] bandOffsets = model.getBandOffsets();
        int scanline = model.getScanlineStride();
        int base = buffer.getOffset() + model.getOffset(source.getMinX() - source.getSampleModelTranslateX(),
                source.getMinY() - source.getSampleModelTranslateY(), 0) - bandOffsets[0];
        for (int row = 0; row < height; row++) {
            int in = base + row * scanline;
            int y = y0 + row;
            if (!transposed) {
                int out = (y * uprightWidth + x0) * bands;
                for (int x = 0; x < width; x++, in += bands) {
                    for (int b = 0; b < bands; b++) {
                        samples[out++] = from[in + bandOffsets[b]];
                    }
                }
            } else {
                int step = uprightWidth * bands;
                int out = x0 * step + y * bands;
                for (int x = 0; x < width; x++, in += bands, out += step) {
                    for (int b = 0; b < bands; b++) {
                        samples[out + b] = from[in + bandOffsets[b]];
                    }
                }
            }
        }
        return true;
    }

    /** Finishes the orientation in place and returns the upright pixels (this raster is then spent). */
    PixelRaster upright() {
        switch (orientation) {
            case NORMAL, TRANSPOSE -> { }
            case MIRROR_HORIZONTAL, ROTATE_90_CW -> mirrorRows();
            case MIRROR_VERTICAL, ROTATE_270_CW -> swapRows();
            case ROTATE_180, TRANSVERSE -> {
                mirrorRows();
                swapRows();
            }
            default -> throw new IllegalStateException("orientation " + orientation);
        }
        return new PixelRaster(uprightWidth, uprightHeight, bands, samples);
    }

    private void mirrorRows() {
        for (int y = 0; y < uprightHeight; y++) {
            int left = y * uprightWidth * bands;
            int right = left + (uprightWidth - 1) * bands;
            for (; left < right; left += bands, right -= bands) {
                for (int b = 0; b < bands; b++) {
                    byte t = samples[left + b];
                    samples[left + b] = samples[right + b];
                    samples[right + b] = t;
                }
            }
        }
    }

    private void swapRows() {
        int rowBytes = uprightWidth * bands;
        byte[] row = new byte[rowBytes];
        for (int top = 0, bottom = uprightHeight - 1; top < bottom; top++, bottom--) {
            System.arraycopy(samples, top * rowBytes, row, 0, rowBytes);
            System.arraycopy(samples, bottom * rowBytes, samples, top * rowBytes, rowBytes);
            System.arraycopy(row, 0, samples, bottom * rowBytes, rowBytes);
        }
    }
}
