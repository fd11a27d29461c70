package org.photobridge.gateway.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.photobridge.gateway.testing.Keycloak;

/**
 * A capture client for load: multipart uploads over java.net.http (thread-safe, unlike REST
 * Assured's static settings), with a connect and a request time-out, and a tally of how each upload
 * ended: accepted (202), refused at connect (the gateway was down), another HTTP status, or broken
 * mid-request (the gateway died while answering: the outcome is unknown to the client).
 */
final class Uploader {
    static final String PLASTICS = "plastics.surgeon";
    static final String PATIENT_SYSTEM = "urn:oid:1.2.3.4.5";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One accepted photo. */
    record Accepted(String gateway, String id, String sopInstanceUid, String mrn, long atMillis) {
    }

    /** How one upload ended. */
    enum Outcome { ACCEPTED, REFUSED, HTTP_ERROR, BROKEN }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1).build();
    private final byte[] file;
    final ConcurrentLinkedQueue<Accepted> accepted = new ConcurrentLinkedQueue<>();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicInteger broken = new AtomicInteger();
    final Map<Integer, AtomicInteger> httpErrors = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    /** Patient (MRN) of each upload that did not get 202, with how it ended. */
    final Map<String, String> failedByMrn = new ConcurrentHashMap<>();
    /** The encounter of each upload that was not answered 202, so the client can repeat it exactly. */
    final Map<String, String> failedEncounterByMrn = new ConcurrentHashMap<>();

    Uploader(byte[] file) {
        this.file = file;
    }

    /** Metadata of a plastic-surgery photo of patient {@code mrn} in encounter {@code encounter}. */
    static String metadata(String mrn, String encounter) {
        return """
                {"patient": {"identifier": {"system": "%s", "value": "%s"},
                             "name": "Doe^Jane", "birthDate": "1980-01-31", "sex": "F"},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "%s"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "left-oblique-45", "protocol": "breast-5-view",
                 "takenAt": "2026-11-20T10:11:12Z", "device": {"manufacturer": "Apple", "model": "iPhone 15 Pro"}}
                """.formatted(PATIENT_SYSTEM, mrn, encounter);
    }

    /** Uploads one photo of {@code mrn} in its own encounter to the gateway at {@code baseUrl}. */
    Outcome upload(String gatewayName, String baseUrl, String mrn) {
        return upload(gatewayName, baseUrl, mrn, "ENC-" + UUID.randomUUID());
    }

    /**
     * Repeats a failed upload as a client would (same file, same patient and encounter): the HTTP
     * status, and the SOP Instance UID of the photo it answered with (200 or 202), if any.
     */
    Map.Entry<Integer, String> repeat(String baseUrl, String mrn) throws IOException, InterruptedException {
        String encounter = failedEncounterByMrn.get(mrn);
        HttpResponse<String> response = http.send(request(baseUrl, mrn, encounter), HttpResponse.BodyHandlers.ofString());
        String sop = null;
        if (response.statusCode() == 200 || response.statusCode() == 202) {
            sop = (String) JSON.readValue(response.body(), Map.class).get("sopInstanceUid");
        }
        return Map.entry(response.statusCode(), sop == null ? "" : sop);
    }

    private HttpRequest request(String baseUrl, String mrn, String encounter) {
        String boundary = "pbtest" + UUID.randomUUID().toString().replace("-", "");
        var body = new ByteArrayOutputStream();
        try {
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                    + "Content-Type: application/json\r\n\r\n" + metadata(mrn, encounter) + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                    + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.write(file);
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/photos")).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + Keycloak.token(PLASTICS))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    }

    private Outcome upload(String gatewayName, String baseUrl, String mrn, String encounter) {
        var request = request(baseUrl, mrn, encounter);
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                Map<?, ?> json = JSON.readValue(response.body(), Map.class);
                accepted.add(new Accepted(gatewayName, (String) json.get("id"), (String) json.get("sopInstanceUid"),
                        mrn, System.currentTimeMillis()));
                return Outcome.ACCEPTED;
            }
            httpErrors.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
            failedByMrn.put(mrn, "HTTP " + response.statusCode());
            failedEncounterByMrn.put(mrn, encounter);
            if (errorSamples.size() < 20) {
                errorSamples.add(gatewayName + " HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
            }
            return Outcome.HTTP_ERROR;
        } catch (ConnectException e) {
            refused.incrementAndGet();
            return Outcome.REFUSED;
        } catch (IOException e) {
            if (isConnectRefused(e)) {
                refused.incrementAndGet();
                return Outcome.REFUSED;
            }
            broken.incrementAndGet();
            failedByMrn.put(mrn, "broken: " + e);
            failedEncounterByMrn.put(mrn, encounter);
            if (errorSamples.size() < 20) {
                errorSamples.add(gatewayName + " broken: " + e);
            }
            return Outcome.BROKEN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean isConnectRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    int httpErrorCount() {
        return httpErrors.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    List<Accepted> acceptedList() {
        return List.copyOf(accepted);
    }

    private static String abbreviate(String body) {
        String oneLine = body == null ? "" : body.replaceAll("\\s+", " ");
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "…" : oneLine;
    }
}
