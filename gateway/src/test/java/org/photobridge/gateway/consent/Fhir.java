package org.photobridge.gateway.consent;

import static io.restassured.RestAssured.given;

import org.hl7.fhir.r4.model.Consent;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.gateway.ehr.EhrPublicationHandler;
import org.photobridge.gateway.testing.Keycloak;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** FHIR calls to the gateway's /fhir endpoint with real Keycloak tokens. */
final class Fhir {
    static final String FHIR_JSON = "application/fhir+json";

    private Fhir() {
    }

    static RequestSpecification as(String user) {
        return given().auth().oauth2(Keycloak.token(user)).accept(FHIR_JSON);
    }

    static String json(Consent consent) {
        return FhirContexts.r4().newJsonParser().encodeResourceToString(consent);
    }

    static Consent parse(String json) {
        return FhirContexts.r4().newJsonParser().parseResource(Consent.class, json);
    }

    static Response create(String user, Consent consent) {
        return as(user).contentType(FHIR_JSON).body(json(consent)).post("/fhir/Consent");
    }

    static Response update(String user, String id, Consent consent) {
        consent.setId(id);
        return as(user).contentType(FHIR_JSON).body(json(consent)).put("/fhir/Consent/" + id);
    }

    /** Records a clinical-care Consent for {@code mrn} as {@code user} (which must be answered 201); its id. */
    static String createClinicalCare(String user, String mrn) {
        Response created = create(user, ConsentFixtures.clinicalCareOnly(mrn));
        created.then().statusCode(201);
        return idFrom(created);
    }

    /** The identifier (system|value) by which the EHR's request log names a Consent the gateway published. */
    static String ehrKey(String consentId) {
        return EhrPublicationHandler.CONSENT_IDENTIFIER_SYSTEM + "|" + consentId;
    }

    /** The logical id from a create's Location header (…/Consent/{id}/_history/{v}). */
    static String idFrom(Response created) {
        String location = created.header("Location");
        String path = location.substring(location.indexOf("/Consent/") + "/Consent/".length());
        return path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
    }
}
