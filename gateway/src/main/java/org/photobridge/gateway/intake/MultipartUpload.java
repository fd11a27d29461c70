package org.photobridge.gateway.intake;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.PhotoCleaner;
import org.photobridge.gateway.photo.PhotoRejectedException;
import org.photobridge.gateway.problem.ProblemException;

/**
 * The body of {@code POST /api/v1/photos} read once, straight from the request stream, by a strict
 * multipart/form-data parser (RFC 7578, RFC 2046 section 5.1). The part {@code file} is kept in memory
 * only, never on disk (it is the camera's file: GPS position and serial numbers are still in it),
 * hashed with SHA-256 as it arrives, and reserved from the image {@link MemoryBudget} before it is
 * read; the part {@code metadata} is kept as text; other parts are read and dropped, as the HTTP
 * layer dropped them before. The first {@code file} and the first {@code metadata} part count; further
 * {@code file} parts are counted, so that the door refuses them. One per request; not thread-safe.
 */
public final class MultipartUpload implements AutoCloseable {

    /** Longest boundary RFC 2046 allows. */
    static final int MAX_BOUNDARY = 70;
    /** Most bytes of one part's header block. */
    static final int MAX_HEADER_BYTES = 8 << 10;
    /** Most header lines of one part. */
    static final int MAX_HEADERS = 16;
    /** Most parts of one body. */
    static final int MAX_PARTS = 16;
    /** A file sent without a Content-Length is received in pieces of this size, joined once at its end. */
    private static final int PIECE = 1 << 20;
    private static final int BUFFER = 64 << 10;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long CRS = 0x0D0D0D0D0D0D0D0DL;

    /** What one request may send: the file, the metadata text, the whole body. */
    public record Limits(long maxFileBytes, int maxMetadataBytes, long maxBodyBytes) {
    }

    private final InputStream in;
    private final byte[] delimiter;
    private final Limits limits;
    private final MemoryBudget budget;
    private final OptionalLong contentLength;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int end;
    private boolean eof;
    private long consumed;

    private MemoryBudget.Reservation reservation;
    private byte[] file;
    private long fileBytes = -1;
    private String sha256;
    private int fileParts;
    private String metadata;

    private MultipartUpload(InputStream in, String boundary, OptionalLong contentLength, Limits limits,
            MemoryBudget budget) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        this.contentLength = contentLength;
        this.limits = limits;
        this.budget = budget;
        // The body is read as if it began with CRLF, so that its first boundary is a delimiter like the others.
        buf[0] = '\r';
        buf[1] = '\n';
        end = 2;
    }

    /**
     * Reads the whole body. On a refusal (a malformed body, a metadata part over its limit) the rest
     * of the body is read and dropped first, so that the client, still sending, reads the answer.
     *
     * @param contentType   the request's Content-Type, which names the boundary
     * @param contentLength the request's Content-Length, when it sent one: the file's memory is
     *                      reserved from it at once, otherwise step by step as the file arrives
     * @throws ProblemException                  400 for a malformed or truncated body, 413 for a
     *                                           metadata part or body over its limit
     * @throws org.photobridge.gateway.photo.MemoryBusyException when the budget stayed full
     * @throws org.photobridge.gateway.photo.PhotoRejectedException FILE_TOO_LARGE when the file alone
     *                                           could never fit the budget
     */
    public static MultipartUpload read(InputStream body, String contentType, OptionalLong contentLength,
            Limits limits, MemoryBudget budget) {
        var upload = new MultipartUpload(body, boundary(contentType), contentLength, limits, budget);
        try {
            upload.parse();
            return upload;
        } catch (IOException e) {
            upload.close();
            // The client went away or the HTTP layer ended the body (its own size limit): nothing was kept.
            throw truncated();
        } catch (RuntimeException e) {
            // A refusal (malformed, too large, memory busy): the client reads it once it has sent its body.
            upload.close();
            upload.drain();
            throw e;
        } catch (Error e) {
            upload.close();
            throw e;
        }
    }

    /** Reads and drops what is left of a body, up to the body limit (for a refusal before it was read). */
    public static void discard(InputStream body, long maxBodyBytes) {
        byte[] sink = new byte[BUFFER];
        long left = maxBodyBytes;
        try {
            for (int n; left > 0 && (n = body.read(sink, 0, (int) Math.min(sink.length, left))) > 0;) {
                left -= n;
            }
        } catch (IOException e) {
            // the client is gone; there is nobody to answer
        }
    }

    /** The value of the Content-Type's boundary parameter (quoted or not). */
    static String boundary(String contentType) {
        if (contentType == null) {
            throw invalid("the request must be multipart/form-data with parts 'file' and 'metadata'");
        }
        String boundary = null;
        String[] params = contentType.split(";");
        for (int i = 1; i < params.length; i++) {
            String param = params[i].strip();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("boundary")) {
                boundary = param.substring(eq + 1).strip();
                if (boundary.length() >= 2 && boundary.startsWith("\"") && boundary.endsWith("\"")) {
                    boundary = boundary.substring(1, boundary.length() - 1);
                }
            }
        }
        if (boundary == null || boundary.isEmpty()) {
            throw invalid("the multipart/form-data Content-Type names no boundary");
        }
        if (boundary.length() > MAX_BOUNDARY) {
            throw invalid("the multipart boundary is longer than " + MAX_BOUNDARY + " characters");
        }
        for (int i = 0; i < boundary.length(); i++) {
            char c = boundary.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "'()+_,-./:=? ".indexOf(c) >= 0;
            if (!allowed || c == ' ' && i == boundary.length() - 1) {
                throw invalid("the multipart boundary has a character RFC 2046 does not allow");
            }
        }
        return boundary;
    }

    /** The metadata part's text (the first one), if one was sent. */
    public Optional<String> metadata() {
        return Optional.ofNullable(metadata);
    }

    /** How many parts named {@code file} were sent. */
    public int fileParts() {
        return fileParts;
    }

    /** The size of the first file part, as sent (also when it was over the limit and not kept). */
    public long fileBytes() {
        return fileBytes;
    }

    /**
     * The first file part's bytes, its SHA-256 and the memory reserved for it, or empty when the
     * request had no file part or its file was over the limit ({@link #fileBytes()} tells).
     */
    public Optional<ReceivedFile> file() {
        return file == null ? Optional.empty()
                : Optional.of(new ReceivedFile(file, (int) fileBytes, sha256, reservation));
    }

    /**
     * A file received in memory: the first {@code length} bytes of {@code array} (sized from the
     * Content-Length, so it may be longer: zeros follow the file), its hex SHA-256, and the memory
     * reserved for the whole array (closed with the upload).
     */
    public record ReceivedFile(byte[] array, int length, String sha256, MemoryBudget.Reservation memory) {
        public ReceivedFile {
            if (length < 0 || length > array.length) {
                throw new IllegalArgumentException("file length " + length + " outside an array of " + array.length);
            }
        }

        /** The file's bytes, exactly: the array itself when the file fills it, otherwise a copy (tests, tools). */
        public byte[] bytes() {
            return length == array.length ? array : java.util.Arrays.copyOf(array, length);
        }
    }

    /** Lets go of the file and gives its memory back. */
    @Override
    public void close() {
        file = null;
        if (reservation != null) {
            reservation.close();
        }
    }

    // --- parsing ---------------------------------------------------------------------------------------

    private void parse() throws IOException {
        // The preamble, before the first delimiter, is dropped.
        partBody(Sink.DISCARD);
        for (int parts = 0;; parts++) {
            if (!afterDelimiter()) {
                break;
            }
            if (parts == MAX_PARTS) {
                throw invalid("the multipart body has more than " + MAX_PARTS + " parts");
            }
            String name = partName(headers());
            if ("file".equals(name)) {
                fileParts++;
                if (fileParts == 1) {
                    readFile();
                    continue;
                }
                partBody(Sink.DISCARD);
            } else if ("metadata".equals(name) && metadata == null) {
                var text = new TextSink(limits.maxMetadataBytes());
                partBody(text);
                metadata = text.toString();
            } else {
                partBody(Sink.DISCARD);
            }
        }
        // The epilogue, after the close delimiter, is dropped.
        drain();
    }

    /**
     * After a delimiter: true when a part follows (its CRLF is left, as the start of the header
     * block), false after the close delimiter's "--".
     */
    private boolean afterDelimiter() throws IOException {
        require(2);
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            pos += 2;
            return false;
        }
        // Transport padding (RFC 2046: linear white space before the CRLF).
        for (int padding = 0;; padding++) {
            require(1);
            if (buf[pos] != ' ' && buf[pos] != '\t') {
                break;
            }
            if (padding == 64) {
                throw invalid("a multipart boundary line is followed by too much white space");
            }
            pos++;
        }
        require(2);
        if (buf[pos] != '\r' || buf[pos + 1] != '\n') {
            throw invalid("a multipart boundary line does not end with CRLF");
        }
        return true;
    }

    /** The part's header lines; {@code pos} is at the CRLF that ends the boundary line. */
    private List<String> headers() throws IOException {
        int blockEnd;
        while ((blockEnd = indexOfBlankLine()) < 0) {
            if (end - pos > MAX_HEADER_BYTES + 2) {
                throw invalid("a multipart part has more than " + MAX_HEADER_BYTES + " bytes of headers");
            }
            if (!more()) {
                throw truncated();
            }
        }
        if (blockEnd - pos > MAX_HEADER_BYTES + 2) {
            throw invalid("a multipart part has more than " + MAX_HEADER_BYTES + " bytes of headers");
        }
        var lines = new ArrayList<String>();
        if (blockEnd > pos) {
            // Header bytes are ISO-8859-1 on the wire; the names we look at are ASCII.
            String block = new String(buf, pos + 2, blockEnd - pos - 2, StandardCharsets.ISO_8859_1);
            for (String line : block.split("\r\n", -1)) {
                if (lines.size() == MAX_HEADERS) {
                    throw invalid("a multipart part has more than " + MAX_HEADERS + " header lines");
                }
                lines.add(line);
            }
        }
        pos = blockEnd + 4;
        return lines;
    }

    /**
     * The offset of the CRLF CRLF that ends the header block starting at {@code pos} (itself a CRLF:
     * an empty block is CRLF CRLF at {@code pos}), or -1 when it is not in the buffer yet.
     */
    private int indexOfBlankLine() {
        for (int i = pos; i + 3 < end; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The form field name from the Content-Disposition header, or null when the part has none. */
    static String partName(List<String> headers) {
        String name = null;
        for (String line : headers) {
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw invalid("a multipart part has a malformed header line");
            }
            if (!line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")) {
                continue;
            }
            String value = line.substring(colon + 1);
            int semicolon = value.indexOf(';');
            if (semicolon < 0 || !value.substring(0, semicolon).strip().equalsIgnoreCase("form-data")) {
                continue;
            }
            name = parameter(value.substring(semicolon + 1), "name");
        }
        return name;
    }

    /** One parameter of a header value ({@code ; key=value} or {@code ; key="quoted"}), or null. */
    private static String parameter(String params, String key) {
        int i = 0;
        int n = params.length();
        while (i < n) {
            while (i < n && (params.charAt(i) == ' ' || params.charAt(i) == '\t' || params.charAt(i) == ';')) {
                i++;
            }
            int eq = params.indexOf('=', i);
            if (eq < 0) {
                return null;
            }
            String k = params.substring(i, eq).strip();
            i = eq + 1;
            while (i < n && (params.charAt(i) == ' ' || params.charAt(i) == '\t')) {
                i++;
            }
            String value;
            if (i < n && params.charAt(i) == '"') {
                var quoted = new StringBuilder();
                i++;
                while (i < n && params.charAt(i) != '"') {
                    char c = params.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        c = params.charAt(++i);
                    }
                    quoted.append(c);
                    i++;
                }
                if (i >= n) {
                    throw invalid("a multipart part's Content-Disposition has an unterminated quoted string");
                }
                i++;
                value = quoted.toString();
            } else {
                int stop = params.indexOf(';', i);
                stop = stop < 0 ? n : stop;
                value = params.substring(i, stop).strip();
                i = stop;
            }
            if (k.equalsIgnoreCase(key)) {
                return value;
            }
        }
        return null;
    }

    private void readFile() throws IOException {
        var sink = new FileSink();
        partBody(sink);
        if (sink.overrun) {
            throw invalid("the multipart body is longer than its Content-Length");
        }
        fileBytes = sink.size;
        if (sink.kept()) {
            file = sink.array();
            sha256 = HexFormat.of().formatHex(sink.digest.digest());
        }
    }

    /**
     * Hands the part's content to {@code sink} up to the next delimiter and leaves {@code pos} after
     * it. The delimiter (CRLF "--" boundary) is looked for at each CR, found eight bytes at a time;
     * a photo has about one CR in 256 bytes.
     */
    private void partBody(Sink sink) throws IOException {
        int length = delimiter.length;
        while (true) {
            int found = find(pos);
            if (found >= 0) {
                sink.write(buf, pos, found - pos);
                pos = found + length;
                return;
            }
            // Everything but the last length-1 bytes is content: none of it can begin a delimiter.
            int safe = Math.max(pos, end - (length - 1));
            sink.write(buf, pos, safe - pos);
            pos = safe;
            if (!more()) {
                throw truncated();
            }
        }
    }

    /** The offset of the first complete delimiter at or after {@code from} in the buffer, or -1. */
    private int find(int from) {
        int length = delimiter.length;
        int last = end - length;
        for (int at = from; at <= last; at++) {
            at = nextCr(buf, at, last + 1);
            if (at > last) {
                return -1;
            }
            if (java.util.Arrays.equals(buf, at, at + length, delimiter, 0, length)) {
                return at;
            }
        }
        return -1;
    }

    /**
     * The offset of the first CR at or after {@code pos} and before {@code limit}, or {@code limit}:
     * eight bytes at a time ({@code (v - 0x01..01) & ~v & 0x80..80} flags the zero bytes of
     * {@code v}, here of the bytes XOR CR; the lowest flag is always a real one).
     */
    static int nextCr(byte[] bytes, int pos, int limit) {
        for (int last = limit - Long.BYTES; pos <= last; pos += Long.BYTES) {
            long v = (long) LONGS.get(bytes, pos) ^ CRS;
            long zeroBytes = (v - 0x0101010101010101L) & ~v & 0x8080808080808080L;
            if (zeroBytes != 0) {
                return pos + (Long.numberOfTrailingZeros(zeroBytes) >>> 3);
            }
        }
        while (pos < limit && bytes[pos] != '\r') {
            pos++;
        }
        return pos;
    }

    /** Makes sure {@code n} bytes are in the buffer from {@code pos}. */
    private void require(int n) throws IOException {
        while (end - pos < n) {
            if (!more()) {
                throw truncated();
            }
        }
    }

    /** Reads more of the body into the buffer (moving what is left to its start); false at its end. */
    private boolean more() throws IOException {
        if (eof) {
            return false;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, end - pos);
            end -= pos;
            pos = 0;
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
            return false;
        }
        consumed += n;
        if (consumed > limits.maxBodyBytes()) {
            throw new ProblemException(413, "file-too-large", "Payload too large",
                    "the request body exceeds the gateway's upload limit", "file");
        }
        end += n;
        return true;
    }

    /** Reads and drops the rest of the body (the epilogue, or what follows a refusal). */
    private void drain() {
        pos = end;
        try {
            while (more()) {
                pos = end;
            }
        } catch (IOException | ProblemException e) {
            // the client is gone, or sends more than any upload may be: the answer goes out as it is
        }
    }

    private static ProblemException invalid(String detail) {
        return new ProblemException(400, "invalid-multipart", "Invalid multipart body", detail, null);
    }

    private static ProblemException truncated() {
        return invalid("the multipart body ends before its closing boundary");
    }

    // --- sinks -----------------------------------------------------------------------------------------

    private interface Sink {
        Sink DISCARD = (bytes, offset, length) -> {
        };

        void write(byte[] bytes, int offset, int length);
    }

    private static final class TextSink implements Sink {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        TextSink(int max) {
            this.max = max;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (out.size() + (long) length > max) {
                throw new ProblemException(413, "metadata-too-large", "Metadata too large",
                        "the 'metadata' part is larger than " + max + " bytes", "metadata");
            }
            out.write(bytes, offset, length);
        }

        @Override
        public String toString() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * The file, hashed as it arrives. With a Content-Length it is received into one array as large as
     * what is left of the body (less the delimiter after the file: a file sent last gets 4 bytes more
     * than its size, for the close delimiter's "--" and CRLF), at most the file limit and at most what
     * the memory budget could ever hold: the file's only copy, handed on with its length; its memory
     * is reserved before the first byte is read. Without a Content-Length (a chunked body) its size
     * is not known: it is kept in 1 MiB pieces, joined once at its end, and twice its size is
     * reserved as it grows (the pieces and the joined array are held at once while it is joined),
     * the pieces' share given back after the join. Over the file limit it is dropped and only counted.
     */
    private final class FileSink implements Sink {
        final MessageDigest digest;
        /** With a Content-Length: the one array; null without one, or once dropped. */
        byte[] array;
        /** Without a Content-Length: the pieces; null with one, or once dropped. */
        List<byte[]> pieces;
        byte[] current;
        int used;
        long size;
        boolean dropped;
        /** More file than the Content-Length left room for. */
        boolean overrun;
        /** File bytes the reservation covers. */
        long covered;

        FileSink() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime provides SHA-256", e);
            }
            if (contentLength.isPresent()) {
                // What is left of the body after this part's headers, less the delimiter that must follow
                // the file (a body that ends there is then refused as truncated, not as too long).
                long before = consumed - (end - pos);
                long left = Math.max(0, contentLength.getAsLong() - before - delimiter.length);
                long capacity = Math.min(left, Math.min(limits.maxFileBytes(), largestArray()));
                cover(capacity);
                array = new byte[(int) capacity];
            } else {
                pieces = new ArrayList<>();
                cover(Math.min(PIECE, limits.maxFileBytes()));
            }
        }

        /** The largest file array that the budget could ever hold (and the JVM allocate). */
        private long largestArray() {
            return Math.max(0, Math.min(PhotoCleaner.largestUpload(budget), Integer.MAX_VALUE - 8));
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            if (length == 0) {
                return;
            }
            size += length;
            if (dropped) {
                return;
            }
            if (size > limits.maxFileBytes()) {
                // Refused once the request is read (after the metadata, as before); nothing more is kept.
                dropped = true;
                array = null;
                pieces = null;
                current = null;
                reservation.shrinkTo(0);
                return;
            }
            digest.update(bytes, offset, length);
            if (array != null) {
                if (size > array.length) {
                    if (array.length >= largestArray()) {
                        throw tooLarge(array.length);
                    }
                    // The body ends without its close delimiter (refused as truncated when it ends), or
                    // is longer than its Content-Length (refused once the part ends): nothing more is kept.
                    overrun = true;
                    dropped = true;
                    array = null;
                    return;
                }
                System.arraycopy(bytes, offset, array, (int) (size - length), length);
                return;
            }
            if (size > covered) {
                long next = Math.min(limits.maxFileBytes(), Math.max(size, 2 * covered));
                cover(budget.fits(chunkedMemory(next)) ? next : size);
            }
            while (length > 0) {
                if (current == null || used == current.length) {
                    current = new byte[PIECE];
                    pieces.add(current);
                    used = 0;
                }
                int n = Math.min(length, current.length - used);
                System.arraycopy(bytes, offset, current, used, n);
                used += n;
                offset += n;
                length -= n;
            }
        }

        /** Memory for a chunked file of {@code fileBytes}: its pieces and the array they are joined into. */
        private long chunkedMemory(long fileBytes) {
            return PhotoCleaner.memoryFor(fileBytes) + fileBytes;
        }

        /** Reserves memory for {@code fileBytes} bytes of file in all. */
        private void cover(long fileBytes) {
            long bytes = pieces != null ? chunkedMemory(fileBytes) : PhotoCleaner.memoryFor(fileBytes);
            if (!budget.fits(bytes)) {
                throw tooLarge(fileBytes - 1);
            }
            if (reservation == null) {
                reservation = budget.reserve(bytes);
            } else {
                // The pieces received so far stay in the heap if it has to wait (see growTo).
                reservation.growTo(bytes, size);
            }
            covered = fileBytes;
        }

        private PhotoRejectedException tooLarge(long bytes) {
            String how = pieces != null ? "; sent without a Content-Length, a file needs twice its size while it"
                    + " is received: send the request with its Content-Length" : "";
            return new PhotoRejectedException(PhotoRejectedException.Reason.FILE_TOO_LARGE, "the file is larger than "
                    + bytes + " bytes; this gateway's image memory (" + (budget.totalBytes() >> 20)
                    + " MiB) cannot hold it" + how);
        }

        /** Whether the file was kept (not over the limit). */
        boolean kept() {
            return !dropped;
        }

        /** The file's array: the one array, or the pieces copied once into one and let go. */
        byte[] array() {
            if (array != null) {
                return array;
            }
            byte[] all = new byte[(int) size];
            int at = 0;
            for (byte[] piece : pieces) {
                int n = piece == current ? used : piece.length;
                System.arraycopy(piece, 0, all, at, n);
                at += n;
            }
            pieces = null;
            current = null;
            // The pieces are gone: what is held now is the joined array.
            reservation.shrinkTo(PhotoCleaner.memoryFor(size));
            return all;
        }
    }
}
