package org.photobridge.gateway.pacs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the one DICOM part of a WADO-RS answer (multipart/related, RFC 2046 and 2387) as its bytes
 * arrive, chunk by chunk, so that only the part's content is ever held: the framing is parsed on the
 * fly, a part that declares its Content-Length lands in an array of exactly that size, and a part
 * without one is scanned for its closing delimiter as it grows. A bare {@code application/dicom}
 * answer is taken whole. Anything that is not one DICOM part, or a part over the bound, is
 * {@link WadoRsException.Malformed} as soon as it shows. Not thread-safe: one answer, fed in order.
 */
final class SinglePartReader {

    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary\\s*=\\s*(\"([^\"]+)\"|[^;\\s]+)");
    private static final Pattern PART_LENGTH = Pattern.compile("(?im)^content-length\\s*:\\s*(\\d{1,18})\\s*$");
    private static final Pattern PART_TYPE = Pattern.compile("(?im)^content-type\\s*:\\s*([^;\\r\\n]+)");
    /** Bounds on the framing: text before the first delimiter, one part's headers, a delimiter line, what follows the close. */
    static final int MAX_PREAMBLE_BYTES = 64 * 1024;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    private static final int MAX_LINE_BYTES = 1024;
    private static final int MAX_EPILOGUE_BYTES = 64 * 1024;
    /** Where a growing part starts when nothing says how large it is. */
    private static final int INITIAL_CAPACITY = 64 * 1024;

    private enum State { PREAMBLE, DELIMITER_LINE, HEADERS, SIZED_CONTENT, CLOSING_DELIMITER, SCANNED_CONTENT, EPILOGUE, BARE }

    private final long maxContentBytes;
    private final long sizeHint;
    /** CRLF "--" boundary: what ends a part's content. */
    private final byte[] delimiter;
    private final int[] fallback;

    private State state;
    private int matched;          // bytes of the delimiter matched so far
    private long framingSeen;     // bytes of the current framing section (preamble, line, headers, epilogue)
    private final StringBuilder text = new StringBuilder();
    private boolean partRead;
    private byte[] content;
    private int size;

    /**
     * @param contentType     the answer's Content-Type
     * @param maxContentBytes the largest part accepted
     * @param sizeHint        the answer's Content-Length, or -1: the first guess at a part without one
     */
    SinglePartReader(String contentType, long maxContentBytes, long sizeHint) throws WadoRsException {
        if (maxContentBytes < 1 || maxContentBytes > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("maxContentBytes out of range: " + maxContentBytes);
        }
        this.maxContentBytes = maxContentBytes;
        this.sizeHint = sizeHint;
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/dicom")) {
            state = State.BARE;
            delimiter = null;
            fallback = null;
            content = new byte[initialCapacity()];
            return;
        }
        if (!mediaType.equals("multipart/related")) {
            throw new WadoRsException.Malformed("expected multipart/related, got '" + mediaType + "'");
        }
        Matcher boundaryMatch = BOUNDARY.matcher(contentType);
        if (!boundaryMatch.find()) {
            throw new WadoRsException.Malformed("multipart response without boundary");
        }
        String boundary = boundaryMatch.group(2) != null ? boundaryMatch.group(2) : boundaryMatch.group(1);
        if (boundary.length() > 70) {
            throw new WadoRsException.Malformed("multipart boundary longer than RFC 2046 allows (70)");
        }
        delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        fallback = fallback(delimiter);
        state = State.PREAMBLE;
        matched = 2; // the body's start counts as a line start: the first delimiter needs no CRLF before it
    }

    /** Takes the next bytes of the answer. */
    void accept(ByteBuffer chunk) throws WadoRsException {
        while (chunk.hasRemaining()) {
            switch (state) {
                case BARE -> {
                    int n = chunk.remaining();
                    if (size + (long) n > maxContentBytes) {
                        throw tooLarge();
                    }
                    ensure(size + n);
                    chunk.get(content, size, n);
                    size += n;
                }
                case SIZED_CONTENT -> {
                    int n = Math.min(chunk.remaining(), content.length - size);
                    chunk.get(content, size, n);
                    size += n;
                    if (size == content.length) {
                        state = State.CLOSING_DELIMITER;
                        matched = 0;
                    }
                }
                default -> step(chunk.get());
            }
        }
    }

    /**
     * The part's content once the whole answer was given: empty when the answer closes without a
     * part.
     */
    Optional<byte[]> finish() throws WadoRsException {
        switch (state) {
            case BARE:
                return Optional.of(size == content.length ? content : Arrays.copyOf(content, size));
            case EPILOGUE:
                return partRead ? Optional.of(content) : Optional.empty();
            case DELIMITER_LINE:
                if (text.length() >= 2 && text.charAt(0) == '-' && text.charAt(1) == '-') {
                    return partRead ? Optional.of(content) : Optional.empty();
                }
                break;
            case PREAMBLE:
                throw new WadoRsException.Malformed("multipart response without any boundary line");
            default:
                break;
        }
        throw new WadoRsException.Malformed("multipart part is not closed (truncated response?)");
    }

    private void step(byte b) throws WadoRsException {
        switch (state) {
            case PREAMBLE -> {
                if (++framingSeen > MAX_PREAMBLE_BYTES) {
                    throw new WadoRsException.Malformed("multipart response without a boundary line in its first "
                            + MAX_PREAMBLE_BYTES + " bytes");
                }
                if (match(b)) {
                    startLine();
                }
            }
            case DELIMITER_LINE -> line(b);
            case HEADERS -> header(b);
            case CLOSING_DELIMITER -> {
                if (b != delimiter[matched]) {
                    throw new WadoRsException.Malformed("multipart part is longer than its Content-Length");
                }
                if (++matched == delimiter.length) {
                    partRead = true;
                    startLine();
                }
            }
            case SCANNED_CONTENT -> {
                if (size == content.length) {
                    if (size >= maxContentBytes + delimiter.length) {
                        throw tooLarge();
                    }
                    ensure(size + 1);
                }
                content[size++] = b;
                if (match(b)) {
                    size -= delimiter.length;
                    content = size == content.length ? content : Arrays.copyOf(content, size);
                    if (size > maxContentBytes) {
                        throw tooLarge();
                    }
                    partRead = true;
                    startLine();
                }
            }
            case EPILOGUE -> {
                if (++framingSeen > MAX_EPILOGUE_BYTES) {
                    throw new WadoRsException.Malformed("more than " + MAX_EPILOGUE_BYTES
                            + " bytes after the multipart close delimiter");
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    /** What follows a delimiter: "--" (the close) or optional padding and CRLF (a part's headers). */
    private void line(byte b) throws WadoRsException {
        if (++framingSeen > MAX_LINE_BYTES) {
            throw new WadoRsException.Malformed("multipart delimiter line too long");
        }
        text.append((char) (b & 0xff));
        if (text.length() == 2 && text.charAt(0) == '-' && text.charAt(1) == '-') {
            state = State.EPILOGUE;
            framingSeen = 0;
            return;
        }
        if (b == '\n') {
            if (!text.toString().strip().isEmpty()) {
                throw new WadoRsException.Malformed("multipart delimiter followed by text");
            }
            if (partRead) {
                throw new WadoRsException.Malformed("more than one part in a WADO-RS answer for one instance");
            }
            state = State.HEADERS;
            text.setLength(0);
            framingSeen = 0;
        }
    }

    private void header(byte b) throws WadoRsException {
        if (++framingSeen > MAX_HEADER_BYTES) {
            throw new WadoRsException.Malformed("multipart part headers longer than " + MAX_HEADER_BYTES + " bytes");
        }
        text.append((char) (b & 0xff));
        int n = text.length();
        boolean end = (n == 2 && text.charAt(0) == '\r' && b == '\n') || (n >= 4 && text.substring(n - 4).equals("\r\n\r\n"));
        if (!end) {
            return;
        }
        String headers = text.toString();
        text.setLength(0);
        framingSeen = 0;
        Matcher partType = PART_TYPE.matcher(headers);
        if (partType.find() && !partType.group(1).strip().equalsIgnoreCase("application/dicom")) {
            throw new WadoRsException.Malformed("part is '" + partType.group(1).strip() + "', not application/dicom");
        }
        Matcher length = PART_LENGTH.matcher(headers);
        if (length.find()) {
            long declared = Long.parseLong(length.group(1));
            if (declared > maxContentBytes) {
                throw tooLarge();
            }
            content = new byte[(int) declared];
            size = 0;
            state = declared == 0 ? State.CLOSING_DELIMITER : State.SIZED_CONTENT;
            matched = 0;
        } else {
            content = new byte[initialCapacity()];
            size = 0;
            state = State.SCANNED_CONTENT;
            matched = 0;
        }
    }

    private void startLine() {
        state = State.DELIMITER_LINE;
        text.setLength(0);
        framingSeen = 0;
        matched = 0;
    }

    /** Feeds the delimiter matcher (Knuth–Morris–Pratt); true when the whole delimiter was just seen. */
    private boolean match(byte b) {
        while (matched > 0 && delimiter[matched] != b) {
            matched = fallback[matched - 1];
        }
        if (delimiter[matched] == b) {
            matched++;
        }
        if (matched == delimiter.length) {
            matched = 0;
            return true;
        }
        return false;
    }

    private static int[] fallback(byte[] pattern) {
        int[] table = new int[pattern.length];
        for (int i = 1, k = 0; i < pattern.length; i++) {
            while (k > 0 && pattern[i] != pattern[k]) {
                k = table[k - 1];
            }
            if (pattern[i] == pattern[k]) {
                k++;
            }
            table[i] = k;
        }
        return table;
    }

    private int initialCapacity() {
        long guess = sizeHint > 0 ? sizeHint : INITIAL_CAPACITY;
        return (int) Math.min(guess, maxContentBytes + (delimiter == null ? 0 : delimiter.length));
    }

    private void ensure(long needed) {
        if (needed > content.length) {
            long limit = maxContentBytes + (delimiter == null ? 0 : delimiter.length);
            long grown = Math.min(limit, Math.max(needed, 2L * content.length));
            content = Arrays.copyOf(content, (int) grown);
        }
    }

    private WadoRsException.Malformed tooLarge() {
        return new WadoRsException.Malformed("the instance is larger than " + maxContentBytes + " bytes; not fetched");
    }
}
