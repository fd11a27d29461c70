package org.photobridge.gateway.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.photobridge.gateway.outbox.WorkOutcome;

/**
 * Delivers DICOM objects to a PACS by DICOMweb STOW-RS (PS3.18 10.5) and checks it with a QIDO-RS probe.
 *
 * <p>The Part 10 file is streamed from disk as the single part of a {@code multipart/related;
 * type="application/dicom"} body; it is never read into memory. A delivery counts as stored only when
 * the response's Referenced SOP Sequence names this SOP Instance UID.
 */
public final class StowRsDestination implements Destination {

    /** Responses are small JSON documents; anything bigger is not worth reading. */
    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final String REFERENCED_SOP_SEQUENCE = "00081199";
    private static final String FAILED_SOP_SEQUENCE = "00081198";
    private static final String REFERENCED_SOP_INSTANCE_UID = "00081155";
    private static final String FAILURE_REASON = "00081197";
    private static final String WARNING_REASON = "00081196";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StowRsSettings settings;
    private final HttpClient http;
    private final URI studiesUri;
    private final URI probeUri;

    public StowRsDestination(StowRsSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        String base = settings.baseUrl().toString().replaceAll("/+$", "");
        this.studiesUri = URI.create(base + "/studies");
        this.probeUri = URI.create(base + "/studies?limit=1");
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                // A redirected POST would be resent as GET by some servers' rules; make it a config error instead.
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public String name() {
        return settings.name();
    }

    public StowRsSettings settings() {
        return settings;
    }

    /** The body publisher's supplier cannot throw: a stream that cannot be opened fails the request. */
    private static InputStream openQuietly(DicomSource source) {
        try {
            return source.open();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public WorkOutcome deliver(DicomSource source, String sopClassUid, String sopInstanceUid) {
        String boundary = "photobridge-" + UUID.randomUUID();
        HttpRequest.BodyPublisher body;
        try {
            // Streamed from the source with its length known, so the body goes out with a
            // Content-Length (no chunked encoding for PACS that do not take it).
            long length = source.length();
            body = HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n",
                            StandardCharsets.US_ASCII),
                    HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                            () -> openQuietly(source)), length),
                    HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.US_ASCII));
        } catch (NoSuchFileException | FileNotFoundException e) {
            return new WorkOutcome.Failed(where() + ": the DICOM object to send does not exist (queue inconsistency)");
        } catch (IOException e) {
            return new WorkOutcome.Retry(where() + ": cannot read the DICOM object to send: " + e.getMessage());
        }
        var request = HttpRequest.newBuilder(studiesUri)
                .timeout(settings.timeout())
                .header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + boundary)
                .header("Accept", "application/dicom+json")
                .POST(body);
        authorize(request::header);
        HttpResponse<InputStream> response;
        byte[] responseBody;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                responseBody = in.readNBytes(MAX_RESPONSE_BYTES);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new WorkOutcome.Retry(where() + ": STOW-RS interrupted (gateway shutting down?); will retry");
        } catch (IOException e) {
            return outcomeForException(e);
        }
        return outcomeForResponse(response.statusCode(), responseBody, sopInstanceUid,
                response.headers().firstValue("Retry-After"));
    }

    @Override
    public Reachability check() {
        var request = HttpRequest.newBuilder(probeUri)
                .timeout(settings.timeout())
                .header("Accept", "application/dicom+json")
                .GET();
        authorize(request::header);
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            int code = response.statusCode();
            if (code >= 200 && code < 300) {
                return new Reachability(true, where() + ": QIDO-RS probe answered HTTP " + code);
            }
            if (code == 401 || code == 403) {
                return new Reachability(false, where() + ": credentials rejected (HTTP " + code + ")");
            }
            return new Reachability(false, where() + ": QIDO-RS probe answered HTTP " + code);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reachability(false, where() + ": probe interrupted");
        } catch (IOException e) {
            return new Reachability(false, outcomeForException(e).message());
        }
    }

    /**
     * Maps a STOW-RS response (PS3.18 10.5.3) to an outcome. Only a response that lists our SOP
     * Instance in the Referenced SOP Sequence counts as stored.
     */
    WorkOutcome outcomeForResponse(int code, byte[] body, String sopInstanceUid, Optional<String> retryAfter) {
        String where = where();
        JsonNode json = parse(body);
        JsonNode referenced = findInstance(json, REFERENCED_SOP_SEQUENCE, sopInstanceUid);
        JsonNode failed = findInstance(json, FAILED_SOP_SEQUENCE, sopInstanceUid);
        if ((code == 200 || code == 202) && referenced != null) {
            Integer warning = usValue(referenced, WARNING_REASON);
            return new WorkOutcome.Done(where + ": stored (HTTP " + code
                    + (warning == null ? "" : String.format(", warning reason 0x%04X", warning)) + ")");
        }
        if ((code == 200 || code == 202 || code == 409) && failed != null) {
            Integer reason = usValue(failed, FAILURE_REASON);
            if (reason != null) {
                // FailureReason uses the C-STORE status codes (PS3.18 Table 10.5.3-3), so it maps the same way.
                return DimseStatus.outcomeForStatus(reason, where + " (HTTP " + code + ")", null);
            }
            return new WorkOutcome.Failed(where + ": the PACS listed this instance as failed (HTTP " + code
                    + ", no failure reason given); check the PACS log");
        }
        if (code == 200 || code == 202) {
            return new WorkOutcome.Retry(where + ": HTTP " + code
                    + " but the response does not confirm this SOP Instance; will retry");
        }
        if (code == 409) {
            return new WorkOutcome.Failed(where + ": the PACS refused the object (HTTP 409 Conflict, e.g. SOP Class"
                    + " not supported or study mismatch); the object or PACS configuration needs changing");
        }
        if (code >= 300 && code < 400) {
            return new WorkOutcome.Failed(where + ": HTTP " + code
                    + " redirect; configure the final DICOMweb base URL instead of following redirects");
        }
        return switch (code) {
            case 400 -> new WorkOutcome.Failed(where + ": the PACS rejected the request as malformed (HTTP 400)");
            case 401 -> new WorkOutcome.Failed(where + ": credentials rejected (HTTP 401); fix the destination's credentials");
            case 403 -> new WorkOutcome.Failed(where + ": not permitted to store (HTTP 403); ask the PACS team for STOW rights");
            case 404 -> new WorkOutcome.Failed(where + ": no STOW-RS service at " + studiesUri
                    + " (HTTP 404); check the destination's base URL");
            case 405 -> new WorkOutcome.Failed(where + ": the PACS does not allow STOW-RS here (HTTP 405); check the base URL");
            case 413 -> new WorkOutcome.Failed(where + ": the object is larger than the PACS accepts (HTTP 413)");
            case 415 -> new WorkOutcome.Failed(where + ": the PACS does not accept application/dicom (HTTP 415)");
            case 408, 425, 429 -> new WorkOutcome.Retry(where + ": the PACS asked to try later (HTTP " + code + ")"
                    + retryAfter.map(s -> ", Retry-After " + s).orElse("") + "; will retry");
            default -> code >= 500
                    ? new WorkOutcome.Retry(where + ": PACS server error (HTTP " + code + ")"
                            + retryAfter.map(s -> ", Retry-After " + s).orElse("") + "; will retry")
                    : new WorkOutcome.Failed(where + ": unexpected HTTP " + code + "; check the PACS log");
        };
    }

    private WorkOutcome outcomeForException(IOException e) {
        String where = where();
        if (e instanceof HttpConnectTimeoutException) {
            return new WorkOutcome.Retry(where + ": could not connect within " + settings.timeout().toSeconds()
                    + " s; will retry");
        }
        if (e instanceof HttpTimeoutException) {
            return new WorkOutcome.Retry(where + ": no response within " + settings.timeout().toSeconds()
                    + " s; will retry");
        }
        if (hasCause(e, ConnectException.class)) {
            return new WorkOutcome.Retry(where + ": connection refused; is the PACS running and is the URL right?"
                    + " Will retry");
        }
        if (hasCause(e, java.net.UnknownHostException.class)) {
            return new WorkOutcome.Retry(where + ": host name does not resolve; check the base URL. Will retry");
        }
        if (hasCause(e, javax.net.ssl.SSLHandshakeException.class)) {
            return new WorkOutcome.Retry(where + ": TLS handshake failed (certificate not trusted?); will retry");
        }
        return new WorkOutcome.Retry(where + ": network error (" + e.getClass().getSimpleName() + "); will retry");
    }

    private void authorize(BiConsumer<String, String> header) {
        if (settings.credentials() instanceof StowRsSettings.Credentials.Bearer bearer) {
            header.accept("Authorization", "Bearer " + bearer.token());
        } else if (settings.credentials() instanceof StowRsSettings.Credentials.Basic basic) {
            header.accept("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((basic.username() + ":" + basic.password()).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isArray() && !node.isEmpty() ? node.get(0) : node;
        } catch (IOException notJson) {
            return null;
        }
    }

    /** The item of a sequence in a DICOM JSON object whose Referenced SOP Instance UID is ours. */
    private static JsonNode findInstance(JsonNode json, String sequenceTag, String sopInstanceUid) {
        if (json == null || !json.isObject()) {
            return null;
        }
        for (JsonNode item : json.path(sequenceTag).path("Value")) {
            if (sopInstanceUid.equals(item.path(REFERENCED_SOP_INSTANCE_UID).path("Value").path(0).asText(null))) {
                return item;
            }
        }
        return null;
    }

    private static Integer usValue(JsonNode item, String tag) {
        JsonNode value = item.path(tag).path("Value").path(0);
        return value.canConvertToInt() ? value.intValue() : null;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private String where() {
        return "STOW-RS destination '" + settings.name() + "' (" + settings.baseUrl() + ")";
    }
}
