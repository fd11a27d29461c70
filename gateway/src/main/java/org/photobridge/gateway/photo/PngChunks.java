package org.photobridge.gateway.photo;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import org.photobridge.gateway.photo.PhotoRejectedException.Reason;

/**
 * The chunk structure of a PNG file, checked before any decoder sees it: signature, chunk CRCs,
 * IHDR first and valid, PLTE where required, IDAT present and contiguous, IEND last.
 */
final class PngChunks {

    static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    private static final Set<String> CRITICAL = Set.of("IHDR", "PLTE", "IDAT", "IEND");

    /** One chunk; {@code dataOffset} and {@code dataLength} locate its data in the file. */
    record Chunk(String type, int dataOffset, int dataLength) {
        int start() {
            return dataOffset - 8;
        }

        int totalLength() {
            return dataLength + 12;
        }
    }

    /** The IHDR fields. */
    record Header(long width, long height, int bitDepth, int colourType, int interlace) {
        boolean isColour() {
            return colourType == 2 || colourType == 3 || colourType == 6;
        }

        boolean isPalette() {
            return colourType == 3;
        }
    }

    private final byte[] bytes;
    private final List<Chunk> chunks;
    private final Header header;
    private final int end;
    private final int limit;

    private PngChunks(byte[] bytes, int limit, List<Chunk> chunks, Header header, int end) {
        this.bytes = bytes;
        this.limit = limit;
        this.chunks = List.copyOf(chunks);
        this.header = header;
        this.end = end;
    }

    List<Chunk> chunks() {
        return chunks;
    }

    Header header() {
        return header;
    }

    byte[] bytes() {
        return bytes;
    }

    /** Bytes after the IEND chunk. */
    int trailingBytes() {
        return limit - end;
    }

    /** A PNG file holding only the signature and the given chunks, copied with their CRCs. */
    byte[] rebuild(List<Chunk> keep) {
        int size = SIGNATURE.length;
        for (Chunk chunk : keep) {
            size += chunk.totalLength();
        }
        byte[] out = new byte[size];
        System.arraycopy(SIGNATURE, 0, out, 0, SIGNATURE.length);
        int pos = SIGNATURE.length;
        for (Chunk chunk : keep) {
            System.arraycopy(bytes, chunk.start(), out, pos, chunk.totalLength());
            pos += chunk.totalLength();
        }
        return out;
    }

    static PngChunks parse(byte[] bytes) {
        return parse(bytes, bytes.length);
    }

    /** Parses the PNG file in the first {@code limit} bytes of {@code bytes} (an array that may be longer). */
    static PngChunks parse(byte[] bytes, int limit) {
        if (limit < 0 || limit > bytes.length) {
            throw new IllegalArgumentException("limit " + limit + " outside an array of " + bytes.length);
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (i >= limit || bytes[i] != SIGNATURE[i]) {
                throw corrupt("the PNG signature is damaged (was the file transferred in text mode?)");
            }
        }
        var chunks = new ArrayList<Chunk>();
        int pos = SIGNATURE.length;
        boolean idatSeen = false;
        boolean idatEnded = false;
        boolean paletteSeen = false;
        var crc = new CRC32();
        while (true) {
            if (pos + 8 > limit) {
                throw corrupt("the PNG file ends before its IEND chunk (truncated upload?)");
            }
            long length = u32(bytes, pos);
            if (length > Integer.MAX_VALUE) {
                throw corrupt("the PNG file has a chunk with an invalid length");
            }
            String type = new String(bytes, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (!type.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                throw corrupt("the PNG file has a chunk with an invalid type");
            }
            int dataOffset = pos + 8;
            if (dataOffset + length + 4 > limit) {
                throw corrupt("the PNG file ends inside a chunk (truncated upload?)");
            }
            int dataLength = (int) length;
            crc.reset();
            crc.update(bytes, pos + 4, dataLength + 4);
            if (crc.getValue() != u32(bytes, dataOffset + dataLength)) {
                throw corrupt("the PNG file is damaged: a chunk's checksum (CRC) does not match its content");
            }
            var chunk = new Chunk(type, dataOffset, dataLength);
            if (chunks.isEmpty() && !type.equals("IHDR")) {
                throw corrupt("the PNG file does not start with an IHDR chunk");
            }
            if (!chunks.isEmpty() && type.equals("IHDR")) {
                throw corrupt("the PNG file has more than one IHDR chunk");
            }
            if (Character.isUpperCase(type.charAt(0)) && !CRITICAL.contains(type)) {
                throw new PhotoRejectedException(Reason.UNSUPPORTED_VARIANT,
                        "the PNG file has an unknown critical chunk '" + type + "' that the gateway cannot interpret");
            }
            if (type.equals("IDAT")) {
                if (idatEnded) {
                    throw corrupt("the PNG file's image data (IDAT chunks) is not contiguous");
                }
                idatSeen = true;
            } else if (idatSeen) {
                idatEnded = true;
            }
            if (type.equals("PLTE")) {
                paletteSeen = true;
            }
            chunks.add(chunk);
            pos = dataOffset + dataLength + 4;
            if (type.equals("IEND")) {
                break;
            }
        }
        Header header = readHeader(bytes, chunks.get(0));
        if (!idatSeen) {
            throw corrupt("the PNG file has no image data (IDAT chunk)");
        }
        if (header.isPalette() && !paletteSeen) {
            throw corrupt("the PNG file is a palette image without a palette (PLTE chunk)");
        }
        return new PngChunks(bytes, limit, chunks, header, pos);
    }

    private static Header readHeader(byte[] bytes, Chunk ihdr) {
        if (ihdr.dataLength() != 13) {
            throw corrupt("the PNG file's IHDR chunk has the wrong length");
        }
        int p = ihdr.dataOffset();
        long width = u32(bytes, p);
        long height = u32(bytes, p + 4);
        int bitDepth = bytes[p + 8] & 0xFF;
        int colourType = bytes[p + 9] & 0xFF;
        int compression = bytes[p + 10] & 0xFF;
        int filter = bytes[p + 11] & 0xFF;
        int interlace = bytes[p + 12] & 0xFF;
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw corrupt("the PNG file's IHDR chunk declares an invalid width or height");
        }
        boolean depthValid = switch (colourType) {
            case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
            case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
            case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
            default -> false;
        };
        if (!depthValid) {
            throw corrupt("the PNG file's IHDR chunk declares an invalid colour type and bit depth");
        }
        if (compression != 0 || filter != 0 || interlace > 1) {
            throw corrupt("the PNG file's IHDR chunk declares an unknown compression, filter or interlace method");
        }
        return new Header(width, height, bitDepth, colourType, interlace);
    }

    static long u32(byte[] b, int p) {
        return ((b[p] & 0xFFL) << 24) | ((b[p + 1] & 0xFFL) << 16) | ((b[p + 2] & 0xFFL) << 8) | (b[p + 3] & 0xFFL);
    }

    private static PhotoRejectedException corrupt(String message) {
        return new PhotoRejectedException(Reason.CORRUPT, message);
    }
}
