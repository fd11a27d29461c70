package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The HTTP edge as a client meets it, with requests written byte for byte on a socket: a bare
 * {@code |} in a query is read as {@code %7C} on both doors, and whatever the HTTP layer refuses
 * (request line, token, permission, path, method) comes with a body in the door's format.
 */
@QuarkusTest
@TestProfile(EdgeTestProfile.class)
@QuarkusTestResource(TestStack.class)
class HttpEdgeTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final String OFFICER = "compliance.officer";
    private static final String PATIENT_SYSTEM = ConsentFixtures.PATIENT_SYSTEM;
    private static final ObjectMapper JSON = new ObjectMapper();

    // --- bare | -----------------------------------------------------------------------------------

    @Test
    void fhirTokenSearchWithBareBarAnswersAsWithEncodedBar() {
        String mrn = "EDGE-" + UUID.randomUUID();
        given().auth().oauth2(Keycloak.token(SURGEON)).contentType("application/fhir+json")
                .body(FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn)))
                .post("/fhir/Consent").then().statusCode(201);

        var bare = RawHttp.get("/fhir/Consent?patient:identifier=" + PATIENT_SYSTEM + "|" + mrn, Keycloak.token(OFFICER));
        var encoded = RawHttp.get("/fhir/Consent?patient:identifier=" + PATIENT_SYSTEM + "%7C" + mrn,
                Keycloak.token(OFFICER));

        assertEquals(200, encoded.status(), encoded.body());
        assertEquals(200, bare.status(), bare.body());
        Bundle bareBundle = bundle(bare.body());
        Bundle encodedBundle = bundle(encoded.body());
        assertEquals(1, encodedBundle.getTotal());
        assertEquals(encodedBundle.getTotal(), bareBundle.getTotal());
        assertEquals(entryIds(encodedBundle), entryIds(bareBundle));
        // Paging links are built from the (encoded) target, so a client can follow them as they are.
        bareBundle.getLink().forEach(link -> assertFalse(link.getUrl().contains("|"), link.getUrl()));
    }

    @Test
    void photoListWithBareBarAnswersAsWithEncodedBar() throws Exception {
        String mrn = "EDGE-" + UUID.randomUUID();
        String id = given().auth().oauth2(Keycloak.token(SURGEON))
                .multiPart("file", "p.jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", metadata(mrn), "application/json")
                .post("/api/v1/photos").then().statusCode(202).extract().path("id");

        var bare = RawHttp.get("/api/v1/photos?patient=" + PATIENT_SYSTEM + "|" + mrn, Keycloak.token(SURGEON));
        var encoded = RawHttp.get("/api/v1/photos?patient=" + PATIENT_SYSTEM + "%7C" + mrn, Keycloak.token(SURGEON));

        assertEquals(200, encoded.status(), encoded.body());
        assertEquals(200, bare.status(), bare.body());
        assertEquals(List.of(id), ids(encoded.body()));
        assertEquals(ids(encoded.body()), ids(bare.body()));
    }

    @Test
    void otherCharactersBrowsersLeaveBareReachTheResource() {
        // HAPI itself now answers (unknown parameter), instead of an empty 400 from the HTTP layer.
        var answer = RawHttp.get("/fhir/Consent?_elements={x}&x=[1]^`", Keycloak.token(OFFICER));
        assertEquals(400, answer.status());
        assertTrue(answer.body().contains("\"OperationOutcome\""), answer.body());
        assertTrue(answer.header("x-powered-by").contains("HAPI"), "answered by HAPI, not by the edge");
    }

    // --- request lines the edge refuses -----------------------------------------------------------

    @Test
    void malformedPercentEncodingGetsProblemOnApiAndOperationOutcomeOnFhir() {
        var api = RawHttp.get("/api/v1/photos?patient=" + PATIENT_SYSTEM + "|MRN-SECRET%zz", Keycloak.token(SURGEON));
        assertProblem(api, 400, "malformed-request");
        assertFalse(api.body().contains("MRN-SECRET"), "no part of the query is echoed");

        var fhir = RawHttp.get("/fhir/Consent?patient:identifier=" + PATIENT_SYSTEM + "|MRN-SECRET%zz",
                Keycloak.token(OFFICER));
        assertOperationOutcome(fhir, 400, OperationOutcome.IssueType.INVALID);
        assertFalse(fhir.body().contains("MRN-SECRET"));

        assertProblem(RawHttp.get("/q/health/live?x=%zz", null), 400, "malformed-request");
    }

    @Test
    void barInPathIsRefusedWithBody() {
        assertOperationOutcome(RawHttp.get("/fhir/Con|sent", Keycloak.token(OFFICER)), 400,
                OperationOutcome.IssueType.INVALID);
    }

    @Test
    void overLongTargetGets414WithBody() {
        String longValue = "a".repeat(9000);
        assertProblem(RawHttp.get("/api/v1/photos?patient=" + longValue, Keycloak.token(SURGEON)), 414,
                "request-target-too-long");
        assertOperationOutcome(RawHttp.get("/fhir/Consent?patient:identifier=" + longValue, Keycloak.token(OFFICER)),
                414, OperationOutcome.IssueType.TOOLONG);
    }

    @Test
    void bodyOverTheLimitGets413WithBodyBeforeItIsRead() {
        var tooLarge = Map.of("Content-Type", "application/octet-stream", "Content-Length", "900000000");
        assertProblem(RawHttp.send("POST", "/api/v1/photos", Keycloak.token(SURGEON), tooLarge), 413,
                "request-too-large");
        assertOperationOutcome(RawHttp.send("POST", "/fhir/Consent", Keycloak.token(SURGEON), tooLarge), 413,
                OperationOutcome.IssueType.TOOLONG);
    }

    @Test
    void tenGigabyteUploadDeclaredGets413WithBodyBeforeItIsRead() {
        // Past 2^31 and 2^32: a length that overflows an int must still be refused, not wrapped.
        var tenGigabytes = Map.of("Content-Type", "multipart/form-data; boundary=x", "Content-Length", "10737418240");
        assertProblem(RawHttp.send("POST", "/api/v1/photos", Keycloak.token(SURGEON), tenGigabytes), 413,
                "request-too-large");
    }

    // --- tokens -------------------------------------------------------------------------------------

    @Test
    void missingTokenGets401WithBodyOnBothDoors() {
        var fhir = RawHttp.get("/fhir/Consent?patient:identifier=" + PATIENT_SYSTEM + "|MRN-1", null);
        assertOperationOutcome(fhir, 401, OperationOutcome.IssueType.LOGIN);
        assertEquals("Bearer", fhir.header("www-authenticate"));

        var api = RawHttp.get("/api/v1/photos?patient=" + PATIENT_SYSTEM + "|MRN-1", null);
        assertProblem(api, 401, "unauthorized");
        assertEquals("Bearer", api.header("www-authenticate"));
    }

    @Test
    void forgedTokenGets401InvalidTokenWithBody() {
        String forged = forge(Keycloak.token(SURGEON));
        for (String token : List.of(forged, "not-a-jwt")) {
            var fhir = RawHttp.get("/fhir/Consent?patient:identifier=" + PATIENT_SYSTEM + "|MRN-1", token);
            assertOperationOutcome(fhir, 401, OperationOutcome.IssueType.LOGIN);
            assertEquals("Bearer error=\"invalid_token\"", fhir.header("www-authenticate"));

            var api = RawHttp.get("/api/v1/photos?patient=" + PATIENT_SYSTEM + "|MRN-1", token);
            assertProblem(api, 401, "invalid-token");
            assertEquals("Bearer error=\"invalid_token\"", api.header("www-authenticate"));
        }
    }

    @Test
    void expiredTokenGets401InvalidTokenWithBody() throws Exception {
        String expired = KeycloakAdmin.shortLivedToken(SURGEON, 1);
        Thread.sleep(2_500);
        var fhir = RawHttp.get("/fhir/Consent?patient:identifier=" + PATIENT_SYSTEM + "|MRN-1", expired);
        assertOperationOutcome(fhir, 401, OperationOutcome.IssueType.LOGIN);
        assertEquals("Bearer error=\"invalid_token\"", fhir.header("www-authenticate"));
        assertProblem(RawHttp.get("/api/v1/photos?patient=" + PATIENT_SYSTEM + "|MRN-1", expired), 401,
                "invalid-token");
    }

    // --- permissions, paths, methods --------------------------------------------------------------

    @Test
    void permissionDenialGets403WithBody() {
        assertProblem(RawHttp.get(EdgeTestProfile.DENIED_API_PATH, Keycloak.token(SURGEON)), 403, "forbidden");
        assertOperationOutcome(RawHttp.get(EdgeTestProfile.DENIED_FHIR_PATH, Keycloak.token(SURGEON)), 403,
                OperationOutcome.IssueType.FORBIDDEN);
        // Without a token the same paths ask for one.
        assertProblem(RawHttp.get(EdgeTestProfile.DENIED_API_PATH, null), 401, "unauthorized");
    }

    @Test
    void unknownPathGets404WithBody() {
        assertProblem(RawHttp.get("/api/v1/no-such-thing", Keycloak.token(SURGEON)), 404, "not-found");
        assertProblem(RawHttp.get("/no-such-thing", null), 404, "not-found");
        var fhir = RawHttp.get("/fhir/NoSuchType", Keycloak.token(OFFICER));
        assertEquals(404, fhir.status());
        assertTrue(fhir.body().contains("\"OperationOutcome\""), fhir.body());
    }

    @Test
    void wrongMethodGets405WithBody() {
        assertProblem(RawHttp.send("DELETE", "/api/v1/photos", Keycloak.token(SURGEON)), 405, "method-not-allowed");
        assertProblem(RawHttp.send("PUT", "/no-such-thing", null), 405, "method-not-allowed");
    }

    // --- helpers ----------------------------------------------------------------------------------

    private static void assertProblem(RawHttp.Answer answer, int status, String slug) {
        assertEquals(status, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.contentType(), answer.headers().toString());
        Map<String, Object> problem = read(answer.body());
        assertEquals("urn:photobridge:problem:" + slug, problem.get("type"), answer.body());
        assertEquals(status, problem.get("status"));
        assertNotNull(problem.get("detail"));
    }

    private static void assertOperationOutcome(RawHttp.Answer answer, int status, OperationOutcome.IssueType code) {
        assertEquals(status, answer.status(), answer.body());
        assertEquals("application/fhir+json", answer.contentType(), answer.headers().toString());
        var outcome = FhirContexts.r4().newJsonParser().parseResource(OperationOutcome.class, answer.body());
        assertEquals(code, outcome.getIssueFirstRep().getCode(), answer.body());
        assertFalse(outcome.getIssueFirstRep().getDiagnostics().isBlank());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static Bundle bundle(String json) {
        return FhirContexts.r4().newJsonParser().parseResource(Bundle.class, json);
    }

    private static List<String> entryIds(Bundle bundle) {
        return bundle.getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).sorted().toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(String json) throws Exception {
        List<Map<String, Object>> photos = JSON.readValue(json, List.class);
        return photos.stream().map(p -> (String) p.get("id")).sorted().toList();
    }

    /** The token with its payload changed (a later expiry), the signature left as it was. */
    private static String forge(String token) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replaceFirst("\"exp\":(\\d+)", "\"exp\":4102444800");
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    private static String metadata(String mrn) {
        return """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-EDGE"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(PATIENT_SYSTEM, mrn);
    }
}
