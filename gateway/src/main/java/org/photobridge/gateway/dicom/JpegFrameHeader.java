package org.photobridge.gateway.dicom;

/**
 * The frame header (SOF) of a JPEG stream, read only to check that what we are about to label
 * JPEG Baseline really is baseline and matches the attributes we write. No validator notices a
 * progressive stream labelled as baseline, so this check is ours.
 */
record JpegFrameHeader(int sofMarker, int precision, int rows, int columns, int components,
        boolean chromaSubsampled) {

    static final int SOF0_BASELINE = 0xC0;

    boolean isBaseline() {
        return sofMarker == SOF0_BASELINE && precision == 8;
    }

    /**
     * Parses markers from SOI up to the first SOF.
     *
     * @throws IllegalArgumentException when the bytes are not a JPEG stream with a frame header
     */
    static JpegFrameHeader parse(byte[] jpeg) {
        if (jpeg.length < 4 || u8(jpeg, 0) != 0xFF || u8(jpeg, 1) != 0xD8) {
            throw new IllegalArgumentException("pixel data is not a JPEG stream (no SOI marker)");
        }
        int pos = 2;
        while (pos + 4 <= jpeg.length) {
            if (u8(jpeg, pos) != 0xFF) {
                throw new IllegalArgumentException("JPEG stream is malformed at byte " + pos);
            }
            int marker = u8(jpeg, pos + 1);
            if (marker == 0xFF) { // fill byte
                pos++;
                continue;
            }
            int length = (u8(jpeg, pos + 2) << 8) | u8(jpeg, pos + 3);
            boolean isSof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (isSof) {
                if (pos + 2 + length > jpeg.length || length < 8) {
                    throw new IllegalArgumentException("JPEG frame header is truncated");
                }
                int base = pos + 4;
                int components = u8(jpeg, base + 5);
                boolean subsampled = false;
                int firstSampling = -1;
                for (int c = 0; c < components; c++) {
                    int sampling = u8(jpeg, base + 6 + c * 3 + 1);
                    if (firstSampling < 0) {
                        firstSampling = sampling;
                    } else if (sampling != firstSampling) {
                        subsampled = true;
                    }
                }
                return new JpegFrameHeader(marker, u8(jpeg, base),
                        (u8(jpeg, base + 1) << 8) | u8(jpeg, base + 2),
                        (u8(jpeg, base + 3) << 8) | u8(jpeg, base + 4), components, subsampled);
            }
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            pos += 2 + length;
        }
        throw new IllegalArgumentException("JPEG stream has no frame header before its scan data");
    }

    private static int u8(byte[] bytes, int index) {
        return bytes[index] & 0xFF;
    }
}
