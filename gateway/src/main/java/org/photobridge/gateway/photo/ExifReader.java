package org.photobridge.gateway.photo;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.Optional;

/**
 * A deliberately minimal TIFF/EXIF reader that extracts {@link ExifFacts}; malformed input yields
 * whatever could be read safely and never an exception.
 */
final class ExifReader {

    private static final int TAG_MAKE = 0x010F;
    private static final int TAG_MODEL = 0x0110;
    private static final int TAG_ORIENTATION = 0x0112;
    private static final int TAG_EXIF_IFD = 0x8769;
    private static final int TAG_DATE_TIME_ORIGINAL = 0x9003;

    private static final int TYPE_ASCII = 2;
    private static final int TYPE_SHORT = 3;
    private static final int TYPE_LONG = 4;
    private static final int TYPE_UNDEFINED = 7;

    /** Real IFDs hold tens of entries; a huge count means garbage, and reading it would only waste time. */
    private static final int MAX_ENTRIES = 1024;
    /** DICOM Manufacturer and Model Name are LO: at most 64 characters. */
    private static final int MAX_TEXT = 64;

    private final byte[] b;
    private final int base;
    private final int limit;
    private boolean bigEndian;

    private ExifReader(byte[] bytes, int offset, int length) {
        this.b = bytes;
        this.base = offset;
        this.limit = offset + length;
    }

    /** Reads the payload of a JPEG APP1 "Exif\0\0" segment (header included). */
    static ExifFacts fromApp1(byte[] bytes, int payloadOffset, int payloadLength) {
        if (payloadLength < 6) {
            return ExifFacts.NONE;
        }
        return fromTiff(bytes, payloadOffset + 6, payloadLength - 6);
    }

    /** Reads a TIFF structure (as in a PNG eXIf chunk) located at {@code offset}. */
    static ExifFacts fromTiff(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 8 || (long) offset + length > bytes.length) {
            return ExifFacts.NONE;
        }
        try {
            return new ExifReader(bytes, offset, length).read();
        } catch (RuntimeException malformed) {
            // A malformed EXIF block is ignored rather than failing the upload; it is removed anyway.
            return ExifFacts.NONE;
        }
    }

    private ExifFacts read() {
        int order = u16raw(0);
        if (order == 0x4D4D) {
            bigEndian = true;
        } else if (order == 0x4949) {
            bigEndian = false;
        } else {
            return ExifFacts.NONE;
        }
        if (u16(2) != 42) {
            return ExifFacts.NONE;
        }
        long ifd0 = u32(4);
        int orientation = 1;
        Optional<String> make = Optional.empty();
        Optional<String> model = Optional.empty();
        Optional<LocalDateTime> takenAt = Optional.empty();

        Integer orientationEntry = findEntry(ifd0, TAG_ORIENTATION);
        if (orientationEntry != null) {
            int value = shortValue(orientationEntry);
            orientation = value >= 1 && value <= 8 ? value : 1;
        }
        Integer makeEntry = findEntry(ifd0, TAG_MAKE);
        if (makeEntry != null) {
            make = text(makeEntry);
        }
        Integer modelEntry = findEntry(ifd0, TAG_MODEL);
        if (modelEntry != null) {
            model = text(modelEntry);
        }
        Integer exifPointer = findEntry(ifd0, TAG_EXIF_IFD);
        if (exifPointer != null && type(exifPointer) == TYPE_LONG) {
            long exifIfd = u32(exifPointer + 8);
            if (exifIfd != ifd0) {
                Integer dateEntry = findEntry(exifIfd, TAG_DATE_TIME_ORIGINAL);
                if (dateEntry != null) {
                    takenAt = text(dateEntry).flatMap(ExifReader::parseDateTime);
                }
            }
        }
        return new ExifFacts(orientation, takenAt, make, model);
    }

    /** Returns the relative offset of the 12-byte entry for {@code tag} in the IFD, or null. */
    private Integer findEntry(long ifdOffset, int tag) {
        if (ifdOffset < 8 || ifdOffset + 2 > limit - base) {
            return null;
        }
        int ifd = (int) ifdOffset;
        int count = u16(ifd);
        if (count > MAX_ENTRIES) {
            return null;
        }
        for (int i = 0; i < count; i++) {
            int entry = ifd + 2 + 12 * i;
            if (entry + 12 > limit - base) {
                return null;
            }
            if (u16(entry) == tag) {
                return entry;
            }
        }
        return null;
    }

    private int type(int entry) {
        return u16(entry + 2);
    }

    private int shortValue(int entry) {
        int type = type(entry);
        if (u32(entry + 4) < 1) {
            return 0;
        }
        if (type == TYPE_SHORT) {
            return u16(entry + 8);
        }
        if (type == TYPE_LONG) {
            long value = u32(entry + 8);
            return value > 0xFFFF ? 0 : (int) value;
        }
        return 0;
    }

    private Optional<String> text(int entry) {
        int type = type(entry);
        if (type != TYPE_ASCII && type != TYPE_UNDEFINED) {
            return Optional.empty();
        }
        long count = u32(entry + 4);
        if (count == 0 || count > 4096) {
            return Optional.empty();
        }
        long start = count <= 4 ? entry + 8 : u32(entry + 8);
        if (start < 0 || start + count > limit - base) {
            return Optional.empty();
        }
        var text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            int c = b[base + (int) start + i] & 0xFF;
            if (c == 0) {
                break;
            }
            // Keep printable ASCII only: these values end up in DICOM LO attributes and logs.
            if (c >= 0x20 && c < 0x7F) {
                text.append((char) c);
            }
        }
        String value = text.toString().trim();
        if (value.length() > MAX_TEXT) {
            value = value.substring(0, MAX_TEXT).trim();
        }
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    /** EXIF date-times look like "2026:11:20 10:11:12"; unknown parts are blanks or zeros. */
    static Optional<LocalDateTime> parseDateTime(String value) {
        if (value.length() < 19 || value.charAt(4) != ':' || value.charAt(7) != ':' || value.charAt(13) != ':'
                || value.charAt(16) != ':') {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.of(
                    Integer.parseInt(value.substring(0, 4)),
                    Integer.parseInt(value.substring(5, 7)),
                    Integer.parseInt(value.substring(8, 10)),
                    Integer.parseInt(value.substring(11, 13)),
                    Integer.parseInt(value.substring(14, 16)),
                    Integer.parseInt(value.substring(17, 19))));
        } catch (NumberFormatException | DateTimeException notADate) {
            return Optional.empty();
        }
    }

    private int u16raw(int relative) {
        int p = checked(relative, 2);
        return ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF);
    }

    private int u16(int relative) {
        int p = checked(relative, 2);
        return bigEndian
                ? ((b[p] & 0xFF) << 8) | (b[p + 1] & 0xFF)
                : ((b[p + 1] & 0xFF) << 8) | (b[p] & 0xFF);
    }

    private long u32(int relative) {
        int p = checked(relative, 4);
        long value = bigEndian
                ? ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFFL) << 16) | ((b[p + 2] & 0xFFL) << 8) | (b[p + 3] & 0xFFL)
                : ((b[p + 3] & 0xFFL) << 24) | ((b[p + 2] & 0xFFL) << 16) | ((b[p + 1] & 0xFFL) << 8) | (b[p] & 0xFFL);
        return value;
    }

    private int checked(int relative, int size) {
        if (relative < 0 || (long) base + relative + size > limit) {
            throw new IndexOutOfBoundsException("EXIF offset outside its segment");
        }
        return base + relative;
    }
}
