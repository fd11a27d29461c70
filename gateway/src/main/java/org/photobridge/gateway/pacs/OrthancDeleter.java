package org.photobridge.gateway.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.photobridge.gateway.dicom.InstanceRef;

/**
 * Deletes instances from Orthanc through its REST API, by the {@link PacsHttpClient}: {@code POST
 * /tools/lookup} with the SOP Instance UID finds Orthanc's id, {@code DELETE /instances/{id}} removes
 * the instance (and its series and study when it was their last). Deleting is idempotent: an
 * instance Orthanc does not hold counts as deleted, so a job may be retried from the start.
 */
public final class OrthancDeleter {

    private static final int MAX_RESPONSE_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OrthancRestSettings settings;
    private final PacsHttpClient http;

    public OrthancDeleter(OrthancRestSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.http = new PacsHttpClient(settings.baseUrl(), settings.credentials(), settings.connectTimeout(),
                settings.timeout(), settings.tls());
    }

    public OrthancRestSettings settings() {
        return settings;
    }

    /**
     * Deletes each instance in turn and stops at the first that is not done.
     *
     * @return {@link PacsOutcome.Done} when none of the instances is left in Orthanc (the detail
     *         says how many were deleted and how many were already absent), otherwise the first
     *         Retry or Failed
     */
    public PacsOutcome deleteAll(List<InstanceRef> instances) {
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
        return new PacsOutcome.Done(where() + ": " + deleted + " instance(s) deleted, " + absent
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
        record NotDone(PacsOutcome outcome) implements Result {
        }
    }

    /** Deletes every Orthanc instance with this SOP Instance UID. */
    Result delete(String sopInstanceUid) {
        List<String> ids;
        try {
            PacsHttpClient.Response lookup = http.post("/tools/lookup", "text/plain", null,
                    HttpRequest.BodyPublishers.ofString(sopInstanceUid, StandardCharsets.US_ASCII), MAX_RESPONSE_BYTES);
            if (lookup.status() != 200) {
                return new Result.NotDone(outcomeForStatus(lookup, "lookup"));
            }
            ids = instanceIds(lookup.body());
        } catch (PacsHttpClient.Unreachable e) {
            return new Result.NotDone(e.outcome(where()));
        }
        if (ids == null) {
            return new Result.NotDone(new PacsOutcome.Retry(where()
                    + ": /tools/lookup answered something that is not Orthanc's JSON; is rest-url Orthanc's REST root?"
                    + " Will retry"));
        }
        if (ids.isEmpty()) {
            return new Result.Absent();
        }
        int deleted = 0;
        for (String id : ids) {
            try {
                PacsHttpClient.Response answer = http.delete("/instances/" + URLEncoder.encode(id, StandardCharsets.UTF_8),
                        MAX_RESPONSE_BYTES);
                int code = answer.status();
                if (code == 200 || code == 204) {
                    deleted++;
                } else if (code != 404) { // 404: deleted by someone else since the lookup
                    return new Result.NotDone(outcomeForStatus(answer, "delete"));
                }
            } catch (PacsHttpClient.Unreachable e) {
                return new Result.NotDone(e.outcome(where()));
            }
        }
        return deleted == 0 ? new Result.Absent() : new Result.Deleted(deleted);
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

    private PacsOutcome outcomeForStatus(PacsHttpClient.Response answer, String step) {
        String where = where() + " (" + step + ")";
        if (answer.status() == 404) {
            return new PacsOutcome.Failed(where + ": HTTP 404; check that rest-url is Orthanc's REST root, not its"
                    + " DICOMweb root");
        }
        return PacsHttpClient.failure(answer.status(), answer.header("Retry-After")).outcome(where);
    }

    private String where() {
        return "Orthanc REST of destination '" + settings.name() + "' (" + settings.baseUrl() + ")";
    }
}
