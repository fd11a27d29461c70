package org.photobridge.gateway.consent;

import static io.restassured.RestAssured.given;

import org.hl7.fhir.r4.model.Consent;
import org.photobridge.fhir.FhirContexts;
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

    /** The logical id from a create's Location header (…/Consent/{id}/_history/{v}). */
    static String idFrom(Response created) {
        String location = created.header("Location");
        String path = location.substring(location.indexOf("/Consent/") + "/Consent/".length());
        return path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
    }
}
