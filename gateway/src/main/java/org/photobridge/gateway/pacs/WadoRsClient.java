package org.photobridge.gateway.pacs;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.regex.Pattern;
import org.photobridge.gateway.dicom.InstanceRef;

/**
 * Retrieves one stored instance, as the PACS holds it, by DICOMweb WADO-RS (PS3.18 10.4), through the
 * {@link PacsHttpClient}: {@code GET {base}/studies/{study}/series/{series}/instances/{sop}} asking for
 * {@code multipart/related; type="application/dicom"; transfer-syntax=*}, so the PACS sends the
 * stored bytes instead of transcoding (Orthanc otherwise decompresses to Explicit VR Little Endian).
 *
 * <p>The answer is parsed as it arrives ({@link SinglePartReader}): only the instance's bytes are held,
 * in one array (exactly sized when the part declares its Content-Length, as Orthanc's do), never the
 * whole answer and then a copy; an instance over the bound ({@code maxInstanceBytes}, or a smaller
 * bound the caller gives for one fetch) is refused as soon as its size shows, without reading the rest.
 */
public final class WadoRsClient {

    private static final String ACCEPT = "multipart/related; type=\"application/dicom\"; transfer-syntax=*";
    private static final Pattern UID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]*))+");

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
            long maxInstanceBytes, Optional<org.photobridge.gateway.tls.ClientTls> tls) {
        if (maxInstanceBytes < 1 || maxInstanceBytes > Integer.MAX_VALUE - 128) {
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
        return fetch(instance, maxInstanceBytes);
    }

    /** As {@link #fetch(String, String, String)}, refusing instances over {@code maxBytes} (at most the client's bound). */
    public Optional<byte[]> fetch(InstanceRef instance, long maxBytes) throws WadoRsException {
        return fetch(instance.studyInstanceUid(), instance.seriesInstanceUid(), instance.sopInstanceUid(),
                Math.min(maxBytes, maxInstanceBytes));
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
        return fetch(studyInstanceUid, seriesInstanceUid, sopInstanceUid, maxInstanceBytes);
    }

    private Optional<byte[]> fetch(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
            long maxBytes) throws WadoRsException {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, was " + maxBytes);
        }
        String path = "/studies/" + uid(studyInstanceUid) + "/series/" + uid(seriesInstanceUid)
                + "/instances/" + uid(sopInstanceUid);
        PacsHttpClient.Streamed<Parsed> response;
        try {
            response = http.getStreamed(path, ACCEPT, info -> new PartSubscriber(
                    info.headers().firstValue("Content-Type").orElse(""), maxBytes,
                    info.headers().firstValueAsLong("Content-Length").orElse(-1)));
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
        Parsed parsed = response.body().orElseThrow();
        if (parsed.problem() != null) {
            throw new WadoRsException.Malformed(where() + ": " + parsed.problem().getMessage());
        }
        return parsed.part();
    }

    /** The content of the one part of a multipart/related body (RFC 2046), or the body if it is bare application/dicom. */
    Optional<byte[]> singlePart(String contentType, byte[] body) throws WadoRsException {
        try {
            var reader = new SinglePartReader(contentType, maxInstanceBytes, body.length);
            reader.accept(ByteBuffer.wrap(body));
            return reader.finish();
        } catch (WadoRsException.Malformed e) {
            throw new WadoRsException.Malformed(where() + ": " + e.getMessage());
        }
    }

    /** What reading an answer gave: the part (or none), or why it is not one. */
    private record Parsed(Optional<byte[]> part, WadoRsException problem) {
    }

    /**
     * Feeds an answer, as it arrives, to a {@link SinglePartReader}; stops reading (cancels) at the
     * first sign that the answer is not one acceptable part, so an oversized answer is never read.
     */
    private static final class PartSubscriber implements HttpResponse.BodySubscriber<Parsed> {
        private final CompletableFuture<Parsed> result = new CompletableFuture<>();
        private final String contentType;
        private final long maxBytes;
        private final long declaredLength;
        private SinglePartReader reader;
        private Flow.Subscription subscription;

        PartSubscriber(String contentType, long maxBytes, long declaredLength) {
            this.contentType = contentType;
            this.maxBytes = maxBytes;
            this.declaredLength = declaredLength;
        }

        @Override
        public CompletionStage<Parsed> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            try {
                reader = new SinglePartReader(contentType, maxBytes, declaredLength);
            } catch (WadoRsException e) {
                stop(e);
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            try {
                for (ByteBuffer item : items) {
                    reader.accept(item);
                }
            } catch (WadoRsException e) {
                stop(e);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            if (result.isDone()) {
                return;
            }
            try {
                result.complete(new Parsed(reader.finish(), null));
            } catch (WadoRsException e) {
                result.complete(new Parsed(Optional.empty(), e));
            }
        }

        private void stop(WadoRsException problem) {
            reader = null; // whatever was read so far is garbage now
            result.complete(new Parsed(Optional.empty(), problem));
            subscription.cancel();
        }
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
