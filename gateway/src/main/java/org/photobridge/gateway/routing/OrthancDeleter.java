package org.photobridge.gateway.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.outbox.WorkOutcome;

/**
 * Deletes instances from Orthanc through its REST API: {@code POST /tools/lookup} with the SOP
 * Instance UID finds Orthanc's id, {@code DELETE /instances/{id}} removes the instance (and its
 * series and study when it was their last). Deleting is idempotent: an instance Orthanc does not
 * hold counts as deleted, so a job may be retried from the start.
 */
public final class OrthancDeleter {

    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrthancRestSettings settings;
    private final HttpClient http;
    private final String base;

    public OrthancDeleter(OrthancRestSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.base = settings.baseUrl().toString().replaceAll("/+$", "");
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public OrthancRestSettings settings() {
        return settings;
    }

    /**
     * Deletes each instance in turn and stops at the first that is not done.
     *
     * @return {@link WorkOutcome.Done} when none of the instances is left in Orthanc (the detail
     *         says how many were deleted and how many were already absent), otherwise the first
     *         Retry or Failed
     */
    public WorkOutcome deleteAll(List<InstanceRef> instances) {
        int deleted = 0;
        int absent = 0;
        for (InstanceRef instance : instances) {
            Result result = delete(instance.sopInstanceUid());
            if (result instanceof Result.NotDone notDone) {
                return notDone.outcome();
            }
            if (result instanceof Result.Deleted done) {
                deleted += done.count();
            } else {
                absent++;
            }
        }
        return new WorkOutcome.Done(where() + ": " + deleted + " instance(s) deleted, " + absent
                + " already absent");
    }

    /** What deleting one SOP Instance UID came to. */
    sealed interface Result {
        /** Orthanc held it and deleted it ({@code count} Orthanc instances, normally 1). */
        record Deleted(int count) implements Result {
        }

        /** Orthanc does not hold it (never stored, or deleted before). */
        record Absent() implements Result {
        }

        /** Could not be done now (Retry) or at all (Failed). */
        record NotDone(WorkOutcome outcome) implements Result {
        }
    }

    /** Deletes every Orthanc instance with this SOP Instance UID. */
    Result delete(String sopInstanceUid) {
        List<String> ids;
        try {
            Reply lookup = send(request("/tools/lookup")
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(sopInstanceUid, StandardCharsets.US_ASCII)));
            int code = lookup.status();
            if (code != 200) {
                return new Result.NotDone(outcomeForStatus(code, "lookup"));
            }
            ids = instanceIds(lookup.body());
        } catch (NotDoneException e) {
            return new Result.NotDone(e.outcome);
        }
        if (ids == null) {
            return new Result.NotDone(new WorkOutcome.Retry(where()
                    + ": /tools/lookup answered something that is not Orthanc's JSON; is baseUrl Orthanc's REST root?"
                    + " Will retry"));
        }
        if (ids.isEmpty()) {
            return new Result.Absent();
        }
        int deleted = 0;
        for (String id : ids) {
            try {
                int code = send(request("/instances/" + URLEncoder.encode(id, StandardCharsets.UTF_8)).DELETE())
                        .status();
                if (code == 200 || code == 204) {
                    deleted++;
                } else if (code != 404) { // 404: deleted by someone else since the lookup
                    return new Result.NotDone(outcomeForStatus(code, "delete"));
                }
            } catch (NotDoneException e) {
                return new Result.NotDone(e.outcome);
            }
        }
        return deleted == 0 ? new Result.Absent() : new Result.Deleted(deleted);
    }

    private HttpRequest.Builder request(String path) {
        var builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(settings.timeout());
        if (settings.credentials() instanceof StowRsSettings.Credentials.Bearer bearer) {
            builder.header("Authorization", "Bearer " + bearer.token());
        } else if (settings.credentials() instanceof StowRsSettings.Credentials.Basic basic) {
            builder.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((basic.username() + ":" + basic.password()).getBytes(StandardCharsets.UTF_8)));
        }
        return builder;
    }

    private Reply send(HttpRequest.Builder request) throws NotDoneException {
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            try (InputStream in = response.body()) {
                body = in.readNBytes(MAX_RESPONSE_BYTES);
            }
            return new Reply(response.statusCode(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotDoneException(new WorkOutcome.Retry(where() + ": interrupted (gateway shutting down?); will retry"));
        } catch (IOException e) {
            throw new NotDoneException(outcomeForException(e));
        }
    }

    /** Orthanc ids of the hits of type Instance; null when the body is not the JSON array Orthanc sends. */
    private static List<String> instanceIds(byte[] body) {
        try {
            JsonNode hits = JSON.readTree(body);
            if (hits == null || !hits.isArray()) {
                return null;
            }
            var ids = new ArrayList<String>();
            for (JsonNode hit : hits) {
                if ("Instance".equals(hit.path("Type").asText()) && !hit.path("ID").asText().isEmpty()) {
                    ids.add(hit.path("ID").asText());
                }
            }
            return ids;
        } catch (IOException notJson) {
            return null;
        }
    }

    private WorkOutcome outcomeForStatus(int code, String step) {
        String where = where() + " (" + step + ")";
        return switch (code) {
            case 401 -> new WorkOutcome.Failed(where + ": credentials rejected (HTTP 401); fix the Orthanc REST credentials");
            case 403 -> new WorkOutcome.Failed(where + ": not permitted (HTTP 403); Orthanc must allow this user to delete");
            case 404 -> new WorkOutcome.Failed(where + ": HTTP 404; check that baseUrl is Orthanc's REST root, not its"
                    + " DICOMweb root");
            case 405 -> new WorkOutcome.Failed(where + ": HTTP 405; this server does not allow deleting here");
            case 408, 429 -> new WorkOutcome.Retry(where + ": Orthanc asked to try later (HTTP " + code + "); will retry");
            default -> code >= 500
                    ? new WorkOutcome.Retry(where + ": Orthanc server error (HTTP " + code + "); will retry")
                    : new WorkOutcome.Failed(where + ": unexpected HTTP " + code + "; check the Orthanc log");
        };
    }

    private WorkOutcome outcomeForException(IOException e) {
        String where = where();
        if (e instanceof HttpConnectTimeoutException) {
            return new WorkOutcome.Retry(where + ": could not connect within " + settings.timeout().toSeconds() + " s; will retry");
        }
        if (e instanceof HttpTimeoutException) {
            return new WorkOutcome.Retry(where + ": no response within " + settings.timeout().toSeconds() + " s; will retry");
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return new WorkOutcome.Retry(where + ": connection refused; is Orthanc running and is the URL right?"
                        + " Will retry");
            }
            if (t instanceof java.net.UnknownHostException) {
                return new WorkOutcome.Retry(where + ": host name does not resolve; check the base URL. Will retry");
            }
        }
        return new WorkOutcome.Retry(where + ": network error (" + e.getClass().getSimpleName() + "); will retry");
    }

    private String where() {
        return "Orthanc REST of destination '" + settings.name() + "' (" + settings.baseUrl() + ")";
    }

    private static final class NotDoneException extends Exception {
        final WorkOutcome outcome;

        NotDoneException(WorkOutcome outcome) {
            super(outcome.message(), null, false, false);
            this.outcome = outcome;
        }
    }

    /** A response whose body was read (bounded) before the connection was given back. */
    private record Reply(int status, byte[] body) {
    }
}
