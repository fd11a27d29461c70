package org.photobridge.gateway.access;

import static io.restassured.RestAssured.given;

import java.util.UUID;

import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.Keycloak;

import io.restassured.response.Response;

/** A patient with a clinical-care consent and one photo of a body site, uploaded by a photographer. */
final class PhotoFixtures {

    record Photo(String mrn, String id, String sop) {
        String patientToken() {
            return ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn;
        }
    }

    private PhotoFixtures() {
    }

    static Photo upload(String photographer, String department, String bodySite) {
        String mrn = "MRN-BG-" + UUID.randomUUID();
        given().auth().oauth2(Keycloak.token(photographer)).contentType("application/fhir+json")
                .body(FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn)))
                .post("/fhir/Consent").then().statusCode(201);
        String metadata = """
                {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                 "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "ENC-BG"}},
                 "department": "%s", "accessTags": ["%s"],
                 "bodySite": {"system": "http://snomed.info/sct", "code": "%s"}, "laterality": "B",
                 "view": "anterior", "takenAt": "2026-11-20T10:11:12Z"}"""
                .formatted(ConsentFixtures.PATIENT_SYSTEM, mrn, department, department, bodySite);
        Response accepted = given().auth().oauth2(Keycloak.token(photographer))
                .multiPart("file", "p.jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", metadata, "application/json").post("/api/v1/photos");
        accepted.then().statusCode(202);
        return new Photo(mrn, accepted.path("id"), accepted.path("sopInstanceUid"));
    }
}
