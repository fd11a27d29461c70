package org.photobridge.gateway.photo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The marker structure of a JPEG stream from SOI to EOI: marker segments and the entropy-coded data
 * after each SOS, located but not decoded.
 */
final class JpegSegments {

    static final int SOI = 0xD8;
    static final int EOI = 0xD9;
    static final int SOS = 0xDA;
    /** Most marker segments and scans one stream may have: far above any camera's, far below a bomb's. */
    static final int MAX_SEGMENTS = 20_000;
    static final int DQT = 0xDB;
    static final int DHT = 0xC4;
    static final int DRI = 0xDD;
    static final int COM = 0xFE;
    static final int APP0 = 0xE0;
    static final int APP1 = 0xE1;
    static final int APP2 = 0xE2;
    static final int APP14 = 0xEE;

    /** One piece of the stream; {@code offset} and {@code length} locate it in the parsed bytes. */
    sealed interface Part permits Segment, EntropyData {
        int offset();

        int length();
    }

    /**
     * A marker segment: {@code offset} points at its 0xFF, {@code length} covers marker, length field
     * and payload.
     */
    record Segment(int marker, int offset, int length) implements Part {
        int payloadOffset() {
            return offset + 4;
        }

        int payloadLength() {
            return length - 4;
        }

        boolean isApp() {
            return marker >= 0xE0 && marker <= 0xEF;
        }

        boolean isSof() {
            return marker >= 0xC0 && marker <= 0xCF && marker != DHT && marker != 0xC8 && marker != 0xCC;
        }
    }

    /** Entropy-coded data after an SOS, including byte stuffing and RSTn markers. */
    record EntropyData(int offset, int length) implements Part {
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] bytes;
    private final int length;
    private final List<Part> parts;
    private final int end;
    /** Set once {@link #compactInPlace} moved the bytes: the parts no longer locate anything. */
    private boolean compacted;

    private JpegSegments(byte[] bytes, int length, List<Part> parts, int end) {
        this.bytes = bytes;
        this.length = length;
        this.parts = List.copyOf(parts);
        this.end = end;
    }

    /** The parts between SOI and EOI (both excluded), in stream order. */
    List<Part> parts() {
        return parts;
    }

    /** The segments only, in stream order. */
    List<Segment> segments() {
        var list = new ArrayList<Segment>();
        for (Part part : parts) {
            if (part instanceof Segment segment) {
                list.add(segment);
            }
        }
        return list;
    }

    byte[] bytes() {
        return bytes;
    }

    /** How many bytes of the file follow the EOI marker (camera trailers, appended preview images, ...). */
    int trailingBytes() {
        return length - end;
    }

    /** The file's length: the first bytes of {@link #bytes()} that hold it (the array may be longer). */
    int length() {
        return length;
    }

    /** True when the segment's payload starts with the given ASCII identifier. */
    boolean payloadStartsWith(Segment segment, String identifier) {
        byte[] id = identifier.getBytes(StandardCharsets.ISO_8859_1);
        if (segment.payloadLength() < id.length) {
            return false;
        }
        for (int i = 0; i < id.length; i++) {
            if (bytes[segment.payloadOffset() + i] != id[i]) {
                return false;
            }
        }
        return true;
    }

    int payloadByte(Segment segment, int index) {
        return bytes[segment.payloadOffset() + index] & 0xFF;
    }

    /**
     * Writes SOI, the parts the filter keeps (entropy data always follows its SOS), extra segments
     * inserted right after SOI, and EOI.
     */
    byte[] rebuild(List<byte[]> leadingSegments, Predicate<Segment> keep) {
        requireNotCompacted();
        List<Part> kept = kept(keep);
        int size = 4 + lengthOf(leadingSegments);
        for (Part part : kept) {
            size += part.length();
        }
        byte[] out = new byte[size];
        int pos = writeStart(out, leadingSegments);
        for (Part part : kept) {
            System.arraycopy(bytes, part.offset(), out, pos, part.length());
            pos += part.length();
        }
        writeEnd(out, pos);
        return out;
    }

    /**
     * Writes the same stream as {@link #rebuild} over the parsed bytes themselves, without another
     * array: SOI, the leading segments, the kept parts moved down, EOI; then every byte after the new
     * EOI up to the end of the array is set to zero, so that nothing removed (EXIF, GPS, serial
     * numbers, thumbnails, comments, data after EOI) is left in the array's tail. Afterwards this
     * parse locates nothing any more: read every payload that is still needed (EXIF facts, ICC
     * profile, leading segments) before.
     *
     * <p>The result always fits: each leading segment replaces a dropped JFIF or Adobe segment at
     * least as long. A kept part moves down (to a lower offset) once the dropped bytes before it
     * outweigh the leading segments, and up (by at most their few bytes) before that; the parts
     * that move down are moved first, in stream order, then those that move up, last first, so that
     * no part is overwritten before it has moved.
     *
     * @return the length of the compacted stream, SOI to EOI
     */
    int compactInPlace(List<byte[]> leadingSegments, Predicate<Segment> keep) {
        requireNotCompacted();
        List<Part> kept = kept(keep);
        int[] target = new int[kept.size()];
        int pos = 2 + lengthOf(leadingSegments);
        for (int i = 0; i < kept.size(); i++) {
            target[i] = pos;
            pos += kept.get(i).length();
        }
        int newEnd = pos + 2;
        if (newEnd > end) {
            throw new IllegalStateException("the compacted JPEG stream would be longer than the parsed one");
        }
        compacted = true;
        // The shift (target - offset) only decreases along the stream: the parts moving up come first.
        int firstDown = 0;
        while (firstDown < kept.size() && target[firstDown] > kept.get(firstDown).offset()) {
            firstDown++;
        }
        for (int i = firstDown; i < kept.size(); i++) {
            Part part = kept.get(i);
            System.arraycopy(bytes, part.offset(), bytes, target[i], part.length());
        }
        for (int i = firstDown - 1; i >= 0; i--) {
            Part part = kept.get(i);
            System.arraycopy(bytes, part.offset(), bytes, target[i], part.length());
        }
        writeStart(bytes, leadingSegments);
        writeEnd(bytes, pos);
        Arrays.fill(bytes, newEnd, bytes.length, (byte) 0);
        return newEnd;
    }

    /** The parts a rebuilt stream keeps, in stream order: entropy data always, segments as the filter says. */
    private List<Part> kept(Predicate<Segment> keep) {
        var kept = new ArrayList<Part>(parts.size());
        for (Part part : parts) {
            if (part instanceof EntropyData || keep.test((Segment) part)) {
                kept.add(part);
            }
        }
        return kept;
    }

    private static int lengthOf(List<byte[]> segments) {
        int length = 0;
        for (byte[] segment : segments) {
            length += segment.length;
        }
        return length;
    }

    /** Writes SOI and the leading segments at the start of {@code out}; returns the offset after them. */
    private static int writeStart(byte[] out, List<byte[]> leadingSegments) {
        out[0] = (byte) 0xFF;
        out[1] = (byte) SOI;
        int pos = 2;
        for (byte[] segment : leadingSegments) {
            System.arraycopy(segment, 0, out, pos, segment.length);
            pos += segment.length;
        }
        return pos;
    }

    private static void writeEnd(byte[] out, int pos) {
        out[pos] = (byte) 0xFF;
        out[pos + 1] = (byte) EOI;
    }

    private void requireNotCompacted() {
        if (compacted) {
            throw new IllegalStateException("the JPEG stream was compacted in place; its parse is stale");
        }
    }

    /** Encodes a marker segment with the given payload. */
    static byte[] segment(int marker, byte[] payload) {
        int length = payload.length + 2;
        if (length > 0xFFFF) {
            throw new IllegalArgumentException("segment payload too long");
        }
        byte[] out = new byte[payload.length + 4];
        out[0] = (byte) 0xFF;
        out[1] = (byte) marker;
        out[2] = (byte) (length >> 8);
        out[3] = (byte) length;
        System.arraycopy(payload, 0, out, 4, payload.length);
        return out;
    }

    /**
     * Walks the stream from SOI to EOI.
     *
     * @throws PhotoRejectedException CORRUPT when the structure is broken or the stream ends early
     */
    static JpegSegments parse(byte[] bytes) {
        return parse(bytes, bytes.length, Integer.MAX_VALUE);
    }

    /** As {@link #parse(byte[], int, int)} of the whole array. */
    static JpegSegments parse(byte[] bytes, int maxScans) {
        return parse(bytes, bytes.length, maxScans);
    }

    /**
     * Walks the stream in the first {@code length} bytes of {@code bytes} (an upload received into
     * an array longer than the file) from SOI to EOI, refusing more than {@code maxScans} scans (a progressive
     * stream has about ten; thousands make every decode pass over the whole image thousands of times)
     * and more than {@link #MAX_SEGMENTS} marker segments (each costs an object here).
     *
     * @throws PhotoRejectedException CORRUPT when the structure is broken or the stream ends early,
     *                                TOO_COMPLEX when it has more scans or segments than allowed
     */
    static JpegSegments parse(byte[] bytes, int length, int maxScans) {
        if (length < 0 || length > bytes.length) {
            throw new IllegalArgumentException("length " + length + " outside an array of " + bytes.length);
        }
        int scans = 0;
        if (length < 4 || (bytes[0] & 0xFF) != 0xFF || (bytes[1] & 0xFF) != SOI) {
            throw corrupt("the JPEG file is too short to hold an image");
        }
        var parts = new ArrayList<Part>();
        int pos = 2;
        while (true) {
            if (pos >= length) {
                throw corrupt("the JPEG file ends before its end-of-image marker (truncated upload?)");
            }
            if ((bytes[pos] & 0xFF) != 0xFF) {
                throw corrupt("the JPEG file has data where a marker was expected at byte " + pos);
            }
            int markerStart = pos;
            // Any number of 0xFF fill bytes may precede a marker code.
            while (pos < length && (bytes[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= length) {
                throw corrupt("the JPEG file ends before its end-of-image marker (truncated upload?)");
            }
            int marker = bytes[pos] & 0xFF;
            pos++;
            if (marker == EOI) {
                return new JpegSegments(bytes, length, parts, pos);
            }
            if (marker == 0x00 || marker == SOI) {
                throw corrupt("the JPEG file has an invalid marker at byte " + markerStart);
            }
            if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
                // Stand-alone markers outside entropy data carry nothing; they are dropped.
                continue;
            }
            if (pos + 2 > length) {
                throw corrupt("the JPEG file ends inside a marker segment (truncated upload?)");
            }
            int segmentLength = ((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF);
            if (segmentLength < 2) {
                throw corrupt("the JPEG file has a marker segment with an invalid length at byte " + markerStart);
            }
            // Normalise: a segment starts at its final 0xFF so that rebuilt streams carry no fill bytes.
            int segmentStart = pos - 2;
            int segmentEnd = pos + segmentLength;
            if (segmentEnd > length) {
                throw corrupt("the JPEG file ends inside a marker segment (truncated upload?)");
            }
            if (parts.size() >= MAX_SEGMENTS) {
                throw new PhotoRejectedException(PhotoRejectedException.Reason.TOO_COMPLEX,
                        "the JPEG file has more than " + MAX_SEGMENTS + " marker segments; not decoded");
            }
            parts.add(new Segment(marker, segmentStart, segmentEnd - segmentStart));
            pos = segmentEnd;
            if (marker == SOS && ++scans > maxScans) {
                throw new PhotoRejectedException(PhotoRejectedException.Reason.TOO_COMPLEX,
                        "the JPEG file has more than " + maxScans + " scans; the limit is " + maxScans);
            }
            if (marker == SOS) {
                int dataEnd = endOfEntropyData(bytes, length, pos);
                if (dataEnd == pos) {
                    throw corrupt("the JPEG file has a scan without image data");
                }
                parts.add(new EntropyData(pos, dataEnd - pos));
                pos = dataEnd;
            }
        }
    }

    /** Returns the offset of the first real marker (not stuffing, not RSTn) at or after {@code start}. */
    private static int endOfEntropyData(byte[] bytes, int length, int start) {
        int pos = start;
        while (true) {
            pos = nextFf(bytes, pos, length);
            if (pos >= length) {
                throw corrupt("the JPEG image data is truncated: the file ends before its end-of-image marker");
            }
            int next = pos + 1;
            while (next < length && (bytes[next] & 0xFF) == 0xFF) {
                next++;
            }
            if (next >= length) {
                throw corrupt("the JPEG image data is truncated: the file ends before its end-of-image marker");
            }
            int code = bytes[next] & 0xFF;
            if (code == 0x00 || (code >= 0xD0 && code <= 0xD7)) {
                pos = next + 1;
                continue;
            }
            return pos;
        }
    }

    /**
     * The offset of the first 0xFF byte at or after {@code pos}, or {@code bytes.length}. Entropy-coded
     * data is almost all of a photo and has a 0xFF about every few hundred bytes, so this looks at
     * eight bytes at a time: a 0xFF byte of {@code x} is a zero byte of {@code ~x}, and
     * {@code (v - 0x01..01) & ~v & 0x80..80} flags the zero bytes of {@code v} (besides, through the
     * borrow, some bytes above a zero byte, never below one: the lowest flag is a real one).
     */
    static int nextFf(byte[] bytes, int pos) {
        return nextFf(bytes, pos, bytes.length);
    }

    /** As {@link #nextFf(byte[], int)}, looking no further than {@code length}; {@code length} when none. */
    static int nextFf(byte[] bytes, int pos, int length) {
        for (int limit = length - Long.BYTES; pos <= limit; pos += Long.BYTES) {
            long v = ~(long) LONGS.get(bytes, pos);
            long zeroBytes = (v - 0x0101010101010101L) & ~v & 0x8080808080808080L;
            if (zeroBytes != 0) {
                return pos + (Long.numberOfTrailingZeros(zeroBytes) >>> 3);
            }
        }
        while (pos < length && bytes[pos] != (byte) 0xFF) {
            pos++;
        }
        return pos;
    }

    /** A short human name for a removed segment, such as "APP1/Exif" or "COM"; never its content. */
    String describe(Segment segment) {
        int marker = segment.marker();
        if (marker == COM) {
            return "COM";
        }
        if (segment.isApp()) {
            String app = "APP" + (marker - APP0);
            String kind = switch (marker) {
                case APP0 -> payloadStartsWith(segment, "JFIF\0") ? "JFIF"
                        : payloadStartsWith(segment, "JFXX\0") ? "JFXX" : null;
                case APP1 -> payloadStartsWith(segment, "Exif\0") ? "Exif"
                        : payloadStartsWith(segment, "http://ns.adobe.com/xap/1.0/\0") ? "XMP"
                        : payloadStartsWith(segment, "http://ns.adobe.com/xmp/extension/\0") ? "XMP-extended"
                        : null;
                case APP2 -> payloadStartsWith(segment, "ICC_PROFILE\0") ? "ICC"
                        : payloadStartsWith(segment, "MPF\0") ? "MPF"
                        : payloadStartsWith(segment, "FPXR\0") ? "FPXR" : null;
                case 0xED -> payloadStartsWith(segment, "Photoshop 3.0\0") ? "Photoshop" : null;
                case APP14 -> payloadStartsWith(segment, "Adobe") ? "Adobe" : null;
                default -> null;
            };
            return kind == null ? app : app + "/" + kind;
        }
        return String.format("marker 0xFF%02X", marker);
    }

    private static PhotoRejectedException corrupt(String message) {
        return new PhotoRejectedException(PhotoRejectedException.Reason.CORRUPT, message);
    }
}
