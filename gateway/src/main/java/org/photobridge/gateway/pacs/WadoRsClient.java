package org.photobridge.gateway.pacs;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.photobridge.gateway.dicom.InstanceRef;

/**
 * Retrieves one stored instance, as the PACS holds it, by DICOMweb WADO-RS (PS3.18 10.4), through the
 * {@link PacsHttpClient}: {@code GET {base}/studies/{study}/series/{series}/instances/{sop}} asking for
 * {@code multipart/related; type="application/dicom"; transfer-syntax=*}, so the PACS sends the
 * stored bytes instead of transcoding (Orthanc otherwise decompresses to Explicit VR Little Endian).
 *
 * <p>The instance is held in memory (bounded by {@code maxInstanceBytes}); the viewer renders it at
 * once and keeps nothing.
 */
public final class WadoRsClient {

    private static final String ACCEPT = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
    private static final Pattern UID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]*))+");
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary\\s*=\\s*(\"([^\"]+)\"|[^;\\s]+)");
    private static final Pattern PART_LENGTH = Pattern.compile("(?im)^content-length\\s*:\\s*(\\d+)\\s*$");
    private static final Pattern PART_TYPE = Pattern.compile("(?im)^content-type\\s*:\\s*([^;\\r\\n]+)");
    /** Room for the multipart framing around the instance. */
    private static final int FRAMING_BYTES = 16 * 1024;

    private final PacsHttpClient http;
    private final long maxInstanceBytes;

    /**
     * @param baseUrl          the DICOMweb service root, for example {@code http://pacs:8042/dicom-web}
     * @param credentials      how to authenticate, as for STOW-RS
     * @param connectTimeout   bound on opening the connection
     * @param timeout          bound on the whole exchange, the answer included
     * @param maxInstanceBytes the largest instance accepted; larger answers are {@link WadoRsException.Malformed}
     */
    public WadoRsClient(URI baseUrl, HttpCredentials credentials, Duration connectTimeout, Duration timeout,
            long maxInstanceBytes) {
        this(baseUrl, credentials, connectTimeout, timeout, maxInstanceBytes, java.util.Optional.empty());
    }

    /** As above, with the TLS client for an {@code https://} base URL ({@link PacsHttpClient}). */
    public WadoRsClient(URI baseUrl, HttpCredentials credentials, Duration connectTimeout, Duration timeout,
            long maxInstanceBytes, Optional<org.photobridge.gateway.pacs.tls.ClientTls> tls) {
        if (maxInstanceBytes < 1 || maxInstanceBytes > Integer.MAX_VALUE - FRAMING_BYTES - 128) {
            throw new IllegalArgumentException("maxInstanceBytes must be between 1 and about 2 GB, was " + maxInstanceBytes);
        }
        this.http = new PacsHttpClient(baseUrl, credentials, connectTimeout, timeout, tls);
        this.maxInstanceBytes = maxInstanceBytes;
    }

    /** A client whose connect time-out is the whole time-out. */
    public WadoRsClient(URI baseUrl, HttpCredentials credentials, Duration timeout, long maxInstanceBytes) {
        this(baseUrl, credentials, timeout, timeout, maxInstanceBytes);
    }

    /** As {@link #fetch(String, String, String)}. */
    public Optional<byte[]> fetch(InstanceRef instance) throws WadoRsException {
        return fetch(instance.studyInstanceUid(), instance.seriesInstanceUid(), instance.sopInstanceUid());
    }

    /**
     * The instance's Part 10 bytes as the PACS stores them, or empty when the PACS does not hold it
     * (HTTP 404 or 204, or a response without parts).
     *
     * @throws WadoRsException.Unavailable when the PACS cannot answer now
     * @throws WadoRsException.Refused     when the PACS refuses the request (credentials, permissions, a redirect)
     * @throws WadoRsException.Malformed   when the answer is not one DICOM part, or too large
     */
    public Optional<byte[]> fetch(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid)
            throws WadoRsException {
        String path = "/studies/" + uid(studyInstanceUid) + "/series/" + uid(seriesInstanceUid)
                + "/instances/" + uid(sopInstanceUid);
        PacsHttpClient.Response response;
        try {
            response = http.get(path, ACCEPT, maxInstanceBytes + FRAMING_BYTES);
        } catch (PacsHttpClient.Unreachable e) {
            throw new WadoRsException.Unavailable(where() + ": " + e.reason(), e);
        }
        int code = response.status();
        if (code == 404 || code == 204) {
            return Optional.empty();
        }
        if (code != 200) {
            PacsHttpClient.Failure failure = PacsHttpClient.failure(code, response.header("Retry-After"));
            if (failure.retryable()) {
                throw new WadoRsException.Unavailable(where() + ": " + failure.reason(), null);
            }
            throw new WadoRsException.Refused(where() + ": " + failure.reason(), code);
        }
        if (response.truncated()) {
            throw new WadoRsException.Malformed(where() + ": the instance is larger than " + maxInstanceBytes
                    + " bytes; not fetched");
        }
        return singlePart(response.header("Content-Type").orElse(""), response.body());
    }

    /** The content of the one part of a multipart/related body (RFC 2046), or the body if it is bare application/dicom. */
    Optional<byte[]> singlePart(String contentType, byte[] body) throws WadoRsException {
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/dicom")) {
            return Optional.of(checkedSize(body, 0, body.length));
        }
        if (!mediaType.equals("multipart/related")) {
            throw new WadoRsException.Malformed(where() + ": expected multipart/related, got '" + mediaType + "'");
        }
        Matcher boundaryMatch = BOUNDARY.matcher(contentType);
        if (!boundaryMatch.find()) {
            throw new WadoRsException.Malformed(where() + ": multipart response without boundary");
        }
        String boundary = boundaryMatch.group(2) != null ? boundaryMatch.group(2) : boundaryMatch.group(1);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int first = indexOf(body, delimiter, 0);
        if (first < 0) {
            throw new WadoRsException.Malformed(where() + ": multipart response without any boundary line");
        }
        int afterDelimiter = first + delimiter.length;
        if (startsWith(body, afterDelimiter, "--")) {
            return Optional.empty(); // close delimiter at once: no parts
        }
        int headersStart = indexOf(body, "\r\n".getBytes(StandardCharsets.US_ASCII), afterDelimiter);
        int headersEnd = headersStart < 0 ? -1 : indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), headersStart);
        if (headersEnd < 0) {
            throw new WadoRsException.Malformed(where() + ": multipart part without header end");
        }
        String headers = new String(body, headersStart, headersEnd - headersStart + 2, StandardCharsets.ISO_8859_1);
        Matcher partType = PART_TYPE.matcher(headers);
        if (partType.find() && !partType.group(1).strip().equalsIgnoreCase("application/dicom")) {
            throw new WadoRsException.Malformed(where() + ": part is '" + partType.group(1).strip()
                    + "', not application/dicom");
        }
        int contentStart = headersEnd + 4;
        byte[] closing = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int contentEnd = -1;
        Matcher length = PART_LENGTH.matcher(headers);
        if (length.find()) {
            long declared = Long.parseLong(length.group(1));
            if (declared <= body.length - contentStart && startsWith(body, (int) (contentStart + declared), closing)) {
                contentEnd = (int) (contentStart + declared);
            }
        }
        if (contentEnd < 0) {
            contentEnd = indexOf(body, closing, contentStart);
        }
        if (contentEnd < 0) {
            throw new WadoRsException.Malformed(where() + ": multipart part is not closed (truncated response?)");
        }
        return Optional.of(checkedSize(body, contentStart, contentEnd));
    }

    private byte[] checkedSize(byte[] body, int from, int to) throws WadoRsException {
        if (to - from > maxInstanceBytes) {
            throw new WadoRsException.Malformed(where() + ": the instance is larger than " + maxInstanceBytes
                    + " bytes; not fetched");
        }
        return from == 0 && to == body.length ? body : Arrays.copyOfRange(body, from, to);
    }

    private static boolean startsWith(byte[] body, int at, String ascii) {
        return startsWith(body, at, ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean startsWith(byte[] body, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > body.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (body[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] body, byte[] pattern, int from) {
        byte head = pattern[0];
        for (int i = Math.max(0, from), last = body.length - pattern.length; i <= last; i++) {
            if (body[i] == head && startsWith(body, i, pattern)) {
                return i;
            }
        }
        return -1;
    }

    private static String uid(String value) {
        if (value == null || value.length() > 64 || !UID.matcher(value).matches()) {
            throw new IllegalArgumentException("not a DICOM UID: " + value);
        }
        return value;
    }

    private String where() {
        return "WADO-RS " + http.baseUrl();
    }
}
