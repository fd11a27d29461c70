package org.photobridge.gateway.photo;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Extracts embedded ICC profiles (JPEG APP2 chunks, PNG iCCP) and checks that they are usable. */
final class IccProfiles {

    /** Larger than any real profile; bounds what a hostile iCCP chunk can inflate to. */
    static final int MAX_PROFILE_BYTES = 4 * 1024 * 1024;

    private static final int JPEG_HEADER = "ICC_PROFILE\0".length() + 2;

    private IccProfiles() {
    }

    /** The colour family an image's pixels are in, to match a profile against. */
    enum Family {
        GRAY(ColorSpace.TYPE_GRAY), RGB(ColorSpace.TYPE_RGB), CMYK(ColorSpace.TYPE_CMYK);

        private final int colorSpaceType;

        Family(int colorSpaceType) {
            this.colorSpaceType = colorSpaceType;
        }
    }

    /**
     * Reassembles a profile split over APP2 "ICC_PROFILE" segments (1-based sequence numbers, each
     * chunk stating the total). Empty when chunks are missing, duplicated or inconsistent.
     */
    static Optional<byte[]> fromJpegChunks(JpegSegments stream, List<JpegSegments.Segment> chunks) {
        if (chunks.isEmpty() || chunks.size() > 255) {
            return Optional.empty();
        }
        int total = -1;
        JpegSegments.Segment[] ordered = new JpegSegments.Segment[chunks.size()];
        for (JpegSegments.Segment chunk : chunks) {
            if (chunk.payloadLength() < JPEG_HEADER) {
                return Optional.empty();
            }
            int sequence = stream.payloadByte(chunk, JPEG_HEADER - 2);
            int count = stream.payloadByte(chunk, JPEG_HEADER - 1);
            if (total == -1) {
                total = count;
            }
            if (count != total || count != chunks.size() || sequence < 1 || sequence > count
                    || ordered[sequence - 1] != null) {
                return Optional.empty();
            }
            ordered[sequence - 1] = chunk;
        }
        var profile = new ByteArrayOutputStream();
        for (JpegSegments.Segment chunk : ordered) {
            profile.write(stream.bytes(), chunk.payloadOffset() + JPEG_HEADER, chunk.payloadLength() - JPEG_HEADER);
        }
        return Optional.of(profile.toByteArray());
    }

    /**
     * Inflates the profile in a PNG iCCP chunk (name, NUL, method 0, zlib data), bounded by
     * {@link #MAX_PROFILE_BYTES}. Empty when malformed.
     */
    static Optional<byte[]> fromPngIccp(byte[] bytes, int offset, int length) {
        int nameEnd = -1;
        for (int i = 0; i < Math.min(length, 80); i++) {
            if (bytes[offset + i] == 0) {
                nameEnd = i;
                break;
            }
        }
        if (nameEnd < 1 || nameEnd + 2 > length || bytes[offset + nameEnd + 1] != 0) {
            return Optional.empty();
        }
        var inflater = new Inflater();
        try {
            inflater.setInput(bytes, offset + nameEnd + 2, length - nameEnd - 2);
            var out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return Optional.empty();
                }
                out.write(buffer, 0, n);
                if (out.size() > MAX_PROFILE_BYTES) {
                    return Optional.empty();
                }
            }
            return Optional.of(out.toByteArray());
        } catch (DataFormatException malformed) {
            return Optional.empty();
        } finally {
            inflater.end();
        }
    }

    /**
     * Keeps the profile only when Java can parse it and it describes the given colour family; a
     * profile that does not fit the pixels would mislead every viewer.
     */
    static Optional<byte[]> usableFor(Optional<byte[]> profile, Family family) {
        return profile.filter(data -> {
            if (data.length < 128 || data.length > MAX_PROFILE_BYTES) {
                return false;
            }
            try {
                return ICC_Profile.getInstance(data).getColorSpaceType() == family.colorSpaceType;
            } catch (RuntimeException malformed) {
                return false;
            }
        });
    }

    static byte[] srgb() {
        return ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
    }
}
