package org.photobridge.gateway.photo;

import java.util.ArrayList;
import java.util.List;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

/**
 * A JPEG frame header (SOFn): coding process, sample precision, dimensions and components. The one
 * reader of JPEG frame headers in the gateway: cleaning reads it once and the cleaned photo carries
 * it to the DICOM writer.
 *
 * @param sofMarker  the SOF marker code, 0xC0..0xCF
 * @param precision  bits per sample
 * @param width      samples per line
 * @param height     lines (0 means "defined later by DNL")
 * @param components the frame's components in order
 */
public record JpegFrame(int sofMarker, int precision, int width, int height, List<Component> components) {

    /**
     * One component of the frame: identifier, sampling factors and the quantisation table its
     * samples were quantised with (0..3 where valid; the frame header may name any of 0..255).
     */
    public record Component(int id, int horizontalSampling, int verticalSampling, int quantTable) {
    }

    static final int BASELINE = 0xC0;
    static final int EXTENDED = 0xC1;
    static final int PROGRESSIVE = 0xC2;

    public JpegFrame {
        components = List.copyOf(components);
    }

    /**
     * Reads the frame header of a complete JPEG stream (SOI to EOI), for a stream that did not come
     * through cleaning.
     *
     * @throws PhotoRejectedException CORRUPT or UNSUPPORTED_VARIANT when the stream has no single,
     *                                well-formed frame header
     */
    public static JpegFrame of(byte[] jpeg) {
        JpegSegments stream = JpegSegments.parse(jpeg);
        return read(stream, locate(stream));
    }

    /** Reads the frame header from an SOF segment. */
    static JpegFrame read(JpegSegments stream, JpegSegments.Segment sof) {
        byte[] b = stream.bytes();
        int p = sof.payloadOffset();
        if (sof.payloadLength() < 6) {
            throw corrupt("the JPEG frame header is too short");
        }
        int precision = b[p] & 0xFF;
        int height = ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
        int width = ((b[p + 3] & 0xFF) << 8) | (b[p + 4] & 0xFF);
        int count = b[p + 5] & 0xFF;
        if (count == 0 || sof.payloadLength() != 6 + 3 * count) {
            throw corrupt("the JPEG frame header has an inconsistent component count");
        }
        if (width == 0) {
            throw corrupt("the JPEG frame header declares a width of 0");
        }
        var components = new ArrayList<Component>(count);
        for (int i = 0; i < count; i++) {
            int q = p + 6 + 3 * i;
            int h = (b[q + 1] & 0xFF) >> 4;
            int v = b[q + 1] & 0x0F;
            if (h < 1 || h > 4 || v < 1 || v > 4) {
                throw corrupt("the JPEG frame header has invalid sampling factors");
            }
            components.add(new Component(b[q] & 0xFF, h, v, b[q + 2] & 0xFF));
        }
        return new JpegFrame(sof.marker(), precision, width, height, components);
    }

    /**
     * The stream's one SOF segment, which must come before the first scan.
     *
     * @throws PhotoRejectedException UNSUPPORTED_VARIANT for several frames (hierarchical JPEG),
     *                                CORRUPT for no frame header or no scan
     */
    static JpegSegments.Segment locate(JpegSegments stream) {
        JpegSegments.Segment sof = null;
        boolean scan = false;
        for (JpegSegments.Segment segment : stream.segments()) {
            if (segment.isSof()) {
                if (sof != null) {
                    throw new PhotoRejectedException(Reason.UNSUPPORTED_VARIANT,
                            "the JPEG has more than one frame (hierarchical JPEG); only single-frame JPEG is accepted");
                }
                sof = segment;
            } else if (segment.marker() == JpegSegments.SOS) {
                if (sof == null) {
                    throw corrupt("the JPEG has image data before its frame header");
                }
                scan = true;
            }
        }
        if (sof == null) {
            throw corrupt("the JPEG has no frame header (SOF marker)");
        }
        if (!scan) {
            throw corrupt("the JPEG has no image data (SOS marker)");
        }
        return sof;
    }

    /** True for an 8-bit baseline (process 1) frame: what DICOM JPEG Baseline may hold. */
    public boolean isBaseline() {
        return sofMarker == BASELINE && precision == 8;
    }

    /** True when some component is sampled differently from the first (chroma subsampling). */
    public boolean chromaSubsampled() {
        Component first = components.get(0);
        return components.stream().anyMatch(c -> c.horizontalSampling() != first.horizontalSampling()
                || c.verticalSampling() != first.verticalSampling());
    }

    /** True for the Huffman sequential and progressive processes that ImageIO can decode. */
    boolean isHuffmanNonDifferential() {
        return sofMarker == BASELINE || sofMarker == EXTENDED || sofMarker == PROGRESSIVE;
    }

    String processName() {
        return switch (sofMarker) {
            case 0xC0 -> "baseline";
            case 0xC1 -> "extended sequential";
            case 0xC2 -> "progressive";
            case 0xC3 -> "lossless";
            case 0xC5, 0xC6, 0xC7 -> "hierarchical (differential)";
            case 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF -> "arithmetic-coded";
            default -> String.format("SOF 0x%02X", sofMarker);
        };
    }

    private static PhotoRejectedException corrupt(String message) {
        return new PhotoRejectedException(Reason.CORRUPT, message);
    }
}
