package org.photobridge.fhir.ehrtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The EHR stand-in counts what reaches it, so tests can count publications at the receiver. */
class EhrTestServerRequestLogTest {
    private static final String CONSENT = """
            {"resourceType": "Consent", "status": "active",
             "identifier": [{"system": "urn:test:consent", "value": "c-1"}],
             "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                   "code": "patient-privacy"}]},
             "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}]}""";

    private EhrTestServer ehr;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        ehr = new EhrTestServer().start();
    }

    @AfterEach
    void stop() {
        ehr.stop();
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String json, Duration timeout)
            throws Exception {
        var body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        var request = HttpRequest.newBuilder(URI.create(ehr.baseUrl() + pathAndQuery)).timeout(timeout)
                .header("Content-Type", "application/fhir+json").header("Accept", "application/fhir+json")
                .method(method, body).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void logsEveryRequestWithItsInteractionResourceTypeAndIdentifier() throws Exception {
        Duration t = Duration.ofSeconds(10);
        assertEquals(201, send("PUT", "/Consent?identifier=urn%3Atest%3Aconsent%7Cc-1", CONSENT, t).statusCode());
        assertEquals(200, send("PUT", "/Consent?identifier=urn:test:consent%7Cc-1", CONSENT, t).statusCode());
        assertEquals(201, send("POST", "/Consent", CONSENT, t).statusCode());
        assertEquals(200, send("GET", "/Consent/1", null, t).statusCode());
        assertEquals(200, send("GET", "/Consent?identifier=urn:test:consent%7Cc-1", null, t).statusCode());

        assertEquals(List.of("conditional-update", "conditional-update", "create", "read", "search"),
                ehr.requests().stream().map(EhrTestServer.Request::interaction).toList());
        assertEquals(2, ehr.count("PUT", "Consent"));
        assertEquals(1, ehr.count("POST", "Consent"));
        assertEquals(0, ehr.count("PUT", "ImagingStudy"));
        assertEquals(3, ehr.requestsWithIdentifier("Consent", "urn:test:consent|c-1").size(),
                "two conditional updates and one search name the identifier");
        assertEquals(Optional.of("1"), ehr.requests().get(3).id());
        assertEquals(2, ehr.consents().size(), "the create made a second Consent; the updates merged");

        ehr.clearRequests();
        assertEquals(0, ehr.requestCount());
    }

    @Test
    void hangingEhrHoldsRequestsAndAnswersThemUnprocessedWhenItResumes() throws Exception {
        ehr.hang();
        assertThrows(HttpTimeoutException.class, () -> send("PUT", "/Consent?identifier=urn:test:consent%7Cc-1",
                CONSENT, Duration.ofMillis(500)));
        // The client gave up; the request may still be on its way into the server.
        var deadline = java.time.Instant.now().plusSeconds(30);
        while (ehr.heldRequestCount() < 1 && java.time.Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertEquals(1, ehr.heldRequestCount());
        assertEquals(1, ehr.count("PUT", "Consent"), "a held request is logged");

        ehr.resume();
        assertEquals(0, ehr.consents().size(), "a held request is never processed");
        assertEquals(201, send("PUT", "/Consent?identifier=urn:test:consent%7Cc-1", CONSENT, Duration.ofSeconds(10))
                .statusCode());
        assertEquals(1, ehr.consents().size());
        assertEquals(2, ehr.count("PUT", "Consent"));
    }
}
