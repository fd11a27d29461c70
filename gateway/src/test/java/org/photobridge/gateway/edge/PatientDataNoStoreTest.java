package org.photobridge.gateway.edge;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Every answer of the three doors that carry patient data ({@code /api/v1}, {@code /fhir},
 * {@code /dicomweb}) says {@code Cache-Control: no-store} and {@code Pragma: no-cache}: successes,
 * refusals of the security layer and refusals of the resources alike.
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class PatientDataNoStoreTest {
    private static final String SURGEON = "plastics.surgeon";
    private static final String OFFICER = "compliance.officer";
    private static final String FHIR_JSON = "application/fhir+json";

    @Test
    void photoApiAnswersAreNeverStored() {
        String mrn = "NOSTORE-" + UUID.randomUUID();
        given().auth().oauth2(Keycloak.token(SURGEON)).contentType(FHIR_JSON)
                .body(FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn)))
                .post("/fhir/Consent").then().statusCode(201);
        Response accepted = given().auth().oauth2(Keycloak.token(SURGEON))
                .multiPart("file", "p.jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", metadata(mrn), "application/json").post("/api/v1/photos");
        assertNoStore(accepted, 202);
        String id = accepted.path("id");
        assertNoStore(given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id), 200);
        assertNoStore(given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(SURGEON))
                .get("/api/v1/photos?patient=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn), 200);
        Response thumbnail = given().auth().oauth2(Keycloak.token(SURGEON)).get("/api/v1/photos/" + id + "/thumbnail");
        assertNoStore(thumbnail, 200);
        assertTrue(thumbnail.header("Cache-Control").contains("private"),
                "an image keeps its own, stricter value: " + thumbnail.header("Cache-Control"));
        assertNoStore(given().get("/api/v1/photos/" + id), 401);
        assertNoStore(given().auth().oauth2(Keycloak.token(OFFICER)).get("/api/v1/photos/" + UUID.randomUUID()), 404);
        assertNoStore(given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(SURGEON))
                .get("/api/v1/exports?purpose=teaching&patient=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn), 200);
    }

    @Test
    void fhirAnswersAreNeverStored() {
        String mrn = "NOSTORE-" + UUID.randomUUID();
        Response created = given().auth().oauth2(Keycloak.token(SURGEON)).contentType(FHIR_JSON)
                .body(FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn)))
                .post("/fhir/Consent");
        assertNoStore(created, 201);
        assertNoStore(given().urlEncodingEnabled(false).auth().oauth2(Keycloak.token(OFFICER))
                .get("/fhir/Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn), 200);
        assertNoStore(given().auth().oauth2(Keycloak.token(OFFICER)).get("/fhir/AuditEvent?_count=1"), 200);
        assertNoStore(given().urlEncodingEnabled(false).get("/fhir/Consent?patient:identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn),
                401);
        assertNoStore(given().auth().oauth2(Keycloak.token(SURGEON)).get("/fhir/AuditEvent"), 403);
        assertNoStore(given().auth().oauth2(Keycloak.token(OFFICER)).get("/fhir/Consent/" + UUID.randomUUID()), 404);
    }

    @Test
    void dicomWebAnswersAreNeverStored() {
        assertNoStore(given().auth().oauth2(Keycloak.token(SURGEON)).accept("application/dicom+json")
                .get("/dicomweb/studies?PatientID=NOSTORE-" + UUID.randomUUID()), -1);
        assertNoStore(given().get("/dicomweb/studies"), 401);
    }

    @Test
    void pagesWithoutPatientDataAreLeftAlone() {
        Response health = given().get("/q/health/live");
        assertEquals(200, health.statusCode());
        assertEquals(null, health.header("Pragma"), "only the patient-data doors are marked");
    }

    /** {@code status} -1: any 2xx. */
    private static void assertNoStore(Response response, int status) {
        if (status < 0) {
            assertTrue(response.statusCode() / 100 == 2, response.statusCode() + " " + response.asString());
        } else {
            assertEquals(status, response.statusCode(), response.asString());
        }
        String cacheControl = response.header("Cache-Control");
        assertTrue(cacheControl != null && cacheControl.contains("no-store"),
                "Cache-Control of a " + response.statusCode() + ": " + cacheControl);
        assertEquals("no-cache", response.header("Pragma"), "Pragma of a " + response.statusCode());
    }

    private static String metadata(String mrn) {
        return """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-NOSTORE"}},
                 "department": "plastic-surgery", "accessTags": ["plastic-surgery"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "76752008", "display": "Breast"},
                 "laterality": "L", "view": "anterior"}""".formatted(ConsentFixtures.PATIENT_SYSTEM, mrn);
    }
}
