package org.photobridge.gateway.intake;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;

import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.photo.TestImages;
import org.photobridge.gateway.testing.ConsentProfile;
import org.photobridge.gateway.testing.EhrTestResource;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** The capture page's patient lookup with an EHR: the EHR's Patient search, and the gateway's encounters. */
@QuarkusTest
@TestProfile(ConsentProfile.class)
@QuarkusTestResource(TestStack.class)
class PatientLookupTest {

    static Response lookup(String user, String mrn) {
        return given().auth().oauth2(Keycloak.token(user)).urlEncodingEnabled(false)
                .get("/api/v1/patients?identifier=" + ConsentFixtures.PATIENT_SYSTEM + "%7C" + mrn);
    }

    static void upload(String user, String department, String mrn, String encounter) {
        given().auth().oauth2(Keycloak.token(user))
                .multiPart("file", "p.jpg", TestImages.jpeg(TestImages.scene()), "image/jpeg")
                .multiPart("metadata", """
                        {"patient": {"identifier": {"system": "%s", "value": "%s"}},
                         "encounter": {"identifier": {"system": "urn:oid:1.2.3.4.6", "value": "%s"}},
                         "department": "%s", "accessTags": ["%s"],
                         "bodySite": {"system": "http://snomed.info/sct", "code": "40983000"}, "laterality": "L"}"""
                        .formatted(ConsentFixtures.PATIENT_SYSTEM, mrn, encounter, department, department),
                        "application/json")
                .post("/api/v1/photos").then().statusCode(202);
    }

    @Test
    void findsThePatientInTheEhrWithWhatTheUploadTakes() {
        String mrn = "MRN-PL-" + UUID.randomUUID();
        var patient = new Patient();
        patient.addIdentifier().setSystem(ConsentFixtures.PATIENT_SYSTEM).setValue(mrn);
        patient.addName().setFamily("Doe").addGiven("Jane").setUse(org.hl7.fhir.r4.model.HumanName.NameUse.OFFICIAL);
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1980-01-31"));
        String id = EhrTestResource.ehr().seedPatient(patient);
        given().auth().oauth2(Keycloak.token("plastics.surgeon")).contentType("application/fhir+json")
                .body(FhirContexts.r4().newJsonParser().encodeResourceToString(ConsentFixtures.clinicalCareOnly(mrn)))
                .post("/fhir/Consent").then().statusCode(201);
        upload("plastics.surgeon", "plastic-surgery", mrn, "ENC-OLD");
        upload("plastics.surgeon", "plastic-surgery", mrn, "ENC-NEW");

        Response found = lookup("plastics.surgeon", mrn);
        found.then().statusCode(200).header("Cache-Control", "no-store");
        assertEquals("ehr", found.path("source"));
        assertEquals(true, found.path("found"));
        assertEquals("Patient/" + id, found.path("ehrReference"));
        assertEquals("Doe^Jane", found.path("name"));
        assertEquals("1980-01-31", found.path("birthDate"));
        assertEquals("F", found.path("sex"));
        assertEquals(List.of("ENC-NEW", "ENC-OLD"), found.jsonPath().getList("encounters.identifier.value"),
                "the gateway's encounters, newest first");
        assertEquals(List.of(1, 1), found.jsonPath().getList("encounters.photoCount"));

        // Another department's clinician finds the patient but not the encounters of photos hidden from them.
        Response other = lookup("derm.consultant", mrn);
        assertEquals(true, other.path("found"));
        assertEquals(List.of(), other.jsonPath().getList("encounters"));
    }

    @Test
    void anUnknownPatientIsNotFoundAndABadQueryIsRefused() {
        Response missing = lookup("derm.photographer", "MRN-NOBODY-" + UUID.randomUUID());
        missing.then().statusCode(200);
        assertEquals("ehr", missing.path("source"));
        assertEquals(false, missing.path("found"));
        org.junit.jupiter.api.Assertions.assertNull(missing.path("name"));
        given().auth().oauth2(Keycloak.token("derm.photographer")).get("/api/v1/patients").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("identifier"));
        given().auth().oauth2(Keycloak.token("derm.photographer")).get("/api/v1/patients?identifier=MRN-1").then()
                .statusCode(400);
    }

    @Test
    void twoEhrPatientsWithOneIdentifierAreAConflict() {
        String mrn = "MRN-TWICE-" + UUID.randomUUID();
        EhrTestResource.ehr().seedPatient(ConsentFixtures.PATIENT_SYSTEM, mrn);
        EhrTestResource.ehr().seedPatient(ConsentFixtures.PATIENT_SYSTEM, mrn);
        lookup("derm.photographer", mrn).then().statusCode(409)
                .body("type", org.hamcrest.Matchers.equalTo("urn:photobridge:problem:ambiguous-patient"));
    }
}
