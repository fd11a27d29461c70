package org.photobridge.gateway.intake;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

import org.photobridge.gateway.testing.Keycloak;

/** Builds upload requests the way a capture client sends them. */
final class Uploads {
    static final String PLASTICS = "plastics.surgeon";
    static final String DERM = "derm.photographer";

    private Uploads() {
    }

    /** Metadata for a plastic-surgery photo of a patient in an encounter; {@code mrn} makes it distinct. */
    static String metadata(String mrn, String encounter) {
        return """
                {
                  "patient":   {"identifier": {"system": "urn:oid:1.2.3.4.5", "value": "%s"},
                                "name": "Doe^Jane", "birthDate": "1980-01-31", "sex": "F"},
                  "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "%s"}},
                  "department": "plastic-surgery",
                  "accessTags": ["plastic-surgery"],
                  "bodySite":  {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                  "laterality": "L",
                  "view": "left-oblique-45",
                  "protocol": "breast-5-view",
                  "takenAt": "2026-11-20T10:11:12Z",
                  "device": {"manufacturer": "Apple", "model": "iPhone 15 Pro"}
                }""".formatted(mrn, encounter);
    }

    static RequestSpecification as(String user) {
        return given().auth().oauth2(Keycloak.token(user));
    }

    static Response upload(String user, byte[] file, String fileName, String metadata) {
        return as(user).multiPart("file", fileName, file, "application/octet-stream")
                .multiPart("metadata", metadata, "application/json")
                .post("/api/v1/photos");
    }

    static ValidatableResponse status(String user, String id) {
        return as(user).get("/api/v1/photos/" + id).then();
    }

    /** Polls the status API until the photo's JSON satisfies {@code done}; fails after {@code timeout}. */
    static Map<String, Object> awaitStatus(String user, String id, Duration timeout,
            Predicate<Map<String, Object>> done) {
        Instant deadline = Instant.now().plus(timeout);
        Map<String, Object> last = null;
        while (Instant.now().isBefore(deadline)) {
            last = status(user, id).statusCode(200).extract().jsonPath().getMap("$");
            if (done.test(last)) {
                return last;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("photo did not reach the expected state within " + timeout + "; last: " + last);
    }

    /** Waits until every destination confirmed and the gateway purged its local copy. */
    static Map<String, Object> awaitStoredAndPurged(String user, String id) {
        return awaitStatus(user, id, Duration.ofSeconds(60),
                json -> "STORED".equals(json.get("status")) && Boolean.TRUE.equals(json.get("bytesPurged")));
    }

    static Map<String, Object> awaitStatus(String user, String id, String status) {
        return awaitStatus(user, id, Duration.ofSeconds(60), json -> status.equals(json.get("status")));
    }
}
