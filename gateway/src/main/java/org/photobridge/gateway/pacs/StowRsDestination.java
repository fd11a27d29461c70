package org.photobridge.gateway.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Delivers DICOM objects to a PACS by DICOMweb STOW-RS (PS3.18 10.5) and checks it with a QIDO-RS probe,
 * through the {@link PacsHttpClient}.
 *
 * <p>The Part 10 object is streamed from its source as the single part of a {@code multipart/related;
 * type="application/dicom"} body, with a Content-Length; it is never read into memory. A delivery counts
 * as stored only when the response's Referenced SOP Sequence names this SOP Instance UID.
 */
public final class StowRsDestination implements Destination {

    /** Responses are small JSON documents; anything bigger is not worth reading. */
    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final String DICOM_JSON = "application/dicom+json";
    private static final String REFERENCED_SOP_SEQUENCE = "00081199";
    private static final String FAILED_SOP_SEQUENCE = "00081198";
    private static final String REFERENCED_SOP_INSTANCE_UID = "00081155";
    private static final String FAILURE_REASON = "00081197";
    private static final String WARNING_REASON = "00081196";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final StowRsSettings settings;
    private final PacsHttpClient http;

    public StowRsDestination(StowRsSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = new PacsHttpClient(settings.baseUrl(), settings.credentials(), settings.connectTimeout(),
                settings.timeout(), settings.tls());
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
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public PacsOutcome deliver(DicomSource source, String sopClassUid, String sopInstanceUid) {
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
            return new PacsOutcome.Failed(where() + ": the DICOM object to send does not exist (queue inconsistency)");
        } catch (IOException e) {
            return new PacsOutcome.Retry(where() + ": cannot read the DICOM object to send ("
                    + e.getClass().getSimpleName() + "); will retry");
        }
        PacsHttpClient.Response response;
        try {
            response = http.post("/studies", "multipart/related; type=\"application/dicom\"; boundary=" + boundary,
                    DICOM_JSON, body, MAX_RESPONSE_BYTES);
        } catch (PacsHttpClient.Unreachable e) {
            return e.outcome(where());
        }
        return outcomeForResponse(response.status(), response.body(), sopInstanceUid, response.header("Retry-After"));
    }

    @Override
    public Reachability check() {
        try {
            PacsHttpClient.Response response = http.get("/studies?limit=1", DICOM_JSON, MAX_RESPONSE_BYTES);
            if (response.isSuccess()) {
                return new Reachability(true, where() + ": QIDO-RS probe answered HTTP " + response.status());
            }
            return new Reachability(false, where() + ": QIDO-RS probe: "
                    + PacsHttpClient.failure(response.status(), response.header("Retry-After")).reason());
        } catch (PacsHttpClient.Unreachable e) {
            return new Reachability(false, where() + ": " + e.reason());
        }
    }

    /**
     * Maps a STOW-RS response (PS3.18 10.5.3) to an outcome. Only a response that lists our SOP
     * Instance in the Referenced SOP Sequence counts as stored.
     */
    PacsOutcome outcomeForResponse(int code, byte[] body, String sopInstanceUid, Optional<String> retryAfter) {
        String where = where();
        JsonNode json = parse(body);
        JsonNode referenced = findInstance(json, REFERENCED_SOP_SEQUENCE, sopInstanceUid);
        JsonNode failed = findInstance(json, FAILED_SOP_SEQUENCE, sopInstanceUid);
        if ((code == 200 || code == 202) && referenced != null) {
            Integer warning = usValue(referenced, WARNING_REASON);
            return new PacsOutcome.Done(where + ": stored (HTTP " + code
                    + (warning == null ? "" : String.format(", warning reason 0x%04X", warning)) + ")");
        }
        if ((code == 200 || code == 202 || code == 409) && failed != null) {
            Integer reason = usValue(failed, FAILURE_REASON);
            if (reason != null) {
                // FailureReason uses the C-STORE status codes (PS3.18 Table 10.5.3-3), so it maps the same way.
                return DimseStatus.outcomeForStatus(reason, where + " (HTTP " + code + ")", null);
            }
            return new PacsOutcome.Failed(where + ": the PACS listed this instance as failed (HTTP " + code
                    + ", no failure reason given); check the PACS log");
        }
        if (code == 200 || code == 202) {
            return new PacsOutcome.Retry(where + ": HTTP " + code
                    + " but the response does not confirm this SOP Instance; will retry");
        }
        if (code == 409) {
            return new PacsOutcome.Failed(where + ": the PACS refused the object (HTTP 409 Conflict, e.g. SOP Class"
                    + " not supported or study mismatch); the object or PACS configuration needs changing");
        }
        // Everything else means what it means for any request to the PACS (a redirect is not followed).
        return PacsHttpClient.failure(code, retryAfter).outcome(where);
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

    private String where() {
        return "STOW-RS destination '" + settings.name() + "' (" + settings.baseUrl() + ")";
    }
}
